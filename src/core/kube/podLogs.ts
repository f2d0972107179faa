// One container's log: GET .../pods/P/log over KubeHttp (client-node's Log leaks an uncaught
// AbortError and loses the server's message), line by line, with the server's refusals told
// apart (no such container, not started yet, image pull...). The follower that survives
// restarts and dropped connections is core/logs/follower.ts.
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './gateway.ts';
import { KubeHttp, statusError } from './http.ts';
import { LineSplitter } from '../logs/lineSplitter.ts';
import { readYielding } from '../logs/yieldingReader.ts';

export interface PodLogQuery {
  namespace: string;
  pod: string;
  container?: string;
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  /** RFC3339; the server compares whole seconds. */
  sinceTime?: string;
  sinceSeconds?: number;
  previous?: boolean;
  limitBytes?: number;
}

export interface PodLogStreamOptions extends PodLogQuery {
  /** Ends the stream: the promise resolves with 'aborted' and the connection is closed. */
  signal?: AbortSignal;
  /** The server answered 200: the log starts. */
  onOpen?: () => void;
  onLine: (line: string) => void;
}

/** Why a log cannot be read, as far as the server's answer tells. */
export type PodLogErrorReason =
  | 'podNotFound'
  /** The named container is not in the pod; `containers` lists those that are. */
  | 'containerNotFound'
  /** The pod has several containers and none was named; `containers` lists them. */
  | 'containerRequired'
  /** The container has not started (ContainerCreating, PodInitializing...); `waitingReason` says why. */
  | 'waiting'
  /** The container cannot start because its image cannot be pulled. */
  | 'imagePull'
  /** `previous=true` but the container has not restarted. */
  | 'previousNotFound'
  | 'unauthorized'
  | 'forbidden'
  /** The API server cannot be reached. */
  | 'unreachable'
  /** The connection broke while the log was streaming. */
  | 'dropped'
  /** 5xx: the API server or the kubelet behind it failed. */
  | 'serverError'
  | 'failed';

export class PodLogError extends KubeError {
  readonly reason: PodLogErrorReason;
  /** For containerNotFound / containerRequired: the containers the pod has. */
  containers?: string[];
  /** For waiting / imagePull: the kubelet's reason, e.g. `ContainerCreating`. */
  readonly waitingReason?: string;

  constructor(reason: PodLogErrorReason, message: string, status?: number, extra: { containers?: string[]; waitingReason?: string } = {}) {
    super(kindOf(reason), message, status);
    this.reason = reason;
    this.containers = extra.containers;
    this.waitingReason = extra.waitingReason;
  }

  /** Worth trying again later without changing anything. */
  get transient(): boolean {
    return this.reason === 'unreachable' || this.reason === 'dropped' || this.reason === 'serverError';
  }
}

function kindOf(reason: PodLogErrorReason): KubeError['kind'] {
  switch (reason) {
    case 'podNotFound':
      return 'notFound';
    case 'unauthorized':
    case 'forbidden':
    case 'unreachable':
      return reason;
    default:
      return 'failed';
  }
}

/** Reads the server's Status message for a non-2xx answer to a log request. */
export function podLogError(status: number, body: string): PodLogError {
  return podLogErrorOf(statusError(status, body));
}

/**
 * What KubeHttp's error for a log request's answer means for a log: the kind it already has
 * (401, 403, 404), then what the message says.
 */
export function podLogErrorOf(error: KubeError): PodLogError {
  const { message, status } = error;
  if (error.kind === 'notFound') {
    return new PodLogError('podNotFound', message, status);
  }
  if (error.kind === 'unauthorized' || error.kind === 'forbidden') {
    return new PodLogError(error.kind, message, status);
  }
  if (status !== undefined && status >= 500) {
    return new PodLogError('serverError', message, status);
  }
  // The messages of the API server (pod strategy LogLocation) and the kubelet (validateContainerLogStatus).
  const required = message.match(/a container name must be specified for pod \S+, choose one of: \[([^\]]*)\]/);
  if (required) {
    const init = message.match(/init containers: \[([^\]]*)\]/);
    const containers = [...words(required[1]), ...(init ? words(init[1]) : [])];
    return new PodLogError('containerRequired', message, status, { containers });
  }
  if (/container \S+ is not valid for pod/.test(message)) {
    return new PodLogError('containerNotFound', message, status);
  }
  const waiting = message.match(/is waiting to start: (.*)$/);
  if (waiting) {
    const reason = waiting[1].trim();
    const pull = /trying and failing to pull image|image can't be pulled|ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull/i.test(reason);
    return new PodLogError(pull ? 'imagePull' : 'waiting', message, status, { waitingReason: reason });
  }
  if (/previous terminated container .* not found/.test(message)) {
    return new PodLogError('previousNotFound', message, status);
  }
  return new PodLogError('failed', message, status);
}

