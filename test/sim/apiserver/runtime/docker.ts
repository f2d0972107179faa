// The simulated kubelet's real container runtime: pod containers whose image is real (imported into the cluster
// with an ID, or pulled from a cluster registry) run as Docker containers on the host engine, always with
// `--network none`, named k3dsim-<cluster>-<ns>-<pod>-<container>-<restartCount> and labelled
// k3d-sim.cluster=<cluster>, k3d-sim.pod=<ns>/<pod> so they can be found and removed per cluster.
// The Docker CLI is spawned with argument arrays and honours DOCKER_HOST.
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';

export const CLUSTER_LABEL = 'k3d-sim.cluster';
export const POD_LABEL = 'k3d-sim.pod';
export const CONTAINER_LABEL = 'k3d-sim.container';

export interface DockerResult { code: number; stdout: string; stderr: string }

/** Runs the docker CLI; never rejects (a missing binary or a timeout is a non-zero code with a message). */
export function docker(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<DockerResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let done = false;
    const finish = (r: DockerResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn('docker', args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (e) => finish({ code: 127, stdout, stderr: `docker: ${e.message}` }));
    child.on('close', (code) => finish({ code: code ?? 1, stdout, stderr }));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ code: 124, stdout, stderr: `${stderr}docker ${args[0]} timed out` });
    }, opts.timeoutMs ?? 60_000);
  });
}

/** The first meaningful line of a docker CLI error ("Cannot connect to the Docker daemon at ...", "Error response from daemon: ..."). */
export function dockerError(r: DockerResult): string {
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith("Run 'docker"));
  return (lines[0] ?? `docker exited with code ${r.code}`).replace(/^docker: /, '');
}

export function isDaemonDown(r: DockerResult): boolean {
  return /Cannot connect to the Docker daemon|error during connect|docker: spawn docker ENOENT|timed out$/.test(r.stderr);
}

export type ImageLookup = { id: string; size: number; repoDigests: string[] } | { missing: true } | { down: string };

/** `docker image inspect`: the image's ID, or that the engine does not have it, or that the engine is unreachable. */
export async function inspectImage(ref: string, env?: NodeJS.ProcessEnv): Promise<ImageLookup> {
  const r = await docker(['image', 'inspect', '--format', '{{.Id}} {{.Size}} {{json .RepoDigests}}', ref], { env, timeoutMs: 30_000 });
  if (r.code === 0) {
    const [id = '', size = '0', ...rest] = r.stdout.trim().split(' ');
    let repoDigests: string[] = [];
    try {
      repoDigests = JSON.parse(rest.join(' ') || '[]') ?? [];
    } catch {
      repoDigests = [];
    }
    return { id, size: Number(size) || 0, repoDigests };
  }
  if (/No such image|no such image/.test(r.stderr)) return { missing: true };
  return { down: dockerError(r) };
}

export interface RunSpec {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  restart: number;
  /** What to run: an image ID or a reference the engine has. */
  image: string;
  command?: string[];
  args?: string[];
  env: [string, string][];
  workingDir?: string;
  /** The pod's hostname (Kubernetes: the pod name). */
  hostname?: string;
}

