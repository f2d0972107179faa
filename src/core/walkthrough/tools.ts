// "Check Docker and k3d", the walkthrough's first step: what is missing, and how to get it.
import { runTool, ToolError } from '../process.ts';

export type ToolState = { kind: 'ok'; version: string } | { kind: 'missing' } | { kind: 'down'; detail: string } | { kind: 'failed'; detail: string };

export interface ToolsReport {
  docker: ToolState;
  k3d: ToolState;
}

export interface CheckToolsOptions {
  dockerPath?: string;
  k3dPath: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * `docker version` asks the engine too: a CLI without a reachable engine (Docker Desktop not
 * started, a DOCKER_HOST that nobody listens on) is "down", not "ok".
 */
export async function checkTools(options: CheckToolsOptions): Promise<ToolsReport> {
  const run = async (executable: string, args: string[], version: (out: string) => string, down?: (out: string) => boolean): Promise<ToolState> => {
    try {
      const { stdout } = await runTool(executable, args, { env: options.env, timeoutMs: options.timeoutMs ?? 15_000 });
      return { kind: 'ok', version: version(stdout) };
    } catch (e) {
      if (!(e instanceof ToolError)) return { kind: 'failed', detail: String(e) };
      if (e.kind === 'notInstalled') return { kind: 'missing' };
      const text = e.output.join('\n');
      if (down?.(text) || e.kind === 'timedOut') return { kind: 'down', detail: e.message };
      return { kind: 'failed', detail: e.message };
    }
  };
  const [docker, k3d] = await Promise.all([
    run(options.dockerPath ?? 'docker', ['version', '--format', '{{.Server.Version}}'], (out) => out.trim(), (out) =>
      /Cannot connect to the Docker daemon|daemon running|connection refused|no such file or directory|error during connect|permission denied/i.test(out),
    ),
    run(options.k3dPath, ['version'], (out) => /k3d version (\S+)/.exec(out)?.[1] ?? out.split('\n')[0]?.trim() ?? ''),
  ]);
  return { docker, k3d };
}

export const DOCKER_INSTALL_URL = 'https://docs.docker.com/engine/install/';
export const K3D_INSTALL_URL = 'https://k3d.io/#installation';

/** One sentence per tool, for the notification and the log. */
export function describeTools(report: ToolsReport): { ready: boolean; lines: string[] } {
  const lines: string[] = [];
  const d = report.docker;
  if (d.kind === 'ok') lines.push(`Docker ${d.version} is running.`);
  else if (d.kind === 'missing') lines.push(`Docker is not installed (no docker on the PATH): install Docker Engine or Docker Desktop (${DOCKER_INSTALL_URL}).`);
  else if (d.kind === 'down') lines.push(`Docker is installed but its engine is not reachable (${d.detail}): start Docker Desktop, or sudo systemctl start docker, and check DOCKER_HOST.`);
  else lines.push(`docker version failed: ${d.detail}`);
  const k = report.k3d;
  if (k.kind === 'ok') lines.push(`k3d ${k.version} is installed.`);
  else if (k.kind === 'missing') lines.push(`k3d is not installed (not on the PATH, nor at the setting k3d.path): install it (${K3D_INSTALL_URL}).`);
  else lines.push(`k3d version failed: ${k.kind === 'down' || k.kind === 'failed' ? k.detail : ''}`);
  return { ready: d.kind === 'ok' && k.kind === 'ok', lines };
}
