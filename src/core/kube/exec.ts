// Running a command in a pod's container over the Kubernetes exec API: a WebSocket that speaks
// `v5.channel.k8s.io` (falling back to `v4.channel.k8s.io`). Every binary message starts with its
// channel: 0 stdin, 1 stdout, 2 stderr, 3 the final Status as JSON (the exit code), 4 resize
// (`{"Width":…,"Height":…}`); v5 adds 255, "close this channel" (stdin's end of file).
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { KubeError } from './gateway.ts';
import { statusError, toNetworkError, type KubeHttp, type KubeStatus } from './http.ts';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface ExecRequest {
  namespace: string;
  pod: string;
  /** Default: the pod's default container (the server decides). */
  container?: string;
  command: string[];
  stdin?: boolean;
  tty?: boolean;
  onStdout?: (data: Buffer) => void;
  /** Not called with a tty: the terminal merges stderr into stdout. */
  onStderr?: (data: Buffer) => void;
}

export interface ExecResult {
  /** The command's exit code; undefined when it could not be run at all (see message). */
  exitCode: number | undefined;
  /** Why it failed (the server's message), when it did. */
  message?: string;
}

export interface ExecSession {
  /** The subprotocol the server chose. */
  readonly protocol: string;
  write(data: string | Buffer): void;
  /** Sends end of file on stdin (v5); a v4 server cannot be told, so this does nothing there. */
  closeStdin(): void;
  resize(columns: number, rows: number): void;
  /** Ends the session (the command may go on running in the container until its stdin closes). */
  close(): void;
  readonly done: Promise<ExecResult>;
}

/** The exit code a Status from channel 3 reports, as kubectl reads it. */
export function exitOfStatus(status: KubeStatus): ExecResult {
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { exitCode: code, message: status.message };
  }
  return { exitCode: undefined, message: status.message || 'The command failed to run.' };
}

export function execPath(r: Pick<ExecRequest, 'namespace' | 'pod' | 'container' | 'command' | 'stdin' | 'tty'>): string {
  const q = new URLSearchParams();
  for (const c of r.command) q.append('command', c);
  if (r.container) q.set('container', r.container);
  q.set('stdin', String(!!r.stdin));
  q.set('stdout', 'true');
  q.set('stderr', String(!r.tty));
  q.set('tty', String(!!r.tty));
  return `/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}/exec?${q.toString()}`;
}

/**
 * Opens the exec session; resolves once the server accepted the upgrade, rejects with the
 * server's message when it refused (no such pod or container, a pod that is not running).
 */
export async function exec(http: KubeHttp, request: ExecRequest): Promise<ExecSession> {
  if (request.command.length === 0) throw new KubeError('failed', 'No command to run.');
  const { default: WebSocket } = await import('ws');
  const options = await http.connectionOptions();
  const url = (http.server + execPath(request)).replace(/^http/, 'ws');
  const ws = new WebSocket(url, [...EXEC_PROTOCOLS], {
    agent: options.agent as Agent | undefined,
    headers: options.headers as Record<string, string>,
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    rejectUnauthorized: options.rejectUnauthorized,
    handshakeTimeout: http.timeouts.connectMs + http.timeouts.idleMs,
    perMessageDeflate: false,
  });
  const opened = webSocketOpened(ws, http.server);
  let result: ExecResult | undefined;
  const done = new Promise<ExecResult>((resolve) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === CHANNEL.stdout) request.onStdout?.(payload);
      else if (channel === CHANNEL.stderr) request.onStderr?.(payload);
      else if (channel === CHANNEL.error && payload.length > 0) {
        try {
          result = exitOfStatus(JSON.parse(payload.toString('utf8')) as KubeStatus);
        } catch {
          result = { exitCode: undefined, message: payload.toString('utf8') };
        }
      }
    });
    ws.on('close', () => resolve(result ?? { exitCode: undefined, message: 'The connection closed before the command reported how it ended.' }));
    ws.on('error', () => undefined);
  });
  await opened;
  const protocol = ws.protocol;
  const send = (channel: number, data: Buffer): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  return {
    protocol,
    write: (data) => send(CHANNEL.stdin, typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
    closeStdin: () => {
      if (protocol === EXEC_PROTOCOLS[0]) send(CHANNEL.close, Buffer.from([CHANNEL.stdin]));
    },
    resize: (columns, rows) => send(CHANNEL.resize, Buffer.from(JSON.stringify({ Width: Math.max(1, Math.floor(columns)), Height: Math.max(1, Math.floor(rows)) }))),
    close: () => ws.close(1000),
    done,
  };
}

export interface CommandOutput extends ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (no stdin, no tty) and collects what it printed. */
export async function runCommand(http: KubeHttp, request: Omit<ExecRequest, 'stdin' | 'tty' | 'onStdout' | 'onStderr'>, input?: string): Promise<CommandOutput> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const session = await exec(http, { ...request, stdin: input !== undefined, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d) });
  if (input !== undefined) {
    session.write(input);
    session.closeStdin();
  }
  const r = await session.done;
  return { ...r, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Splits a command line as a shell would for plain words and quotes (no expansion): `sh -c 'a b'` is three words. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i];
    else word = (word ?? '') + ch;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * Resolves when the WebSocket is open; rejects with the server's refusal (a Status: its message is what
 * the user needs, not the socket's end) or the connection's failure in words. Exec and port-forward.
 */
export function webSocketOpened(ws: import('ws').WebSocket, server: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    let refused = false;
    ws.once('unexpected-response', (req: ClientRequest, res: IncomingMessage) => {
      refused = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        reject(statusError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        req.destroy();
      });
      res.on('error', (e) => reject(toNetworkError(e, server)));
    });
    ws.on('error', (e) => {
      if (!refused) reject(toNetworkError(e, server));
    });
  });
}
