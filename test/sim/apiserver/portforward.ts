// The portforward subresource (`/api/v1/namespaces/NS/pods/NAME/portforward?ports=P[,P…]`) for pods whose
// containers run as real Docker containers (runtime/docker.ts). Those run with `--network none`, so a port is
// reached as the kubelet reaches a pod: inside the container's network namespace (`nsenter -t PID -n`), where a
// tiny Node relay connects to 127.0.0.1:PORT and pipes the bytes through its stdin and stdout. Nothing but
// loopback inside that namespace is ever dialled.
//
// Protocol: the WebSocket port-forward the kubelet serves (subprotocol `v4.channel.k8s.io`, or the unversioned
// `channel.k8s.io`): per requested port i, channel 2i carries data and 2i+1 errors; the first frame of each
// channel is the port as 2 little-endian bytes, sent by the server at once. A client's frame on a data channel
// is written to the pod's port; when the pod's side closes, the WebSocket closes.
//
// kubectl's `kubectl port-forward` (1.31 and 1.32) speaks SPDY/3.1 instead (tunnelled in a WebSocket,
// `SPDY/3.1+portforward.k8s.io`, or a plain SPDY upgrade as fallback): portforwardSpdy.ts serves those.
import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { findKind } from './kinds.ts';
import type { Api } from './rest.ts';
import { ApiError } from './status.ts';
import { POD_LABEL, docker } from './runtime/docker.ts';
import { handleSpdyUpgrade } from './portforwardSpdy.ts';
import type { Obj } from './util.ts';

export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'channel.k8s.io'];
const PORT_FORWARD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/;

// Runs inside the pod's network namespace (nsenter -n keeps the host's filesystem, so the host's node runs it).
// Reports a failed connect on stderr (exit 1); otherwise stdin -> socket -> stdout until either side ends.
const RELAY = `
const net = require('node:net');
const s = net.connect(Number(process.argv[1]), '127.0.0.1');
s.on('error', (e) => { process.stderr.write(e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message); process.exit(1); });
s.on('connect', () => { process.stderr.write('connected\\n'); process.stdin.pipe(s); s.pipe(process.stdout); });
s.on('close', () => process.stdin.destroy());
`;

