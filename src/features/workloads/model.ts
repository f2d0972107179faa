// The workloads tree's node model, without VS Code: which nodes a context shows (namespaces ->
// deployments -> replica sets -> pods, standalone pods, services, Kubernetes nodes), read from
// the context's caches, and which shown nodes a watch event changes. Node objects are kept per
// id so VS Code can match a refresh to the node it holds.
import { isSystemNamespace } from '../../core/kube/namespaces.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import type { WorkloadChange, WorkloadView } from '../../core/kube/workloads.ts';
import type { EventGroup, EventSubject } from '../../core/kube/events.ts';

type Base = { id: string; context: string };
export type WorkloadNode =
  | (Base & { type: 'w-state' })
  | (Base & { type: 'w-nodes' })
  | (Base & { type: 'w-knode'; key: string })
  | (Base & { type: 'w-system' })
  | (Base & { type: 'w-namespace'; ns: string })
  | (Base & { type: 'w-services'; ns: string })
  | (Base & { type: 'w-empty'; ns: string })
  | (Base & { type: 'w-deployment'; key: string })
  | (Base & { type: 'w-replicaset'; key: string })
  | (Base & { type: 'w-pod'; key: string })
  | (Base & { type: 'w-service'; key: string })
  // A deployment's or pod's events (owner: whose), and one grouped event row under it.
  | (Base & { type: 'w-events'; owner: 'deploy' | 'pod'; key: string })
  | (Base & { type: 'w-event'; owner: 'deploy' | 'pod'; key: string; group: string });

/** The grouped events of a deployment (with its ReplicaSets' and pods') or of a pod, newest first. */
export interface EventsOf {
  deployment(key: string): readonly EventGroup[];
  pod(key: string): readonly EventGroup[];
}

/** A refresh target: one node, or a context's root item (its whole list). */
export type RefreshTarget = WorkloadNode | { context: string };

export type SystemNamespaces = 'grouped' | 'hidden' | 'shown';

/** Event rows under one Events node (kubectl describe shows them all; a tree row each is enough). */
export const MAX_EVENT_ROWS = 50;

export function isWorkloadNode(node: { type: string }): node is WorkloadNode {
  return node.type.startsWith('w-');
}

const PREFIX: Record<WorkloadChange['kind'], string> = {
  namespaces: 'ns', nodes: 'node', deployments: 'deploy', replicasets: 'rs', pods: 'pod', services: 'svc',
};

export function objectKeyOf(obj: KubeObject): string {
  return obj.metadata?.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : (obj.metadata?.name ?? '');
}

export class WorkloadModel {
  private readonly nodes = new Map<string, WorkloadNode>();
  /** id of each shown object node -> id of the node that lists it. */
  private readonly parents = new Map<string, string>();

  /** A context's children: a state row when there is a problem (or it is loading), then its namespaces and Nodes. */
  rootChildren(context: string, w: WorkloadView | undefined, showState: boolean, mode: SystemNamespaces): WorkloadNode[] {
    const children: WorkloadNode[] = [];
    if (showState) {
      children.push(this.node({ type: 'w-state', id: `${context}|state`, context }));
    }
    if (!w || !w.synced) {
      return children;
    }
    const nsNames = w.namespaceNames();
    const system = nsNames.filter((n) => isSystemNamespace(n));
    for (const ns of mode === 'shown' ? nsNames : nsNames.filter((n) => !isSystemNamespace(n))) {
      children.push(this.child(`${context}|root`, { type: 'w-namespace', id: `${context}|ns|${ns}`, context, ns }));
    }
    if (mode === 'grouped' && system.length > 0) {
      children.push(this.node({ type: 'w-system', id: `${context}|system`, context }));
    }
    children.push(this.node({ type: 'w-nodes', id: `${context}|nodes`, context }));
    return children;
  }

