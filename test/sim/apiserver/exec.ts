// The exec subresource (`/api/v1/namespaces/NS/pods/NAME/exec`) for containers that run as real Docker
// containers (runtime/docker.ts): a WebSocket upgrade speaking v5.channel.k8s.io or v4.channel.k8s.io, as the
// real API server does for kubectl 1.32. Channels: 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 resize;
// v5's 255 closes a channel (stdin's end of file). Without a tty the command runs as `docker exec [-i] ID CMD…`;
// with one, through the Engine API (a docker CLI needs a terminal of its own for `-t` with stdin), so that
// resize reaches the container's terminal. Simulated containers (no Docker container) cannot be entered.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { findKind } from './kinds.ts';
import type { Api } from './rest.ts';
import { ApiError } from './status.ts';
import { POD_LABEL, docker } from './runtime/docker.ts';
import type { Obj } from './util.ts';

export const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/;

function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

function refuse(socket: Duplex, code: number, reason: string, message: string): void {
  const body = statusBody(code, reason, message);
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[code] ?? 'Error';
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The Status kubectl reads from channel 3: Success, or NonZeroExitCode with the code as its ExitCode cause. */
export function exitStatus(command: string[], code: number): Obj {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

interface Target { id: string; container: string }

/** The Docker container behind the pod's container, or an ApiError saying why there is none. */
async function target(api: Api, ns: string, name: string, wanted: string | null): Promise<Target> {
  const pods = findKind('', 'v1', 'pods')!;
  const pod = api.get(pods, ns, name);
  const containers = ((pod.spec?.containers ?? []) as Obj[]).map((c) => String(c.name));
  const container = wanted || String(pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'] ?? '') || containers[0];
  if (!container || !containers.includes(container)) throw new ApiError(400, 'BadRequest', `container ${container ?? ''} is not valid for pod ${name}`);
  const cs = ((pod.status?.containerStatuses ?? []) as Obj[]).find((c) => c.name === container);
  const id = typeof cs?.containerID === 'string' && cs.state?.running ? cs.containerID.replace(/^containerd:\/\//, '') : '';
  if (!id) throw new ApiError(400, 'BadRequest', `unable to upgrade connection: container not found ("${container}")`);
  const ps = await docker(['ps', '-q', '--no-trunc', '--filter', `id=${id}`, '--filter', `label=${POD_LABEL}=${ns}/${name}`], { timeoutMs: 30_000 });
  if (ps.code !== 0 || !ps.stdout.trim()) {
    throw new ApiError(400, 'BadRequest', `unable to upgrade connection: container "${container}" runs a simulated program, not a Docker container: the simulator serves exec only for real images`);
  }
  return { id: ps.stdout.trim().split('\n')[0]!, container };
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false });

/** The router's hook for upgrade requests; false when the path is not exec's (the caller refuses it). */
export function handleExecUpgrade(api: Api, req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const m = EXEC_PATH.exec(url.pathname);
  if (!m) return false;
  socket.on('error', () => undefined);
  if (!(socket as TLSSocket).authorized) {
    refuse(socket, 401, 'Unauthorized', 'Unauthorized');
    return true;
  }
  const q = url.searchParams;
  const command = q.getAll('command');
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  // kubectl falls back to SPDY when the WebSocket upgrade is refused, and shows the second refusal:
  // both say why the container cannot be entered before saying which protocols are served.
  const websocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' && PROTOCOLS.some((p) => offered.includes(p));
  if (command.length === 0) {
    refuse(socket, 400, 'BadRequest', 'you must specify at least 1 command');
    return true;
  }
  const ns = decodeURIComponent(m[1]!);
  const name = decodeURIComponent(m[2]!);
  target(api, ns, name, q.get('container')).then(
    (t) => websocket
      ? wss.handleUpgrade(req, socket, head, (ws) => run(ws, t, command, q.get('stdin') === 'true', q.get('tty') === 'true'))
      : refuse(socket, 400, 'BadRequest', `unable to upgrade connection: the simulator serves exec over WebSocket with ${PROTOCOLS.join(' or ')} only`),
    (e: unknown) => (e instanceof ApiError ? refuse(socket, e.code, e.reason, e.message) : refuse(socket, 500, 'InternalError', `Internal error occurred: ${(e as Error).message}`)),
  );
  return true;
}

function run(ws: WebSocket, t: Target, command: string[], stdin: boolean, tty: boolean): void {
  const send = (channel: number, data: Buffer | string): void => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]));
  };
  const finish = (code: number): void => {
    send(3, JSON.stringify(exitStatus(command, code)));
    ws.close(1000);
  };
  const session = tty ? ttySession(t.id, command, stdin, (d) => send(1, d), finish) : pipeSession(t.id, command, stdin, (d) => send(1, d), (d) => send(2, d), finish);
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const payload = data.subarray(1);
    if (data[0] === 0) session.write(payload);
    else if (data[0] === 255 && payload[0] === 0) session.endInput();
    else if (data[0] === 4) {
      try {
        const size = JSON.parse(payload.toString('utf8')) as { Width?: number; Height?: number };
        if (size.Width && size.Height) session.resize(size.Width, size.Height);
      } catch {
        // not a size: ignored, as the kubelet does
      }
    }
  });
  ws.on('close', () => session.stop());
  ws.on('error', () => session.stop());
}

