// The scheduler: binds pending pods to the least-loaded Ready node that matches their nodeSelector.
import type { Api } from '../rest.ts';
import type { Recorder } from '../events.ts';
import { WorkQueue } from './queue.ts';
import { clone, nowISO } from '../util.ts';
import type { Obj } from '../util.ts';

function nodeReady(n: Obj): boolean {
  return (n.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True') && !n.spec?.unschedulable;
}

export class Scheduler {
  readonly queue: WorkQueue;
  private api: Api;
  private recorder: Recorder;

  constructor(api: Api, recorder: Recorder) {
    this.api = api;
    this.recorder = recorder;
    this.queue = new WorkQueue((k) => this.schedule(k), 20);
    api.store.hub.subscribe((c) => {
      if (c.kind === 'Pod' && c.type !== 'DELETED' && !c.object.spec?.nodeName) this.queue.addObject(c.object);
      if (c.kind === 'Node' && c.type !== 'DELETED') this.retryAll();
    });
    this.retryAll();
  }

  private retryAll(): void {
    for (const p of this.api.store.list('Pod')) if (!p.spec?.nodeName) this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
  }

  private schedule(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const pod = this.api.store.get('Pod', ns, name);
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp) return;
    const nodes = this.api.store.list('Node');
    const sel: Obj = pod.spec?.nodeSelector ?? {};
    const fits = nodes.filter((n) => nodeReady(n) && Object.entries(sel).every(([k, v]) => n.metadata.labels?.[k] === v));
    if (!fits.length) {
      const msg = `0/${nodes.length} nodes are available: ${nodes.length} node(s) didn't match Pod's node affinity/selector. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
      const conds: Obj[] = pod.status?.conditions ?? [];
      if (!conds.some((c) => c.type === 'PodScheduled' && c.status === 'False')) {
        const next = clone(pod);
        next.status = { ...next.status, conditions: [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: nowISO(), reason: 'Unschedulable', message: msg }] };
        this.api.updateStatus('Pod', next);
        this.recorder.record(pod, 'Warning', 'FailedScheduling', msg, { component: 'default-scheduler' });
      }
      return;
    }
    const load = (n: Obj): number => this.api.store.list('Pod').filter((p) => p.spec?.nodeName === n.metadata.name && !p.metadata.deletionTimestamp).length;
    const best = fits.map((n) => ({ n, l: load(n) })).sort((a, b) => a.l - b.l || Math.random() - 0.5)[0]!.n;
    const next = clone(pod);
    next.spec.nodeName = best.metadata.name;
    next.status = { ...next.status, conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowISO() }] };
    const saved = this.api.store.put('Pod', next);
    this.recorder.record(saved, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${best.metadata.name}`, { component: 'default-scheduler' });
  }
}
