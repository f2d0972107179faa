// A small HTTPS client for the Kubernetes API: client-node sets up the TLS and credentials
// (applyToHTTPSOptions), Node's https does the request. Used for lists, watches and logs,
// where client-node's own helpers lose the server's message or leak aborts.
// Every request ends: a connect timeout, and an idle timeout while waiting for and reading the
// answer (a server that accepts the connection and then says nothing must not hang anything).
import type * as http from 'node:http';
import type * as https from 'node:https';
import type { Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { errorKindOfStatus, KubeError } from './gateway.ts';
import { describeNetworkCode, formatSeconds, networkErrorCode } from '../networkErrors.ts';

export interface KubeRequest {
  method?: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  contentType?: string;
  /** Default `application/json`. */
  accept?: string;
  signal?: AbortSignal;
  /**
   * How long the server may stay silent once it has started to answer; default: the connection's
   * idle timeout. A watch passes its timeoutSeconds plus a margin; 0 means no limit (a followed
   * log, which may be quiet for hours: TCP keep-alive probes notice a dead peer). The wait for the
   * answer to start is never longer than the connection's idle timeout.
   */
  idleTimeoutMs?: number;
  /**
   * How long the server may take to start its answer once the TLS handshake is done (or on a
   * kept-alive socket). Default: the connection's idle timeout for plain requests, the stream's
   * own limit (idleTimeoutMs) for streams.
   */
  headersTimeoutMs?: number;
  /** Called once the server answered 2xx, before the body (a watch is (re)connected). */
  onResponse?: () => void;
}

export interface RequestTimeouts {
  /** To establish the TCP connection. */
  connectMs: number;
  /** Silence allowed from the server: before its answer starts, and within it. */
  idleMs: number;
}

/** What `k3d.requestTimeout` says (the extension sets it); 30 s until then. */
let defaultTimeouts: RequestTimeouts = { connectMs: 30_000, idleMs: 30_000 };

export function setDefaultRequestTimeouts(timeouts: RequestTimeouts): void {
  defaultTimeouts = { ...timeouts };
}

/** Kubernetes' Status object, as the API returns it for errors. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

export interface KubeHttpOptions {
  /** Default: the ones set by setDefaultRequestTimeouts, read at each request. */
  timeouts?: RequestTimeouts;
}

export class KubeHttp {
  private readonly kc: KubeConfig;
  readonly server: string;
  /**
   * One keep-alive agent per connection: client-node's agent closes every socket after its
   * request, so a 50-document apply opened some 150 TLS connections (bench/apply.ts).
   */
  private readonly agents: { keepAlive?: https.Agent };
  private readonly options: KubeHttpOptions;
  /** Set on the views made by withSignal: every request of the view ends when it aborts. */
  private boundSignal: AbortSignal | undefined;

  constructor(kc: KubeConfig, options: KubeHttpOptions = {}) {
    this.kc = kc;
    this.options = options;
    this.agents = {};
    const server = kc.getCurrentCluster()?.server;
    if (!server) {
      throw new KubeError('noContext', 'The kubeconfig context has no cluster server.');
    }
    this.server = server.replace(/\/$/, '');
  }

  /**
   * The same connection, with every request tied to `signal` as well: a cancellable operation
   * (an apply from its notification) hands this to code that does not know about cancelling.
   */
  withSignal(signal: AbortSignal): KubeHttp {
    const view = Object.create(this) as KubeHttp;
    view.boundSignal = this.boundSignal ? AbortSignal.any([this.boundSignal, signal]) : signal;
    return view;
  }

  get timeouts(): RequestTimeouts {
    return this.options.timeouts ?? defaultTimeouts;
  }

  /** A request whose answer is JSON; non-2xx answers throw KubeError with the server's message. */
  async json<T>(path: string, request: KubeRequest = {}): Promise<T> {
    const res = await this.open(path, request);
    const text = await readAll(res).catch((e: unknown) => {
      throw this.signalOf(request)?.aborted ? new KubeError('failed', 'Cancelled.') : toNetworkError(e, this.server);
    });
    if ((res.statusCode ?? 0) >= 300) {
      throw statusError(res.statusCode ?? 0, text);
    }
    return JSON.parse(text) as T;
  }