function words(list: string): string[] {
  return list.split(/[\s,]+/).filter(Boolean);
}

export function logPath(namespace: string, pod: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
}

/** One connection per kubeconfig: its keep-alive agent serves the follower's repeated requests. */
const connections = new WeakMap<KubeConfig, KubeHttp>();

function connectionOf(kc: KubeConfig): KubeHttp {
  let http = connections.get(kc);
  if (!http) {
    try {
      http = new KubeHttp(kc);
    } catch (e) {
      throw new PodLogError('failed', (e as Error).message);
    }
    connections.set(kc, http);
  }
  return http;
}

/**
 * Streams one container's log, line by line. Resolves 'eof' when the server ends the log (the
 * container stopped, or follow=false), 'aborted' when the signal ended it; rejects with
 * PodLogError, carrying the server's message, on any other outcome. The answer must start within
 * the request timeout (k3d.requestTimeout), also after the TLS handshake; a followed log may then
 * stay quiet for as long as the container does (keep-alive probes notice a dead peer), a log that
 * is not followed may not.
 */
export async function streamPodLog(kc: KubeConfig, options: PodLogStreamOptions): Promise<'eof' | 'aborted'> {
  const query: Record<string, string | number | boolean | undefined> = {
    container: options.container,
    follow: options.follow || undefined,
    tailLines: options.tailLines,
    timestamps: options.timestamps || undefined,
    sinceTime: options.sinceTime,
    sinceSeconds: options.sinceSeconds,
    previous: options.previous || undefined,
    limitBytes: options.limitBytes,
  };
  const { signal } = options;
  if (signal?.aborted) {
    return 'aborted';
  }
  const http = connectionOf(kc);
  let res: IncomingMessage;
  try {
    // A followed log must start within the request timeout, then may stay quiet for hours.
    const path = logPath(options.namespace, options.pod);
    res = options.follow ? await http.stream(path, { query, accept: '*/*', signal }) : await http.response(path, { query, accept: '*/*', signal });
  } catch (e) {
    if (signal?.aborted) {
      return 'aborted';
    }
    throw new PodLogError('unreachable', (e as Error).message);
  }

  return new Promise<'eof' | 'aborted'>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: 'eof' | 'aborted' | PodLogError) => {
      if (settled) {
        return;
      }
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (outcome instanceof PodLogError) {
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    // Destroying the answer closes the socket: the server sees the connection end.
    const onAbort = () => {
      res.destroy();
      finish('aborted');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const status = res.statusCode ?? 0;
    if (status >= 300) {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
      res.on('end', () => finish(podLogError(status, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', () => finish(signal?.aborted ? 'aborted' : podLogError(status, Buffer.concat(chunks).toString('utf8'))));
      res.on('close', () => finish(signal?.aborted ? 'aborted' : podLogError(status, Buffer.concat(chunks).toString('utf8'))));
      return;
    }
    options.onOpen?.();
    const splitter = new LineSplitter();
    const emit = (lines: string[]) => {
      try {
        for (const line of lines) {
          if (settled) {
            return;
          }
          options.onLine(line);
        }
      } catch (e) {
        // A consumer that throws ends the stream, as an error of this call, not an uncaught one.
        signal?.removeEventListener('abort', onAbort);
        res.destroy();
        finish(new PodLogError('failed', `Reading the log failed: ${(e as Error).message}`));
      }
    };
    // A fast log must not hold the event loop: a slice at a time.
    readYielding(res, (chunk) => emit(splitter.push(chunk)));
    res.on('end', () => {
      emit(splitter.end());
      finish('eof');
    });
    res.on('error', (e) =>
      finish(signal?.aborted ? 'aborted' : new PodLogError('dropped', e instanceof KubeError ? e.message : `The log stream broke off (${(e as NodeJS.ErrnoException).code ?? e.message}).`)),
    );
    res.on('close', () => setImmediate(() => finish(signal?.aborted ? 'aborted' : new PodLogError('dropped', 'The log stream broke off.'))));
  });
}
