// A followed log against API servers that go quiet: one that completes the TLS handshake and never
// sends the answer's headers must not hold the follower forever (it gives up after the request
// timeout, says so, retries with backoff and stops when asked); one whose answer started and then
// has nothing to say is a quiet pod, followed for as long as it stays quiet, as `kubectl logs -f`.
import assert from 'node:assert/strict';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { setDefaultRequestTimeouts, type RequestTimeouts } from '../../../src/core/kube/http.ts';
import { PodLogError, streamPodLog } from '../../../src/core/kube/podLogs.ts';
import { formatFollowEvent } from '../../../src/core/logs/channelText.ts';
import { followPodLog, type FollowEvent } from '../../../src/core/logs/follower.ts';
import { selfSigned, stamp } from './fakeApi.ts';

// What k3d.requestTimeout sets; short, so that the silence below is many times longer.
const TIMEOUTS: RequestTimeouts = { connectMs: 5_000, idleMs: 300 };
setDefaultRequestTimeouts(TIMEOUTS);

const closers: Array<() => void> = [];
after(() => closers.forEach((close) => close()));

/** An HTTPS server on loopback; `handle` gets every request. Counts the log requests it gets. */
async function tlsServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ kc: KubeConfig; server: string; requests: () => number; open: () => number }> {
  let requests = 0;
  const open = new Set<ServerResponse>();
  const server = https.createServer(selfSigned(), (req, res) => {
    requests++;
    open.add(res);
    res.on('close', () => open.delete(res));
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return { kc, server: url, requests: () => requests, open: () => open.size };
}

/** A running pod, as the follower's pod lookup sees it (the log request is the only one to the server). */
const runningPod: V1Pod = {
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'app', image: 'app:1', imageID: '', ready: true, restartCount: 0, containerID: 'containerd://c1', state: { running: {} } }] },
};
const pods = { getPod: () => Promise.resolve(runningPod) };

/** Waits until `check` holds; fails with `what` after a generous 15 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a server that completes TLS and never sends the headers: the follower gives up after the request timeout, says so, retries with backoff, and stops', { timeout: 30_000 }, async () => {
  // Takes the request and never answers: no status line, no headers.
  const api = await tlsServer(() => undefined);
  await assert.rejects(streamPodLog(api.kc, { namespace: 'default', pod: 'p', container: 'app', follow: true, onLine: () => undefined }), (e: unknown) => {
    assert.ok(e instanceof PodLogError, String(e));
    assert.equal(e.reason, 'unreachable');
    assert.equal(e.message, `The API server at ${api.server} accepted the connection but did not answer for 0.3 s.`);
    return true;
  });

  const events: FollowEvent[] = [];
  const channel: string[] = [];
  const stop = new AbortController();
  const done = followPodLog(api.kc, {
    namespace: 'default',
    pod: 'p',
    pods,
    signal: stop.signal,
    backoffMs: 50,
    maxBackoffMs: 100,
    onEvent: (e) => {
      events.push(e);
      const line = formatFollowEvent(e);
      if (line !== undefined) channel.push(line);
    },
  });
  const retries = () => events.filter((e): e is Extract<FollowEvent, { type: 'reconnecting' }> => e.type === 'reconnecting');
  await until('three tries, each given up', () => retries().length >= 3);
  assert.deepEqual(retries().slice(0, 3).map((e) => [e.attempt, e.delayMs]), [[1, 50], [2, 100], [3, 100]]);
  assert.ok(api.requests() >= 4, `one request per try (${api.requests()})`); // the first one above, then one per try
  assert.equal(channel[0], `--- The API server at ${api.server} accepted the connection but did not answer for 0.3 s; reconnecting in 50 ms (attempt 1) ---`);
  assert.ok(!events.some((e) => e.type === 'following' || e.type === 'line'), 'nothing was followed');
  stop.abort();
  const end = await done;
  assert.equal(end.reason, 'stopped');
  assert.equal(channel.at(-1), '--- stopped following ---');
  await until('the server sees every log connection close', () => api.open() === 0);
});

test('a followed log whose answer started and then stays quiet is not cut: the next line comes through on the same request', { timeout: 30_000 }, async () => {
  let write: ((text: string) => void) | undefined;
  const api = await tlsServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    write = (text) => res.write(`${stamp(Date.UTC(2025, 0, 1, 12))} ${text}\n`);
  });
  const events: FollowEvent[] = [];
  const stop = new AbortController();
  const done = followPodLog(api.kc, { namespace: 'default', pod: 'p', pods, signal: stop.signal, backoffMs: 50, onEvent: (e) => events.push(e) });
  await until('the answer started', () => events.some((e) => e.type === 'following'));
  // Many times the request timeout of silence: a plain request would have ended long ago.
  await new Promise((r) => setTimeout(r, 5 * TIMEOUTS.idleMs));
  write?.('still here');
  await until('the line after the silence', () => events.some((e) => e.type === 'line'));
  const line = events.find((e) => e.type === 'line');
  assert.equal(line?.type === 'line' ? line.text : '', 'still here');
  assert.deepEqual(events.filter((e) => e.type === 'reconnecting'), []);
  assert.equal(api.requests(), 1, 'one request, never re-opened');
  stop.abort();
  assert.equal((await done).reason, 'stopped');
  await until('the server sees the log connection close', () => api.open() === 0);
});