  children(node: WorkloadNode, w: WorkloadView | undefined, events?: EventsOf): WorkloadNode[] {
    if (!w) {
      return [];
    }
    const c = node.context;
    const key = objectKeyOf;
    switch (node.type) {
      case 'w-nodes':
        return w.nodeList().map((n) => this.child(node.id, { type: 'w-knode', id: `${c}|node|${key(n)}`, context: c, key: key(n) }));
      case 'w-system':
        return w.namespaceNames().filter((n) => isSystemNamespace(n)).map((ns) => this.child(node.id, { type: 'w-namespace', id: `${c}|ns|${ns}`, context: c, ns }));
      case 'w-namespace': {
        const out: WorkloadNode[] = [
          ...w.deploymentsIn(node.ns).map((d) => this.child(node.id, { type: 'w-deployment', id: `${c}|deploy|${key(d)}`, context: c, key: key(d) })),
          ...w.standalonePods(node.ns).map((p) => this.child(node.id, { type: 'w-pod', id: `${c}|pod|${key(p)}`, context: c, key: key(p) })),
        ];
        if (w.servicesIn(node.ns).length > 0) {
          out.push(this.child(node.id, { type: 'w-services', id: `${c}|svcs|${node.ns}`, context: c, ns: node.ns }));
        }
        if (out.length === 0) {
          out.push(this.node({ type: 'w-empty', id: `${c}|empty|${node.ns}`, context: c, ns: node.ns }));
        }
        return out;
      }
      case 'w-services':
        return w.servicesIn(node.ns).map((s) => this.child(node.id, { type: 'w-service', id: `${c}|svc|${key(s)}`, context: c, key: key(s) }));
      case 'w-deployment': {
        const d = w.deployments.get(node.key);
        const out: WorkloadNode[] = d ? w.replicaSetsOf(d).map((rs) => this.child(node.id, { type: 'w-replicaset', id: `${c}|rs|${key(rs)}`, context: c, key: key(rs) })) : [];
        if (d && events && events.deployment(node.key).length > 0) out.push(this.eventsNode(node.id, c, 'deploy', node.key));
        return out;
      }
      case 'w-pod':
        return events && events.pod(node.key).length > 0 ? [this.eventsNode(node.id, c, 'pod', node.key)] : [];
      case 'w-events': {
        const groups = (node.owner === 'deploy' ? events?.deployment(node.key) : events?.pod(node.key)) ?? [];
        return groups.slice(0, MAX_EVENT_ROWS).map((g) => this.child(node.id, { type: 'w-event', id: `${node.id}|${g.id}`, context: c, owner: node.owner, key: node.key, group: g.id }));
      }
      case 'w-replicaset': {
        const rs = w.replicasets.get(node.key);
        return rs ? w.podsOf(rs).map((p) => this.child(node.id, { type: 'w-pod', id: `${c}|pod|${key(p)}`, context: c, key: key(p) })) : [];
      }
      default:
        return [];
    }
  }

  /** The live object behind a node, for actions and rendering. */
  object(node: WorkloadNode, w: WorkloadView | undefined): KubeObject | undefined {
    switch (node.type) {
      case 'w-deployment': return w?.deployments.get(node.key);
      case 'w-replicaset': return w?.replicasets.get(node.key);
      case 'w-pod': return w?.pods.get(node.key);
      case 'w-service': return w?.services.get(node.key);
      case 'w-knode': return w?.nodes.get(node.key);
      default: return undefined;
    }
  }

