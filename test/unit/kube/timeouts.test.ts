// An API server that accepts the connection and then says nothing (or starts an answer and
// stalls) must not make anything wait forever: every request ends with a message saying what
// happened, and a cancelled operation ends its requests at once. Loopback only.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { KubeConfig } from '@kubernetes/client-node';
import { Discovery } from '../../../src/core/kube/discovery.ts';
import { explain } from '../../../src/core/kube/explain.ts';
import { KubeHttp, setDefaultRequestTimeouts, type RequestTimeouts } from '../../../src/core/kube/http.ts';
import { PodLogError, streamPodLog } from '../../../src/core/kube/podLogs.ts';
import { followPodLog, type FollowEvent } from '../../../src/core/logs/follower.ts';
import { coreV1Pods } from '../../../src/core/kube/pods.ts';
import { selfSigned } from '../logs/fakeApi.ts';

const SHORT: RequestTimeouts = { connectMs: 2_000, idleMs: 300 };
const closers: Array<() => void> = [];
after(() => closers.forEach((close) => close()));

// What k3d.requestTimeout sets for the connections the log follower makes itself.
setDefaultRequestTimeouts(SHORT);

function kubeHttp(server: string, timeouts: RequestTimeouts = SHORT): KubeHttp {
  return new KubeHttp(kubeConfig(server), { timeouts });
}

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

