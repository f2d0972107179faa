// k3d-managed registries, for real: where k3d runs a `registry:2` container named k3d-NAME,
// the simulator runs Debian's `docker-registry serve` (distribution 2.8) bound to 127.0.0.1 only (never
// 0.0.0.0, whatever host IP was asked for), with its storage in $K3D_SIM_HOME/registries/k3d-NAME/.
// `docker push 127.0.0.1:PORT/app:v1` (or localhost:PORT) then works, and the simulated kubelet pulls from it.
// What k3d writes for a cluster that uses one: registries.yaml (RegistryGenerateK3sConfig) and the
// `local-registry-hosting` ConfigMap in kube-public (KEP-1755, RegistryGenerateLocalRegistryHostingConfigMapYAML).

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import YAML from 'yaml';
import { isAlive, randomHex, writeFileAtomic } from './state.ts';

/** registry.json: the contract with the kubelet (test/sim/apiserver/runtime/images.ts) and the tests. */
export interface RegistryRecord {
  /** The node/container name, `k3d-NAME`. */
  name: string;
  /** The host port it is published on (k3d's Binding.HostPort). */
  hostPort: number;
  /** The host IP that was asked for (k3d's Binding.HostIP, 0.0.0.0 by default): shown, never bound. */
  hostIp: string;
  /** A host name given instead of an IP (k3d's ExposureOpts.Host), else ''. */
  host: string;
  /** What the registry really listens on: always 127.0.0.1. */
  bindHost: string;
  /** The port inside the "container": k3d v5.9 makes it equal to the host port (enforcePortMatch). */
  port: number;
  /** docker-registry's pid while it runs. */
  pid: number;
  /** Storage root. */
  root: string;
  /** The cluster it was created for (--registry-create), or '' (k3d registry create). */
  cluster: string;
  id: string;
  created: string;
  started: string;
  deleteEnabled: boolean;
}

export function registriesDir(home: string): string {
  return path.join(home, 'registries');
}

function registryDir(home: string, name: string): string {
  return path.join(registriesDir(home), name);
}

export function readRegistry(home: string, name: string): RegistryRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(registryDir(home, name), 'registry.json'), 'utf8')) as RegistryRecord;
  } catch {
    return undefined;
  }
}

export function listRegistries(home: string): RegistryRecord[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(registriesDir(home)).sort();
  } catch {
    return [];
  }
  return names.map((n) => readRegistry(home, n)).filter((r): r is RegistryRecord => r !== undefined);
}

export function registryRunning(rec: RegistryRecord): boolean {
  return rec.pid > 0 && isAlive(rec.pid);
}

/** k3d's node name for a registry: `k3d-` + the name given. */
export function registryNodeName(name: string): string {
  return `k3d-${name}`;
}

/** Free port on the loopback (k3d's GetFreePort asks for localhost:0). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

const PORT_SPEC = /^(?:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})|(\S+):)?(\d{1,5}|random)$/;

/** cmd/util ParseRegistryPortExposureSpec: `[HOST:]HOSTPORT` or `random`; the host IP defaults to 0.0.0.0. */
export async function parseRegistryPort(spec: string): Promise<{ hostIp: string; hostPort: number; host: string }> {
  // The regexp's hostip alternative has no colon of its own: "1.2.3.4:5000" matches through hostname.
  const m = spec.match(PORT_SPEC);
  if (!m) throw new Error(`Failed to parse Port Exposure specification '${spec}': Format must be [(HostIP|HostName):]HostPort`);
  let hostIp = '0.0.0.0';
  let host = '';
  const hostname = m[2] ?? m[1];
  if (hostname) {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(hostname)) {
      hostIp = hostname;
    } else if (hostname === 'localhost') {
      host = hostname;
      hostIp = '127.0.0.1';
    } else {
      throw new Error(`Failed to lookup host '${hostname}' specified for Port Exposure: lookup ${hostname}: no such host`);
    }
  }
  const hostPort = m[3] === 'random' ? await freeLoopbackPort() : Number(m[3]);
  // Docker would pick a port for 0; the registry must know its port, so 0 is refused like an out-of-range one.
  if (hostPort < 1 || hostPort > 65535) throw new Error(`failed to parse port spec for Port Exposure '${hostIp}:${hostPort}:${hostPort}/tcp': invalid hostPort: ${hostPort}`);
  return { hostIp, hostPort, host };
}