  /**
   * What to refresh for a watch event: the item itself when only its status changed, the lists
   * that hold it when it was added, deleted or moved (a pod whose ReplicaSet arrived), the whole
   * context after a re-list or before the caches are synced.
   */
  affected(context: string, change: WorkloadChange, w: WorkloadView | undefined): RefreshTarget[] {
    if (!w || !w.synced || change.reset) {
      return [{ context }];
    }
    const toFire = new Set<RefreshTarget>();
    for (const k of change.keys) {
      const id = change.kind === 'namespaces' ? `${context}|ns|${k}` : `${context}|${PREFIX[change.kind]}|${k}`;
      const shown = this.nodes.get(id);
      const exists = (w[change.kind] as { get(key: string): unknown }).get(k) !== undefined;
      const newParent = exists ? this.parentIdOf(context, change.kind, k, w) : undefined;
      const oldParent = this.parents.get(id);
      if (shown && exists && newParent === oldParent) {
        toFire.add(shown);
        continue;
      }
      for (const parentId of [oldParent, newParent]) {
        if (parentId === undefined) continue;
        const parent = parentId === `${context}|root` ? { context } : this.nodes.get(parentId);
        if (parent) toFire.add(parent);
      }
      if (change.kind === 'namespaces') toFire.add({ context });
    }
    return [...toFire];
  }

  /**
   * What to refresh when an event about `subject` came or changed: the shown rows of the object
   * (its warning and tooltip), its Events node, and those of the deployment it belongs to.
   */
  eventTargets(context: string, subject: EventSubject, w: WorkloadView | undefined): RefreshTarget[] {
    if (!w || !w.synced) return [{ context }];
    const ns = subject.namespace ?? '';
    const ids: string[] = [];
    let deployment: string | undefined;
    if (subject.kind === 'Pod') {
      const k = `${ns}/${subject.name}`;
      ids.push(`${context}|pod|${k}`, `${context}|events|pod|${k}`);
      const rs = w.pods.get(k)?.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
      deployment = rs && w.replicasets.get(`${ns}/${rs}`)?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment')?.name;
    } else if (subject.kind === 'ReplicaSet') {
      deployment = w.replicasets.get(`${ns}/${subject.name}`)?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment')?.name;
    } else if (subject.kind === 'Deployment') {
      deployment = subject.name;
    }
    if (deployment) ids.push(`${context}|deploy|${ns}/${deployment}`, `${context}|events|deploy|${ns}/${deployment}`);
    const out: RefreshTarget[] = [];
    for (const id of ids) {
      const shown = this.nodes.get(id);
      if (shown) out.push(shown);
    }
    // An object's first event makes it expandable (its Events node appears): its row refreshes above.
    return out;
  }

  private eventsNode(parentId: string, context: string, owner: 'deploy' | 'pod', key: string): WorkloadNode {
    return this.child(parentId, { type: 'w-events', id: `${context}|events|${owner}|${key}`, context, owner, key });
  }

  /** Forgets a context's nodes (its watches stopped). */
  forget(context: string): void {
    for (const [id, n] of this.nodes) {
      if (n.context === context) {
        this.nodes.delete(id);
        this.parents.delete(id);
      }
    }
  }

  /** Where an object appears in the tree, as the id of its parent node. */
  private parentIdOf(context: string, kind: WorkloadChange['kind'], k: string, w: WorkloadView): string | undefined {
    const ns = k.includes('/') ? k.split('/')[0] : undefined;
    switch (kind) {
      case 'deployments':
        return `${context}|ns|${ns}`;
      case 'replicasets': {
        const owner = w.replicasets.get(k)?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment');
        return owner ? `${context}|deploy|${ns}/${owner.name}` : undefined;
      }
      case 'pods': {
        const owner = w.pods.get(k)?.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
        return owner && w.replicasets.get(`${ns}/${owner.name}`) ? `${context}|rs|${ns}/${owner.name}` : `${context}|ns|${ns}`;
      }
      case 'services':
        return `${context}|svcs|${ns}`;
      case 'nodes':
        return `${context}|nodes`;
      case 'namespaces':
        return `${context}|root`;
    }
  }

  private node<T extends WorkloadNode>(fresh: T): T {
    const existing = this.nodes.get(fresh.id) as T | undefined;
    if (existing) return existing;
    this.nodes.set(fresh.id, fresh);
    return fresh;
  }

  private child<T extends WorkloadNode>(parentId: string, fresh: T): T {
    this.parents.set(fresh.id, parentId);
    return this.node(fresh);
  }
}
