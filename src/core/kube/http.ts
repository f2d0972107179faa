// A small HTTPS client for the Kubernetes API: client-node sets up the TLS and credentials
// (applyToHTTPSOptions), Node's https does the request. Used for lists, watches and logs,
// where client-node's own helpers lose the server's message or leak aborts (REFERENCE.md).
import type * as http from 'node:http';
import type * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './gateway.ts';

export interface KubeRequest {
  method?: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
  /** Ends the request when no byte arrives for this long. */
  idleTimeoutMs?: number;
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

export class KubeHttp {
  private readonly kc: KubeConfig;
  readonly server: string;
  /**
   * One keep-alive agent per connection: client-node's agent closes every socket after its
   * request, so a 50-document apply opened some 150 TLS connections (bench/apply.ts).
   */
  private keepAliveAgent: https.Agent | undefined;

  constructor(kc: KubeConfig) {
    this.kc = kc;
    const server = kc.getCurrentCluster()?.server;
    if (!server) {
      throw new KubeError('noContext', 'The kubeconfig context has no cluster server.');
    }
    this.server = server.replace(/\/$/, '');
  }

  /** A request whose answer is JSON; non-2xx answers throw KubeError with the server's message. */
  async json<T>(path: string, request: KubeRequest = {}): Promise<T> {
    const res = await this.open(path, request);
    const text = await readAll(res);
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
    const res = await this.open(path, request);
    if ((res.statusCode ?? 0) >= 300) {
      throw statusError(res.statusCode ?? 0, await readAll(res));
    }
    const { createInterface } = await import('node:readline');
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: res, crlfDelay: Infinity });
      rl.on('line', onLine);
      // readline re-emits its input's errors; the response's own listener below decides.
      rl.on('error', () => undefined);
      res.on('error', (e) => (request.signal?.aborted ? resolve() : reject(toNetworkError(e, this.server))));
      res.on('aborted', () => (request.signal?.aborted ? resolve() : reject(new KubeError('unreachable', 'The connection to the API server dropped.'))));
      rl.on('close', () => resolve());
    });
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
        Accept: 'application/json',
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
      this.keepAliveAgent ??= new (transport as typeof https).Agent({ ...(agent as https.Agent & { options: https.AgentOptions }).options, keepAlive: true });
      options.agent = this.keepAliveAgent;
    }
    return new Promise((resolve, reject) => {
      if (request.signal?.aborted) {
        reject(new KubeError('failed', 'Aborted.'));
        return;
      }
      const req = transport.request(url, options, (res) => {
        // The socket can close under a response at any moment (an abort, the server going
        // away); the readers below report that. Without a listener it would be uncaught.
        res.on('error', () => undefined);
        if (request.idleTimeoutMs) {
          res.socket?.setTimeout(request.idleTimeoutMs, () => req.destroy(new KubeError('unreachable', 'The API server stopped answering (timeout).')));
        }
        resolve(res);
      });
      req.on('error', (e) => reject(request.signal?.aborted ? new KubeError('failed', 'Aborted.') : toNetworkError(e, this.server)));
      // Not http's `signal` option: its AbortError can surface uncaught from a kept-alive
      // socket's request; destroying the request ends it the same way, quietly.
      const onAbort = () => req.destroy();
      request.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => request.signal?.removeEventListener('abort', onAbort));
      if (request.idleTimeoutMs) {
        req.setTimeout(request.idleTimeoutMs, () => req.destroy(new KubeError('unreachable', 'The API server did not answer in time.')));
      }
      req.end(request.body);
    });
  }
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
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
  const kind = code === 401 ? 'unauthorized' : code === 403 ? 'forbidden' : code === 404 ? 'notFound' : 'failed';
  const error = new KubeError(kind, message, code);
  (error as KubeError & { statusObject?: KubeStatus }).statusObject = status;
  return error;
}

function toNetworkError(e: unknown, server: string): KubeError {
  if (e instanceof KubeError) {
    return e;
  }
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return new KubeError('unreachable', `The API server at ${server} does not answer (${code || (e as Error).message}).`);
}
