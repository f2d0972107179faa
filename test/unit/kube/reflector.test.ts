// The list+watch cache against a scripted fake API server: resume after a watch ends,
// re-list after 410 Gone, keep retrying while the server is away.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeHttp } from '../../../src/core/kube/http.ts';
import { Reflector, type KubeObject, type ReflectorState } from '../../../src/core/kube/reflector.ts';
import { pollUntil } from '../../lib/poll.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

async function fakeApi(handler: Handler): Promise<{ server: http.Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${url.pathname}?${url.searchParams.toString()}`);
    handler(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function kubeHttp(server: string): KubeHttp {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return new KubeHttp(kc);
}

const pod = (name: string, rv: string, phase = 'Running'): KubeObject & { status: { phase: string } } => ({
  metadata: { name, namespace: 'default', resourceVersion: rv, uid: name },
  status: { phase },
});

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  await pollUntil('the reflector', predicate, (v) => v, { timeoutMs, intervalMs: 10 });
}

test('lists, applies watch events, resumes from the last resourceVersion, re-lists after 410', async () => {
  let watches = 0;
  let lists = 0;
  const { server, url, requests } = await fakeApi((_req, res, u) => {
    res.setHeader('Content-Type', 'application/json');
    if (u.searchParams.get('watch') !== '1') {
      lists++;
      const items = lists === 1 ? [pod('a', '10')] : [pod('a', '30'), pod('c', '31')];
      res.end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: lists === 1 ? '10' : '31' }, items }));
      return;
    }
    watches++;
    if (watches === 1) {
      // Two events, then the server closes the watch (as its timeoutSeconds would).
      res.write(`${JSON.stringify({ type: 'ADDED', object: pod('b', '11', 'Pending') })}\n`);
      res.write(`${JSON.stringify({ type: 'MODIFIED', object: pod('b', '12', 'Running') })}\n`);
      res.end();
    } else if (watches === 2) {
      res.write(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 12 (25)' } })}\n`);
      res.end();
    } else {
      // Stay open and quiet.
    }
  });
  const changes: Array<{ keys: string[]; reset: boolean }> = [];
  const reflector = new Reflector<KubeObject>(kubeHttp(url), {
    path: '/api/v1/pods',
    batchMs: 5,
    onChange: (keys, reset) => changes.push({ keys: [...keys], reset }),
  });
  reflector.start();
  try {
    // Wait for the third watch only: what happened before it is what this test asserts.
    await waitFor(() => watches >= 3);
    assert.deepEqual(reflector.list().map((p) => p.metadata?.name).sort(), ['a', 'c']);
    const watchQueries = requests.filter((r) => r.includes('watch=1'));
    assert.match(watchQueries[0], /resourceVersion=10/);
    assert.match(watchQueries[1], /resourceVersion=12/, 'the second watch resumes after the last event');
    assert.match(watchQueries[2], /resourceVersion=31/, 'after the re-list, the watch starts from the list');
    assert.ok(changes.some((c) => c.keys.includes('default/b')), 'b was reported as changed');
    assert.equal(lists, 2, 'the 410 made the reflector list again');
    assert.ok(changes.some((c) => c.reset), 'a list is reported as a reset of the cache');
    assert.match(watchQueries[0], /allowWatchBookmarks=true/);
  } finally {
    reflector.stop();
    server.closeAllConnections();
    server.close();
  }
});

test('a server that is away: error state with a retry delay, then it syncs when the server answers', async () => {
  let up = false;
  const { server, url } = await fakeApi((_req, res, u) => {
    if (!up) {
      res.statusCode = 503;
      res.end(JSON.stringify({ kind: 'Status', code: 503, message: 'the server is currently unable to handle the request' }));
      return;
    }
    if (u.searchParams.get('watch') === '1') return; // keep open
    res.end(JSON.stringify({ metadata: { resourceVersion: '5' }, items: [pod('a', '5')] }));
  });
  const states: ReflectorState[] = [];
  const reflector = new Reflector<KubeObject>(kubeHttp(url), { path: '/api/v1/pods', onChange: () => undefined, onState: (s) => states.push(s) });
  reflector.start();
  try {
    await waitFor(() => states.some((s) => s.kind === 'error'));
    const error = states.find((s) => s.kind === 'error');
    assert.ok(error?.kind === 'error' && /unable to handle/.test(error.error.message) && error.retryInMs > 0);
    up = true;
    await waitFor(() => reflector.hasSynced, 5000);
    assert.deepEqual(reflector.list().map((p) => p.metadata?.name), ['a']);
  } finally {
    reflector.stop();
    server.closeAllConnections();
    server.close();
  }
});

test('a watch that resumes after a failure reports the reflector healthy again once it is back', async () => {
  let watches = 0;
  const { server, url } = await fakeApi((_req, res, u) => {
    res.setHeader('Content-Type', 'application/json');
    if (u.searchParams.get('watch') !== '1') {
      res.end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '10' }, items: [pod('a', '10')] }));
      return;
    }
    watches++;
    if (watches === 1) {
      res.statusCode = 503;
      res.end(JSON.stringify({ kind: 'Status', code: 503, message: 'the server is currently unable to handle the request' }));
      return;
    }
    // Back: one event, then stay open.
    res.write(`${JSON.stringify({ type: 'ADDED', object: pod('b', '11') })}\n`);
  });
  const states: ReflectorState[] = [];
  const reflector = new Reflector<KubeObject>(kubeHttp(url), { path: '/api/v1/pods', batchMs: 5, onChange: () => undefined, onState: (s) => states.push(s) });
  reflector.start();
  try {
    // Data flows again after the failed watch.
    await waitFor(() => reflector.get('default/b') !== undefined);
    assert.deepEqual(
      states.map((s) => s.kind),
      ['syncing', 'synced', 'error', 'synced'],
      'after the error, the resumed watch says the reflector is synced again (the tree stops saying "Reconnecting")',
    );
    assert.equal(watches, 2, 'resumed without listing again');
  } finally {
    reflector.stop();
    server.closeAllConnections();
    server.close();
  }
});

test('a change after a quiet moment is handed on at once; changes within one batch interval of it wait and go together', async () => {
  let watch: http.ServerResponse | undefined;
  const { server, url } = await fakeApi((_req, res, u) => {
    res.setHeader('Content-Type', 'application/json');
    if (u.searchParams.get('watch') !== '1') {
      res.end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '10' }, items: [pod('a', '10')] }));
      return;
    }
    res.writeHead(200);
    res.flushHeaders();
    watch = res;
  });
  const changes: Array<{ keys: string[]; reset: boolean }> = [];
  // A batch interval no test run reaches: whatever arrives within it after a batch must wait.
  const reflector = new Reflector<KubeObject>(kubeHttp(url), { path: '/api/v1/pods', batchMs: 600_000, onChange: (keys, reset) => changes.push({ keys: [...keys], reset }) });
  reflector.start();
  try {
    await waitFor(() => changes.length === 1 && watch !== undefined);
    assert.deepEqual(changes, [{ keys: [], reset: true }], 'the first list is handed on without waiting for the batch interval');
    watch?.write(`${JSON.stringify({ type: 'ADDED', object: pod('b', '11') })}\n`);
    watch?.write(`${JSON.stringify({ type: 'ADDED', object: pod('c', '12') })}\n`);
    await waitFor(() => reflector.get('default/c') !== undefined);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(changes.length, 1, 'changes right after a batch wait for the end of its interval');
  } finally {
    reflector.stop();
    server.closeAllConnections();
    server.close();
  }
});
