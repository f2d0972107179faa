// Everything the workloads tree shows for one context, kept live by one reflector per kind.
import type { V1Deployment, V1Namespace, V1Node, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { KubeHttp } from './http.ts';
import { objectKey, Reflector, type KubeObject, type ReflectorState } from './reflector.ts';

export type WorkloadKind = 'namespaces' | 'nodes' | 'deployments' | 'replicasets' | 'pods' | 'services';

const PATHS: Record<WorkloadKind, string> = {
  namespaces: '/api/v1/namespaces',
  nodes: '/api/v1/nodes',
  deployments: '/apis/apps/v1/deployments',
  replicasets: '/apis/apps/v1/replicasets',
  pods: '/api/v1/pods',
  services: '/api/v1/services',
};

export interface WorkloadChange {
  kind: WorkloadKind;
  /** namespace/name keys that changed. */
  keys: ReadonlySet<string>;
  /** A (re-)list replaced the whole cache of this kind. */
  reset: boolean;
}

export interface ClusterWorkloadsOptions {
  onChange: (change: WorkloadChange) => void;
  onState?: (kind: WorkloadKind, state: ReflectorState) => void;
  log?: (message: string) => void;
  batchMs?: number;
}

/** Drops what the tree never shows (managedFields are often half an object). */
function slim<T extends KubeObject>(obj: T): T {
  if (obj.metadata && 'managedFields' in obj.metadata) {
    delete (obj.metadata as Record<string, unknown>).managedFields;
  }
  return obj;
}

export class ClusterWorkloads {
  readonly namespaces: Reflector<V1Namespace & KubeObject>;
  readonly nodes: Reflector<V1Node & KubeObject>;
  readonly deployments: Reflector<V1Deployment & KubeObject>;
  readonly replicasets: Reflector<V1ReplicaSet & KubeObject>;
  readonly pods: Reflector<V1Pod & KubeObject>;
  readonly services: Reflector<V1Service & KubeObject>;
  private readonly all: Array<Reflector<KubeObject>>;
  readonly http: KubeHttp;

  constructor(http: KubeHttp, options: ClusterWorkloadsOptions) {
    this.http = http;
    const make = <T extends KubeObject>(kind: WorkloadKind) =>
      new Reflector<T>(http, {
        path: PATHS[kind],
        batchMs: options.batchMs,
        transform: slim,
        log: options.log,
        onChange: (keys, reset) => options.onChange({ kind, keys, reset }),
        onState: (state) => options.onState?.(kind, state),
      });
    this.namespaces = make('namespaces');
    this.nodes = make('nodes');
    this.deployments = make('deployments');
    this.replicasets = make('replicasets');
    this.pods = make('pods');
    this.services = make('services');
    this.all = [this.namespaces, this.nodes, this.deployments, this.replicasets, this.pods, this.services] as Array<Reflector<KubeObject>>;
  }

  start(): void {
    for (const r of this.all) r.start();
  }

  stop(): void {
    for (const r of this.all) r.stop();
  }

  get synced(): boolean {
    return this.all.every((r) => r.hasSynced);
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
    const uid = owner.metadata?.uid;
    return byName(this.pods.list().filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === uid)));
  }

  /** Pods in a namespace that no ReplicaSet (or other controller we show) owns. */
  standalonePods(namespace: string): V1Pod[] {
    const replicaSetUids = new Set(this.replicasets.list().map((rs) => rs.metadata?.uid));
    return byName(
      this.pods
        .list()
        .filter((p) => p.metadata?.namespace === namespace && !p.metadata?.ownerReferences?.some((o) => replicaSetUids.has(o.uid))),
    );
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

function revision(rs: V1ReplicaSet): number {
  return Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
}

function byName<T extends { metadata?: { name?: string } }>(items: T[]): T[] {
  return items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}
