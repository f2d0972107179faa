// The simulator's "Docker": one folder per cluster under $K3D_SIM_HOME/clusters/<name>/.
// cluster.json is the layout the API server simulator (test/sim/apiserver/) reads; every write is
// atomic (temp file + rename) and every read-modify-write holds a lock file, so concurrent k3d
// commands never corrupt it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export type NodeRole = 'server' | 'agent' | 'loadbalancer';

export interface NodeState {
  name: string;
  role: NodeRole;
  running: boolean;
  /** Docker's State.Status: created | running | exited. */
  status: 'created' | 'running' | 'exited';
  id: string;
  ip: string;
  created: string;
  /** When the container was last started (Docker's State.StartedAt). */
  started: string;
  image: string;
  /** The image name the container runs (k3s, k3d-proxy, k3d-tools). */
  imageName: string;
}

/** A node that belongs to a cluster but is not part of it (k3d's tools node, role noRole). */
export interface HelperNodeState extends Omit<NodeState, 'role'> {
  role: 'noRole' | 'registry';
}

export interface PortSpecState {
  spec: string;
}

export interface RegistryState {
  /** k3d-NAME, as the cluster knows it. */
  name: string;
  host: string;
  hostPort: string;
  /** The registry's port inside the cluster (k3d v5.9: the host port). */
  port?: number;
}

export interface ClusterState {
  name: string;
  created: string;
  image: string;
  k3sVersion: string;
  network: string;
  networkId: string;
  subnet: string;
  /** --subnet (or `subnet:` in the config file) was given: k3d's IPAM gives every node a static IP. */
  ipamManaged?: boolean;
  token: string;
  apiHost: string;
  apiHostIP: string;
  apiPort: number;
  hasLoadbalancer: boolean;
  ports: PortSpecState[];
  registries: RegistryState[];
  importedImages: string[];
  /** Canonical name -> Docker image ID (`sha256:...`) of what `k3d image import` read from the real engine. */
  importedImageIds?: Record<string, string>;
  /** Per node, what `k3d image import` reached (name -> ID): a node that was stopped or added later lacks it. */
  nodeImageIds?: Record<string, Record<string, string>>;
  nodes: NodeState[];
  /** Transient helper containers (the k3d-tools node) while they exist. */
  helperNodes: HelperNodeState[];
  /** Present while `cluster create` runs: the creating process (see collectAbandoned for a killed one). */
  creating?: { pid: number };
}

export function simHome(env: NodeJS.ProcessEnv): string {
  const home = env.K3D_SIM_HOME;
  return home && home !== '' ? path.resolve(home) : path.join(os.homedir(), '.k3d-sim');
}

export function clustersDir(home: string): string {
  return path.join(home, 'clusters');
}

export function clusterDir(home: string, name: string): string {
  return path.join(clustersDir(home), name);
}

