// The real Docker engine, for tests that need one (image builds, imports, registries). The CLI is found on the PATH (Debian's
// /usr/bin/docker on a fresh machine), spawned with an argument array, and honours DOCKER_HOST.
// A test that needs Docker calls requireDocker() first and FAILS when the engine is missing: it never skips.
import { spawn } from 'node:child_process';

export interface DockerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface DockerOptions {
  /** Environment for the CLI (DOCKER_HOST...); process.env when absent. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Buffer;
  timeoutMs?: number;
}

/** Runs `docker ARGS...` to completion. Never throws: a missing CLI is code 127. */
export function docker(args: readonly string[], options: DockerOptions = {}): Promise<DockerResult> {
  return new Promise((resolve) => {
    const child = spawn(process.env.DOCKER_CLI || 'docker', args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      stderr += `\n[docker ${args[0]} timed out after ${options.timeoutMs ?? 300_000} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 300_000);
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

/** Like docker() but throws (with the CLI's stderr) on a non-zero exit; returns stdout. */
export async function dockerOk(args: readonly string[], options: DockerOptions = {}): Promise<string> {
  const result = await docker(args, options);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

let checked: Promise<void> | undefined;

/**
 * Resolves when a Docker engine answers (`docker info`); throws "Docker is not running: ..." with the
 * CLI's own words otherwise. Checked once per process for the default environment.
 */
export function requireDocker(env?: NodeJS.ProcessEnv): Promise<void> {
  const check = async () => {
    const result = await docker(['info', '--format', '{{.ServerVersion}}'], { env, timeoutMs: 30_000 });
    if (result.code === 0 && result.stdout.trim()) return;
    const why = result.code === 127 ? 'the docker CLI is not installed (apt-get install docker.io)' : (result.stderr.trim().split('\n').find((l) => l.trim()) ?? `docker info exited ${result.code}`);
    throw new Error(`Docker is not running: ${why}\n(npm test and npm run demo start dockerd when they can; see scripts/lib/docker.ts)`);
  };
  if (env) return check();
  checked ??= check().catch((err: unknown) => {
    checked = undefined;
    throw err;
  });
  return checked;
}

/** A DOCKER_HOST no engine listens on, for the "Docker is down" paths. */
export const DEAD_DOCKER_HOST = 'unix:///nonexistent.sock';
