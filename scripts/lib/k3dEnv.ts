// Which k3d the demo and the tests hand to the extension: a real k3d with a working Docker, or
// the simulated one (test/sim/bin/k3d) with its state and kubeconfig in a private folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simBinDir } from './paths.ts';
import { markedEnv, run } from './processes.ts';
import type { RunResult } from './processes.ts';

/** Where no Docker engine listens: the "Docker is down" path for the simulated k3d and the docker CLI alike. */
export const DEAD_DOCKER_HOST = 'unix:///nonexistent.sock';

/** PATH entries without any folder that holds a `k3d` executable. */
export function pathWithoutK3d(pathValue: string = process.env.PATH ?? ''): string {
  return pathValue
    .split(path.delimiter)
    .filter((dir) => dir !== '' && !isExecutable(path.join(dir, 'k3d')))
    .join(path.delimiter);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The folder of the Node that runs us, first on PATH: the simulator's `#!/usr/bin/env node` needs >= 22.18. */
function nodeFirst(pathValue: string): string {
  return [path.dirname(process.execPath), pathValue].join(path.delimiter);
}

export interface SimulatedK3d {
  /** Environment for code-server (and so the extension host) and for our own k3d calls. */
  env: NodeJS.ProcessEnv;
  home: string;
  kubeconfig: string;
  k3d: string;
}

/**
 * An environment whose PATH finds the simulated k3d first, with K3D_SIM_HOME and KUBECONFIG in
 * `stateDir` (emptied first). speed: K3D_SIM_SPEED (fraction of real time; 0 = instant).
 */
export function simulatedK3d(stateDir: string, options: { speed?: number; dockerDown?: boolean } = {}): SimulatedK3d {
  fs.rmSync(stateDir, { recursive: true, force: true });
  const home = path.join(stateDir, 'k3d-sim');
  const kubeconfig = path.join(stateDir, 'kube', 'config');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(path.dirname(kubeconfig), { recursive: true });
  const env = markedEnv({
    PATH: nodeFirst([simBinDir, pathWithoutK3d()].join(path.delimiter)),
    K3D_SIM_HOME: home,
    KUBECONFIG: kubeconfig,
  });
  if (options.speed !== undefined) env.K3D_SIM_SPEED = String(options.speed);
  // "Docker is down" the way it is for the real k3d and docker: a DOCKER_HOST where no engine listens.
  delete env.K3D_SIM_DOCKER_DOWN;
  if (options.dockerDown) env.DOCKER_HOST = DEAD_DOCKER_HOST;
  return { env, home, kubeconfig, k3d: path.join(simBinDir, 'k3d') };
}

/** An environment in which no k3d can be found (PATH without it; the caller leaves k3d.path unset). */
export function noK3dEnv(): NodeJS.ProcessEnv {
  return markedEnv({ PATH: nodeFirst(pathWithoutK3d()) });
}

export function k3d(sim: SimulatedK3d, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
  return run(sim.k3d, args, { env: sim.env, timeoutMs });
}

/** Runs k3d and throws with its output unless it exits 0. */
export async function k3dOk(sim: SimulatedK3d, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const result = await k3d(sim, args, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`k3d ${args.join(' ')} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

export interface ClusterSummary {
  name: string;
  serversRunning: number;
  serversCount: number;
  agentsRunning: number;
  agentsCount: number;
  nodes: { name: string; role: string; State?: { Running?: boolean; Status?: string } }[];
}

export async function listClusters(sim: SimulatedK3d): Promise<ClusterSummary[]> {
  return JSON.parse(await k3dOk(sim, ['cluster', 'list', '-o', 'json'])) as ClusterSummary[];
}

/** Stops every simulated cluster, so that no simulated API server outlives the run. */
export async function stopAllClusters(sim: SimulatedK3d): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...sim.env, K3D_SIM_SPEED: '0' };
  delete env.K3D_SIM_DOCKER_DOWN;
  if (env.DOCKER_HOST === DEAD_DOCKER_HOST) delete env.DOCKER_HOST;
  await run(sim.k3d, ['cluster', 'stop', '--all'], { env, timeoutMs: 60_000 });
}

export interface RealK3dProbe {
  usable: boolean;
  /** Why not, for the terminal. */
  reason: string;
}

/** A real k3d (not our simulator) whose `cluster list` works, i.e. Docker answers too. */
export async function probeRealK3d(): Promise<RealK3dProbe> {
  const env = markedEnv();
  const version = await run('k3d', ['version'], { env, timeoutMs: 15_000 });
  if (version.code === 127 || /ENOENT/.test(version.stderr)) return { usable: false, reason: 'k3d is not on PATH' };
  if (version.code !== 0) return { usable: false, reason: `k3d version failed: ${version.stderr.trim().split('\n').pop()}` };
  if (/\(simulated\)/.test(version.stdout)) return { usable: false, reason: 'the k3d on PATH is the simulator' };
  const list = await run('k3d', ['cluster', 'list', '-o', 'json'], { env, timeoutMs: 30_000 });
  if (list.code !== 0) {
    const last = list.stderr.trim().split('\n').pop() ?? '';
    return { usable: false, reason: /docker/i.test(last) ? 'Docker is not running' : `k3d cluster list failed: ${last}` };
  }
  return { usable: true, reason: version.stdout.split('\n')[0] ?? 'k3d' };
}
