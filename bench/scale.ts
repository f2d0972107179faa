// Scale: 10,000 pods in 100 Deployments (bench/scaleServer.ts: the simulator's API server,
// bulk-seeded, in its own process). Run in a Node of its own with --expose-gc; prints one JSON
// line per case:
// - scale-sync: the tree's first sync of a context (KubeContexts + ClusterWorkloads: connect, list
//   and watch namespaces, nodes, deployments, replicasets, pods, services) vs `kubectl get pods -A
//   -o json` (pods only), median of 3 each;
// - scale-heap: the heap the synced caches hold (after gc, over the heap before connecting);
// - scale-watch: the server changes 2,000 pods at 500/s; from the change in the server to the
//   tree having recomputed what to refresh (WorkloadModel.affected) and rendered those items
//   (items.ts over a stub `vscode`), with every namespace expanded;
// - scale-expand: expanding a namespace of 1,000 pods: its children, each deployment's
//   ReplicaSets, each ReplicaSet's pods, and every item rendered; median of 5 with fresh nodes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '..');
// items.ts imports `vscode`: the benchmark's stub stands in (every member a chainable no-op),
// re-exported as an ES module so that named imports resolve.
const stubPath = path.join(root, 'bench', 'vscodeStub.cjs');
const stubNames = Object.keys(createRequire(import.meta.url)(stubPath) as object);
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'vscode') return { url: 'bench:vscode', shortCircuit: true };
    return next(specifier, context);
  },
  load(url, context, next) {
    if (url !== 'bench:vscode') return next(url, context);
    const source = `import { createRequire } from 'node:module';\nconst s = createRequire(${JSON.stringify(pathToFileURL(stubPath).href)})(${JSON.stringify(stubPath)});\n${stubNames.map((n) => `export const ${n} = s.${n};`).join('\n')}\n`;
    return { format: 'module', source, shortCircuit: true };
  },
});

const { KubeContexts } = await import('../src/core/kube/contexts.ts');
const { ClusterWorkloads } = await import('../src/core/kube/workloads.ts');
const { WorkloadModel } = await import('../src/features/workloads/model.ts');
const items = await import('../src/features/workloads/items.ts');
const { median, percentile, round } = await import('./stats.ts');
type WorkloadNodeT = import('../src/features/workloads/model.ts').WorkloadNode;
type View = import('../src/core/kube/workloads.ts').WorkloadView;
type Change = import('../src/core/kube/workloads.ts').WorkloadChange;

const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (bytes: number) => round(bytes / 1024 / 1024);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, code, bytes }));
  });
}

/** Renders a node as the tree would (the part of getTreeItem that costs: summaries, descriptions, tooltips). */
function render(node: WorkloadNodeT, w: View): void {
  switch (node.type) {
    case 'w-deployment': items.deploymentItem(w.deployments.get(node.key)); break;
    case 'w-replicaset': items.replicaSetItem(w.replicasets.get(node.key)); break;
    case 'w-pod': items.podItem(w.pods.get(node.key)); break;
    case 'w-service': items.serviceItem(w.services.get(node.key)); break;
    case 'w-knode': items.kubeNodeItem(node.key, w.nodes.get(node.key)); break;
    case 'w-namespace': w.deploymentsIn(node.ns); break;
    default: break;
  }
}