export function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export function refuse(socket: Duplex, code: number, reason: string, message: string): void {
  const body = statusBody(code, reason, message);
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[code] ?? 'Error';
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** `ports=8080,9090` or `ports=8080&ports=9090`, each 1..65535; an ApiError like the API server's otherwise. */
export function parsePorts(q: URLSearchParams): number[] {
  const raw = q.getAll('ports').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  if (raw.length === 0) throw new ApiError(400, 'BadRequest', 'at least 1 port must be specified');
  return raw.map((p) => {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw new ApiError(400, 'BadRequest', `unable to parse "${p}" as a port: port must be > 0 and < 65536`);
    return n;
  });
}

export interface PodNetwork {
  /** The PID of a process in the pod's network namespace (its Docker container's). */
  pid: number;
  pod: string;
  uid: string;
}

/**
 * The network namespace a port of the pod lives in: the running Docker container that declares the port,
 * else the first running one. An ApiError says why there is none (no such pod, not running, simulated).
 */
export async function podNetwork(api: Api, ns: string, name: string, port: number): Promise<PodNetwork> {
  const pods = findKind('', 'v1', 'pods')!;
  const pod = api.get(pods, ns, name);
  const phase = String(pod.status?.phase ?? '');
  if (phase !== 'Running') throw new ApiError(400, 'BadRequest', `pod ${name} is not running (phase ${phase || 'Pending'}): unable to forward ports`);
  const declaring = ((pod.spec?.containers ?? []) as Obj[]).filter((c) => ((c.ports ?? []) as Obj[]).some((p) => p.containerPort === port)).map((c) => String(c.name));
  const running = ((pod.status?.containerStatuses ?? []) as Obj[]).filter((c) => typeof c.containerID === 'string' && c.state?.running);
  running.sort((a, b) => Number(declaring.includes(String(b.name))) - Number(declaring.includes(String(a.name))));
  for (const cs of running) {
    const id = String(cs.containerID).replace(/^containerd:\/\//, '');
    const r = await docker(['inspect', '--format', `{{.State.Pid}} {{index .Config.Labels "${POD_LABEL}"}}`, id], { timeoutMs: 30_000 });
    const [pid, label] = r.stdout.trim().split(' ');
    if (r.code === 0 && label === `${ns}/${name}` && Number(pid) > 0) return { pid: Number(pid), pod: name, uid: String(pod.metadata?.uid ?? '') };
  }
  throw new ApiError(400, 'BadRequest', `unable to upgrade connection: pod ${name} runs simulated programs, not Docker containers: the simulator forwards ports only for real images`);
}

export interface PortConnection {
  write(data: Buffer): void;
  /** No more data from the client (its side closed). */
  end(): void;
  /** Stops the relay at once. */
  close(): void;
}

/**
 * Connects to 127.0.0.1:PORT inside the pod's network namespace. `onError` gets the kubelet-like message
 * when the connect fails; `onEnd` fires once, when the pod's side has closed (or the relay failed).
 */
export function connectInPod(net: PodNetwork, port: number, on: { data: (d: Buffer) => void; error: (message: string) => void; end: () => void }): PortConnection {
  const child: ChildProcess = spawn('nsenter', ['-t', String(net.pid), '-n', '--', process.execPath, '-e', RELAY, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let connected = false;
  let ended = false;
  let inputDone = false;
  const pending: Buffer[] = [];
  const end = (): void => {
    if (ended) return;
    ended = true;
    on.end();
  };
  child.stdout!.on('data', on.data);
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (!connected && d.startsWith('connected\n')) {
      connected = true;
      d = d.slice('connected\n'.length);
      for (const p of pending.splice(0)) child.stdin!.write(p);
      if (inputDone) child.stdin!.end();
    }
    stderr += d;
  });
  child.stdin!.on('error', () => undefined);
  child.on('error', (e) => {
    on.error(`error forwarding port ${port} to pod ${net.pod}, uid ${net.uid}: nsenter: ${e.message}`);
    end();
  });
  child.on('close', (code) => {
    if (code !== 0 && !connected) {
      on.error(`error forwarding port ${port} to pod ${net.pod}, uid ${net.uid}: failed to connect to localhost:${port} inside namespace of pod ${net.pod}: dial tcp4 127.0.0.1:${port}: ${stderr.trim() || `the relay exited with code ${code}`}`);
    }
    end();
  });
  return {
    write: (d) => (connected ? child.stdin!.write(d) : pending.push(Buffer.from(d))),
    end: () => {
      inputDone = true;
      if (connected) child.stdin!.end();
    },
    close: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => PORT_FORWARD_PROTOCOLS.find((p) => offered.has(p)) ?? false });

/** The router's hook for upgrade requests; false when the path is not portforward's. */
export function handlePortForwardUpgrade(api: Api, req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const m = PORT_FORWARD_PATH.exec(url.pathname);
  if (!m) return false;
  socket.on('error', () => undefined);
  if (!(socket as TLSSocket).authorized) {
    refuse(socket, 401, 'Unauthorized', 'Unauthorized');
    return true;
  }
  const ns = decodeURIComponent(m[1]!);
  const name = decodeURIComponent(m[2]!);
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  const websocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' && PORT_FORWARD_PROTOCOLS.some((p) => offered.includes(p));
  if (!websocket) {
    if (handleSpdyUpgrade(api, req, socket, head, ns, name)) return true;
    refuse(socket, 400, 'BadRequest', `unable to upgrade connection: the simulator serves port-forward over WebSocket with ${PORT_FORWARD_PROTOCOLS.join(' or ')} only`);
    return true;
  }
  let ports: number[];
  try {
    ports = parsePorts(url.searchParams);
  } catch (e) {
    const err = e as ApiError;
    refuse(socket, err.code, err.reason, err.message);
    return true;
  }
  podNetwork(api, ns, name, ports[0]!).then(
    (net) => wss.handleUpgrade(req, socket, head, (ws) => forward(ws, net, ports)),
    (e: unknown) => (e instanceof ApiError ? refuse(socket, e.code, e.reason, e.message) : refuse(socket, 500, 'InternalError', `Internal error occurred: ${(e as Error).message}`)),
  );
  return true;
}

function forward(ws: WebSocket, net: PodNetwork, ports: number[]): void {
  const send = (channel: number, data: Buffer): void => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  const portBytes = (port: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(port);
    return b;
  };
  for (const [i, port] of ports.entries()) {
    send(2 * i, portBytes(port));
    send(2 * i + 1, portBytes(port));
  }
  let open = ports.length;
  const connections = ports.map((port, i) => connectInPod(net, port, {
    data: (d) => send(2 * i, d),
    error: (message) => send(2 * i + 1, Buffer.from(message)),
    end: () => {
      if (--open === 0) ws.close(1000);
    },
  }));
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const channel = data[0]!;
    if (channel % 2 === 0) connections[channel / 2]?.write(data.subarray(1));
  });
  const stop = (): void => {
    for (const c of connections) c.close();
  };
  ws.on('close', stop);
  ws.on('error', stop);
}
