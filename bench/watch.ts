// Case 3: watch latency. The workloads tree's ClusterWorkloads (its leases on the context's shared
// caches in KubeContexts, default batching) is synced on the 2,000-pod cluster; then 500 pods get an annotation changed through
// the API in a burst (16 requests in flight). For each change: the time from sending the PATCH
// (and from its answer) to the onChange batch that carries the new object. Each onChange is one
// tree refresh (WorkloadTree.applyChange), so their number says how well changes coalesce.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { KubeContexts } from '../src/core/kube/contexts.ts';
import { ClusterWorkloads } from '../src/core/kube/workloads.ts';
import type { WorkloadChange } from '../src/core/kube/workloads.ts';
import { sleep } from './cluster.ts';
import type { BenchCluster } from './cluster.ts';
import { combine, median, percentile, round, under } from './stats.ts';

const CHANGES = 500;
const IN_FLIGHT = 16;

export async function benchWatch(cluster: BenchCluster, rounds = 3): Promise<Record<string, unknown>> {
  const contexts = new KubeContexts({ kubeconfigFiles: () => [cluster.kubeconfig] });
  const sent = new Map<string, { token: string; sentAt: number; answeredAt?: number }>();
  const fromSend: number[] = [];
  const fromAnswer: number[] = [];
  const requestMs: number[] = [];
  let batches = 0;
  let podBatches = 0;
  let keysSeen = 0;
  let workloads: ClusterWorkloads | undefined;
  const onChange = (change: WorkloadChange) => {
    batches++;
    if (change.kind !== 'pods' || !workloads) return;
    podBatches++;
    const now = performance.now();
    for (const key of change.keys) {
      keysSeen++;
      const s = sent.get(key);
      if (!s) continue;
      // Only the event that carries our change counts (not a status write before it).
      if (workloads.pods.get(key)?.metadata?.annotations?.['bench/mark'] !== s.token) continue;
      fromSend.push(now - s.sentAt);
      if (s.answeredAt !== undefined) fromAnswer.push(Math.max(0, now - s.answeredAt));
      sent.delete(key);
    }
  };
  const t0 = performance.now();
  workloads = new ClusterWorkloads(contexts, cluster.context, { onChange });
  const w = workloads;
  while (!w.synced) await sleep(5);
  const syncMs = performance.now() - t0;
  await sleep(300); // let the initial batches pass

  // The bench drives the burst from this process too: its event-loop delay shows how much the
  // driver and the reflectors competed for the one thread.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const perRound: Array<{ p50: number; p99: number; batches: number; podBatches: number; burstMs: number; lost: number }> = [];
  for (let r = 0; r < rounds; r++) {
    const targets = w.pods.list().slice(r * CHANGES, (r + 1) * CHANGES).map((p) => ({ ns: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' }));
    const before = { batches, podBatches, n: fromSend.length, a: fromAnswer.length };
    const token = `round-${r}-${Date.now()}`;
    loop.enable();
    const burst0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const { ns, name } = targets[next++];
        const key = `${ns}/${name}`;
        const entry: { token: string; sentAt: number; answeredAt?: number } = { token, sentAt: performance.now() };
        sent.set(key, entry);
        const res = await cluster.driver.request('PATCH', `/api/v1/namespaces/${ns}/pods/${name}`, { metadata: { annotations: { 'bench/mark': token } } }, 'application/merge-patch+json');
        entry.answeredAt = performance.now();
        requestMs.push(entry.answeredAt - entry.sentAt);
        if (res.status >= 300) throw new Error(`PATCH pod ${key}: ${res.status} ${res.body.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const burstMs = performance.now() - burst0;
    const deadline = Date.now() + 30_000;
    while (sent.size > 0 && Date.now() < deadline) await sleep(10);
    await sleep(200); // batches that trail the last change count too
    loop.disable();
    const lost = sent.size;
    sent.clear();
    const mine = fromSend.slice(before.n);
    perRound.push({ p50: round(percentile(mine, 50)), p99: round(percentile(mine, 99)), batches: batches - before.batches, podBatches: podBatches - before.podBatches, burstMs: round(burstMs), lost });
  }
  w.stop();
  contexts.dispose();
  const p50 = percentile(fromSend, 50);
  const p99 = percentile(fromSend, 99);
  const refreshes = median(perRound.map((x) => x.batches));
  const verdict = combine(under('p99', p99, 100, 'ms'), {
    target: 'refreshes coalesced (fewer tree refreshes than changes)',
    met: refreshes < CHANGES / 5,
    ...(refreshes < CHANGES / 5 ? {} : { miss: `${refreshes} refreshes for ${CHANGES} changes` }),
  });
  return {
    case: 'watch',
    changes: CHANGES,
    inFlight: IN_FLIGHT,
    rounds,
    syncMs: round(syncMs),
    medianMs: round(p50),
    p50Ms: round(p50),
    p99Ms: round(p99),
    p99FromAnswerMs: round(percentile(fromAnswer, 99)),
    p50FromAnswerMs: round(percentile(fromAnswer, 50)),
    // The simulated API server's own time per PATCH (16 in flight): what "from send" adds.
    requestP50Ms: round(percentile(requestMs, 50)),
    requestP99Ms: round(percentile(requestMs, 99)),
    eventLoopP99Ms: round(loop.percentile(99) / 1e6),
    eventLoopMaxMs: round(loop.max / 1e6),
    refreshesPerBurst: refreshes,
    podRefreshesPerBurst: median(perRound.map((x) => x.podBatches)),
    burstMs: round(median(perRound.map((x) => x.burstMs))),
    ratio: round(p99 / 100, 2),
    perRound,
    keysSeen,
    ...verdict,
  };
}
