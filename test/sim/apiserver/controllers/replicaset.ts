// ReplicaSet controller: keeps spec.replicas pods from the template, reports replica counts.
import type { Api } from '../rest.ts';
import type { Recorder } from '../events.ts';
import { kindOf } from '../kinds.ts';
import { WorkQueue, controllerOf } from './queue.ts';
import { clone } from '../util.ts';
import type { Obj } from '../util.ts';

const SOURCE = { component: 'replicaset-controller' };

export function podReady(p: Obj): boolean {
  return (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

function isActive(p: Obj): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

/** Order in which pods are deleted when scaling down: least useful first (as controller.ActivePods). */
function deletionRank(p: Obj): number[] {
  const phaseRank = p.status?.phase === 'Pending' ? 1 : p.status?.phase === 'Unknown' ? 0 : 2;
  const restarts = (p.status?.containerStatuses ?? []).reduce((a: number, c: Obj) => a + (c.restartCount ?? 0), 0);
  return [p.spec?.nodeName ? 1 : 0, phaseRank, podReady(p) ? 1 : 0, -restarts, -Date.parse(p.metadata.creationTimestamp)];
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export function ownedPods(api: Api, owner: Obj): Obj[] {
  return api.store.list('Pod', owner.metadata.namespace).filter((p) => controllerOf(p)?.uid === owner.metadata.uid);
}

export function podFromTemplate(owner: Obj, kind: string): Obj {
  const t = clone(owner.spec.template);
  return {
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: t.metadata?.labels ?? {},
      ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: t.spec,
  };
}

export class ReplicaSetController {
  readonly queue: WorkQueue;
  private api: Api;
  private recorder: Recorder;

  constructor(api: Api, recorder: Recorder) {
    this.api = api;
    this.recorder = recorder;
    this.queue = new WorkQueue((k) => this.reconcile(k));
    api.store.hub.subscribe((c) => {
      if (c.kind === 'ReplicaSet') this.queue.addObject(c.object);
      if (c.kind === 'Pod') this.queue.addController(c.object, 'ReplicaSet');
    });
    for (const rs of api.store.list('ReplicaSet')) this.queue.addObject(rs);
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const info = kindOf('ReplicaSet');
    const rs = this.api.tryGet(info, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const pods = ownedPods(this.api, rs);
    let active = pods.filter(isActive);
    const want = rs.spec.replicas ?? 1;
    const podInfo = kindOf('Pod');
    if (active.length < want) {
      for (let i = active.length; i < want; i++) {
        const pod = this.api.create(podInfo, ns, podFromTemplate(rs, 'ReplicaSet'), { fieldManager: 'k3s' });
        this.recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, SOURCE);
      }
    } else if (active.length > want) {
      const victims = [...active].sort((a, b) => compareRank(deletionRank(a), deletionRank(b))).slice(0, active.length - want);
      for (const p of victims) {
        this.api.delete(podInfo, ns, p.metadata.name, {});
        this.recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, SOURCE);
      }
    }
    active = ownedPods(this.api, rs).filter(isActive);
    const labels = rs.spec.template?.metadata?.labels ?? {};
    const fully = active.filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
    const ready = active.filter(podReady).length;
    const status: Obj = { replicas: active.length };
    if (fully) status.fullyLabeledReplicas = fully;
    if (ready) {
      status.readyReplicas = ready;
      status.availableReplicas = ready;
    }
    status.observedGeneration = rs.metadata.generation;
    const fresh = this.api.tryGet(info, ns, name);
    if (fresh && JSON.stringify(fresh.status) !== JSON.stringify(status)) this.api.updateStatus('ReplicaSet', { ...fresh, status });
  }
}
