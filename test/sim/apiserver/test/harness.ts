// Test harness: a cluster folder as the simulated k3d writes it (cluster.json, PKI), the API server started on it,
// and the real kubectl pointed at it through a kubeconfig.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';
import { docker } from '../../../lib/docker.ts';
import { writeClusterPki } from '../../k3d/pki.ts';
import type { ClusterPki } from '../../k3d/pki.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const MAIN = join(here, '..', 'main.ts');
export const KUBECTL = '/usr/bin/kubectl';
export const hasKubectl = existsSync(KUBECTL);

/** A client certificate and key signed by nobody the cluster trusts (for 401 tests). */
export function strangerCert(): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  c.serialNumber = `01${randomBytes(8).toString('hex')}`;
  c.validity.notBefore = new Date(Date.now() - 60_000);
  c.validity.notAfter = new Date(Date.now() + 86400_000);
  const subject = [{ name: 'commonName', value: 'system:admin' }];
  c.setSubject(subject);
  c.setIssuer(subject);
  c.sign(key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(c), key: keyPem };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestCluster {
  dir: string;
  port: number;
  kubeconfig: string;
  pki: ClusterPki;
  env: NodeJS.ProcessEnv;
  kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }>;
  start(): Promise<void>;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
  setImported(images: string[]): void;
  /** Sets more of cluster.json (importedImageIds, registries...), as the simulated k3d writes it. */
  setCluster(fields: Record<string, unknown>): void;
}

export async function makeCluster(opts: { agents?: number; speed?: string; name?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestCluster> {
  const root = mkdtempSync(join(tmpdir(), 'k3dsim-api-'));
  const name = opts.name ?? 'test';
  const dir = join(root, 'clusters', name);
  mkdirSync(join(dir, 'pki'), { recursive: true });
  const port = await freePort();
  const pki = writeClusterPki(dir, name);
  const nodes = [{ name: `k3d-${name}-server-0`, role: 'server', running: true, ip: '172.18.0.3' }];
  for (let i = 0; i < (opts.agents ?? 2); i++) nodes.push({ name: `k3d-${name}-agent-${i}`, role: 'agent', running: true, ip: `172.18.0.${4 + i}` });
  nodes.push({ name: `k3d-${name}-serverlb`, role: 'loadbalancer', running: true, ip: '172.18.0.9' });
  const cluster = { name, created: new Date().toISOString(), image: 'rancher/k3s:v1.31.5-k3s1', k3sVersion: 'v1.31.5+k3s1', network: `k3d-${name}`, token: 'x', apiHost: '0.0.0.0', apiPort: port, hasLoadbalancer: true, ports: [], registries: [], importedImages: [] as string[], nodes };
  const writeCluster = (): void => writeFileSync(join(dir, 'cluster.json'), JSON.stringify(cluster, null, 2));
  writeCluster();
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const kubeconfig = join(root, 'kubeconfig');
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${b64(pki.caCrt)}
    server: https://0.0.0.0:${port}
  name: k3d-${name}
contexts:
- context:
    cluster: k3d-${name}
    user: admin@k3d-${name}
  name: k3d-${name}
current-context: k3d-${name}
preferences: {}
users:
- name: admin@k3d-${name}
  user:
    client-certificate-data: ${b64(pki.adminCrt)}
    client-key-data: ${b64(pki.adminKey)}
`);
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, HOME: root, KUBECACHEDIR: join(root, 'kubecache'), K3D_SIM_SPEED: opts.speed ?? '0.02', ...opts.env };
  let child: ChildProcess | undefined;
  const tc: TestCluster = {
    dir, port, kubeconfig, pki, env,
    kubectl(args, input) {
      return new Promise((resolve) => {
        const p = execFile(KUBECTL, args, { env, maxBuffer: 64 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
          resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0 });
        });
        if (input !== undefined) p.stdin!.end(input);
      });
    },
    async start() {
      rmSync(join(dir, 'apiserver', 'ready'), { force: true });
      child = spawn(process.execPath, [MAIN, '--cluster-dir', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout!.on('data', (d) => { log += d; });
      child.stderr!.on('data', (d) => { log += d; });
      const deadline = Date.now() + 15_000;
      while (!existsSync(join(dir, 'apiserver', 'ready'))) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`apiserver did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const c = child;
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await done;
    },
    async cleanup() {
      await tc.stop();
      rmSync(root, { recursive: true, force: true });
    },
    setImported(images) {
      cluster.importedImages = images;
      writeCluster();
    },
    setCluster(fields) {
      Object.assign(cluster, fields);
      writeCluster();
    },
  };
  await tc.start();
  return tc;
}

