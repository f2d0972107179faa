// The Docker engine that the image tests, the simulated k3d's image and registry commands and the demo
// run against. When `docker info` already answers, nothing is touched. Otherwise (as root)
// Debian's docker.io, docker-registry and busybox-static are installed when missing and dockerd is started
// in the background with no container network at all, its own log under .cache/dockerd/, and stopped
// again by stop(): only an engine this process started is ever stopped, by its pid.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir } from './paths.ts';
import { ensureDebianPackages } from './prereqs.ts';
import { RUN_MARKER_VAR, run } from './processes.ts';

/** What the engine needs: the engine and CLI, the local registry, the static busybox the base image is made of. */
export const DOCKER_PACKAGES = ['docker.io', 'docker-registry', 'busybox-static'];
/** No bridge, no iptables, no forwarding: containers get a loopback interface and nothing else. */
export const DOCKERD_ARGS = ['--bridge=none', '--iptables=false', '--ip-forward=false', '--ip-masq=false'];
const DEFAULT_HOST = 'unix:///var/run/docker.sock';

export interface DockerEngine {
  /** True when this process started dockerd (and stop() will stop it). */
  started: boolean;
  /** dockerd's pid when started here. */
  pid?: number;
  /** The engine's version, as `docker info` reports it. */
  version: string;
  /** Stops dockerd (and the containerd it runs) if this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Environment of the docker CLI (DOCKER_HOST); process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** dockerd's log file. */
  logFile?: string;
  /** Extra dockerd arguments (a private engine: -H, --data-root, --exec-root, --pidfile). */
  extraArgs?: readonly string[];
  /** Seconds to wait for the socket. */
  startTimeoutS?: number;
  /** Skip the apt step (the packages are known to be there). */
  skipPackages?: boolean;
}

/** What each package gives us: any one of these present counts as installed. */
const PROVIDES: Record<string, string[]> = {
  'docker.io': ['dockerd'],
  'docker-registry': ['docker-registry'],
  'busybox-static': ['/bin/busybox'],
};