/** Docker container names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; Kubernetes names already fit. */
export function containerName(s: Pick<RunSpec, 'cluster' | 'namespace' | 'pod' | 'container' | 'restart'>): string {
  return `k3dsim-${s.cluster}-${s.namespace}-${s.pod}-${s.container}-${s.restart}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

// Variables the docker CLI itself reads: passed on the command line rather than through its environment.
const CLI_VARS = /^(DOCKER_.*|PATH|HOME)$/;

/** `docker run -d --network none ...` as Kubernetes runs a container: command replaces the entrypoint, args the CMD. */
export async function runContainer(spec: RunSpec, env: NodeJS.ProcessEnv = process.env): Promise<{ id: string } | { error: string; down: boolean }> {
  const name = containerName(spec);
  const args = ['run', '-d', '--network', 'none', '--name', name,
    '--label', `${CLUSTER_LABEL}=${spec.cluster}`, '--label', `${POD_LABEL}=${spec.namespace}/${spec.pod}`, '--label', `${CONTAINER_LABEL}=${spec.container}`];
  const childEnv: NodeJS.ProcessEnv = { ...env };
  for (const [k, v] of spec.env) {
    // Values travel in the CLI's environment (`-e NAME`), so they never appear in a process list.
    if (CLI_VARS.test(k)) args.push('-e', `${k}=${v}`);
    else {
      args.push('-e', k);
      childEnv[k] = v;
    }
  }
  if (spec.workingDir) args.push('-w', spec.workingDir);
  if (spec.hostname) args.push('--hostname', spec.hostname);
  const command = spec.command ?? [];
  if (command.length) args.push('--entrypoint', command[0]!);
  args.push(spec.image, ...command.slice(1), ...(spec.args ?? []));
  let r = await docker(args, { env: childEnv });
  if (r.code !== 0 && /Conflict\. The container name/.test(r.stderr)) {
    // A leftover from an earlier run of this API server: its pods' containers are gone.
    await docker(['rm', '-f', name], { env });
    r = await docker(args, { env: childEnv });
  }
  if (r.code === 0) return { id: r.stdout.trim() };
  // A container whose process could not start was still created: remove it.
  await docker(['rm', '-f', name], { env, timeoutMs: 30_000 });
  return { error: dockerError(r).replace(/^Error response from daemon: /, ''), down: isDaemonDown(r) };
}

/**
 * Follows `docker logs -f --timestamps`: calls `line` per output line (Docker's timestamp, text, and whether it is
 * a last line the program left without a newline), `end` when the stream ends.
 */
export function followLogs(id: string, line: (ts: string, text: string, partial: boolean) => void, end: () => void, env: NodeJS.ProcessEnv = process.env): () => void {
  const child = spawn('docker', ['logs', '-f', '--timestamps', id], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let open = 2;
  const reader = (stream: NodeJS.ReadableStream): void => {
    let rest = '';
    const emit = (l: string, partial = false): void => {
      const sp = l.indexOf(' ');
      if (sp > 0 && /^\d{4}-\d\d-\d\dT/.test(l)) line(l.slice(0, sp), l.slice(sp + 1), partial);
      else line('', l, partial);
    };
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      rest += d;
      let i: number;
      while ((i = rest.indexOf('\n')) >= 0) {
        emit(rest.slice(0, i));
        rest = rest.slice(i + 1);
      }
    });
    stream.on('end', () => {
      if (rest) emit(rest, true);
      rest = '';
      if (--open === 0) end();
    });
  };
  reader(child.stdout);
  reader(child.stderr);
  child.on('error', () => undefined);
  return () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}

export interface Exit { exitCode: number; reason: string; startedAt?: string; finishedAt?: string; message?: string }

/** Waits for the container to stop (`docker wait`), then reads how it ended. */
export async function waitContainer(id: string, env: NodeJS.ProcessEnv = process.env): Promise<Exit | { error: string }> {
  const w = await docker(['wait', id], { env, timeoutMs: 2 ** 31 - 1 });
  if (w.code !== 0) return { error: dockerError(w) };
  const i = await docker(['inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}} {{.State.StartedAt}} {{.State.FinishedAt}}', id], { env, timeoutMs: 30_000 });
  const exitCode = Number(w.stdout.trim());
  if (i.code !== 0) return { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' };
  const [code, oom, startedAt, finishedAt] = i.stdout.trim().split(' ');
  const n = Number(code ?? exitCode);
  return { exitCode: n, reason: oom === 'true' ? 'OOMKilled' : n === 0 ? 'Completed' : 'Error', startedAt: seconds(startedAt), finishedAt: seconds(finishedAt) };
}

/** Kubernetes shows container times to the second. */
function seconds(t: string | undefined): string | undefined {
  return t && !t.startsWith('0001-') ? t.replace(/\.\d+Z$/, 'Z') : undefined;
}

/** Stops (SIGTERM, then SIGKILL after graceSeconds) and removes a container. */
export async function stopContainer(id: string, graceSeconds: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await docker(['stop', '-t', String(Math.max(0, Math.round(graceSeconds))), id], { env, timeoutMs: (graceSeconds + 30) * 1000 });
}

export async function removeContainers(ids: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (ids.length) await docker(['rm', '-f', ...ids], { env, timeoutMs: 60_000 });
}

/** Synchronous removal, for the API server's shutdown (it exits right after). */
export function removeContainersSync(ids: string[], env: NodeJS.ProcessEnv = process.env): void {
  if (!ids.length) return;
  try {
    execFileSync('docker', ['rm', '-f', ...ids], { env, stdio: 'ignore', timeout: 30_000 });
  } catch {
    // already gone, or the engine is down: nothing left to remove there
  }
}

/** Stops and removes every container of the cluster's pods (k3d cluster stop/delete). Returns how many were removed. */
export async function removeClusterContainers(cluster: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const ps = await docker(['ps', '-aq', '--filter', `label=${CLUSTER_LABEL}=${cluster}`], { env, timeoutMs: 30_000 });
  if (ps.code !== 0) return 0;
  const ids = ps.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  await removeContainers(ids, env);
  return ids.length;
}

/** Pulls a reference from a (local, insecure-allowed) registry into the engine. */
export async function pullImage(ref: string, env: NodeJS.ProcessEnv = process.env): Promise<{ ok: true } | { error: string; down: boolean }> {
  const r = await docker(['pull', '--quiet', ref], { env, timeoutMs: 300_000 });
  return r.code === 0 ? { ok: true } : { error: dockerError(r).replace(/^Error response from daemon: /, ''), down: isDaemonDown(r) };
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/** HEAD /v2/<repo>/manifests/<tag> on a registry on loopback: whether the tag exists (and its digest), or why it could not be asked. */
export function registryHasManifest(port: number, repo: string, tag: string): Promise<{ state: 'present'; digest?: string } | { state: 'missing' } | { state: 'error'; error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'HEAD', path: `/v2/${repo}/manifests/${tag}`, headers: { Accept: MANIFEST_TYPES }, timeout: 10_000 }, (res) => {
      res.resume();
      const digest = res.headers['docker-content-digest'];
      if (res.statusCode === 200) resolve({ state: 'present', ...(typeof digest === 'string' && digest.startsWith('sha256:') ? { digest } : {}) });
      else if (res.statusCode === 404) resolve({ state: 'missing' });
      else resolve({ state: 'error', error: `unexpected status code ${res.statusCode}` });
    });
    req.on('timeout', () => req.destroy(new Error('i/o timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ state: 'error', error: e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message }));
    req.end();
  });
}

export type RegistryImage = { id: string; size: number; digest?: string } | { missing: true } | { unreachable: string } | { error: string };

/**
 * The image a cluster registry serves for repo:tag, in the host's engine. Pulled by digest when the engine does not
 * have it yet (no tag is added to the host's images); `pull: false` only looks.
 */
export async function registryImage(port: number, repo: string, tag: string, pull = true, env: NodeJS.ProcessEnv = process.env): Promise<RegistryImage> {
  const has = await registryHasManifest(port, repo, tag);
  if (has.state === 'missing') return { missing: true };
  if (has.state === 'error') return { unreachable: has.error };
  const refs = has.digest
    ? [`127.0.0.1:${port}/${repo}@${has.digest}`, `localhost:${port}/${repo}@${has.digest}`]
    : [`127.0.0.1:${port}/${repo}:${tag}`];
  for (const ref of refs) {
    const found = await inspectImage(ref, env);
    if ('id' in found) return { id: found.id, size: found.size, ...(has.digest ? { digest: has.digest } : {}) };
    if ('down' in found) return { error: found.down };
  }
  if (!pull) return { error: `${refs[0]} is not in the engine` };
  const pulled = await pullImage(refs[0]!, env);
  if ('error' in pulled) return { error: pulled.error };
  const found = await inspectImage(refs[0]!, env);
  if ('id' in found) return { id: found.id, size: found.size, ...(has.digest ? { digest: has.digest } : {}) };
  return { error: 'down' in found ? found.down : `${refs[0]} is gone after the pull` };
}
