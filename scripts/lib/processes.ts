// Child processes that never outlive us: each long-lived child leads its own process group, every
// child carries a run marker in its environment, and cleanup kills the group and then anything
// still carrying the marker (processes that left the group with setsid, e.g. simulated servers).
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';

export const RUN_MARKER_VAR = 'K3D_DEPLOY_HARNESS_RUN';
export const runMarker = randomUUID();

/** process.env plus the run marker; pass the result (with your additions) to every child. */
export function markedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, [RUN_MARKER_VAR]: runMarker };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with an argument array (no shell), with a timeout. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string; onOutput?: (chunk: string) => void } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      // Always marked, so that cleanup finds whatever this child leaves behind.
      env: { ...(options.env ?? process.env), [RUN_MARKER_VAR]: runMarker },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onOutput?.(d.toString());
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onOutput?.(d.toString());
    });
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      stderr += `\n[timed out after ${options.timeoutMs} ms]`;
      killGroup(child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: stderr + String(err) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Spawns a long-lived child as leader of a new process group, registered for cleanup. */
export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, env: { ...(options.env ?? process.env), [RUN_MARKER_VAR]: runMarker }, detached: true });
  // When the leader exits its group may live on; stopGroup() still handles it.
  if (child.pid !== undefined) liveGroups.add(child.pid);
  return child;
}

const liveGroups = new Set<number>();

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the whole group, then SIGKILL after graceMs if anything is left. */
export async function stopGroup(pgid: number, graceMs = 5000): Promise<void> {
  killGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(pgid)) {
    killGroup(pgid, 'SIGKILL');
    while (groupAlive(pgid)) await sleep(50);
  }
  liveGroups.delete(pgid);
}

/** Pids of processes (other than us) whose environment carries this run's marker. */
export function markedProcesses(): number[] {
  const needle = Buffer.from(`${RUN_MARKER_VAR}=${runMarker}\0`);
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`).includes(needle)) found.push(pid);
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

/** Kills every registered group and every process still carrying the run marker. */
export async function stopEverything(): Promise<void> {
  await Promise.all([...liveGroups].map((pgid) => stopGroup(pgid)));
  let stragglers = markedProcesses();
  for (const pid of stragglers) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  const deadline = Date.now() + 3000;
  while (stragglers.length > 0 && Date.now() < deadline) {
    await sleep(100);
    stragglers = markedProcesses();
  }
  for (const pid of stragglers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Synchronous last resort for process 'exit': SIGKILL what is left. */
export function killEverythingNow(): void {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  for (const pid of markedProcesses()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * Runs cleanup once on SIGINT/SIGTERM/SIGHUP and on normal exit. The signal handlers exit with
 * 128+signal after cleanup; `exit` (which cannot wait) kills synchronously.
 */
export function installCleanupHandlers(cleanup: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  const once = () => (running ??= cleanup().catch((err) => console.error('cleanup failed:', err)));
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      void once().then(() => process.exit(codes[signal]));
    });
  }
  process.on('exit', killEverythingNow);
  return once;
}
