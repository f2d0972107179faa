// Forwarding a local TCP port to a pod's port over the Kubernetes portforward API: a local listener on
// 127.0.0.1, and per accepted connection one WebSocket (`v4.channel.k8s.io`, as the kubelet serves it and
// client-node's PortForward speaks): channel 0 carries the data, channel 1 the server's error message; the
// first frame of each channel is the port as 2 little-endian bytes. Which pod a connection reaches is asked
// at each connection, so a forward to a deployment follows it to its new pod after a rollout.
import type { Agent } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { V1Container, V1Pod, V1Service } from '@kubernetes/client-node';
import { KubeError } from './gateway.ts';
import type { KubeHttp } from './http.ts';
import { webSocketOpened } from './exec.ts';
import { podDeleting } from './pods.ts';

export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'channel.k8s.io'] as const;

export function portForwardPath(namespace: string, pod: string, port: number): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${port}`;
}

/** A connection's end: `error` is the server's message (port refused inside the pod, pod gone), if any. */
export interface StreamEnd {
  error?: string;
}

/**
 * Carries one local connection to the pod's port. Resolves once the server accepted the upgrade (rejects
 * with its message when it refused: no such pod, not running); `done` resolves when either side closed.
 */
export async function forwardConnection(http: KubeHttp, target: { namespace: string; pod: string; port: number }, socket: Socket): Promise<{ done: Promise<StreamEnd> }> {
  const { default: WebSocket } = await import('ws');
  const options = await http.connectionOptions();
  const url = (http.server + portForwardPath(target.namespace, target.pod, target.port)).replace(/^http/, 'ws');
  const ws = new WebSocket(url, [...PORT_FORWARD_PROTOCOLS], {
    agent: options.agent as Agent | undefined,
    headers: options.headers as Record<string, string>,
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    rejectUnauthorized: options.rejectUnauthorized,
    handshakeTimeout: http.timeouts.connectMs + http.timeouts.idleMs,
    perMessageDeflate: false,
  });
  // The server sends the port prefixes as soon as it accepts: listen before 'open' is handled.
  let error = '';
  const seenPrefix = [false, false];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0]!;
    let payload = data.subarray(1);
    if (channel > 1) return;
    if (!seenPrefix[channel]) {
      seenPrefix[channel] = true;
      payload = payload.subarray(2);
    }
    if (payload.length === 0) return;
    if (channel === 0) socket.write(payload);
    else error += payload.toString('utf8');
  });
  // What the local side sends before the upgrade completes is held, not lost.
  const early: Buffer[] = [];
  const hold = (d: Buffer): void => {
    early.push(d);
  };
  socket.on('data', hold);
  socket.pause();
  await webSocketOpened(ws, http.server).catch((e: unknown) => {
    socket.off('data', hold);
    throw e;
  });
  const done = new Promise<StreamEnd>((resolve) => {
    const finish = (): void => {
      socket.destroySoon?.();
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
      resolve(error ? { error } : {});
    };
    ws.on('close', finish);
    ws.on('error', () => undefined);
    socket.on('close', finish);
    socket.on('error', () => undefined);
  });
  const send = (d: Buffer): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([Buffer.from([0]), d]));
  };
  socket.off('data', hold);
  for (const d of early) send(d);
  socket.on('data', send);
  // v4 cannot half-close: the local side's end ends the connection (HTTP clients read the answer first).
  socket.on('end', () => ws.close(1000));
  socket.resume();
  return { done };
}

/** Where a local port was opened: `taken` says why it is not the one asked for. */
export interface LocalListener {
  server: Server;
  port: number;
  /** Set when the preferred port could not be used (in use, or privileged), so another was chosen. */
  taken?: string;
}

/** Listens on 127.0.0.1:preferred, or on a free port when that one is in use or not allowed. */
export async function listenLocal(preferred: number, onConnection: (socket: Socket) => void): Promise<LocalListener> {
  const attempt = (port: number): Promise<Server> => new Promise((resolve, reject) => {
    const server = createServer({ pauseOnConnect: true }, onConnection);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
  try {
    const server = await attempt(preferred);
    return { server, port: (server.address() as { port: number }).port };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw e;
    const server = await attempt(0);
    const port = (server.address() as { port: number }).port;
    return { server, port, taken: code === 'EADDRINUSE' ? `port ${preferred} is in use on this machine` : `port ${preferred} needs administrator rights on this machine` };
  }
}

export interface ForwardEvents {
  /** A connection was carried to this pod (the first time, or after the target moved to another pod). */
  onConnection?: (pod: string) => void;
  /** A connection failed: the server's message or why no pod could be reached. */
  onError?: (message: string, pod: string | undefined) => void;
}

export interface PortForwarderOptions extends ForwardEvents {
  http: () => Promise<KubeHttp>;
  namespace: string;
  remotePort: number;
  /** The pod a new connection goes to; throws a KubeError saying why there is none. */
  pod: () => string;
}

/** A running forward: a local listener whose connections each reach the then-current pod. */
export class PortForwarder {
  private readonly options: PortForwarderOptions;
  private listener: LocalListener | undefined;
  private readonly sockets = new Set<Socket>();
  private stopped = false;
  /** Connections open now. */
  active = 0;
  /** Connections carried so far. */
  total = 0;

  constructor(options: PortForwarderOptions) {
    this.options = options;
  }

  async start(preferredLocalPort: number): Promise<LocalListener> {
    this.listener = await listenLocal(preferredLocalPort, (socket) => void this.handle(socket));
    return this.listener;
  }

  get localPort(): number | undefined {
    return this.listener?.port;
  }

  private async handle(socket: Socket): Promise<void> {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.active++;
    this.total++;
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.active--;
    });
    let pod: string | undefined;
    try {
      pod = this.options.pod();
      const http = await this.options.http();
      const { done } = await forwardConnection(http, { namespace: this.options.namespace, pod, port: this.options.remotePort }, socket);
      this.options.onConnection?.(pod);
      const end = await done;
      if (end.error) this.options.onError?.(end.error, pod);
    } catch (e) {
      socket.destroy();
      this.options.onError?.((e as Error).message, pod);
    }
  }

  stop(): void {
    this.stopped = true;
    this.listener?.server.close();
    for (const s of this.sockets) s.destroy();
  }
}

// -- Which pod and port a forward reaches (pure) --

function matches(selector: Record<string, string>, pod: V1Pod): boolean {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function ready(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * The pod a deployment's or service's forward goes to now: a running pod the selector matches that is not
 * being deleted, ready ones first, the newest first (after a rollout: the new replica set's pod).
 */
export function pickPod(pods: V1Pod[], namespace: string, selector: Record<string, string>): V1Pod | undefined {
  if (Object.keys(selector).length === 0) return undefined;
  const candidates = pods.filter((p) => p.metadata?.namespace === namespace && matches(selector, p) && p.status?.phase === 'Running' && !podDeleting(p));
  const time = (p: V1Pod): number => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
  candidates.sort((a, b) => Number(ready(b)) - Number(ready(a)) || time(b) - time(a) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  return candidates[0];
}

/** Why a pod cannot take a forward now, in words; undefined when it can. */
export function podNotForwardable(pod: V1Pod | undefined, name: string): string | undefined {
  if (!pod) return `Pod ${name} no longer exists.`;
  if (podDeleting(pod)) return `Pod ${name} is being deleted.`;
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Running') return undefined;
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
  return `Pod ${name} is not running (${phase}${waiting ? `: ${waiting}` : ''}).`;
}

export interface PortChoice {
  port: number;
  /** e.g. `http (TCP) in container app`. */
  label: string;
}

/** The TCP ports the containers declare, as kubectl lists them. */
export function containerPorts(containers: V1Container[] | undefined): PortChoice[] {
  const out: PortChoice[] = [];
  for (const c of containers ?? []) {
    for (const p of c.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      out.push({ port: p.containerPort, label: `${p.name ? `${p.name}, ` : ''}container ${c.name}` });
    }
  }
  return out;
}

/**
 * A service port's target in a pod, as `kubectl port-forward svc/NAME PORT` resolves it: a numeric
 * targetPort as is, a named one through the pod's container ports; no targetPort means the port itself.
 */
export function serviceTargetPort(service: V1Service, servicePort: number, pod: V1Pod | undefined): number {
  const sp = service.spec?.ports?.find((p) => p.port === servicePort);
  if (!sp) throw new KubeError('failed', `Service ${service.metadata?.name} has no port ${servicePort}.`);
  const target = sp.targetPort as number | string | undefined;
  if (target === undefined || target === '') return sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const named = (pod?.spec?.containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === target);
  if (!named) throw new KubeError('failed', `Service ${service.metadata?.name}'s port ${servicePort} targets the port named "${target}", which no container of ${pod?.metadata?.name ?? 'its pods'} declares.`);
  return named.containerPort;
}
