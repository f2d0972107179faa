import {
  createClusterArgs, deleteClusterArgs, kubeconfigGetArgs, listClustersArgs, startClusterArgs, stopClusterArgs, versionArgs,
  type CreateClusterOptions,
} from './args.ts';
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

  createCluster(create: CreateClusterOptions, options: RunOptions = {}): Promise<RunResult> {
    return this.run(createClusterArgs(create), options);
  }

  startCluster(name: string, options: RunOptions = {}): Promise<RunResult> {
    return this.run(startClusterArgs(name), options);
  }

  stopCluster(name: string, options: RunOptions = {}): Promise<RunResult> {
    return this.run(stopClusterArgs(name), options);
  }

  deleteCluster(name: string, options: RunOptions = {}): Promise<RunResult> {
    return this.run(deleteClusterArgs(name), options);
  }

  async kubeconfig(name: string, options: RunOptions = {}): Promise<string> {
    const { stdout } = await this.run(kubeconfigGetArgs(name), { timeoutMs: 30_000, ...options });
    return stdout;
  }

  async run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const executable = this.options.executable();
    this.options.onRun?.([executable, ...args].map(quoteForLog).join(' '));
    // Loaded on first use, so that loading the extension stays cheap.
    const [{ spawn }, { createInterface }] = await Promise.all([import('node:child_process'), import('node:readline')]);
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new K3dError('cancelled', 'Cancelled.'));
        return;
      }
      const child = spawn(executable, args, {
        env: this.options.env?.() ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const lines: string[] = [];
      let stdout = '';
      let stopReason: 'cancelled' | 'timedOut' | undefined;
      let killTimer: NodeJS.Timeout | undefined;

      const stop = (reason: 'cancelled' | 'timedOut') => {
        if (stopReason || child.exitCode !== null) {
          return;
        }
        stopReason = reason;
        // SIGINT first: k3d cancels its context and rolls a half-made cluster back.
        child.kill('SIGINT');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      };
      const onAbort = () => stop('cancelled');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const timeout = options.timeoutMs ? setTimeout(() => stop('timedOut'), options.timeoutMs) : undefined;

      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
      });
      for (const stream of ['stdout', 'stderr'] as const) {
        createInterface({ input: child[stream], crlfDelay: Infinity })
          .on('line', (line) => {
            lines.push(line);
            options.onLine?.(line, stream);
          })
          .on('error', () => undefined); // the 'close' of the process reports the outcome
      }

      let settled = false;
      const finish = (error: Error | undefined) => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timeout);
        clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) {
          reject(error);
        } else {
          resolve({ stdout, lines });
        }
      };

      child.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'EACCES') {
          finish(new K3dError('notInstalled', `k3d was not found (${executable}).`, err.message));
        } else {
          finish(new K3dError('failed', `Could not run k3d: ${err.message}`, err.message));
        }
      });
      // 'close' rather than 'exit': every line has been read by then.
      child.on('close', (code) => {
        if (stopReason === 'cancelled') {
          finish(new K3dError('cancelled', 'Cancelled.', undefined, code));
        } else if (stopReason === 'timedOut') {
          finish(new K3dError('timedOut', `k3d ${args.slice(0, 2).join(' ')} did not finish in ${Math.round((options.timeoutMs ?? 0) / 1000)} s.`, undefined, code));
        } else if (code === 0) {
          finish(undefined);
        } else {
          finish(classifyFailure(args, code, lines));
        }
      });
    });
  }
}

export function parseVersion(stdout: string): K3dVersion {
  const k3d = /k3d version (\S+)/.exec(stdout)?.[1] ?? 'unknown';
  const k3s = /k3s version (\S+)/.exec(stdout)?.[1];
  return { k3d, k3s, simulated: /simulated/i.test(stdout) };
}

function quoteForLog(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