  /**
   * A streamed request: each line of the body goes to `onLine` as it arrives. Resolves when the
   * server ends the stream (or the signal aborts it); rejects on HTTP errors and dropped connections.
   */
  async lines(path: string, request: KubeRequest, onLine: (line: string) => void): Promise<void> {
    const signal = this.signalOf(request);
    const res = await this.open(path, request);
    if ((res.statusCode ?? 0) >= 300) {
      throw statusError(res.statusCode ?? 0, await readAll(res));
    }
    request.onResponse?.();
    const { createInterface } = await import('node:readline');
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: res, crlfDelay: Infinity });
      rl.on('line', onLine);
      // readline re-emits its input's errors; the response's own listeners below decide.
      rl.on('error', () => undefined);
      const fail = (e: unknown) => (signal?.aborted ? resolve() : reject(toNetworkError(e, this.server)));
      res.on('error', fail);
      // 'aborted' comes with or before the 'error' that says why: let the reason win.
      res.on('aborted', () => setImmediate(() => fail(new KubeError('unreachable', `The connection to the API server at ${this.server} dropped.`))));
      rl.on('close', () => setImmediate(() => (res.complete || signal?.aborted ? resolve() : fail(new KubeError('unreachable', `The connection to the API server at ${this.server} dropped.`)))));
    });
  }

  /**
   * The answer as it starts (any status), for readers of their own (a pod's log): the timeouts
   * and the signal apply as to every request; the caller reads and ends the body.
   */
  response(path: string, request: KubeRequest): Promise<http.IncomingMessage> {
    return this.open(path, request);
  }

  /**
   * A long-lived GET (a followed log): the answer must start within the request timeout
   * (`headersTimeoutMs`, default the connection's idle timeout), even after the TLS handshake;
   * once it has, the body may be quiet for as long as `idleTimeoutMs` says (default 0: no limit,
   * TCP keep-alive probes notice a dead peer). The caller reads and ends the body.
   */
  async stream(path: string, request: Omit<KubeRequest, 'method' | 'body' | 'contentType'> = {}): Promise<http.IncomingMessage> {
    const res = await this.open(path, { ...request, idleTimeoutMs: request.idleTimeoutMs ?? 0, headersTimeoutMs: request.headersTimeoutMs ?? this.timeouts.idleMs });
    res.socket?.setKeepAlive(true, 30_000);
    return res;
  }

  /** This connection's TLS settings and credentials, for a client of its own (exec's WebSocket). */
  async connectionOptions(): Promise<https.RequestOptions> {
    const options: https.RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(options);
    return options;
  }

  private signalOf(request: KubeRequest): AbortSignal | undefined {
    if (this.boundSignal && request.signal) {
      return AbortSignal.any([this.boundSignal, request.signal]);
    }
    return request.signal ?? this.boundSignal;
  }

  private async open(path: string, request: KubeRequest): Promise<http.IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(request.query ?? {})) {
      if (v !== undefined) {
        url.searchParams.set(k, String(v));
      }
    }
    const options: https.RequestOptions = {
      method: request.method ?? 'GET',
      headers: {
        Accept: request.accept ?? 'application/json',
        ...(request.contentType ? { 'Content-Type': request.contentType } : {}),
        ...(request.body !== undefined ? { 'Content-Length': Buffer.byteLength(request.body) } : {}),
      },
    };
    await this.kc.applyToHTTPSOptions(options);
    // Loaded on first use: TLS is not needed to activate the extension.
    const transport = url.protocol === 'http:' ? await import('node:http') : await import('node:https');
    const agent = options.agent;
    // A plain HTTPS agent (no proxy): keep its TLS settings, and keep its sockets alive.
    if (url.protocol === 'https:' && agent instanceof transport.Agent && agent.constructor === transport.Agent) {
      this.agents.keepAlive ??= new (transport as typeof https).Agent({ ...(agent as https.Agent & { options: https.AgentOptions }).options, keepAlive: true });
      options.agent = this.agents.keepAlive;
    }
    const signal = this.signalOf(request);
    const { connectMs, idleMs } = this.timeouts;
    const readingMs = request.idleTimeoutMs ?? idleMs;
    // A stream (a watch, a followed log) may be quiet from the start: the server may hold back
    // even its headers until it has something to say. Once it has shown it is there (the TLS
    // handshake, an earlier answer on the same socket), the stream's own limit applies.
    const stream = readingMs === 0 || readingMs > idleMs;
    const headersMs = request.headersTimeoutMs ?? readingMs;
    const server = this.server;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new KubeError('failed', 'Cancelled.'));
        return;
      }
      // What the server has done so far, for the message when it stops.
      let phase: 'connecting' | 'connected' | 'answering' = 'connecting';
      let heard = false;
      let limitMs = idleMs;
      let connectTimer: NodeJS.Timeout | undefined;
      let response: http.IncomingMessage | undefined;
      const req = transport.request(url, options, (res) => {
        phase = 'answering';
        response = res;
        // The socket can close under a response at any moment (an abort, the server going
        // away); the readers below report that. Without a listener it would be uncaught.
        res.on('error', () => undefined);
        limit(readingMs);
        resolve(res);
      });
      const limit = (ms: number) => {
        limitMs = ms;
        req.setTimeout(ms);
      };
      const hear = () => {
        heard = true;
        if ((stream || request.headersTimeoutMs !== undefined) && phase === 'connected') limit(headersMs);
      };
      req.on('timeout', () => {
        const silence = formatSeconds(limitMs);
        const message =
          phase === 'answering'
            ? `The API server at ${server} stopped sending in the middle of its answer: nothing for ${silence}.`
            : heard
              ? `The API server at ${server} accepted the connection but did not answer for ${silence}.`
              : `The API server at ${server} accepted the connection but sent nothing for ${silence}.`;
        // Destroyed with the reason, so that whoever reads the answer gets it.
        (response ?? req).destroy(new KubeError('unreachable', message));
      });
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) {
          // A kept-alive socket: the server has answered on it before.
          phase = 'connected';
          limit(idleMs);
          hear();
          return;
        }
        connectTimer = setTimeout(
          () => req.destroy(new KubeError('unreachable', `The API server at ${server} did not accept the connection within ${formatSeconds(connectMs)}: is the address right, and the cluster running?`)),
          connectMs,
        );
        socket.once('connect', () => {
          clearTimeout(connectTimer);
          phase = 'connected';
          limit(idleMs);
        });
        socket.once('secureConnect', hear);
      });
      req.on('error', (e) => reject(signal?.aborted ? new KubeError('failed', 'Cancelled.') : toNetworkError(e, server)));
      // Not http's `signal` option: its AbortError can surface uncaught from a kept-alive
      // socket's request; destroying the request ends it the same way, quietly.
      const onAbort = () => req.destroy();
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => {
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
      });
      req.end(request.body);
    });
  }
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let failure: unknown;
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (e) => {
      failure = e;
      reject(e);
    });
    // Destroyed without an error of its own (the request was): never leave the caller waiting.
    res.on('close', () => {
      if (!res.complete) reject(failure ?? new KubeError('unreachable', 'The connection to the API server dropped in the middle of an answer.'));
    });
  });
}

export function statusError(code: number, body: string): KubeError {
  let status: KubeStatus | undefined;
  try {
    status = JSON.parse(body) as KubeStatus;
  } catch {
    // not JSON: keep the text
  }
  const message = status?.message || body.trim().slice(0, 300) || `HTTP ${code}`;
  const error = new KubeError(errorKindOfStatus(code), message, code);
  (error as KubeError & { statusObject?: KubeStatus }).statusObject = status;
  return error;
}

export function toNetworkError(e: unknown, server: string): KubeError {
  if (e instanceof KubeError) {
    return e;
  }
  const code = networkErrorCode(e);
  const why = code ? describeNetworkCode(code) : undefined;
  return new KubeError('unreachable', `The API server at ${server} ${why ?? `does not answer (${code || (e as Error).message})`}.`);
}