/** The engine the docker client (and so k3d) talks to: DOCKER_HOST, else the default socket. */
export function dockerHost(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/**
 * "Docker is down" for the simulated k3d: forced (K3D_SIM_DOCKER_DOWN=1, or a `docker-down` file in the
 * sim home, which a test can create mid-session), or DOCKER_HOST names a unix socket that does not exist,
 * where the real k3d cannot reach an engine either (tests use unix:///nonexistent.sock).
 */
export function dockerDown(env: NodeJS.ProcessEnv, home: string): boolean {
  if (env.K3D_SIM_DOCKER_DOWN === '1' || fs.existsSync(path.join(home, 'docker-down'))) return true;
  const host = env.DOCKER_HOST;
  return host !== undefined && host.startsWith('unix://') && !fs.existsSync(host.slice('unix://'.length));
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function writeFileAtomic(file: string, content: string | Buffer, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomHex(4)}`;
  fs.writeFileSync(tmp, content, mode === undefined ? undefined : { mode });
  fs.renameSync(tmp, file);
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited process stays a zombie until its parent (often init, for detached API servers) reaps it.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` while holding `$K3D_SIM_HOME/.lock`. A lock whose owner is dead, or that is older
 * than 10 s (no critical section takes that long), is stale and taken over.
 */
export async function withLock<T>(home: string, fn: () => T | Promise<T>): Promise<T> {
  fs.mkdirSync(home, { recursive: true });
  const lockFile = path.join(home, '.lock');
  const started = Date.now();
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let stale = false;
      try {
        const owner = Number(fs.readFileSync(lockFile, 'utf8').trim());
        const age = Date.now() - fs.statSync(lockFile).mtimeMs;
        stale = (owner > 0 && !isAlive(owner)) || age > 10_000;
      } catch {
        continue; // vanished between open and read: try again at once
      }
      if (stale) {
        try { fs.unlinkSync(lockFile); } catch { /* someone else took it over */ }
        continue;
      }
      if (Date.now() - started > 30_000) throw new Error(`timed out waiting for lock ${lockFile}`);
      await sleep(10 + Math.random() * 20);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (fs.readFileSync(lockFile, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockFile);
    } catch { /* already gone */ }
  }
}

export function readCluster(home: string, name: string): ClusterState | undefined {
  try {
    const raw = fs.readFileSync(path.join(clusterDir(home, name), 'cluster.json'), 'utf8');
    const parsed = JSON.parse(raw) as ClusterState;
    parsed.helperNodes ??= [];
    parsed.importedImages ??= [];
    parsed.registries ??= [];
    parsed.ports ??= [];
    return parsed;
  } catch {
    return undefined;
  }
}

export function writeCluster(home: string, state: ClusterState): void {
  writeFileAtomic(path.join(clusterDir(home, state.name), 'cluster.json'), JSON.stringify(state, null, 2) + '\n');
}

/** All cluster folders that hold a cluster.json; an abandoned create that made no node yet is excluded. */
export function listClusterStates(home: string): ClusterState[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(clustersDir(home));
  } catch {
    return [];
  }
  const out: ClusterState[] = [];
  for (const name of names.sort()) {
    const state = readCluster(home, name);
    if (!state) continue;
    if (state.creating && !isAlive(state.creating.pid) && isEmpty(state)) continue;
    out.push(state);
  }
  return out;
}

function isEmpty(state: ClusterState): boolean {
  return state.nodes.length === 0 && state.helperNodes.length === 0;
}

/**
 * A `cluster create` killed by a signal (k3d installs no signal handler, so SIGINT/SIGTERM/SIGKILL all end
 * it at once: k3d-io/k3d cmd/cluster/clusterCreate.go rolls back only when ClusterRun returns an error)
 * leaves what it made. Its containers carry the k3d.cluster label, so ClusterGet finds them and the cluster
 * is listed, partly made. Here: a dead creator's marker is dropped and its nodes stay; a cluster that had
 * no node yet is not found by k3d (no labelled container), so its folder is removed.
 */
export function collectAbandoned(home: string): ClusterState[] {
  const removed: ClusterState[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(clustersDir(home));
  } catch {
    return removed;
  }
  for (const name of names) {
    const state = readCluster(home, name);
    if (!state?.creating || isAlive(state.creating.pid)) continue;
    if (isEmpty(state)) {
      fs.rmSync(clusterDir(home, name), { recursive: true, force: true });
      removed.push(state);
    } else {
      delete state.creating;
      writeCluster(home, state);
    }
  }
  return removed;
}

/** Applies `mutate` to the stored cluster under the lock; returns the stored result. */
export async function updateCluster(
  home: string,
  name: string,
  mutate: (state: ClusterState) => void,
): Promise<ClusterState | undefined> {
  return withLock(home, () => {
    const state = readCluster(home, name);
    if (!state) return undefined;
    mutate(state);
    writeCluster(home, state);
    return state;
  });
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** Docker's "Created"/"StartedAt" style: RFC 3339 with nanoseconds. */
export function dockerTime(iso: string): string {
  return iso.replace(/\.(\d{3})Z$/, (_m, ms: string) => `.${ms}${randomDigits(6)}Z`);
}

function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 10);
  return s;
}
