// npm run bench: every benchmark (activation, CodeLens, list, watch, apply, logs), side by side with kubectl on one simulated cluster
// (test/sim, K3D_SIM_SPEED=0). Prints one JSON line per case and writes bench/RESULTS.md.
//   node bench/run.ts [--only activation,codelens,list,watch,apply,logs,scale] [--no-results]
// Builds the production bundle first if dist/ is missing or older than the sources. The cluster
// lives in a temp folder and is deleted at the end, on failure and on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchActivation } from './activation.ts';
import { benchApply } from './apply.ts';
import { benchInnerLoop } from './innerLoop.ts';
import { cleanup, installCleanup, root, startCluster, track } from './cluster.ts';
import { benchList, seedPods } from './list.ts';
import { benchLogsE2e } from './logsE2e.ts';
import { round, under } from './stats.ts';
import { benchWatch } from './watch.ts';

type Line = Record<string, unknown>;

const only = (() => {
  const i = process.argv.indexOf('--only');
  return i === -1 ? undefined : new Set(process.argv[i + 1].split(','));
})();
const wanted = (name: string) => !only || only.has(name);
const writeResults = !process.argv.includes('--no-results') && !only;

const say = (text: string) => process.stderr.write(`[bench] ${text}\n`);
const lines: Line[] = [];
function print(line: Line): void {
  lines.push(line);
  console.log(JSON.stringify(line));
}

function machine(): Record<string, string> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: String(cpus.length),
    memory: `${round(os.totalmem() / 1024 ** 3)} GiB`,
    node: process.version,
    kubectl: spawnSync('/usr/bin/kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' }).stdout?.match(/"gitVersion":\s*"([^"]+)"/)?.[1] ?? 'unknown',
    loadAverageAtStart: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    date: new Date().toISOString(),
  };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** A production bundle (minified, no source map comment) newer than everything it is built from. */
function ensureBundle(): void {
  const bundle = path.join(root, 'dist', 'extension.js');
  let reason = '';
  if (!existsSync(bundle) || !existsSync(path.join(root, 'dist', 'clientNode.js'))) {
    reason = 'dist/ is missing';
  } else {
    const built = statSync(bundle).mtimeMs;
    const inputs = Math.max(newestMtime(path.join(root, 'src')), ...['scripts/esbuild.mjs', 'package.json', 'package-lock.json'].filter((f) => existsSync(path.join(root, f))).map((f) => statSync(path.join(root, f)).mtimeMs));
    if (inputs > built) reason = 'dist/ is older than the sources';
    else if (/sourceMappingURL=\S+\s*$/.test(readFileSync(bundle, 'utf8').slice(-300))) reason = 'dist/ is a development build';
  }
  if (!reason) return;
  say(`${reason}: building the production bundle`);
  const out = spawnSync(process.execPath, [path.join(root, 'scripts', 'esbuild.mjs'), '--production'], { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`production build failed:\n${out.stdout}${out.stderr}`);
}

/** Runs a bench script in its own Node and returns its JSON lines. */
function nodeLines(args: string[], timeoutMs = 120_000): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d));
    child.stderr?.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`node ${args.join(' ')} failed (exit ${code}): ${err.slice(-1000)}`));
      else resolve(out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line));
    });
  });
}

async function activation(): Promise<void> {
  const a = benchActivation(15);
  const verdict = under('load + activate()', a.medianMs as number, 20, 'ms');
  const clientNode = a.clientNodeLoaded === false;
  print({
    ...a,
    target: `${verdict.target}; client-node not loaded`,
    met: verdict.met && clientNode,
    ...(verdict.met && clientNode ? {} : { miss: [verdict.miss, clientNode ? undefined : 'client-node was loaded at activation'].filter(Boolean).join('; ') }),
  });
}

async function codelens(): Promise<void> {
  const big = await nodeLines([path.join(root, 'bench', 'manifests.ts')]);
  const main = big.find((l) => l.case === 'codelens-5mb');
  if (!main) throw new Error('bench/manifests.ts printed no codelens-5mb line');
  const v = under('5 MB lenses', main.ms as number, 50, 'ms');
  print({ ...main, medianMs: main.ms, ratio: round((main.ms as number) / 50, 2), ...v });
  for (const extra of big.filter((l) => l !== main)) print(extra);
  const [realistic] = await nodeLines([path.join(root, 'bench', 'realistic.ts')]);
  const warmVerdict = under('realistic lenses + diagnostics', realistic.ms as number, 50, 'ms');
  const coldVerdict = under('cold', realistic.coldMs as number, 150, 'ms');
  const realMiss = [warmVerdict.miss, coldVerdict.miss].filter(Boolean).join('; ');
  print({ ...realistic, medianMs: realistic.ms, ratio: round((realistic.ms as number) / 50, 2), target: `${warmVerdict.target}, ${coldVerdict.target}`, met: warmVerdict.met && coldVerdict.met, ...(realMiss ? { miss: realMiss } : {}) });
  const [course] = await nodeLines([path.join(root, 'bench', 'courseLens.ts')]);
  print({ ...course, medianMs: course.ms, ratio: round((course.ms as number) / 50, 4), ...under('course manifest lenses', course.ms as number, 50, 'ms') });
}