function onPath(command: string): boolean {
  const candidates = command.startsWith('/') ? [command] : [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin'].filter(Boolean).map((dir) => path.join(dir, command));
  return candidates.some((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) counts as gone.
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function dockerInfo(env: NodeJS.ProcessEnv): Promise<{ ok: boolean; version: string; error: string }> {
  const result = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { env, timeoutMs: 20_000 });
  const version = result.stdout.trim();
  const error = result.code === 127 ? 'the docker CLI is not installed' : (result.stderr.trim().split('\n').find((l) => l.trim()) ?? `docker info exited ${result.code}`);
  return { ok: result.code === 0 && version !== '', version, error };
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The unix socket a `-H unix://...` argument (or DOCKER_HOST) names. */
function socketOf(host: string): string | undefined {
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/**
 * Makes sure a Docker engine answers. Returns at once when one does; otherwise starts dockerd (root only)
 * and waits for it. Throws an Error that says plainly why the engine cannot run.
 */
export async function ensureDockerEngine(log: (line: string) => void = console.log, options: EngineOptions = {}): Promise<DockerEngine> {
  const env = options.env ?? process.env;
  const host = env.DOCKER_HOST || DEFAULT_HOST;
  if (!options.skipPackages) {
    // Installs (as root with apt) what is missing, judged by the commands, so that another Docker build
    // (docker-ce, say) is never replaced by Debian's; names the command when it cannot install.
    const missing = DOCKER_PACKAGES.filter((pkg) => !PROVIDES[pkg].some(onPath));
    if (missing.length > 0) await ensureDebianPackages(missing, 'the Docker engine, its local registry and the test base image', log);
  }
  const before = await dockerInfo(env);
  if (before.ok) return { started: false, version: before.version, stop: async () => undefined };

  const socket = socketOf(host);
  if (!socket) throw new Error(`Docker at DOCKER_HOST=${host} does not answer (${before.error}); start that engine, or unset DOCKER_HOST.`);
  if (!isRoot()) {
    throw new Error(`Docker is not running (${before.error}) and only root can start it here.\nStart it with:\n  sudo dockerd ${DOCKERD_ARGS.join(' ')}\nor: sudo systemctl start docker`);
  }
  const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => fs.existsSync(p)) ?? 'dockerd';

  // A dockerd that is still coming up (or hung) owns the socket: never start a second one beside it.
  const defaultPidFile = '/var/run/docker.pid';
  if (host === DEFAULT_HOST && fs.existsSync(defaultPidFile)) {
    const pid = Number(fs.readFileSync(defaultPidFile, 'utf8').trim());
    if (pid > 0 && alive(pid)) {
      log(`dockerd (pid ${pid}) is running but does not answer yet; waiting for it`);
      const answered = await waitForEngine(env, options.startTimeoutS ?? 60, () => alive(pid));
      if (answered) return { started: false, version: answered, stop: async () => undefined };
      throw new Error(`dockerd (pid ${pid}, not started by us) does not answer on ${host}: ${before.error}`);
    }
  }

  const logFile = options.logFile ?? path.join(cacheDir, 'dockerd', 'dockerd.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const args = [...DOCKERD_ARGS, ...(host === DEFAULT_HOST ? [] : ['-H', host]), ...(options.extraArgs ?? [])];
  log(`Docker is not running (${before.error}); starting ${dockerd} ${args.join(' ')} (log: ${logFile})`);
  // Not carrying the harness's run marker: its straggler sweep must not SIGKILL containerd or its shims
  // behind dockerd's back. This process stops it in stop().
  const childEnv = { ...process.env };
  delete childEnv[RUN_MARKER_VAR];
  delete childEnv.DOCKER_HOST;
  let child: ChildProcess;
  try {
    child = spawn(dockerd, args, { env: childEnv, stdio: ['ignore', out, out], detached: true });
  } finally {
    fs.closeSync(out);
  }
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${dockerd}: see ${logFile}`);

  const stop = async () => {
    if (exited || !alive(pid)) return;
    // dockerd stops its containers and the containerd it supervises on SIGTERM; wait for all of it.
    const containerd = containerdPid(args);
    log(`stopping dockerd (pid ${pid}) that was started here`);
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 40_000;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    if (alive(pid)) {
      log(`dockerd (pid ${pid}) did not stop within 40 s; killing it`);
      process.kill(pid, 'SIGKILL');
    }
    if (containerd && alive(containerd)) {
      process.kill(containerd, 'SIGTERM');
      const until = Date.now() + 10_000;
      while (alive(containerd) && Date.now() < until) await sleep(100);
      if (alive(containerd)) process.kill(containerd, 'SIGKILL');
    }
  };

  const version = await waitForEngine(env, options.startTimeoutS ?? 60, () => !exited && alive(pid));
  if (!version) {
    await stop();
    throw new Error(`Docker could not start: dockerd ${exited ? 'exited' : 'did not answer in time'}. The end of ${logFile}:\n${tail(logFile)}`);
  }
  log(`Docker ${version} is running (dockerd pid ${pid}); it is stopped again at the end`);
  return { started: true, pid, version, stop };
}

/** Polls `docker info` until it answers (returns the version) or `stillTrying` says give up. */
async function waitForEngine(env: NodeJS.ProcessEnv, timeoutS: number, stillTrying: () => boolean): Promise<string | undefined> {
  const deadline = Date.now() + timeoutS * 1000;
  while (Date.now() < deadline && stillTrying()) {
    const info = await dockerInfo(env);
    if (info.ok) return info.version;
    await sleep(250);
  }
  return undefined;
}

/** The containerd that a dockerd with these arguments runs (its pid file lives under the exec root). */
function containerdPid(args: readonly string[]): number | undefined {
  const at = args.findIndex((a) => a === '--exec-root' || a.startsWith('--exec-root='));
  const execRoot = at < 0 ? '/var/run/docker' : args[at].includes('=') ? args[at].split('=')[1] : args[at + 1];
  try {
    const pid = Number(fs.readFileSync(path.join(execRoot, 'containerd', 'containerd.pid'), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
