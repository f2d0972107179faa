// The port-forward client (src/core/kube/portForward.ts) against a local WebSocket server that plays the API
// server's portforward endpoint (v4.channel.k8s.io: data on channel 0, errors on 1, each starting with the port),
// and the pure choices: which pod a deployment's forward reaches, which port a service's forward targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { KubeConfig, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { WebSocketServer, type WebSocket } from 'ws';
import { KubeHttp } from '../../../src/core/kube/http.ts';
import { listenLocal, pickPod, podNotForwardable, portForwardPath, PortForwarder, serviceTargetPort, containerPorts } from '../../../src/core/kube/portForward.ts';

const portPrefix = (channel: number, port: number): Buffer => {
  const b = Buffer.alloc(3);
  b[0] = channel;
  b.writeUInt16LE(port, 1);
  return b;
};

/** Answers every portforward upgrade with `script`; records the URLs and the subprotocol chosen. */
async function fakeApiServer(script: (ws: WebSocket, url: URL) => void) {
  const seen: { url: string; protocol: string }[] = [];
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.includes('/pods/gone/')) {
      const body = JSON.stringify({ kind: 'Status', status: 'Failure', message: 'pods "gone" not found', reason: 'NotFound', code: 404 });
      socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      seen.push({ url: req.url ?? '', protocol: ws.protocol });
      script(ws, url);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return { http: new KubeHttp(kc), seen, close: () => new Promise((r) => { wss.close(); server.closeAllConnections(); server.close(r); }) };
}

/** Sends `text` through a local port and reads until the far side closes (or resets: a failed forward). */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => { got += d; });
    s.on('close', () => resolve(got));
    s.on('error', () => undefined);
  });
}

/** The failures reported so far, once there are `n` of them. */
async function reported(errors: string[], n: number): Promise<string> {
  for (let i = 0; i < 200 && errors.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(errors.length, n, errors.join(' | '));
  return errors[n - 1]!;
}

test('a forwarded connection: the port prefixes are dropped, bytes go both ways, each connection reaches the pod asked for then', async (t) => {
  // An echo "pod": answers each data frame upper-cased with the pod's name, then closes.
  const api = await fakeApiServer((ws, url) => {
    const port = Number(url.searchParams.get('ports'));
    ws.send(portPrefix(0, port));
    ws.send(portPrefix(1, port));
    ws.on('message', (d: Buffer) => {
      if (d[0] !== 0) return;
      const pod = url.pathname.split('/')[6];
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(`${pod}:${d.subarray(1).toString().toUpperCase()}`)]));
      ws.close(1000);
    });
  });
  t.after(api.close);
  let pod = 'web-1';
  const connected: string[] = [];
  const forwarder = new PortForwarder({ http: async () => api.http, namespace: 'default', remotePort: 8080, pod: () => pod, onConnection: (p) => connected.push(p) });
  const { port } = await forwarder.start(0);
  t.after(() => forwarder.stop());
  assert.equal(await exchange(port, 'hello'), 'web-1:HELLO');
  pod = 'web-2'; // a rollout replaced the pod: the next connection follows
  assert.equal(await exchange(port, 'again'), 'web-2:AGAIN');
  assert.deepEqual(connected, ['web-1', 'web-2']);
  assert.deepEqual(api.seen.map((s) => s.protocol), ['v4.channel.k8s.io', 'v4.channel.k8s.io']);
  assert.equal(api.seen[0]!.url, portForwardPath('default', 'web-1', 8080));
  assert.equal(forwarder.total, 2);
});

test('failures say why: the error channel (refused inside the pod), a refused upgrade (no such pod), no pod to go to', async (t) => {
  const api = await fakeApiServer((ws) => {
    ws.send(portPrefix(0, 9999));
    ws.send(portPrefix(1, 9999));
    ws.send(Buffer.concat([Buffer.from([1]), Buffer.from('error forwarding port 9999 to pod web-1: dial tcp4 127.0.0.1:9999: connect: connection refused')]));
    ws.close(1000);
  });
  t.after(api.close);
  let pod: () => string = () => 'web-1';
  const errors: string[] = [];
  const forwarder = new PortForwarder({ http: async () => api.http, namespace: 'default', remotePort: 9999, pod: () => pod(), onError: (m) => errors.push(m) });
  const { port } = await forwarder.start(0);
  t.after(() => forwarder.stop());
  assert.equal(await exchange(port, 'x'), '');
  assert.match(await reported(errors, 1), /9999: connect: connection refused/);
  pod = () => 'gone';
  assert.equal(await exchange(port, 'x'), '');
  assert.match(await reported(errors, 2), /pods "gone" not found/);
  pod = () => {
    throw new Error('No running pod of deployment web to forward to.');
  };
  assert.equal(await exchange(port, 'x'), '');
  assert.match(await reported(errors, 3), /No running pod of deployment web/);
});

