// Case 5: a pod printing as fast as the simulator lets it (SIM_LOG_RATE=200000 lines/s). Once its
// log holds more than 100,000 lines, each reader follows it from the start and stops at line
// 100,000, so both read the same lines at their own speed:
//   - the extension's pipeline, in a child process of its own (so its memory is its own):
//     followPodLog (streamPodLog with timestamps, parse, dedupe) -> LineBatcher -> a fake
//     output channel that counts what it is given, as features/logs/LogStreams.ts wires it;
//     with the event-loop delay (monitorEventLoopDelay) and peak heap/rss while it runs;
//   - `kubectl logs -f POD`, its stdout counted by the parent (a pipe, not /dev/null, to know
//     when the 100,000th line went through).
// Run with --child '<json>' it is that child.
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadClientNode, loadKubeConfig } from '../src/core/kube/gateway.ts';
import { formatFollowEvent } from '../src/core/logs/channelText.ts';
import { followPodLog } from '../src/core/logs/follower.ts';
import { coreV1Pods } from '../src/core/kube/pods.ts';
import { LineBatcher } from '../src/core/logs/lineBatcher.ts';
import { create, KUBECTL, sleep, track, waitFor } from './cluster.ts';
import type { BenchCluster } from './cluster.ts';
import { combine, mb, median, round, under } from './stats.ts';

const LINES = 100_000;
const RATE = 200_000;
const NAMESPACE = 'default';
const POD = 'log-flood';

interface ChildArgs {
  kubeconfig: string;
  context: string;
  namespace: string;
  pod: string;
  lines: number;
}

interface ChildResult {
  ms: number;
  received: number;
  shown: number;
  dropped: number;
  batches: number;
  channelChars: number;
  elP50Ms: number;
  elP99Ms: number;
  elMaxMs: number;
  heapBaseMB: number;
  heapPeakMB: number;
  rssBaseMB: number;
  rssPeakMB: number;
}

/** The extension's side, in its own process. */
async function child(args: ChildArgs): Promise<ChildResult> {
  const kc = await loadKubeConfig(await loadClientNode(), args.context, [args.kubeconfig]);
  const pods = await coreV1Pods(kc);
  const base = process.memoryUsage();
  let heapPeak = base.heapUsed;
  let rssPeak = base.rss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed);
    rssPeak = Math.max(rssPeak, m.rss);
  }, 10);
  // The output channel: VS Code sends what is appended to the renderer; here it is counted.
  let channelChars = 0;
  let shown = 0;
  let batches = 0;
  const batcher = new LineBatcher({
    flush: (lines) => {
      batches++;
      shown += lines.length;
      channelChars += `${lines.join('\n')}\n`.length;
    },
  });
  const abort = new AbortController();
  let received = 0;
  let doneAt = 0;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const t0 = performance.now();
  await followPodLog(kc, {
    namespace: args.namespace,
    pod: args.pod,
    pods,
    signal: abort.signal,
    onEvent: (event) => {
      if (event.type === 'line' && ++received === args.lines) {
        doneAt = performance.now();
        abort.abort();
      }
      const line = formatFollowEvent(event, false);
      if (line !== undefined && received <= args.lines) batcher.push(line);
    },
  });
  batcher.close(); // what waits goes out at once
  const ms = (doneAt || performance.now()) - t0;
  loop.disable();
  clearInterval(sampler);
  const m = process.memoryUsage();
  heapPeak = Math.max(heapPeak, m.heapUsed);
  rssPeak = Math.max(rssPeak, m.rss);
  return {
    ms,
    received,
    shown,
    dropped: batcher.droppedTotal,
    batches,
    channelChars,
    elP50Ms: loop.percentile(50) / 1e6,
    elP99Ms: loop.percentile(99) / 1e6,
    elMaxMs: loop.max / 1e6,
    heapBaseMB: mb(base.heapUsed),
    heapPeakMB: mb(heapPeak),
    rssBaseMB: mb(base.rss),
    rssPeakMB: mb(rssPeak),
  };
}

