// DaemonSet controller: one pod per Ready node (svclb-traefik on a fresh k3s).
import type { Api } from '../rest.ts';
import type { Recorder } from '../events.ts';
import { kindOf } from '../kinds.ts';
import { WorkQueue } from './queue.ts';
import { ownedPods, podFromTemplate, podReady } from './replicaset.ts';
import type { Obj } from '../util.ts';

export class DaemonSetController {
  readonly queue: WorkQueue;
  private api: Api;
  private recorder: Recorder;

  constructor(api: Api, recorder: Recorder) {
    this.api = api;
    this.recorder = recorder;
    this.queue = new WorkQueue((k) => this.reconcile(k));
    api.store.hub.subscribe((c) => {
      if (c.kind === 'DaemonSet') this.queue.addObject(c.object);
      if (c.kind === 'Pod') this.queue.addController(c.object, 'DaemonSet');
      if (c.kind === 'Node') this.all();
    });
    this.all();
  }

  private all(): void {
    for (const d of this.api.store.list('DaemonSet')) this.queue.addObject(d);
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const info = kindOf('DaemonSet');
    const ds = this.api.tryGet(info, ns, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const nodes = this.api.store.list('Node');
    const pods = ownedPods(this.api, ds).filter((p) => !p.metadata.deletionTimestamp);
    for (const n of nodes) {
      if (pods.some((p) => p.spec?.nodeName === n.metadata.name)) continue;
      const pod = podFromTemplate(ds, 'DaemonSet');
      pod.spec.nodeName = n.metadata.name;
      const created = this.api.create(kindOf('Pod'), ns, pod, { fieldManager: 'k3s' });
      this.recorder.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, { component: 'daemonset-controller' });
    }
    for (const p of pods) {
      if (!nodes.some((n) => n.metadata.name === p.spec?.nodeName)) this.api.delete(kindOf('Pod'), ns, p.metadata.name, { gracePeriodSeconds: 0 });
    }
    const live = ownedPods(this.api, ds).filter((p) => !p.metadata.deletionTimestamp);
    const ready = live.filter(podReady).length;
    const status: Obj = {
      currentNumberScheduled: live.length,
      desiredNumberScheduled: nodes.length,
      numberMisscheduled: 0,
      numberReady: ready,
      observedGeneration: ds.metadata.generation,
      updatedNumberScheduled: live.length,
    };
    if (ready) status.numberAvailable = ready;
    if (nodes.length - ready > 0) status.numberUnavailable = nodes.length - ready;
    if (JSON.stringify(ds.status) !== JSON.stringify(status)) this.api.updateStatus('DaemonSet', { ...ds, status });
  }
}