export function readState(dir: string): unknown {
  return JSON.parse(readFileSync(join(dir, 'apiserver', 'state.json'), 'utf8'));
}

export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: string; json(): any }

/** One HTTPS request with the cluster's admin client certificate (or the given one). */
export function request(tc: TestCluster, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, client?: { cert: string; key: string } | null): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const cert = client === null ? undefined : (client?.cert ?? tc.pki.adminCrt);
    const key = client === null ? undefined : (client?.key ?? tc.pki.adminKey);
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = httpsRequest({
      host: '127.0.0.1', port: tc.port, method, path, ca: tc.pki.caCrt, cert, key, servername: 'localhost',
      headers: { Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json' } : {}), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** Reads a watch stream's events until `until` says stop (or the time runs out). */
export function watchEvents(tc: TestCluster, path: string, until: (events: any[]) => boolean, ms = 10_000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    let buf = '';
    const req = httpsRequest({ host: '127.0.0.1', port: tc.port, path, ca: tc.pki.caCrt, cert: tc.pki.adminCrt, key: tc.pki.adminKey, servername: 'localhost' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
        if (until(events)) {
          clearTimeout(timer);
          req.destroy();
          resolve(events);
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(events);
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(events);
    }, ms);
    req.on('error', (e) => {
      if (!req.destroyed) reject(e);
    });
    req.end();
  });
}

export interface CommandResult { out: string; err: string; code: number }

export interface SimWorkspace {
  root: string;
  env: NodeJS.ProcessEnv;
  /** Runs a command in the workspace: its output and exit code (it never throws). */
  run(cmd: string, args: string[], input?: string): Promise<CommandResult>;
  k3d(...args: string[]): Promise<CommandResult>;
}

/**
 * A workspace of its own for the simulated k3d CLI and the real kubectl: test/sim/bin first on PATH, k3d's state, a
 * kubeconfig and HOME under a fresh temporary folder. Commands run in `options.cwd` (a folder made under it) or in it.
 * When the test ends (`t.after`), `cluster` is deleted, with any container the engine still holds of it, and the folder.
 */
export function simWorkspace(t: { after(fn: () => Promise<void>): void }, prefix: string, cluster: string, options: { cwd?: string } = {}): SimWorkspace {
  const root = mkdtempSync(join(tmpdir(), `k3dsim-${prefix}-`));
  const cwd = options.cwd === undefined ? root : join(root, options.cwd);
  mkdirSync(cwd, { recursive: true });
  const repo = join(here, '..', '..', '..', '..');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(repo, 'test', 'sim', 'bin')}:${join(repo, 'node_modules', '.bin')}:${process.env.PATH}`,
    K3D_SIM_HOME: join(root, 'k3d'),
    KUBECONFIG: join(root, 'kube', 'config'),
    KUBECACHEDIR: join(root, 'kube', 'cache'),
    HOME: root,
    K3D_SIM_SPEED: '0.02',
  };
  const run = (cmd: string, args: string[], input?: string): Promise<CommandResult> => new Promise((resolve) => {
    const p = execFile(cmd, args, { env, cwd, timeout: 90_000, maxBuffer: 16 << 20 }, (e, out, err) => {
      resolve({ out, err, code: e ? (typeof e.code === 'number' ? e.code : 1) : 0 });
    });
    if (input !== undefined) p.stdin!.end(input);
  });
  const k3d = (...args: string[]) => run('k3d', args);
  t.after(async () => {
    await k3d('cluster', 'delete', cluster);
    const left = await docker(['ps', '-aq', '--filter', `label=k3d-sim.cluster=${cluster}`]);
    const ids = left.stdout.split('\n').filter(Boolean);
    if (ids.length) await docker(['rm', '-f', ...ids]);
    rmSync(root, { recursive: true, force: true });
  });
  return { root, env, run, k3d };
}