/** Accepts TCP connections and never sends a byte (nor a TLS handshake). */
async function silentServer(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

/** Answers 200 with headers and the start of a body, then stalls. */
async function stallingServer(): Promise<number> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"kind":"APIResourceList","resources":[');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

test('a server that accepts and sends nothing: the request ends and says so (http and https)', async () => {
  const { port } = await silentServer();
  for (const scheme of ['http', 'https']) {
    const server = `${scheme}://127.0.0.1:${port}`;
    await assert.rejects(kubeHttp(server).json('/version'), (e: Error) => {
      assert.equal(e.message, `The API server at ${server} accepted the connection but sent nothing for 0.3 s.`);
      return true;
    });
  }
});

test('a server that sends the headers and then stalls: json, and a watch stream, end with a message', async () => {
  const port = await stallingServer();
  const api = kubeHttp(`http://127.0.0.1:${port}`);
  await assert.rejects(api.json('/api/v1'), /The API server at http:\/\/127\.0\.0\.1:\d+ stopped sending in the middle of its answer: nothing for 0\.3 s\./);
  const lines: string[] = [];
  await assert.rejects(
    api.lines('/api/v1/pods', { query: { watch: 1 }, idleTimeoutMs: 400 }, (l) => lines.push(l)),
    /stopped sending in the middle of its answer: nothing for 0\.4 s/,
  );
});

test('a refused connection says it was refused, not that the server is silent', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  await assert.rejects(kubeHttp(`https://127.0.0.1:${port}`).json('/version'), (e: Error) => {
    assert.match(e.message, /^The API server at https:\/\/127\.0\.0\.1:\d+ refused the connection: nothing listens on that port \(ECONNREFUSED\)\.$/);
    return true;
  });
});

test('discovery and Explain against a silent server end with the reason', async () => {
  const { port } = await silentServer();
  const api = kubeHttp(`http://127.0.0.1:${port}`);
  await assert.rejects(new Discovery(api).find('apps/v1', 'Deployment'), /accepted the connection but sent nothing for 0\.3 s/);
  await assert.rejects(explain(api, 'deployment.spec'), /accepted the connection but sent nothing for 0\.3 s/);
});

test('cancelling ends every request of the cancelled operation at once, silent server or not', async () => {
  const { port, connections } = await silentServer();
  // Long timeouts: only the cancel can end these requests.
  const api = kubeHttp(`http://127.0.0.1:${port}`, { connectMs: 60_000, idleMs: 60_000 });
  const cancel = new AbortController();
  const operation = api.withSignal(cancel.signal);
  const pending = [operation.json('/version'), new Discovery(operation).find('v1', 'Pod'), operation.lines('/api/v1/pods', { query: { watch: 1 } }, () => undefined)];
  const settled = Promise.allSettled(pending);
  while (connections() < 3) await new Promise((r) => setTimeout(r, 10));
  cancel.abort();
  const outcomes = await settled;
  for (const outcome of outcomes) {
    assert.equal(outcome.status, 'rejected');
    assert.equal((outcome as PromiseRejectedResult).reason?.message, 'Cancelled.');
  }
  // The connection itself is not cancelled: its other users go on.
  const other = new AbortController();
  const stillWaiting = api.json('/version', { signal: other.signal });
  while (connections() < 4) await new Promise((r) => setTimeout(r, 10));
  other.abort();
  await assert.rejects(stillWaiting, (e: Error) => e.message === 'Cancelled.');
});

test('the log stream: a silent server ends the request with the reason; a stalled log that is not followed ends too', async () => {
  const { port } = await silentServer();
  const silent = kubeConfig(`https://127.0.0.1:${port}`);
  await assert.rejects(streamPodLog(silent, { namespace: 'default', pod: 'p', follow: true, onLine: () => undefined }), (e: Error) => {
    assert.ok(e instanceof PodLogError && e.reason === 'unreachable');
    assert.match(e.message, /accepted the connection but sent nothing for 0\.3 s/);
    return true;
  });
  const stalled = kubeConfig(`http://127.0.0.1:${await stallingServer()}`);
  await assert.rejects(streamPodLog(stalled, { namespace: 'default', pod: 'p', previous: true, onLine: () => undefined }), (e: Error) => {
    assert.ok(e instanceof PodLogError && e.reason === 'dropped');
    assert.match(e.message, /stopped sending in the middle of its answer/);
    return true;
  });
});

test('Follow Logs against a silent server says why it reconnects, and stops when asked', async () => {
  const { port } = await silentServer();
  const kc = kubeConfig(`https://127.0.0.1:${port}`);
  const events: FollowEvent[] = [];
  const stop = new AbortController();
  const done = followPodLog(kc, { namespace: 'default', pod: 'p', pods: await coreV1Pods(kc), signal: stop.signal, backoffMs: 10, maxBackoffMs: 20, onEvent: (e) => events.push(e) });
  while (!events.some((e) => e.type === 'reconnecting')) await new Promise((r) => setTimeout(r, 20));
  stop.abort();
  const end = await done;
  assert.equal(end.reason, 'stopped');
  const first = events.find((e) => e.type === 'reconnecting');
  assert.match(first?.type === 'reconnecting' ? first.message : '', /The API server at https:\/\/127\.0\.0\.1:\d+ accepted the connection but sent nothing for 0\.3 s/);
});

test('a quiet watch is not a silent server: after the TLS handshake it may hold its headers until it has an event', async () => {
  // Like the API servers that send a watch's headers with its first event.
  let answer: (() => void) | undefined;
  const server = https.createServer(selfSigned(), (_req, res) => {
    answer = () => res.end(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const api = kubeHttp(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const lines: string[] = [];
  let failed: unknown;
  const watch = api.lines('/api/v1/pods', { query: { watch: 1 }, idleTimeoutMs: 60_000 }, (l) => lines.push(l)).catch((e: unknown) => (failed = e));
  while (!answer) await new Promise((r) => setTimeout(r, 10));
  // Three times the request timeout of silence: a plain request would have failed by now.
  await new Promise((r) => setTimeout(r, 3 * SHORT.idleMs));
  assert.equal(failed, undefined, 'the watch is still waiting');
  answer();
  await watch;
  assert.equal(failed, undefined);
  assert.equal(lines.length, 1);
});

/**
 * A port whose accept queue is full, so the kernel drops new connection attempts (connect()
 * never completes): a listener with a backlog of 1 in a thread that is blocked, and two
 * connections that fill the queue. No process, loopback only.
 */
async function unacceptingPort(): Promise<number> {
  const lock = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       setTimeout(() => Atomics.wait(workerData, 0, 0), 20);
     });`,
    { eval: true, workerData: lock },
  );
  const port = await new Promise<number>((r) => worker.once('message', r));
  await new Promise((r) => setTimeout(r, 100));
  const fillers = [0, 1].map(() => net.connect(port, '127.0.0.1').on('error', () => undefined));
  await Promise.all(fillers.map((f) => new Promise((r) => f.once('connect', r))));
  closers.push(() => {
    fillers.forEach((f) => f.destroy());
    Atomics.store(lock, 0, 1);
    Atomics.notify(lock, 0);
    void worker.terminate();
  });
  return port;
}

test('a server that does not accept the connection: the connect timeout ends the request, with its own message', async () => {
  const port = await unacceptingPort();
  const api = kubeHttp(`https://127.0.0.1:${port}`, { connectMs: 300, idleMs: 60_000 });
  await assert.rejects(api.json('/version'), (e: Error) => {
    assert.equal(e.message, `The API server at https://127.0.0.1:${port} did not accept the connection within 0.3 s: is the address right, and the cluster running?`);
    return true;
  });
});
