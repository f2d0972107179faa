// The simulated cluster the benchmarks run against (test/sim), in a private temp folder, and the
// bookkeeping that leaves nothing behind: every child we spawn is tracked by pid, and cleanup
// deletes the cluster (the simulated k3d stops its API server) and, should that fail, stops the
// API server by the pid it wrote.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as https from 'node:https';
import { connectContext } from '../src/core/kube/connect.ts';
import { loadClientNode, loadKubeConfig } from '../src/core/kube/gateway.ts';
import type { KubeHttp } from '../src/core/kube/http.ts';

export const root = path.resolve(import.meta.dirname, '..');
const k3dBin = path.join(root, 'test', 'sim', 'bin', 'k3d');
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const NAME = 'bench';

export interface BenchCluster {
  dir: string;
  kubeconfig: string;
  context: string;
  /** For kubectl and k3d: KUBECONFIG, K3D_SIM_HOME, K3D_SIM_SPEED=0. */
  env: NodeJS.ProcessEnv;
  /** One connection for the bench's own setup requests (not what is measured). */
  admin: KubeHttp;
  /** A keep-alive HTTPS client with the kubeconfig's credentials, for bursts of changes. */
  driver: Driver;
}

const children = new Set<ChildProcess>();
let current: { dir: string; env: NodeJS.ProcessEnv } | undefined;

/** Spawns with an argument array; the child is stopped (by pid) if the bench is interrupted. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function startCluster(): Promise<BenchCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'k3d-bench-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  const env: NodeJS.ProcessEnv = { ...process.env, K3D_SIM_HOME: path.join(dir, 'k3d'), KUBECONFIG: kubeconfig, K3D_SIM_SPEED: '0' };
  current = { dir, env };
  const created = await run(k3dBin, ['cluster', 'create', NAME, '--wait'], env, 120_000);
  if (created.code !== 0) throw new Error(`k3d cluster create failed (exit ${created.code}): ${created.stderr.slice(-2000)}`);
  const context = `k3d-${NAME}`;
  const admin = await connectContext(context, [kubeconfig]);
  const driver = await makeDriver(context, kubeconfig);
  return { dir, kubeconfig, context, env, admin, driver };
}

/** Deletes the cluster and the temp folder; stops every tracked child. Synchronous, so it also works on exit. */
export function cleanup(): void {
  for (const child of children) {
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  children.clear();
  if (!current) return;
  const { dir, env } = current;
  current = undefined;
  spawnSync(k3dBin, ['cluster', 'delete', NAME], { env, stdio: 'ignore', timeout: 30_000 });
  // If the delete failed, the API server is still up: stop it by the pid it wrote.
  const pidFile = path.join(dir, 'k3d', 'clusters', NAME, 'apiserver', 'pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

let handlersInstalled = false;
/** Cleans up on Ctrl-C, SIGTERM, an uncaught error and a normal exit. */
export function installCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, deleting the cluster...\n`);
      cleanup();
      process.exit(130);
    });
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion (argument array, no shell), timing it from spawn to exit. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, stdout: 'pipe' | 'ignore' = 'pipe'): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = track(spawn(command, args, { env, stdio: ['ignore', stdout, 'pipe'] }));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => err.push(Buffer.from(String(e))));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - t0 });
    });
  });
}

export function kubectl(cluster: BenchCluster, args: readonly string[], stdout: 'pipe' | 'ignore' = 'pipe', timeoutMs = 120_000): Promise<RunResult> {
  return run(KUBECTL, args, cluster.env, timeoutMs, stdout);
}

export interface Driver {
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: string }>;
  close(): void;
}

/**
 * The bench's own client for making changes fast: keep-alive connections with the kubeconfig's
 * client certificate. It plays "someone else changing the cluster", so its cost is not measured.
 */
export async function makeDriver(context: string, kubeconfig: string): Promise<Driver> {
  const kc = await loadKubeConfig(await loadClientNode(), context, [kubeconfig]);
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: options.ca, cert: options.cert, key: options.key });
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  return {
    request(method, p, body, contentType = 'application/json') {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = https.request(
          { host: server.hostname, port: server.port, path: p, method, agent, headers: { Accept: 'application/json', ...(payload ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** Creates an object through the API; 409 (already there) is fine. */
export async function create(cluster: BenchCluster, collection: string, obj: unknown): Promise<void> {
  const res = await cluster.driver.request('POST', collection, obj);
  if (res.status >= 300 && res.status !== 409) throw new Error(`POST ${collection}: ${res.status} ${res.body.slice(0, 300)}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `check` is true, or throws after timeoutMs. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 180_000, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
