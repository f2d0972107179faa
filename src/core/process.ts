// Runs a tool (k3d, docker, git) with an argument array, never a shell: output streamed line by
// line, a timeout and cancellation. The caller turns a ToolError into a message with an action.

export type ToolErrorKind = 'notInstalled' | 'failed' | 'cancelled' | 'timedOut';

export class ToolError extends Error {
  override readonly name = 'ToolError';
  readonly kind: ToolErrorKind;
  readonly executable: string;
  readonly exitCode?: number | null;
  /** Everything the tool printed, both streams, as it came. */
  readonly output: readonly string[];

  constructor(kind: ToolErrorKind, message: string, executable: string, output: readonly string[] = [], exitCode?: number | null) {
    super(message);
    this.kind = kind;
    this.executable = executable;
    this.output = output;
    this.exitCode = exitCode;
  }
}

export interface ToolRunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ToolResult {
  stdout: string;
  lines: string[];
}

/** Runs `executable args...`; resolves on exit code 0, else rejects with a ToolError. */
export async function runTool(executable: string, args: readonly string[], options: ToolRunOptions = {}): Promise<ToolResult> {
  // Loaded on first use: activation does not pay for child_process.
  const [{ spawn }, { createInterface }] = await Promise.all([import('node:child_process'), import('node:readline')]);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new ToolError('cancelled', 'Cancelled.', executable));
      return;
    }
    const child = spawn(executable, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const lines: string[] = [];
    let stdout = '';
    let stopReason: 'cancelled' | 'timedOut' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (reason: 'cancelled' | 'timedOut') => {
      if (stopReason || child.exitCode !== null) return;
      stopReason = reason;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
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
        .on('error', () => undefined);
    }
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve({ stdout, lines });
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      const kind = err.code === 'ENOENT' || err.code === 'EACCES' ? 'notInstalled' : 'failed';
      finish(new ToolError(kind, kind === 'notInstalled' ? `${executable} was not found.` : `Could not run ${executable}: ${err.message}`, executable, lines));
    });
    child.on('close', (code) => {
      if (stopReason === 'cancelled') finish(new ToolError('cancelled', 'Cancelled.', executable, lines, code));
      else if (stopReason === 'timedOut') finish(new ToolError('timedOut', `${executable} ${args[0] ?? ''} did not finish in ${Math.round((options.timeoutMs ?? 0) / 1000)} s.`, executable, lines, code));
      else if (code === 0) finish();
      else finish(new ToolError('failed', lastMeaningfulLine(lines) ?? `${executable} ${args[0] ?? ''} exited with code ${code}.`, executable, lines, code));
    });
  });
}

/** The tool's own explanation: its last line that says "error", else its last non-empty line. */
export function lastMeaningfulLine(lines: readonly string[]): string | undefined {
  const clean = lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim()).filter((l) => l !== '');
  return [...clean].reverse().find((l) => /\berror\b|\bERROR\b|denied|failed|FATA/i.test(l)) ?? clean[clean.length - 1];
}