interface Session { write(d: Buffer): void; endInput(): void; resize(w: number, h: number): void; stop(): void }

function pipeSession(id: string, command: string[], stdin: boolean, out: (d: Buffer) => void, err: (d: Buffer) => void, finish: (code: number) => void): Session {
  const child = spawn('docker', ['exec', ...(stdin ? ['-i'] : []), id, ...command], { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', out);
  child.stderr!.on('data', err);
  child.stdin?.on('error', () => undefined);
  child.on('error', (e) => {
    err(Buffer.from(`docker: ${e.message}\n`));
  });
  child.on('close', (code) => finish(code ?? 137));
  return {
    write: (d) => child.stdin?.write(d),
    endInput: () => child.stdin?.end(),
    resize: () => undefined,
    stop: () => {
      child.stdin?.end();
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The Engine API's address from DOCKER_HOST (unix:// or tcp://), as the CLI reads it. */
function engine(): { socketPath: string } | { host: string; port: number } {
  const h = process.env.DOCKER_HOST;
  if (h?.startsWith('tcp://')) {
    const u = new URL(h.replace(/^tcp:/, 'http:'));
    return { host: u.hostname, port: Number(u.port) || 2375 };
  }
  return { socketPath: h?.startsWith('unix://') ? h.slice('unix://'.length) : '/var/run/docker.sock' };
}

function engineJson(method: string, path: string, body?: unknown): Promise<{ status: number; json: Obj }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ ...engine(), method, path, headers: text ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json: Obj = {};
        try {
          json = raw ? (JSON.parse(raw) as Obj) : {};
        } catch {
          json = { message: raw };
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

function ttySession(id: string, command: string[], stdin: boolean, out: (d: Buffer) => void, finish: (code: number) => void): Session {
  let execId = '';
  let stream: Duplex | undefined;
  let stopped = false;
  const pending: Buffer[] = [];
  let size: [number, number] | undefined;
  const resize = (w: number, h: number): void => {
    size = [w, h];
    if (execId) void engineJson('POST', `/exec/${execId}/resize?h=${h}&w=${w}`).catch(() => undefined);
  };
  const fail = (message: string): void => {
    out(Buffer.from(`${message}\r\n`));
    finish(126);
  };
  void (async () => {
    const created = await engineJson('POST', `/containers/${id}/exec`, { AttachStdin: stdin, AttachStdout: true, AttachStderr: true, Tty: true, Cmd: command });
    if (created.status !== 201) return fail(String(created.json.message ?? `exec failed (${created.status})`));
    execId = String(created.json.Id);
    if (stopped) return;
    const body = JSON.stringify({ Detach: false, Tty: true });
    const req = request({ ...engine(), method: 'POST', path: `/exec/${execId}/start`, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'Upgrade', Upgrade: 'tcp' } });
    req.on('upgrade', async (_res, socket: Duplex, head: Buffer) => {
      if (head.length) out(head);
      socket.on('data', out);
      socket.on('error', () => undefined);
      socket.on('close', async () => {
        const inspected = await engineJson('GET', `/exec/${execId}/json`).catch(() => ({ status: 0, json: {} as Obj }));
        finish(typeof inspected.json.ExitCode === 'number' ? inspected.json.ExitCode : 137);
      });
      // The size first, then what was typed meanwhile: a command sent with the terminal sees its size.
      if (size) await engineJson('POST', `/exec/${execId}/resize?h=${size[1]}&w=${size[0]}`).catch(() => undefined);
      for (const p of pending.splice(0)) socket.write(p);
      stream = socket;
      if (stopped) socket.destroy();
    });
    req.on('response', (res) => {
      res.resume();
      fail(`exec failed: the engine answered ${res.statusCode}`);
    });
    req.on('error', (e) => fail(`exec failed: ${e.message}`));
    req.end(body);
  })().catch((e: unknown) => fail(`exec failed: ${(e as Error).message}`));
  return {
    write: (d) => (stream ? stream.write(d) : pending.push(Buffer.from(d))),
    endInput: () => stream?.end(),
    resize,
    stop: () => {
      stopped = true;
      stream?.destroy();
    },
  };
}