test('the local port is the one asked for, or another free one with the reason when it is taken', async (t) => {
  const busy: Server = createTcpServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => busy.close());
  const taken = (busy.address() as AddressInfo).port;
  const other = await listenLocal(taken, (s) => s.destroy());
  t.after(() => other.server.close());
  assert.notEqual(other.port, taken);
  assert.equal(other.taken, `port ${taken} is in use on this machine`);
  other.server.close();
  const free = other.port;
  await new Promise((r) => setTimeout(r, 10));
  const same = await listenLocal(free, (s) => s.destroy());
  t.after(() => same.server.close());
  assert.equal(same.port, free);
  assert.equal(same.taken, undefined);
});

const pod = (name: string, opts: { labels?: Record<string, string>; phase?: string; ready?: boolean; created?: string; deleting?: boolean; ns?: string } = {}): V1Pod => ({
  metadata: { name, namespace: opts.ns ?? 'default', labels: opts.labels ?? { app: 'web' }, creationTimestamp: new Date(opts.created ?? '2026-11-29T10:00:00Z'), ...(opts.deleting ? { deletionTimestamp: new Date() } : {}) },
  spec: { containers: [{ name: 'app', ports: [{ containerPort: 8080, name: 'http' }] }] },
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});

test("a deployment's forward goes to its newest ready running pod (the new one after a rollout), never a deleting one", () => {
  const old = pod('web-old', { created: '2026-11-29T10:00:00Z' });
  const fresh = pod('web-new', { created: '2026-11-29T11:00:00Z' });
  assert.equal(pickPod([old, fresh], 'default', { app: 'web' })?.metadata?.name, 'web-new');
  // The new pod is not ready yet: the old one still serves.
  assert.equal(pickPod([old, pod('web-new', { created: '2026-11-29T11:00:00Z', ready: false })], 'default', { app: 'web' })?.metadata?.name, 'web-old');
  assert.equal(pickPod([pod('web-old', { deleting: true }), fresh], 'default', { app: 'web' })?.metadata?.name, 'web-new');
  assert.equal(pickPod([pod('p', { phase: 'Pending' }), pod('q', { labels: { app: 'db' } }), pod('r', { ns: 'other' })], 'default', { app: 'web' }), undefined);
  assert.equal(pickPod([fresh], 'default', {}), undefined);
});

test('why a pod cannot take a forward, and the ports its containers declare', () => {
  assert.equal(podNotForwardable(pod('a'), 'a'), undefined);
  const waiting = pod('b', { phase: 'Pending' });
  waiting.status!.containerStatuses = [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }];
  assert.equal(podNotForwardable(waiting, 'b'), 'Pod b is not running (Pending: ImagePullBackOff).');
  assert.equal(podNotForwardable(undefined, 'c'), 'Pod c no longer exists.');
  assert.deepEqual(containerPorts([{ name: 'app', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 53, protocol: 'UDP' }] }]), [{ port: 8080, label: 'http, container app' }]);
});

test("a service's port targets a container port by number or by name, as kubectl port-forward svc/NAME resolves it", () => {
  const svc: V1Service = { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' as unknown as never }, { port: 81, targetPort: 9090 as unknown as never }, { port: 82 }] } };
  assert.equal(serviceTargetPort(svc, 80, pod('web-1')), 8080);
  assert.equal(serviceTargetPort(svc, 81, pod('web-1')), 9090);
  assert.equal(serviceTargetPort(svc, 82, pod('web-1')), 82);
  assert.throws(() => serviceTargetPort(svc, 83, pod('web-1')), /has no port 83/);
  const unnamed = pod('web-2');
  unnamed.spec!.containers[0]!.ports = [{ containerPort: 8080 }];
  assert.throws(() => serviceTargetPort(svc, 80, unnamed), /targets the port named "http", which no container of web-2 declares/);
});
