// Issue 19's port-forward: the simulator serves portforward for pods that run as real Docker containers (reached
// inside the container's network namespace with nsenter, as the kubelet does), judged by client-node's PortForward
// with a real HTTP client over it, and by the real `kubectl port-forward` (WebSocket-tunnelled SPDY and plain SPDY).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import { requireDocker } from '../../lib/docker.ts';
import { ensureBaseImage } from '../../lib/images.ts';
import { httpGet } from '../../lib/http.ts';
import { pollUntil } from '../../lib/poll.ts';
import { connectContext } from '../../../src/core/kube/connect.ts';
import { PortForwarder } from '../../../src/core/kube/portForward.ts';
import { KUBECTL, simWorkspace } from './test/harness.ts';

/** A local listener whose every connection is forwarded with client-node's PortForward to the pod's port. */
function clientNodeForward(kc: KubeConfig, ns: string, pod: string, port: number, errors: string[]): Promise<Server> {
  const pf = new PortForward(kc, true);
  const server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    const err = { write: (b: Buffer) => { errors.push(b.toString('utf8')); return true; } };
    pf.portForward(ns, pod, [port], socket, err as unknown as Socket, socket).then(
      (ws) => {
        const w = ws as { on?: (e: string, f: () => void) => void; close?: () => void };
        w.on?.('close', () => socket.end());
        socket.on('close', () => w.close?.());
      },
      (e: Error) => {
        errors.push(e.message);
        socket.destroy();
      },
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('port-forward to a real container: client-node\'s PortForward with an HTTP client, the extension\'s client, kubectl port-forward (WebSocket tunnel and SPDY), a refused port, a simulated pod', { timeout: 240_000 }, async (t) => {
  await requireDocker();
  const suffix = randomBytes(3).toString('hex');
  const cluster = `pf${suffix}`;
  const { env, run, k3d } = simWorkspace(t, 'pf', cluster);
  const servers: Server[] = [];
  t.after(async () => {
    for (const s of servers) s.close();
  });

  const image = await ensureBaseImage();
  assert.equal((await k3d('cluster', 'create', cluster)).code, 0);
  assert.equal((await k3d('image', 'import', image, '-c', cluster)).code, 0);
  const page = `page-${suffix}`;
  const ran = await run(KUBECTL, ['run', 'web', `--image=${image}`, '--image-pull-policy=IfNotPresent', '--port=8080', '--command', '--',
    'sh', '-c', `mkdir -p /tmp/w && echo ${page} > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w`]);
  assert.equal(ran.code, 0, ran.err);
  assert.equal((await run(KUBECTL, ['run', 'fake', '--image=nginx:1.27'])).code, 0);
  await pollUntil('the pods to run', async () => (await run(KUBECTL, ['get', 'pods'])).out, (out) => /^web\s+1\/1\s+Running/m.test(out) && /^fake\s+1\/1\s+Running/m.test(out), { timeoutMs: 60_000, intervalMs: 200 });

  // client-node's PortForward (WebSocket, v4.channel.k8s.io) under a real HTTP client; two requests, two connections.
  const kc = new KubeConfig();
  kc.loadFromFile(env.KUBECONFIG!);
  const errors: string[] = [];
  const local = await clientNodeForward(kc, 'default', 'web', 8080, errors);
  servers.push(local);
  const localPort = (local.address() as AddressInfo).port;
  // httpd may still be starting when the pod shows Running.
  const first = await pollUntil('the page through the forward', () => httpGet(localPort).catch((e: Error) => ({ status: 0, body: e.message })), (r) => r.status === 200, { timeoutMs: 30_000, intervalMs: 300 });
  assert.equal(first.body.trim(), page);
  assert.deepEqual(await httpGet(localPort), { status: 200, body: `${page}\n` });

  // Nothing listens on 9999 inside the pod: the error channel says so and the local connection ends.
  const refusedErrors: string[] = [];
  const refused = await clientNodeForward(kc, 'default', 'web', 9999, refusedErrors);
  servers.push(refused);
  await assert.rejects(httpGet((refused.address() as AddressInfo).port));
  await pollUntil('the error channel', () => refusedErrors.join(''), (e) => /connection refused/.test(e), { timeoutMs: 10_000, intervalMs: 100 });
  assert.match(refusedErrors.join(''), /error forwarding port 9999 to pod web.*127\.0\.0\.1:9999: connect: connection refused/);

  // A pod whose containers are simulated programs has no network namespace to enter: the upgrade is refused with why.
  const fakeErrors: string[] = [];
  const fake = await clientNodeForward(kc, 'default', 'fake', 80, fakeErrors);
  servers.push(fake);
  await assert.rejects(httpGet((fake.address() as AddressInfo).port));
  await pollUntil('the refusal', () => fakeErrors.join(''), (e) => e.length > 0, { timeoutMs: 10_000, intervalMs: 100 });

  // The extension's client: a local listener, one WebSocket per connection.
  const http = await connectContext(`k3d-${cluster}`, [env.KUBECONFIG!]);
  const extErrors: string[] = [];
  for (const remotePort of [8080, 9999]) {
    const forwarder = new PortForwarder({ http: async () => http, namespace: 'default', remotePort, pod: () => 'web', onError: (m) => extErrors.push(m) });
    const { port } = await forwarder.start(0);
    t.after(() => forwarder.stop());
    if (remotePort === 8080) {
      assert.deepEqual(await httpGet(port), { status: 200, body: `${page}\n` });
      assert.deepEqual(await httpGet(port), { status: 200, body: `${page}\n` });
      assert.equal(forwarder.total, 2);
      assert.deepEqual(extErrors, []);
    } else {
      await assert.rejects(httpGet(port));
      await pollUntil('the refusal', () => extErrors.join(''), (e) => e.length > 0, { timeoutMs: 10_000, intervalMs: 100 });
      assert.match(extErrors[0]!, /error forwarding port 9999 to pod web.*connect: connection refused/);
    }
  }

  // The real kubectl port-forward: by default SPDY tunnelled in a WebSocket (-v=4 logs the negotiated tunnel, and
  // a fallback to the plain SPDY upgrade, which must not happen), and with KUBECTL_PORT_FORWARD_WEBSOCKETS=false
  // (kubectl 1.31's switch) the plain SPDY upgrade.
  const kubectl = async (extraEnv: NodeJS.ProcessEnv, remote: number) => {
    const p = spawn(KUBECTL, ['port-forward', '-v=4', 'pod/web', `:${remote}`], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    const io = { out: '', err: '' };
    p.stdout.setEncoding('utf8').on('data', (d: string) => { io.out += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { io.err += d; });
    t.after(() => p.kill());
    const said = await pollUntil('kubectl to listen', () => io.out + io.err, (o) => /Forwarding from 127\.0\.0\.1:\d+/.test(o) || p.exitCode !== null, { timeoutMs: 30_000, intervalMs: 100 });
    const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(said)?.[1]);
    assert.ok(port > 0, said);
    return { port, io, stop: () => p.kill() };
  };
  for (const [how, extraEnv] of [['WebSocket tunnel', {}], ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }]] as const) {
    const k = await kubectl(extraEnv, 8080);
    assert.deepEqual(await httpGet(k.port), { status: 200, body: `${page}\n` }, how);
    assert.deepEqual(await httpGet(k.port), { status: 200, body: `${page}\n` }, how);
    assert.equal(k.io.out.match(/Handling connection for \d+/g)?.length, 2, `${how}: ${k.io.out}`);
    if (how === 'WebSocket tunnel') {
      assert.match(k.io.err, /negotiated protocol: portforward\.k8s\.io/, k.io.err);
      assert.doesNotMatch(k.io.err, /fallback to secondary dialer/, k.io.err);
    } else assert.doesNotMatch(k.io.err, /WebSocket Upgrade/, k.io.err);
    assert.doesNotMatch(k.io.err, /^error|an error occurred/m, `${how}: ${k.io.err}`);
    k.stop();
  }
  // Nothing listens on 9999: kubectl reports the kubelet-like message from the error stream and goes on listening.
  const k = await kubectl({}, 9999);
  await assert.rejects(httpGet(k.port));
  const said = await pollUntil('kubectl to report the refusal', () => k.io.err, (e) => /an error occurred forwarding/.test(e), { timeoutMs: 15_000, intervalMs: 100 });
  assert.match(said, /an error occurred forwarding \d+ -> 9999: error forwarding port 9999 to pod web, uid [0-9a-f-]+: .*127\.0\.0\.1:9999: connect: connection refused/);
  k.stop();
});