export class RegistryStartError extends Error {}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The config docker-registry serves with: loopback only, filesystem storage, no auth. */
function registryConfig(root: string, port: number, deleteEnabled: boolean): string {
  return YAML.stringify({
    version: 0.1,
    log: { level: 'info', fields: { service: 'registry' } },
    storage: { filesystem: { rootdirectory: root }, delete: { enabled: deleteEnabled }, cache: { blobdescriptor: 'inmemory' } },
    http: { addr: `127.0.0.1:${port}`, headers: { 'X-Content-Type-Options': ['nosniff'] } },
  });
}

/**
 * Creates the registry's folder and record (not running yet). Throws RegistryStartError with k3d's
 * words when a registry of that name exists.
 */
export function createRegistry(home: string, spec: { name: string; hostIp: string; host?: string; hostPort: number; cluster: string; deleteEnabled?: boolean }): RegistryRecord {
  const dir = registryDir(home, spec.name);
  if (readRegistry(home, spec.name)) throw new RegistryStartError('A registry node with that name already exists');
  const root = path.join(dir, 'data');
  fs.mkdirSync(root, { recursive: true });
  const rec: RegistryRecord = {
    name: spec.name, hostPort: spec.hostPort, hostIp: spec.hostIp, host: spec.host ?? '', bindHost: '127.0.0.1', port: spec.hostPort, pid: 0, root,
    cluster: spec.cluster, id: randomHex(32), created: new Date().toISOString(), started: '', deleteEnabled: spec.deleteEnabled ?? false,
  };
  writeFileAtomic(path.join(dir, 'config.yml'), registryConfig(root, rec.port, rec.deleteEnabled));
  writeFileAtomic(path.join(dir, 'registry.json'), JSON.stringify(rec, null, 2) + '\n');
  return rec;
}