/** Everything under a node, rendered, as expanding it all does. */
function expandAll(model: InstanceType<typeof WorkloadModel>, node: WorkloadNodeT, w: View): number {
  let n = 0;
  for (const child of model.children(node, w)) {
    render(child, w);
    n += 1 + expandAll(model, child, w);
  }
  return n;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k3d-scale-'));
  const server = spawn(process.execPath, [path.join(root, 'bench', 'scaleServer.ts'), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout! });
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (l) => waiters.shift()?.(l));
  const nextLine = () => new Promise<string>((r) => waiters.push(r));
  const stopServer = () => {
    server.stdin?.end();
    if (server.pid) try { process.kill(server.pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stopServer);
  try {
    const info = JSON.parse(await nextLine()) as { kubeconfig: string; context: string; pods: number };
    const env = { ...process.env, KUBECONFIG: info.kubeconfig };

    // client-node (loaded on first connect) is code, not cache: load it before the heap baseline.
    await (await import('../src/core/kube/gateway.ts')).loadClientNode();
    // Sync, three times, each a fresh service (a new connection and caches).
    const syncs: number[] = [];
    let heapMB = 0;
    let kept: { contexts: InstanceType<typeof KubeContexts>; w: InstanceType<typeof ClusterWorkloads> } | undefined;
    const changes: Change[] = [];
    let onChange: (c: Change) => void = () => undefined;
    for (let r = 0; r < 3; r++) {
      kept?.w.stop();
      kept?.contexts.dispose();
      kept = undefined;
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const contexts = new KubeContexts({ kubeconfigFiles: () => [info.kubeconfig] });
      const w = new ClusterWorkloads(contexts, info.context, { onChange: (c) => onChange(c) });
      while (!w.synced) await new Promise((res) => setTimeout(res, 2));
      syncs.push(performance.now() - t0);
      if (w.pods.list().length !== info.pods) throw new Error(`synced ${w.pods.list().length} pods, expected ${info.pods}`);
      // The first round only: later rounds' baselines still hold the stopped caches until a later gc.
      gc();
      if (r === 0) heapMB = mb(process.memoryUsage().heapUsed - heapBefore);
      kept = { contexts, w };
    }
    const kubectl: number[] = [];
    let kubectlBytes = 0;
    for (let r = 0; r < 3; r++) {
      const k = await run(KUBECTL, ['get', 'pods', '-A', '-o', 'json'], env);
      if (k.code !== 0) throw new Error(`kubectl get pods exited ${k.code}`);
      kubectl.push(k.ms);
      kubectlBytes = k.bytes;
    }
    const syncMs = median(syncs);
    const kubectlMs = median(kubectl);
    const speedup = kubectlMs / syncMs;
    console.log(JSON.stringify({ case: 'scale-sync', pods: info.pods, deployments: kept!.w.deployments.list().length, medianMs: round(syncMs), kubectlMs: round(kubectlMs), kubectlMB: mb(kubectlBytes), speedup: round(speedup, 2), ratio: round(syncMs / kubectlMs, 3), samples: { syncMs: syncs.map((x) => round(x)), kubectlMs: kubectl.map((x) => round(x)) }, target: 'first sync >= 3x faster than kubectl get pods -A -o json', met: speedup >= 3, ...(speedup >= 3 ? {} : { miss: `${round(speedup, 2)}x` }) }));
    console.log(JSON.stringify({ case: 'scale-heap', heapMB, pods: info.pods, ratio: round(heapMB / 150, 2), target: 'caches < 150 MB of heap', met: heapMB < 150, ...(heapMB < 150 ? {} : { miss: `${heapMB} MB` }) }));

    const { w } = kept!;
    const context = info.context;
    // Expand: a namespace of 1,000 pods, fresh node objects each time (as after a collapse).
    const expands: number[] = [];
    let shown = 0;
    for (let r = 0; r < 5; r++) {
      const model = new WorkloadModel();
      const t0 = performance.now();
      const ns = model.rootChildren(context, w, false, 'grouped').find((n) => n.type === 'w-namespace' && n.ns === 'scale-01')!;
      shown = expandAll(model, ns, w);
      expands.push(performance.now() - t0);
    }
    const expandMs = median(expands);
    console.log(JSON.stringify({ case: 'scale-expand', medianMs: round(expandMs), items: shown, samples: expands.map((x) => round(x)), ratio: round(expandMs / 200, 3), target: 'expand a namespace of 1,000 pods < 200 ms', met: expandMs < 200, ...(expandMs < 200 ? {} : { miss: `${round(expandMs)} ms` }) }));

    // Watch to tree: every namespace expanded; each batch -> affected -> rendered.
    const model = new WorkloadModel();
    for (const n of model.rootChildren(context, w, false, 'grouped')) expandAll(model, n, w);
    const latencies: number[] = [];
    let refreshes = 0;
    let rendered = 0;
    onChange = (change) => {
      changes.push(change);
      const targets = model.affected(context, change, w);
      refreshes++;
      for (const t of targets) {
        if ('type' in t) {
          render(t, w);
          rendered++;
        }
      }
      if (change.kind !== 'pods') return;
      const now = performance.timeOrigin + performance.now();
      for (const key of change.keys) {
        const sent = Number(w.pods.get(key)?.metadata?.annotations?.['bench/sent']);
        if (sent) latencies.push(now - sent);
      }
    };
    const STREAM = 2000;
    const RATE = 500;
    server.stdin!.write(`stream ${STREAM} ${RATE}\n`);
    await nextLine();
    const deadline = Date.now() + 10_000;
    while (latencies.length < STREAM && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const p99 = percentile(latencies, 99);
    console.log(JSON.stringify({ case: 'scale-watch', changes: STREAM, perSecond: RATE, seen: latencies.length, p50Ms: round(percentile(latencies, 50)), p99Ms: round(p99), medianMs: round(percentile(latencies, 50)), maxMs: round(Math.max(...latencies)), refreshes, rendered, ratio: round(p99 / 100, 2), target: 'watch-to-tree p99 < 100 ms at 10,000 pods', met: p99 < 100 && latencies.length === STREAM, ...(p99 < 100 && latencies.length === STREAM ? {} : { miss: `p99 ${round(p99)} ms, ${latencies.length}/${STREAM} seen` }) }));
    w.stop();
    kept!.contexts.dispose();
  } finally {
    stopServer();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error((e as Error).stack ?? e);
    process.exit(1);
  },
);
