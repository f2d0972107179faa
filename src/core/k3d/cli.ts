import {
  createClusterArgs, deleteClusterArgs, kubeconfigGetArgs, listClustersArgs, startClusterArgs, stopClusterArgs, versionArgs,
  type CreateClusterOptions,
} from './args.ts';
import { runTool, ToolError } from '../process.ts';
import { classifyFailure, K3dError } from './errors.ts';
import { parseClusterList } from './parse.ts';
import type { K3dCluster } from './types.ts';

export interface RunOptions {
  /** Called with each line k3d prints (ANSI codes intact), stdout and stderr alike. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  /** Kill k3d when it runs longer than this. */
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  /** Every line as it came, both streams. */
  lines: string[];
}

export interface K3dVersion {
  k3d: string;
  k3s?: string;
  /** Our own simulator says so in `k3d version`; the UI marks such clusters. */
  simulated: boolean;
}

/** How the extension reaches k3d: an executable and an environment. */
export interface K3dCliOptions {
  executable: () => string;
  env?: () => NodeJS.ProcessEnv;
  /** Told the command line of every run, for the log. */
  onRun?: (commandLine: string) => void;
}

/** Runs k3d with argument arrays (never a shell), streams its output, times out and cancels. */
export class K3dCli {
  private readonly options: K3dCliOptions;

  constructor(options: K3dCliOptions) {
    this.options = options;
  }

  async listClusters(options: RunOptions = {}): Promise<K3dCluster[]> {
    const { stdout } = await this.run(listClustersArgs(), { timeoutMs: 30_000, ...options });
    try {
      return parseClusterList(stdout);
    } catch (e) {
      throw new K3dError('badOutput', (e as Error).message);
    }
  }

  async version(options: RunOptions = {}): Promise<K3dVersion> {
    const { stdout } = await this.run(versionArgs(), { timeoutMs: 15_000, ...options });
    return parseVersion(stdout);
  }

  async createCluster(create: CreateClusterOptions, options: RunOptions = {}): Promise<RunResult> {
    return this.run(createClusterArgs(create), options);
  }

  async startCluster(name: string, options: RunOptions = {}): Promise<RunResult> {
    return this.run(startClusterArgs(name), options);
  }

  async stopCluster(name: string, options: RunOptions = {}): Promise<RunResult> {
    return this.run(stopClusterArgs(name), options);
  }

  async deleteCluster(name: string, options: RunOptions = {}): Promise<RunResult> {
    return this.run(deleteClusterArgs(name), options);
  }

  async kubeconfig(name: string, options: RunOptions = {}): Promise<string> {
    const { stdout } = await this.run(kubeconfigGetArgs(name), { timeoutMs: 30_000, ...options });
    return stdout;
  }

  async run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const executable = this.options.executable();
    this.options.onRun?.([executable, ...args].map(quoteForLog).join(' '));
    try {
      // SIGINT on cancel or timeout. k3d has no signal handler: it dies at once and rolls nothing back
      // (see cancelledCreate.ts for what the extension then does after a create).
      return await runTool(executable, args, { env: this.options.env?.() ?? process.env, onLine: options.onLine, signal: options.signal, timeoutMs: options.timeoutMs });
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      switch (e.kind) {
        case 'notInstalled':
          throw new K3dError('notInstalled', `k3d was not found (${executable}).`, e.message);
        case 'cancelled':
          throw new K3dError('cancelled', 'Cancelled.', undefined, e.exitCode);
        case 'timedOut':
          throw new K3dError('timedOut', `k3d ${args.slice(0, 2).join(' ')} did not finish in ${Math.round((options.timeoutMs ?? 0) / 1000)} s.`, undefined, e.exitCode);
        default:
          throw e.exitCode === undefined ? new K3dError('failed', `Could not run k3d: ${e.message}`, e.message) : classifyFailure(args, e.exitCode, e.output);
      }
    }
  }
}

export function parseVersion(stdout: string): K3dVersion {
  const k3d = stdout.match(/k3d version (\S+)/)?.[1] ?? 'unknown';
  const k3s = stdout.match(/k3s version (\S+)/)?.[1];
  return { k3d, k3s, simulated: /simulated/i.test(stdout) };
}

function quoteForLog(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