/** bench/scale.ts: 10,000 pods in 100 deployments, in a Node of its own (heap measured there). */
async function scale(): Promise<void> {
  for (const l of await nodeLines(['--expose-gc', path.join(root, 'bench', 'scale.ts')], 900_000)) print(l);
}

async function pipelineOnly(): Promise<void> {
  // bench/logs.ts: the pure pipeline, no network, for comparison with the end-to-end case.
  for (const l of await nodeLines(['--expose-gc', path.join(root, 'bench', 'logs.ts')])) print({ ...l, case: `logs-pipeline-${String(l.case)}` });
}

function resultsMarkdown(info: Record<string, string>, totalSeconds: number): string {
  const cell = (v: unknown) => (v === undefined ? '' : String(v));
  const ms = (v: unknown) => (typeof v === 'number' ? `${v} ms` : '');
  const row = (l: Line, result: string, reference: string) =>
    `| ${cell(l.case)} | ${result} | ${reference} | ${cell(l.ratio)} | ${cell(l.target)} | ${l.met === undefined ? '' : l.met ? 'met' : `**missed**: ${cell(l.miss)}`} |`;
  const rows: string[] = [];
  for (const l of lines) {
    // A case that failed has only its error, listed under "Failed cases".
    if (l.error !== undefined) continue;
    switch (l.case) {
      case 'activation':
        rows.push(row(l, `${ms(l.medianMs)} (load ${ms(l.loadMs)}; CPU ${ms(l.medianCpuMs)}); bundle ${Math.round((l.bundleBytes as number) / 1024)} KiB; client-node loaded: ${cell(l.clientNodeLoaded)}`, 'target 20 ms'));
        break;
      case 'list':
        rows.push(row(l, `cold ${ms(l.medianMs)}, warm ${ms(l.warmMs)}, reflector synced ${ms(l.reflectorSyncMs)} (${cell(l.pods)} pods, ${cell(l.responseMB)} MB)`, `kubectl ${ms(l.kubectlMs)} (${cell(l.speedup)}x slower)`));
        break;
      case 'watch':
        rows.push(row(l, `p50 ${ms(l.p50Ms)}, p99 ${ms(l.p99Ms)} (from the API's answer: p99 ${ms(l.p99FromAnswerMs)}); ${cell(l.refreshesPerBurst)} refreshes per ${cell(l.changes)} changes`, 'target p99 100 ms'));
        break;
      case 'apply':
        rows.push(row(l, `steady ${ms(l.medianMs)}, first (creating) ${ms(l.firstMs)}; ${cell(l.tlsConnectionsPerApply)} TLS connections per apply`, `kubectl ${ms(l.kubectlMs)}, first ${ms(l.firstKubectlMs)} (${cell(l.speedup)}x / ${cell(l.firstSpeedup)}x)`));
        break;
      case 'logs':
        rows.push(row(l, `${cell(l.linesPerSec)} lines/s (${ms(l.medianMs)} for ${cell(l.lines)}); ${cell(l.shownToChannel)} shown, ${cell(l.droppedByBatcher)} dropped; event loop p99 ${ms(l.eventLoopP99Ms)}; heap ${cell(l.heapBaseMB)} -> ${cell(l.heapPeakMB)} MB, rss ${cell(l.rssBaseMB)} -> ${cell(l.rssPeakMB)} MB`, `kubectl ${cell(l.kubectlLinesPerSec)} lines/s (${ms(l.kubectlMs)})`));
        break;
      case 'codelens-5mb':
        rows.push(row(l, `keystroke ${ms(l.ms)} (CPU ${ms(l.cpuMs)}; ${cell(l.docsReadPerEdit)} of ${cell(l.docs)} docs read again), cold ${ms(l.coldMs)}, whole re-read ${ms(l.rereadMs)} (CPU ${ms(l.rereadCpuMs)}); ${cell(l.images)} images`, 'target 50 ms'));
        break;
      case 'codelens-realistic':
        rows.push(row(l, `keystroke ${ms(l.ms)} (CPU ${ms(l.cpuMs)}; ${cell(l.docsReadPerEdit)} of ${cell(l.docs)} docs read again), cold ${ms(l.coldMs)}, whole re-read ${ms(l.rereadMs)} (CPU ${ms(l.rereadCpuMs)}); ${cell(l.images)} images, ${cell(l.findings)} findings`, 'target 50 ms, cold 150 ms'));
        break;
      case 'codelens-course':
        rows.push(row(l, `${ms(l.ms)} (cold ${ms(l.coldMs)})`, 'target 50 ms'));
        break;
      case 'scale-sync':
        rows.push(row(l, `${ms(l.medianMs)} (${cell(l.pods)} pods, ${cell(l.deployments)} deployments, six kinds)`, `kubectl ${ms(l.kubectlMs)} (${cell(l.kubectlMB)} MB; ${cell(l.speedup)}x slower)`));
        break;
      case 'scale-heap':
        rows.push(row(l, `${cell(l.heapMB)} MB for ${cell(l.pods)} pods`, 'target 150 MB'));
        break;
      case 'scale-watch':
        rows.push(row(l, `p50 ${ms(l.p50Ms)}, p99 ${ms(l.p99Ms)} (${cell(l.seen)} of ${cell(l.changes)} changes at ${cell(l.perSecond)}/s; ${cell(l.refreshes)} refreshes)`, 'target p99 100 ms'));
        break;
      case 'inner-loop': {
        const p = (o: unknown) => Object.entries(o as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ');
        rows.push(row(l, `${ms(l.extensionMs)} from the file change to the new pod's first line (${p(l.extensionPhasesMs)}); adds ${ms(l.addedMs)} beyond build and delivery, of it the cluster's rollout ${ms(l.clusterRolloutMs)}, own steps ${ms(l.ownStepsMs)}, follower ${ms(l.followerMs)}; no change ${ms(l.noChangeMs)}`, `commands ${ms(l.commandsMs)} (${p(l.commandPhasesMs)}; adds ${ms(l.commandsAddedMs)}, of it the cluster's rollout ${ms(l.commandsClusterRolloutMs)}, rollout status ${ms(l.commandsFollowerMs)} after it)`));
        break;
      }
      case 'scale-expand':
        rows.push(row(l, `${ms(l.medianMs)} for ${cell(l.items)} items`, 'target 200 ms'));
        break;
      default:
        break;
    }
  }
  const failed = lines.filter((l) => l.error);
  return `# Benchmark results

Generated by \`npm run bench\` (bench/run.ts); do not edit by hand. The cluster is the project's
simulator (test/sim, \`K3D_SIM_SPEED=0\`) and the reference is the real kubectl against the same
simulated API server, so the ratios compare the clients, not a real k3s. The machine is shared:
wall times move with its load (the load average below); CPU times are printed where they exist.

| machine | |
|---|---|
${Object.entries(info).map(([k, v]) => `| ${k} | ${v} |`).join('\n')}
| whole run | ${Math.round(totalSeconds)} s |

| case | extension | reference | ratio | target | verdict |
|---|---|---|---|---|---|
${rows.join('\n')}
${failed.length ? `\nFailed cases:\n${failed.map((l) => `- ${cell(l.case)}: ${cell(l.error)}`).join('\n')}\n` : ''}
How each case is measured:
- **activation**: a fresh Node per sample loads dist/extension.js (production) with a stub \`vscode\` and runs
  \`activate()\`; median of 15. The ratio is against the 20 ms target.
- **list**: 20 Deployments x 100 replicas (one namespace each) created through the API. Cold: \`connectContext\`
  (kubeconfig, TLS) plus one \`GET /api/v1/pods\`, as the reflector's first list; warm: the same \`KubeHttp\` again.
  Reference: \`kubectl get pods -A -o json > /dev/null\`, spawned. Median of 5; ratio = extension / kubectl.
- **watch**: \`ClusterWorkloads\` (the tree's reflectors, batching per 16 ms frame) synced; 500 pods get an
  annotation by merge PATCH, 16 in flight, 3 rounds. Latency from sending each PATCH to the \`onChange\` batch
  whose cache holds the new object; one \`onChange\` is one tree refresh. Ratio = p99 / 100 ms. \`requestP99Ms\` is
  the simulated API server's own answer time for those PATCHes (on this 2-core machine the simulator, the
  benchmark and the reflectors share the CPUs, and the simulator saves its ~22 MB state once writes pause),
  \`p99FromAnswerMs\` the part after it: what the extension adds. A miss here is mostly the simulator's answer
  time on a busy machine: run alone, p99 was 85 ms.
- **apply**: a 50-document manifest (30 ConfigMaps, 15 Services, 5 one-replica Deployments), the extension's
  path (parse, validate, connect, \`GET /version\`, \`applyObjects\`: discovery, strict server-side dry run, then
  server-side apply) vs \`kubectl apply --server-side -f\`, each into its own namespace: the first (creating)
  run, then the median of 5 re-applies of the same file. \`tlsConnectionsPerApply\` counts the TLS connections one
  extension apply opens (\`https.Agent#createConnection\`): KubeHttp's requests do not keep connections alive.
- **logs**: a pod printing 200,000 lines/s (the simulator keeps the last 100,000-125,000); each reader follows
  its log from the start and stops at line 100,000. The extension's pipeline (\`followPodLog\` with timestamps ->
  \`LineBatcher\` -> a counting channel, as LogStreams wires it) runs in a child process of its own, with
  \`monitorEventLoopDelay\` and peak heap/rss; kubectl is \`kubectl logs -f\` with its stdout counted. Median of 3.
  The batcher hands the channel at most 2,000 lines per 75 ms by design: faster logs lose their oldest lines
  (\`dropped\`), so memory stays bounded. "heap growth" bounded = under 64 MB over the child's baseline.
- **codelens**: bench/manifests.ts (5 MB, 2,000 documents) and the course manifest.
  **codelens-realistic**: bench/realistic.ts, lenses plus image diagnostics on 5 MB shaped like real repositories
  (7,000 documents of mixed kinds, comments, init containers and sidecars, kustomizations, a few anchors; 6,500 images).
  Each is timed as the editor meets it (bench/stats.ts coldRereadAndEdits): cold, the first text in a fresh process;
  keystroke (the warm figure), the median of 21 digits typed at different places 30-70% into the file, each version
  read as an edit of the one before, as the lens cache reads a document's versions (documents the edit did not touch
  are carried over); whole re-read, the median of 7 versions read with no previous version (a file the cache dropped).
  Texts are flat strings, as \`document.getText()\` returns them (VS Code's own join of the lines, ~35 ms for 5 MB, is
  not counted). The extension turns lenses off above 2 MB (LENS_LIMIT), so these cases measure the core beyond it.
- **logs-pipeline-\\***: bench/logs.ts, the pipeline alone without a network (extra lines).
- **scale-\\***: bench/scale.ts against bench/scaleServer.ts, the simulator's API server bulk-seeded with 10,000
  Running pods in 100 Deployments (10 namespaces of 1,000 pods; test/sim/bulkSeed.ts), no controllers. sync: the
  tree's first sync (KubeContexts + ClusterWorkloads: connect, list and watch six kinds) vs \`kubectl get pods -A
  -o json\`, median of 3; heap: what the synced caches hold after gc; watch: the server changes 2,000 pods at
  500/s, latency from the change to the tree's refresh targets computed and rendered, every namespace expanded;
  expand: one namespace's deployments, ReplicaSets and 1,000 pods listed and rendered, median of 5.

Raw JSON lines of this run:

\`\`\`
${lines.map((l) => JSON.stringify(l)).join('\n')}
\`\`\`
`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const info = machine();
  installCleanup();
  ensureBundle();

  const guarded = async (name: string, fn: () => Promise<void>) => {
    if (!wanted(name)) return;
    say(`${name}...`);
    try {
      await fn();
    } catch (e) {
      say(`${name} failed: ${(e as Error).stack ?? e}`);
      print({ case: name, error: (e as Error).message, met: false });
    }
  };

  // Without a cluster first, while the machine is quietest.
  await guarded('activation', activation);
  await guarded('codelens', codelens);

  const clusterCases = ['list', 'watch', 'apply', 'logs', 'inner-loop'].filter(wanted);
  if (clusterCases.length > 0) {
    say('starting the simulated cluster...');
    const cluster = await startCluster();
    try {
      if (wanted('list') || wanted('watch')) {
        const seeded = await seedPods(cluster);
        say(`${seeded.pods} pods running after ${Math.round(seeded.ms / 1000)} s`);
      }
      await guarded('list', async () => print(await benchList(cluster)));
      await guarded('watch', async () => print(await benchWatch(cluster)));
      await guarded('apply', async () => print(await benchApply(cluster)));
      await guarded('logs', async () => print(await benchLogsE2e(cluster)));
      await guarded('inner-loop', async () => print(await benchInnerLoop(cluster)));
    } finally {
      cluster.driver.close();
      say('deleting the cluster...');
      cleanup();
    }
  }
  await guarded('logs-pipeline', pipelineOnly);
  await guarded('scale', scale);

  const seconds = (performance.now() - started) / 1000;
  say(`done in ${Math.round(seconds)} s`);
  if (writeResults) {
    writeFileSync(path.join(root, 'bench', 'RESULTS.md'), resultsMarkdown(info, seconds));
    say('wrote bench/RESULTS.md');
  }
  const missed = lines.filter((l) => l.met === false).map((l) => l.case);
  if (missed.length) say(`targets missed: ${missed.join(', ')}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    say(`failed: ${(e as Error).stack ?? e}`);
    cleanup();
    process.exit(1);
  },
);
