// Case 3: watch latency. The workloads tree's ClusterWorkloads (its leases on the context's shared
// caches in KubeContexts, default batching) is synced on the 2,000-pod cluster; then 500 pods get
// an annotation changed through the API in a burst (16 requests in flight), sent by
// bench/watchDriver.ts from a process of its own, as kubectl or a controller would. For each
// change: the time from sending the PATCH (and from its answer) to the onChange batch that carries
// the new object. Each onChange is one tree refresh (WorkloadModel.affected), so their number says
// how well changes coalesce.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { KubeContexts } from '../src/core/kube/contexts.ts';
import { ClusterWorkloads } from '../src/core/kube/workloads.ts';
import type { WorkloadChange } from '../src/core/kube/workloads.ts';
import { root, sleep, track } from './cluster.ts';
import type { BenchCluster } from './cluster.ts';
import { combine, median, percentile, round, under } from './stats.ts';

const CHANGES = 500;
const IN_FLIGHT = 16;

export async function benchWatch(cluster: BenchCluster, rounds = 3): Promise<Record<string, unknown>> {
  const now = () => performance.timeOrigin + performance.now();
  const driver = track(spawn(process.execPath, [path.join(root, 'bench', 'watchDriver.ts'), cluster.kubeconfig, cluster.context], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] }));
  const replies: Array<(line: string) => void> = [];
  createInterface({ input: driver.stdout! }).on('line', (l) => replies.shift()?.(l));
  const driverExit = new Promise<never>((_, reject) => driver.once('exit', (code) => reject(new Error(`the watch driver exited (${code})`))));
  driverExit.catch(() => undefined); // its exit at the end is expected
  const contexts = new KubeContexts({ kubeconfigFiles: () => [cluster.kubeconfig] });
  /** key -> when the batch carrying this round's change arrived. */
  let arrived = new Map<string, number>();
  let token = '';
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
    const at = now();
    for (const key of change.keys) {
      keysSeen++;
      const annotations = workloads.pods.get(key)?.metadata?.annotations;
      // Only the event that carries our change counts (not a status write before it).
      if (annotations?.['bench/mark'] !== token || arrived.has(key)) continue;
      arrived.set(key, at);
      fromSend.push(at - Number(annotations['bench/sent']));
    }
  };
  const t0 = performance.now();
  workloads = new ClusterWorkloads(contexts, cluster.context, { onChange });
  const w = workloads;
  while (!w.synced) await sleep(5);
  const syncMs = performance.now() - t0;
  await sleep(300); // let the initial batches pass

  // The event-loop delay of this process: the reflectors' own work, the driver runs apart.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const perRound: Array<{ p50: number; p99: number; batches: number; podBatches: number; burstMs: number; lost: number }> = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const targets = w.pods.list().slice(r * CHANGES, (r + 1) * CHANGES).map((p) => ({ ns: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' }));
      const before = { batches, podBatches, n: fromSend.length };
      token = `round-${r}-${Date.now()}`;
      arrived = new Map();
      loop.enable();
      const reply = new Promise<string>((resolve) => replies.push(resolve));
      driver.stdin!.write(`${JSON.stringify({ targets, token, inFlight: IN_FLIGHT })}\n`);
      const done = JSON.parse(await Promise.race([reply, driverExit])) as { answered: Array<[string, number]>; requestMs: number[]; burstMs: number };
      const deadline = Date.now() + 30_000;
      while (arrived.size < targets.length && Date.now() < deadline) await sleep(10);
      await sleep(200); // batches that trail the last change count too
      loop.disable();
      requestMs.push(...done.requestMs);
      for (const [key, answeredAt] of done.answered) {
        const at = arrived.get(key);
        if (at !== undefined) fromAnswer.push(Math.max(0, at - answeredAt));
      }
      const mine = fromSend.slice(before.n);
      perRound.push({ p50: round(percentile(mine, 50)), p99: round(percentile(mine, 99)), batches: batches - before.batches, podBatches: podBatches - before.podBatches, burstMs: round(done.burstMs), lost: targets.length - arrived.size });
    }
  } finally {
    w.stop();
    contexts.dispose();
    driver.stdin?.end();
  }
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
