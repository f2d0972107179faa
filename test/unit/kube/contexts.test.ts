// The live-state service (core/kube/contexts.ts) against fake API servers that count the watches
// held open on them: shared caches are reference-counted, a context switch and a stopped cluster
// close the old context's watches, and a re-created cluster is connected again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { KubeContexts, type CacheState } from '../../../src/core/kube/contexts.ts';
import { CurrentContextCache } from '../../../src/core/kube/currentContext.ts';
import type { KubeObject } from '../../../src/core/kube/reflector.ts';
import { fakeServer, kubeconfig, type FakeServer } from '../../lib/fakeKubeApi.ts';
import { pollUntil } from '../../lib/poll.ts';

const pod = (name: string): KubeObject => ({ metadata: { name, namespace: 'default', uid: name, resourceVersion: '1' } });

async function setup(t: { after: (fn: () => unknown) => void }) {
  const a = await fakeServer({ '/api/v1/pods': [pod('a1'), pod('a2')], '/apis/apps/v1/deployments': [] });
  const b = await fakeServer({ '/api/v1/pods': [pod('b1')] });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k3d-contexts-'));
  const file = kubeconfig(dir, { a: a.url, b: b.url }, 'a');
  const contexts = new KubeContexts({ kubeconfigFiles: () => [file], batchMs: 1 });
  t.after(async () => {
    contexts.dispose();
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { a, b, dir, file, contexts };
}

const open = (s: FakeServer, p = '/api/v1/pods') => s.openWatches.get(p) ?? 0;
const until = (what: string, predicate: () => boolean) => pollUntil(what, predicate, (v) => v, { timeoutMs: 5000, intervalMs: 5 });

test('two consumers share one watch; it continues when one releases and stops when the last does', async (t) => {
  const { a, contexts } = await setup(t);
  const seen1: string[] = [];
  const seen2: string[] = [];
  const first = contexts.acquire('a', 'pods', { onChange: (keys) => seen1.push(...keys) });
  const second = contexts.acquire('a', 'pods', { onChange: (keys) => seen2.push(...keys) });
  await until('one watch open on the server', () => open(a) === 1 && first.synced);
  assert.deepEqual(first.list().map((p) => p.metadata?.name).sort(), ['a1', 'a2']);
  assert.equal(second.get('default/a1')?.metadata?.name, 'a1', 'both read the same cache');
  assert.equal(a.lists.filter((p) => p === '/api/v1/pods').length, 1, 'listed once for both consumers');

  first.release();
  first.release(); // twice changes nothing
  a.add('/api/v1/pods', pod('a3'));
  await until('the remaining consumer to see a3', () => seen2.includes('default/a3'));
  assert.equal(open(a), 1, 'the watch continues while someone reads it');
  assert.equal(second.get('default/a3')?.metadata?.name, 'a3');
  assert.ok(!seen1.includes('default/a3'), 'a released consumer is told nothing');
  assert.equal(contexts.activeWatches('a'), 1);

  second.release();
  await until('the server to see the watch closed', () => open(a) === 0);
  assert.equal(contexts.activeWatches('a'), 0);
  assert.equal(second.list().length, 0, 'a released cache reads empty');
});

test('caches of different kinds and contexts are separate watches over one connection per context', async (t) => {
  const { a, b, contexts } = await setup(t);
  const pods = contexts.acquire('a', 'pods');
  const deployments = contexts.acquire('a', 'deployments');
  const podsB = contexts.acquire('b', 'pods');
  await until('three watches', () => open(a) === 1 && open(a, '/apis/apps/v1/deployments') === 1 && open(b) === 1);
  assert.equal(await contexts.http('a'), await contexts.http('a'), 'one KubeHttp per context');
  assert.notEqual(await contexts.http('a'), await contexts.http('b'));
  deployments.release();
  await until('the deployments watch to close', () => open(a, '/apis/apps/v1/deployments') === 0);
  assert.equal(open(a), 1, 'the pods watch of the same context stays');
  pods.release();
  podsB.release();
  await until('every watch closed', () => open(a) === 0 && open(b) === 0);
});

test('a context switch closes the old context\'s watches and opens the new one\'s', async (t) => {
  const { a, b, dir, contexts } = await setup(t);
  const current = new CurrentContextCache(contexts, 'pods');
  t.after(() => current.dispose());
  const first = await current.get();
  assert.equal(first?.context, 'a');
  await until('a watch on a', () => open(a) === 1 && first?.synced === true);
  kubeconfig(dir, { a: a.url, b: b.url }, 'b'); // kubectl config use-context b
  const second = await current.get();
  assert.equal(second?.context, 'b');
  await until('the watch on a closed and one on b', () => open(a) === 0 && open(b) === 1);
  await until('b synced', () => second?.synced === true);
  assert.deepEqual(second?.list().map((p) => p.metadata?.name), ['b1']);
  assert.equal(await current.get(), second, 'the same context keeps its lease');
  assert.equal(open(b), 1);
});

test('a context that stops being live closes its watches; leases resume when it is live again, re-created clusters reconnect', async (t) => {
  const { a, contexts } = await setup(t);
  const states: CacheState['kind'][] = [];
  const lease = contexts.acquire('a', 'pods', { onState: (s) => states.push(s.kind) });
  contexts.setLive(new Map([['a', 'port1'], ['b', 'x']]));
  await until('synced', () => lease.synced && open(a) === 1);
  contexts.setLive(new Map([['b', 'x']])); // cluster a stopped
  await until('the watch closed', () => open(a) === 0);
  assert.equal(lease.state.kind, 'suspended');
  assert.equal(lease.list().length, 0);
  const listsBefore = a.lists.length;
  contexts.setLive(new Map([['a', 'port1'], ['b', 'x']]));
  await until('watching again', () => open(a) === 1 && lease.synced);
  assert.equal(a.lists.length, listsBefore + 1, 're-listed once');
  contexts.setLive(new Map([['a', 'port2'], ['b', 'x']])); // re-created: new port, new certificate
  await until('re-listed after the fingerprint changed', () => a.lists.length === listsBefore + 2 && lease.synced && open(a) === 1);
  assert.ok(states.includes('suspended') && states.includes('connecting'));
  lease.release();
  await until('closed', () => open(a) === 0);
});

test('a context that cannot be connected reports failed and is tried again on retry', async (t) => {
  const { contexts } = await setup(t);
  const lease = contexts.acquire('nope', 'pods');
  await until('failed', () => lease.state.kind === 'failed');
  assert.match((lease.state as { error: Error }).error.message, /no kubeconfig context named 'nope'/);
  contexts.retry('nope');
  assert.equal(lease.state.kind, 'connecting');
  await until('failed again', () => lease.state.kind === 'failed');
  lease.release();
  assert.equal(contexts.activeWatches(), 0);
});

test('commands get the shared connection until the kubeconfig changes (a re-created cluster), then a new one', async (t) => {
  const { a, b, dir, contexts } = await setup(t);
  const first = await contexts.http('a');
  assert.equal(await contexts.http('a'), first);
  await new Promise((r) => setTimeout(r, 20));
  kubeconfig(dir, { a: b.url, b: a.url }, 'a'); // cluster a re-created elsewhere
  const second = await contexts.http('a');
  assert.notEqual(second, first);
  const version = await second.json<{ items: KubeObject[] }>('/api/v1/pods');
  assert.deepEqual(version.items.map((p) => p.metadata?.name), ['b1'], 'the new connection talks to the new address');
});
