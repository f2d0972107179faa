// Everything the workloads tree shows for one context, read from the context's shared caches
// (core/kube/contexts.ts): WorkloadView answers the tree's questions from any set of caches;
// ClusterWorkloads holds leases on the six caches of one context while the tree shows it.
import type { V1Deployment, V1Namespace, V1Node, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { Cache, CacheLease, CacheState, KubeContexts } from './contexts.ts';
import { objectKey, type KubeObject } from './reflector.ts';

export type WorkloadKind = 'namespaces' | 'nodes' | 'deployments' | 'replicasets' | 'pods' | 'services';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['namespaces', 'nodes', 'deployments', 'replicasets', 'pods', 'services'];

export interface WorkloadChange {
  kind: WorkloadKind;
  /** namespace/name keys that changed. */
  keys: ReadonlySet<string>;
  /** A (re-)list replaced the whole cache of this kind. */
  reset: boolean;
}

export interface WorkloadCaches {
  namespaces: Cache<V1Namespace & KubeObject>;
  nodes: Cache<V1Node & KubeObject>;
  deployments: Cache<V1Deployment & KubeObject>;
  replicasets: Cache<V1ReplicaSet & KubeObject>;
  pods: Cache<V1Pod & KubeObject>;
  services: Cache<V1Service & KubeObject>;
}

export interface ClusterWorkloadsOptions {
  onChange: (change: WorkloadChange) => void;
  onState?: (kind: WorkloadKind, state: CacheState) => void;
}

/** The tree's questions (what is in a namespace, whose pods are these), answered from caches. */
export class WorkloadView {
  readonly namespaces: Cache<V1Namespace & KubeObject>;
  readonly nodes: Cache<V1Node & KubeObject>;
  readonly deployments: Cache<V1Deployment & KubeObject>;
  readonly replicasets: Cache<V1ReplicaSet & KubeObject>;
  readonly pods: Cache<V1Pod & KubeObject>;
  readonly services: Cache<V1Service & KubeObject>;

  constructor(caches: WorkloadCaches) {
    this.namespaces = caches.namespaces;
    this.nodes = caches.nodes;
    this.deployments = caches.deployments;
    this.replicasets = caches.replicasets;
    this.pods = caches.pods;
    this.services = caches.services;
  }

  private podIndexCache: PodIndex | undefined;

  get synced(): boolean {
    return WORKLOAD_KINDS.every((k) => this[k].synced);
  }

  /** Namespaces, `default` first, then by name. */
  namespaceNames(): string[] {
    return this.namespaces
      .list()
      .map((n) => n.metadata?.name ?? '')
      .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  }

  deploymentsIn(namespace: string): V1Deployment[] {
    return byName(this.deployments.list().filter((d) => d.metadata?.namespace === namespace));
  }

  /** A deployment's ReplicaSets, newest revision first; old empty ones are kept (rollout history). */
  replicaSetsOf(deployment: V1Deployment): V1ReplicaSet[] {
    const uid = deployment.metadata?.uid;
    return this.replicasets
      .list()
      .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid))
      .sort((a, b) => revision(b) - revision(a));
  }

  podsOf(owner: KubeObject): V1Pod[] {
    return [...(this.podIndex().byOwner.get(owner.metadata?.uid ?? '') ?? [])];
  }

  /** Pods in a namespace that no ReplicaSet (or other controller we show) owns. */
  standalonePods(namespace: string): V1Pod[] {
    const replicaSetUids = new Set(this.replicasets.list().map((rs) => rs.metadata?.uid));
    return (this.podIndex().byNamespace.get(namespace) ?? []).filter((p) => !p.metadata?.ownerReferences?.some((o) => replicaSetUids.has(o.uid)));
  }

  /**
   * Pods by owner uid and by namespace, sorted by name, rebuilt when the pod cache changed: with
   * 10,000 pods, expanding a deployment reads its pods without scanning all of them.
   */
  private podIndex(): PodIndex {
    if (this.pods.version !== this.podIndexCache?.version) {
      const byOwner = new Map<string, V1Pod[]>();
      const byNamespace = new Map<string, V1Pod[]>();
      for (const pod of byName(this.pods.list())) {
        push(byNamespace, pod.metadata?.namespace ?? '', pod);
        for (const o of pod.metadata?.ownerReferences ?? []) push(byOwner, o.uid, pod);
      }
      this.podIndexCache = { version: this.pods.version, byOwner, byNamespace };
    }
    return this.podIndexCache;
  }

  servicesIn(namespace: string): V1Service[] {
    return byName(this.services.list().filter((s) => s.metadata?.namespace === namespace));
  }

  nodeList(): V1Node[] {
    return byName(this.nodes.list());
  }

  /** Pods of a deployment through its ReplicaSets. */
  podsOfDeployment(deployment: V1Deployment): V1Pod[] {
    return this.replicaSetsOf(deployment).flatMap((rs) => this.podsOf(rs));
  }

  static key(obj: KubeObject): string {
    return objectKey(obj);
  }
}

/** The six caches of one context, held (and their watches kept running) until stop(). */
export class ClusterWorkloads extends WorkloadView {
  readonly context: string;
  private readonly leases: Array<CacheLease<KubeObject>>;

  constructor(contexts: KubeContexts, context: string, options: ClusterWorkloadsOptions) {
    const acquire = <T extends KubeObject>(kind: WorkloadKind) =>
      contexts.acquire<T>(context, kind, {
        onChange: (keys, reset) => options.onChange({ kind, keys, reset }),
        onState: (state) => options.onState?.(kind, state),
      });
    const caches: WorkloadCaches = {
      namespaces: acquire('namespaces'),
      nodes: acquire('nodes'),
      deployments: acquire('deployments'),
      replicasets: acquire('replicasets'),
      pods: acquire('pods'),
      services: acquire('services'),
    };
    super(caches);
    this.context = context;
    this.leases = Object.values(caches) as Array<CacheLease<KubeObject>>;
  }

  /** The state of each cache (connecting, syncing, synced, error...). */
  states(): Array<[WorkloadKind, CacheState]> {
    return this.leases.map((l) => [l.kind as WorkloadKind, l.state]);
  }

  stop(): void {
    for (const lease of this.leases) lease.release();
  }
}

function revision(rs: V1ReplicaSet): number {
  return Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
}

/** By name, as kubectl lists (byte order; names are lowercase RFC 1123, so no locale is involved). */
function byName<T extends { metadata?: { name?: string } }>(items: T[]): T[] {
  return items.sort((a, b) => {
    const x = a.metadata?.name ?? '';
    const y = b.metadata?.name ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

interface PodIndex {
  version: number;
  byOwner: Map<string, V1Pod[]>;
  byNamespace: Map<string, V1Pod[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
