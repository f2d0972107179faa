// Case inner-loop: the sample app (test/images/hashgenerator, built by the real Docker engine)
// from a changed message.txt to the new pod's first log line with that message, on the simulated
// cluster (K3D_SIM_SPEED=0; its kubelet runs the image as a real container).
//  - the extension's loop: the core pipeline Deploy on Save runs (core/deploy/pipeline.ts), with
//    the adapters the editor gives it minus the editor: docker build, k3d image import + the
//    import-landed check, the tag edit (core setImageTag, file written), apply (core applyObjects),
//    the rollout watch and the first-log phase (core/deploy/rollout.ts);
//  - the same steps typed as commands: docker build, k3d image import, the edit (a file write),
//    kubectl apply -f, kubectl rollout status, kubectl logs -f until the line;
//  - the no-change loop: the pipeline again with nothing changed (a cached build, the same image
//    ID: up to date, no tag, no rollout).
// Each side builds its own image name in its own namespace, alternately, several rounds.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildPlan } from '../src/core/publish/publish.ts';
import { dockerImageInspectArgs } from '../src/core/publish/docker.ts';
import { localImageIds } from '../src/core/publish/steps.ts';
import { contextHash } from '../src/core/deploy/nextTag.ts';
import { imagesOnNodes, importLanded } from '../src/core/deploy/nodeImages.ts';
import { runDeploy } from '../src/core/deploy/pipeline.ts';
import type { DeployAdapters, PhaseTiming } from '../src/core/deploy/pipeline.ts';
import { firstLogLine, watchRollout, watchSettle } from '../src/core/deploy/rollout.ts';
import type { RolloutApi } from '../src/core/deploy/rollout.ts';
import { applyObjects } from '../src/core/kube/apply.ts';
import { connectContext } from '../src/core/kube/connect.ts';
import { Discovery } from '../src/core/kube/discovery.ts';
import type { KubeHttp } from '../src/core/kube/http.ts';
import { logPath } from '../src/core/kube/podLogs.ts';
import { setImageTag } from '../src/core/manifests/edit.ts';
import { findImages } from '../src/core/manifests/images.ts';
import type { ImageReference } from '../src/core/manifests/imageReference.ts';
import { parseManifest, sortForApply } from '../src/core/manifests/api.ts';
import { runTool } from '../src/core/process.ts';
import { rolloutStatus } from '../src/core/kube/rollout.ts';
import type { V1Deployment } from '@kubernetes/client-node';
import { copyHashApp, ensureBaseImage } from '../test/lib/images.ts';
import { create, kubectl, root, run, track } from './cluster.ts';
import type { BenchCluster } from './cluster.ts';
import { median, round } from './stats.ts';

const k3dBin = path.join(root, 'test', 'sim', 'bin', 'k3d');
const CLUSTER = 'bench';