function runChild(cluster: BenchCluster): Promise<ChildResult> {
  const args: ChildArgs = { kubeconfig: cluster.kubeconfig, context: cluster.context, namespace: NAMESPACE, pod: POD, lines: LINES };
  return new Promise((resolve, reject) => {
    const p = track(spawn(process.execPath, [import.meta.filename, '--child', JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    p.stdout?.on('data', (d: Buffer) => (out += d));
    p.stderr?.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`logs child failed (exit ${code}): ${err.slice(-1000)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as ChildResult);
    });
  });
}

/** `kubectl logs -f`, stopped at the 100,000th line; the time is from spawn to that line. */
function kubectlLogs(cluster: BenchCluster): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = track(spawn(KUBECTL, ['logs', '-f', '-n', NAMESPACE, POD], { env: cluster.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let lines = 0;
    let ms = 0;
    let err = '';
    p.stdout?.on('data', (d: Buffer) => {
      if (ms) return;
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) {
        if (++lines === LINES) {
          ms = performance.now() - t0;
          p.kill('SIGTERM');
          break;
        }
      }
    });
    p.stderr?.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', () => {
      clearTimeout(timer);
      if (ms) resolve(ms);
      else reject(new Error(`kubectl logs -f ended after ${lines} lines: ${err.slice(0, 500)}`));
    });
  });
}

export async function benchLogsE2e(cluster: BenchCluster, runs = 3): Promise<Record<string, unknown>> {
  await create(cluster, `/api/v1/namespaces/${NAMESPACE}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD },
    spec: { containers: [{ name: 'flood', image: 'busybox:1.36', env: [{ name: 'SIM_LOG_RATE', value: String(RATE) }] }] },
  });
  await waitFor('the log pod to run', async () => (await cluster.admin.json<{ status?: { phase?: string } }>(`/api/v1/namespaces/${NAMESPACE}/pods/${POD}`)).status?.phase === 'Running', 60_000, 100);
  await sleep(1000); // > 100,000 lines written
  try {
    const ext: ChildResult[] = [];
    const ours: number[] = [];
    for (let r = 0; r < runs; r++) {
      ext.push(await runChild(cluster));
      ours.push(await kubectlLogs(cluster));
    }
    const extMs = median(ext.map((e) => e.ms));
    const kubectlMs = median(ours);
    const linesPerSec = LINES / (extMs / 1000);
    const kubectlLinesPerSec = LINES / (kubectlMs / 1000);
    const elP99 = Math.max(...ext.map((e) => e.elP99Ms));
    const rssPeak = Math.max(...ext.map((e) => e.rssPeakMB));
    const heapPeak = Math.max(...ext.map((e) => e.heapPeakMB));
    const verdict = combine(
      { target: 'lines/s >= kubectl logs -f', met: linesPerSec >= kubectlLinesPerSec, ...(linesPerSec >= kubectlLinesPerSec ? {} : { miss: `${Math.round(linesPerSec)} lines/s is ${round((1 - linesPerSec / kubectlLinesPerSec) * 100)}% slower than kubectl's ${Math.round(kubectlLinesPerSec)}` }) },
      under('event-loop p99', elP99, 50, 'ms'),
      // Bounded: the batcher holds at most 10,000 lines / 4 Mi chars; the rest of the heap is the process.
      under('heap growth', heapPeak - Math.min(...ext.map((e) => e.heapBaseMB)), 64, 'MB'),
    );
    return {
      case: 'logs',
      lines: LINES,
      podRate: RATE,
      runs,
      medianMs: round(extMs),
      kubectlMs: round(kubectlMs),
      ratio: round(extMs / kubectlMs, 3),
      linesPerSec: Math.round(linesPerSec),
      kubectlLinesPerSec: Math.round(kubectlLinesPerSec),
      shownToChannel: median(ext.map((e) => e.shown)),
      droppedByBatcher: median(ext.map((e) => e.dropped)),
      channelAppends: median(ext.map((e) => e.batches)),
      eventLoopP50Ms: round(median(ext.map((e) => e.elP50Ms))),
      eventLoopP99Ms: round(elP99),
      eventLoopMaxMs: round(Math.max(...ext.map((e) => e.elMaxMs))),
      heapBaseMB: round(median(ext.map((e) => e.heapBaseMB))),
      heapPeakMB: heapPeak,
      rssBaseMB: round(median(ext.map((e) => e.rssBaseMB))),
      rssPeakMB: rssPeak,
      samples: { ms: ext.map((e) => round(e.ms)), kubectlMs: ours.map((x) => round(x)) },
      ...verdict,
    };
  } finally {
    // Stop the flood: it costs the simulator a core.
    await cluster.driver.request('DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/${POD}`, { gracePeriodSeconds: 0 });
  }
}

if (process.argv[2] === '--child') {
  const result = await child(JSON.parse(process.argv[3]) as ChildArgs);
  console.log(JSON.stringify(result));
  process.exit(0);
}