/** Starts docker-registry for a created registry and waits until /v2/ answers. */
export async function startRegistry(home: string, name: string): Promise<RegistryRecord> {
  const rec = readRegistry(home, name);
  if (!rec) throw new RegistryStartError(`No registry '${name}'`);
  if (registryRunning(rec)) return rec;
  if (await portTaken(rec.hostPort)) {
    throw new RegistryStartError(`runtime failed to start node '${name}': docker failed to start container for node '${name}': Error response from daemon: driver failed programming external connectivity on endpoint ${name} (${randomHex(32)}): Bind for ${rec.hostIp}:${rec.hostPort} failed: port is already allocated`);
  }
  const dir = registryDir(home, name);
  const log = fs.openSync(path.join(dir, 'registry.log'), 'a');
  const child = spawn(process.env.K3D_SIM_REGISTRY_BIN || 'docker-registry', ['serve', path.join(dir, 'config.yml')], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let failed: string | undefined;
  child.on('error', (err) => (failed = String(err)));
  child.on('exit', (code) => (failed ??= `docker-registry exited (${code})`));
  child.unref();
  const deadline = Date.now() + 15_000;
  while (!(await answers(rec.hostPort))) {
    if (failed || Date.now() > deadline) {
      if (child.pid) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      const tail = fs.readFileSync(path.join(dir, 'registry.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
      throw new RegistryStartError(`runtime failed to start node '${name}': ${failed ?? 'the registry did not answer within 15 s'}${tail ? `: ${tail}` : ''}`);
    }
    await sleep(50);
  }
  const running = { ...rec, pid: child.pid ?? 0, started: new Date().toISOString() };
  writeFileAtomic(path.join(dir, 'registry.json'), JSON.stringify(running, null, 2) + '\n');
  return running;
}

/** Stops the registry process (SIGTERM, then SIGKILL after 5 s); keeps its data. */
export async function stopRegistry(home: string, name: string): Promise<void> {
  const rec = readRegistry(home, name);
  if (!rec || rec.pid <= 0) return;
  if (isAlive(rec.pid)) {
    try {
      process.kill(rec.pid, 'SIGTERM');
    } catch {
      // gone
    }
    const deadline = Date.now() + 5000;
    while (isAlive(rec.pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(rec.pid)) {
      try {
        process.kill(rec.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  writeFileAtomic(path.join(registryDir(home, name), 'registry.json'), JSON.stringify({ ...rec, pid: 0 }, null, 2) + '\n');
}

/** Stops the registry and removes it with its data (k3d deletes the container; its volume goes with it). */
export async function deleteRegistry(home: string, name: string): Promise<void> {
  await stopRegistry(home, name);
  fs.rmSync(registryDir(home, name), { recursive: true, force: true });
}

/** A registry as `k3d registry list -o json` / `node list -o json` print it (a k3d Node). */
export function registryNodeJson(rec: RegistryRecord): Record<string, unknown> {
  const running = registryRunning(rec);
  return {
    name: rec.name,
    role: 'registry',
    image: 'docker.io/library/registry:2',
    env: ['REGISTRY_HTTP_ADDR=:' + rec.port, 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...(rec.deleteEnabled ? ['REGISTRY_STORAGE_DELETE_ENABLED=true'] : [])],
    Cmd: ['/etc/docker/registry/config.yml'],
    portMappings: { [`${rec.port}/tcp`]: [{ HostIp: rec.hostIp, HostPort: String(rec.hostPort) }] },
    restart: true,
    created: rec.created,
    runtimeLabels: {
      app: 'k3d',
      'k3d.cluster': rec.cluster,
      'k3d.registry.host': rec.host,
      'k3d.registry.hostIP': rec.hostIp,
      'k3d.registry.port.external': String(rec.hostPort),
      'k3d.registry.port.internal': String(rec.port),
      'k3d.role': 'registry',
      'k3d.version': 'v5.8.3',
    },
    Networks: ['bridge'],
    ExtraHosts: null,
    serverOpts: { kubeAPI: { Port: '', Binding: { HostIp: '', HostPort: '' } } },
    agentOpts: {},
    GPURequest: '',
    Memory: '',
    State: { Running: running, Status: running ? 'running' : rec.started ? 'exited' : 'created', Started: running ? rec.started : '' },
    IP: { IP: '', Static: false },
    K3dEntrypoint: false,
  };
}

/** The registries.yaml k3d writes into every node (RegistryGenerateK3sConfig). */
export function k3sRegistriesYaml(regs: readonly RegistryRecord[]): string {
  const mirrors: Record<string, { endpoint: string[] }> = {};
  for (const r of regs) {
    const internal = `${r.name}:${r.port}`;
    mirrors[`${r.name}:${r.hostPort}`] = { endpoint: [`http://${internal}`] };
    mirrors[internal] = { endpoint: [`http://${internal}`] };
  }
  return YAML.stringify({ mirrors });
}

export const LOCAL_REGISTRY_HELP = 'https://k3d.io/stable/usage/registries/#using-a-local-registry';

/** The localRegistryHosting.v1 document: keys sorted (sigs.k8s.io/yaml), 0.0.0.0 shown as localhost. */
export function localRegistryHostingV1(reg: RegistryRecord): string {
  const shown = reg.host || reg.hostIp;
  const host = shown === '0.0.0.0' || shown === '' ? 'localhost' : shown;
  return [
    `help: ${LOCAL_REGISTRY_HELP}`,
    `host: ${host}:${reg.hostPort}`,
    `hostFromClusterNetwork: ${reg.name}:${reg.port}`,
    `hostFromContainerRuntime: ${reg.name}:${reg.port}`,
  ].join('\n') + '\n';
}

/** The ConfigMap manifest k3d applies in the cluster (one registry: the first). */
export function localRegistryHostingConfigMap(reg: RegistryRecord): string {
  return YAML.stringify({
    apiVersion: 'v1',
    data: { 'localRegistryHosting.v1': localRegistryHostingV1(reg) },
    kind: 'ConfigMap',
    metadata: { name: 'local-registry-hosting', namespace: 'kube-public' },
  });
}