function manifest(name: string, namespace: string, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: ${image}
          env:
            - name: INTERVAL
              value: "1"
`;
}

function rolloutApi(http: KubeHttp): RolloutApi {
  return {
    deployment: (ns, name, signal) => http.json(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`, { signal }),
    pods: async (ns, selector, signal) => (await http.json<{ items: never[] }>(`/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: selector }, signal })).items,
    log: async (ns, pod, q, signal) => {
      const lines: string[] = [];
      await http.lines(logPath(ns, pod), { query: { container: q.container, previous: q.previous || undefined, tailLines: q.tailLines }, signal, accept: '*/*' }, (l) => lines.push(l));
      return lines.join('\n');
    },
    follow: (ns, pod, container, signal, onLine) => http.lines(logPath(ns, pod), { query: { container, follow: true }, signal, accept: '*/*', idleTimeoutMs: 0 }, onLine),
    // As the editor's loop (features/deploy/loop.ts) runs it.
    watchDeployment: (ns, name, signal, onChange) =>
      http.lines(`/apis/apps/v1/namespaces/${ns}/deployments`, { query: { watch: true, fieldSelector: `metadata.name=${name}` }, signal, idleTimeoutMs: 0 }, () => onChange()),
  };
}

/**
 * The cluster's own moment: a watch on the deployment (as `kubectl rollout status` runs it) notes
 * when the status first says the rollout of `image` is done. Started before the apply; the time
 * from the apply's answer to that moment is the cluster's work (its kubelet starting the new
 * container, the old one stopping), which the commands wait for just the same; the rest of a
 * rollout phase is the follower's own latency.
 */
function clusterRolloutDone(http: KubeHttp, namespace: string, name: string, image: string): { at: () => number | undefined; stop: () => void } {
  const abort = new AbortController();
  let doneAt: number | undefined;
  void http
    .lines(`/apis/apps/v1/namespaces/${namespace}/deployments`, { query: { watch: true, fieldSelector: `metadata.name=${name}` }, signal: abort.signal, idleTimeoutMs: 0 }, (line) => {
      if (doneAt !== undefined) return;
      const d = (JSON.parse(line) as { object?: V1Deployment }).object;
      const img = d?.spec?.template?.spec?.containers?.[0]?.image;
      if (d && img === image && rolloutStatus(d).done) doneAt = performance.now();
    })
    .catch(() => undefined);
  return { at: () => doneAt, stop: () => abort.abort() };
}

interface Side {
  name: string;
  namespace: string;
  dir: string;
  file: string;
  tag: number;
  /** The context's hash when the current tag was deployed (the extension's loop). */
  deployedHash?: string;
}

/** The extension's loop for one change; resolves with its phase timings and the first line. */
async function extensionLoop(cluster: BenchCluster, side: Side, message: string): Promise<{ timings: PhaseTiming[]; total: number; status: string; line?: string; clusterRolloutMs?: number; followerMs?: number }> {
  const t0 = performance.now();
  writeFileSync(path.join(side.dir, 'message.txt'), `${message}\n`);
  const text = readFileSync(side.file, 'utf8');
  const file = parseManifest(text);
  const image = findImages(file)[0];
  const ref = image.reference as ImageReference;
  const next = String(side.tag + 1);
  const http = await connectContext(cluster.context, [cluster.kubeconfig]);
  const api = rolloutApi(http);
  const env = cluster.env;
  let line: string | undefined;
  let firstLineAt: number | undefined;
  let pods: never[] = [];
  let watch: ReturnType<typeof clusterRolloutDone> | undefined;
  let appliedAt: number | undefined;
  let rolledAt: number | undefined;
  const source = { simHome: env.K3D_SIM_HOME, docker: async () => '', nodes: async () => [] };
  const hash = await contextHash(side.dir, [side.file]);
  const adapters: DeployAdapters<string> = {
    unchanged: async () => hash !== undefined && side.deployedHash === hash,
    runStep: async (step, signal) => {
      try {
        await runTool(step.tool === 'k3d' ? k3dBin : 'docker', step.args, { env, signal, timeoutMs: 300_000 });
      } catch (e) {
        throw new Error(`${step.tool} ${step.args.join(' ')}: ${((e as { output?: string[] }).output ?? []).slice(-25).join('\n')}`);
      }
    },
    imageId: async (img, signal) => (await runTool('docker', dockerImageInspectArgs(img), { env, signal }).catch(() => ({ stdout: '' }))).stdout.trim() || undefined,
    // As the extension does it: both tags in one `docker image inspect` (env is this process's plus the simulator's).
    imageIds: (imgs, signal) => localImageIds('docker', imgs, signal),
    onNodes: async (plan, id) => importLanded(plan.delivery.manifestImage, id, await imagesOnNodes(CLUSTER, source)).ok,
    verifyDelivery: async (plan, id) => {
      const check = importLanded(plan.delivery.manifestImage, id, await imagesOnNodes(CLUSTER, source), CLUSTER);
      if (!check.ok) throw new Error(check.reason);
    },
    edit: async () => {
      const edit = setImageTag(file, image, next);
      if (!edit.ok) throw new Error(edit.reason);
      writeFileSync(side.file, text.slice(0, edit.edit.span.start) + edit.edit.newText + text.slice(edit.edit.span.end));
    },
    apply: async () => {
      watch = clusterRolloutDone(http, side.namespace, side.name, `${ref.path}:${next}`);
      await extensionApply(cluster, side.file, http);
      appliedAt = performance.now();
      return side.name;
    },
    rollout: async (name, signal) => {
      const r = await watchRollout(api, { namespace: side.namespace, name, image: `${ref.path}:${next}`, timeoutMs: 120_000, signal }); // the editor's polling interval
      rolledAt = performance.now();
      if (!r.ok) throw new Error(r.reason);
      pods = r.pods as never[];
    },
    firstLog: async (_name, signal) => {
      line = (await firstLogLine(api, { namespace: side.namespace, pods, timeoutMs: 60_000, signal }))?.line;
      firstLineAt = performance.now();
    },
    // As the editor's loop: the new pods must stay up a moment (not part of the time to the first line).
    settle: async (_name, signal) => {
      const r = await watchSettle(api, { namespace: side.namespace, pods, windowMs: 2000, signal });
      if (!r.ok) throw new Error(r.reason);
    },
  };
  const outcome = await runDeploy({ ref, tag: next, setting: 'import', cluster: CLUSTER, contextDir: side.dir }, adapters, { signal: new AbortController().signal }).finally(() => watch?.stop());
  const doneAt = watch?.at();
  const clusterRolloutMs = doneAt !== undefined && appliedAt !== undefined ? Math.max(0, doneAt - appliedAt) : undefined;
  const followerMs = doneAt !== undefined && rolledAt !== undefined ? Math.max(0, rolledAt - doneAt) : undefined;
  // From the file change to the new pod's first line (the settle window after it is not waiting time).
  const total = (firstLineAt ?? performance.now()) - t0;
  if (outcome.status === 'failed') throw new Error(`extension loop failed in ${outcome.phase}: ${(outcome.error as Error).message}`);
  if (outcome.status === 'deployed') {
    side.tag++;
    side.deployedHash = hash;
  }
  return { timings: outcome.timings, total, status: outcome.status, line, clusterRolloutMs, followerMs };
}

async function extensionApply(cluster: BenchCluster, file: string, http?: KubeHttp): Promise<void> {
  const h = http ?? (await connectContext(cluster.context, [cluster.kubeconfig]));
  const parsed = parseManifest(readFileSync(file, 'utf8'));
  const objects = sortForApply(parsed.documents.map((doc) => ({ doc, kind: doc.kind }))).map((p) => p.doc.toObject() as Record<string, unknown>);
  const r = await applyObjects(h, new Discovery(h), objects, {});
  if (!r.applied) throw new Error(`not applied: ${r.results.find((x) => x.problem)?.problem?.message}`);
}

/**
 * `kubectl logs -f deployment/NAME` until a line with `message`; its time. kubectl picks one pod
 * of the deployment, which right after the rollout can be the old one, terminating: its stream
 * ends without the line, and a person types the command again.
 */
async function logsUntil(cluster: BenchCluster, side: Side, message: string): Promise<number> {
  const t0 = performance.now();
  const deadline = t0 + 60_000;
  while (performance.now() < deadline) {
    const found = await new Promise<boolean>((resolve) => {
      const child = track(spawn('/usr/bin/kubectl', ['logs', '-f', `deployment/${side.name}`, '-n', side.namespace], { env: cluster.env, stdio: ['ignore', 'pipe', 'ignore'] }));
      let out = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, deadline - performance.now()));
      child.stdout?.on('data', (d: Buffer) => {
        out += d;
        if (out.includes(message)) {
          clearTimeout(timer);
          child.kill('SIGTERM');
          resolve(true);
        }
      });
      child.on('close', () => {
        clearTimeout(timer);
        resolve(out.includes(message));
      });
    });
    if (found) return performance.now() - t0;
  }
  throw new Error(`kubectl logs -f never printed "${message}"`);
}

/** The same steps typed as commands. */
async function commandLoop(cluster: BenchCluster, side: Side, message: string, http: KubeHttp): Promise<Record<string, number>> {
  const t0 = performance.now();
  writeFileSync(path.join(side.dir, 'message.txt'), `${message}\n`);
  const image = `${side.name}:${side.tag + 1}`;
  const [build, imp] = buildPlan({ image, contextDir: side.dir, publish: 'import', cluster: CLUSTER });
  const step = async (cmd: string, args: readonly string[], timeout = 300_000) => {
    const r = await run(cmd, args, cluster.env, timeout, 'ignore');
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
    return r.ms;
  };
  const times: Record<string, number> = {};
  times.build = await step('docker', build.args);
  times.deliver = await step(k3dBin, imp.args);
  const te = performance.now();
  writeFileSync(side.file, readFileSync(side.file, 'utf8').replace(/image: \S+/, `image: ${image}`));
  times.edit = performance.now() - te;
  const watch = clusterRolloutDone(http, side.namespace, side.name, image);
  try {
    times.apply = await step('/usr/bin/kubectl', ['apply', '-f', side.file]);
    const appliedAt = performance.now();
    times.rollout = await step('/usr/bin/kubectl', ['rollout', 'status', `deployment/${side.name}`, '-n', side.namespace, '--timeout=120s']);
    const rolledAt = performance.now();
    const doneAt = watch.at();
    if (doneAt !== undefined) {
      times.clusterRollout = Math.max(0, doneAt - appliedAt);
      times.follower = Math.max(0, rolledAt - doneAt);
    }
  } finally {
    watch.stop();
  }
  times.firstLog = await logsUntil(cluster, side, message);
  times.total = performance.now() - t0;
  side.tag++;
  return times;
}

export async function benchInnerLoop(cluster: BenchCluster, rounds = 3): Promise<Record<string, unknown>> {
  await ensureBaseImage(cluster.env);
  const sides: Record<'ext' | 'cli', Side> = {
    ext: { name: 'loop-ext', namespace: 'loop-ext', dir: path.join(cluster.dir, 'loop-ext'), file: '', tag: 1 },
    cli: { name: 'loop-cli', namespace: 'loop-cli', dir: path.join(cluster.dir, 'loop-cli'), file: '', tag: 1 },
  };
  for (const side of Object.values(sides)) {
    copyHashApp(side.dir, `${side.name} v1`);
    mkdirSync(path.join(side.dir, 'manifests'), { recursive: true });
    side.file = path.join(side.dir, 'manifests', 'deployment.yaml');
    writeFileSync(side.file, manifest(side.name, side.namespace, `${side.name}:1`));
    await create(cluster, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: side.namespace } });
    // Version 1 running on both sides before anything is measured (a warm cache, as after the first deploy).
    for (const [cmd, args] of [['docker', ['build', '-t', `${side.name}:1`, side.dir]], [k3dBin, ['image', 'import', `${side.name}:1`, '-c', CLUSTER]]] as const) {
      const r = await run(cmd, args, cluster.env, 300_000);
      if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-1500)}`);
    }
    // Each side applies as it will later (server-side apply's field manager owns the image field).
    if (side === sides.ext) await extensionApply(cluster, side.file);
    else await kubectl(cluster, ['apply', '-f', side.file], 'ignore');
    await kubectl(cluster, ['rollout', 'status', `deployment/${side.name}`, '-n', side.namespace, '--timeout=120s'], 'ignore');
  }
  const ext: Array<Record<string, number>> = [];
  const cli: Array<Record<string, number>> = [];
  const watchHttp = await connectContext(cluster.context, [cluster.kubeconfig]);
  for (let r = 0; r < rounds; r++) {
    const msg = `round ${r} ${Date.now().toString(36)}`;
    const e = await extensionLoop(cluster, sides.ext, `ext ${msg}`);
    if (!e.line?.includes(`ext ${msg}`)) throw new Error(`the new pod's first line is not the new message: ${e.line}`);
    const row: Record<string, number> = { total: e.total };
    if (e.clusterRolloutMs !== undefined) row.clusterRollout = e.clusterRolloutMs;
    if (e.followerMs !== undefined) row.follower = e.followerMs;
    for (const t of e.timings) row[t.phase] = t.ms;
    ext.push(row);
    cli.push(await commandLoop(cluster, sides.cli, `cli ${msg}`, watchHttp));
  }
  // Nothing changed since the last loop: the cached build gives the same image ID.
  const noChange: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const last = readFileSync(path.join(sides.ext.dir, 'message.txt'), 'utf8').trim();
    const n = await extensionLoop(cluster, sides.ext, last);
    if (n.status !== 'upToDate') throw new Error(`the no-change loop was ${n.status}, not up to date`);
    noChange.push(n.total);
  }
  const med = (rows: Array<Record<string, number>>, key: string) => round(median(rows.map((x) => x[key] ?? 0)), 0);
  const phases = ['build', 'deliver', 'edit', 'apply', 'rollout', 'firstLog'];
  const extPhases = Object.fromEntries(['plan', ...phases].map((p) => [p, med(ext, p)]));
  const cliPhases = Object.fromEntries(phases.map((p) => [p, med(cli, p)]));
  const extTotal = med(ext, 'total');
  const cliTotal = med(cli, 'total');
  const added = round(extTotal - extPhases.build - extPhases.deliver, 0);
  const cliAdded = round(cliTotal - cliPhases.build - cliPhases.deliver, 0);
  const noChangeMs = round(median(noChange), 0);
  // Of the added time, the cluster's own part (its kubelet starting the container) is the rollout wait;
  // the rest is the extension's own steps.
  const ownStepsMs = round(extPhases.plan + extPhases.edit + extPhases.apply + extPhases.firstLog, 0);
  // The rollout phase split: the cluster's own work (apply answered -> a watch sees the rollout done,
  // which kubectl rollout status waits for just the same) and the follower's latency after it.
  const clusterRolloutMs = med(ext, 'clusterRollout');
  const followerMs = med(ext, 'follower');
  const commandsClusterRolloutMs = med(cli, 'clusterRollout');
  const commandsFollowerMs = med(cli, 'follower');
  const addedBeyondClusterMs = round(added - clusterRolloutMs, 0);
  const misses: string[] = [];
  if (added >= 300) {
    misses.push(
      `the extension adds ${added} ms beyond build and delivery (target < 300 ms; the commands add ${cliAdded} ms). Of it, ${clusterRolloutMs} ms is the cluster starting the new pod and stopping the old one (the commands wait ${commandsClusterRolloutMs} ms for the same); beyond that wait the extension adds ${addedBeyondClusterMs} ms (own steps ${ownStepsMs} ms, rollout follower ${followerMs} ms after the cluster was done; kubectl rollout status ${commandsFollowerMs} ms)`,
    );
  }
  if (extTotal > cliTotal) misses.push(`total ${extTotal} ms vs the commands' ${cliTotal} ms`);
  if (noChangeMs >= 500) misses.push(`no-change loop ${noChangeMs} ms (target < 500 ms)`);
  return {
    case: 'inner-loop',
    rounds,
    extensionMs: extTotal,
    commandsMs: cliTotal,
    ratio: round(cliTotal / extTotal, 2),
    extensionPhasesMs: extPhases,
    commandPhasesMs: cliPhases,
    addedMs: added,
    commandsAddedMs: cliAdded,
    ownStepsMs,
    clusterRolloutMs,
    followerMs,
    commandsClusterRolloutMs,
    commandsFollowerMs,
    addedBeyondClusterMs,
    noChangeMs,
    target: 'added (total - build - delivery) < 300 ms; total <= the commands; no-change < 500 ms with no rollout',
    met: misses.length === 0,
    ...(misses.length ? { miss: misses.join('; ') } : {}),
  };
}
