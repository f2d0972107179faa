// Lifecycle of a simulated cluster's Kubernetes API server (test/sim/apiserver/main.ts, owned by
// the API server simulator). Contract:
//   start: `node <apiserver main.ts> --cluster-dir <clusterDir>`, detached, stdout+stderr appended to
//          <clusterDir>/apiserver/apiserver.log. The API server writes <clusterDir>/apiserver/pid, and
//          <clusterDir>/apiserver/ready once it listens on cluster.json's apiPort. We wait up to 15 s.
//   stop:  SIGTERM the pid in <clusterDir>/apiserver/pid, wait up to 5 s, then SIGKILL; remove pid/ready.
// When main.ts does not exist, both are no-ops.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isAlive } from './state.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** test/sim/apiserver/main.ts next to this folder; K3D_SIM_APISERVER_MAIN overrides it (tests). */
export function apiserverMain(): string {
  const override = process.env.K3D_SIM_APISERVER_MAIN;
  if (override) return path.resolve(override);
  return path.resolve(here, '..', 'apiserver', 'main.ts');
}

export function apiserverDir(clusterDir: string): string {
  return path.join(clusterDir, 'apiserver');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type StartResult = { ok: true; skipped: boolean } | { ok: false; reason: string };

function readPid(dir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the API server unless one is already running for this cluster. On failure the log is
 * copied to `keepLogAs` (a failed create rolls the cluster folder back, log included).
 */
export async function startApiserver(clusterDir: string, keepLogAs?: string, timeoutMs = 15_000): Promise<StartResult> {
  const main = apiserverMain();
  if (!fs.existsSync(main)) return { ok: true, skipped: true };
  const dir = apiserverDir(clusterDir);
  fs.mkdirSync(dir, { recursive: true });

  const running = readPid(dir);
  if (running !== undefined && isAlive(running) && fs.existsSync(path.join(dir, 'ready'))) {
    return { ok: true, skipped: false };
  }
  if (running !== undefined && isAlive(running)) await stopApiserver(clusterDir);
  fs.rmSync(path.join(dir, 'ready'), { force: true });
  fs.rmSync(path.join(dir, 'pid'), { force: true });

  const logFile = path.join(dir, 'apiserver.log');
  const logFd = fs.openSync(logFile, 'a');
  const failed = (reason: string): StartResult => {
    let where = logFile;
    if (keepLogAs) {
      try {
        fs.mkdirSync(path.dirname(keepLogAs), { recursive: true });
        fs.copyFileSync(logFile, keepLogAs);
        where = keepLogAs;
      } catch { /* keep the original path */ }
    }
    return { ok: false, reason: `${reason} (see ${where})` };
  };
  let exited: string | undefined;
  try {
    const child = spawn(process.execPath, [main, '--cluster-dir', clusterDir], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: process.env,
    });
    child.on('error', (err) => { exited = err.message; });
    child.on('exit', (code, signal) => { exited = signal ? `killed by ${signal}` : `exited with code ${code}`; });
    child.unref();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (fs.existsSync(path.join(dir, 'ready'))) {
        child.removeAllListeners('exit');
        return { ok: true, skipped: false };
      }
      if (exited !== undefined) {
        return failed(`API server process ${exited}`);
      }
      await sleep(25);
    }
    const pid = child.pid;
    if (pid !== undefined && isAlive(pid)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    return failed(`API server did not become ready within ${timeoutMs / 1000}s`);
  } finally {
    fs.closeSync(logFd);
  }
}

/** Stops the API server if its pid file names a live process; removes pid and ready. */
export async function stopApiserver(clusterDir: string): Promise<void> {
  const dir = apiserverDir(clusterDir);
  const pid = readPid(dir);
  if (pid !== undefined && isAlive(pid)) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    const deadline = Date.now() + 5_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(25);
    if (isAlive(pid)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      const killDeadline = Date.now() + 1_000;
      while (isAlive(pid) && Date.now() < killDeadline) await sleep(10);
    }
  }
  fs.rmSync(path.join(dir, 'ready'), { force: true });
  fs.rmSync(path.join(dir, 'pid'), { force: true });
}
