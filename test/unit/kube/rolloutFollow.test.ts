// Following a rollout from the context's shared caches: it completes or fails on watch events,
// asks the API for the deployment once (not every 400 ms), and gives its caches back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { KubeContexts } from '../../../src/core/kube/contexts.ts';
import type { KubeObject } from '../../../src/core/kube/reflector.ts';
import { followRolloutFromCache } from '../../../src/core/kube/rolloutFollow.ts';
import { fakeServer, kubeconfig } from '../../lib/fakeKubeApi.ts';
import { pollUntil } from '../../lib/poll.ts';

const DEPLOYMENTS = '/apis/apps/v1/deployments';
const PODS = '/api/v1/pods';
const ONE = '/apis/apps/v1/namespaces/default/deployments/web';

function web(generation: number, status: Record<string, number>): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd1', generation },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } },
    status: { observedGeneration: generation, ...status },
  } as KubeObject;
}

function pod(name: string, waiting?: string): KubeObject {
  return {
    metadata: { name, namespace: 'default', uid: name, labels: { app: 'web' } },
    status: { phase: 'Pending', containerStatuses: [{ name: 'web', ready: false, restartCount: 0, image: 'web:2', imageID: '', state: waiting ? { waiting: { reason: waiting, message: 'pull access denied' } } : { running: {} } }] },
  } as KubeObject;
}

async function setup(t: { after: (fn: () => unknown) => void }, cached: KubeObject, objects = new Map<string, KubeObject>()) {
  objects.set(ONE, web(2, { replicas: 2, updatedReplicas: 0, availableReplicas: 2 }));
  // The cache still holds generation 1, complete: the apply's change has not arrived yet.
  const server = await fakeServer({ [DEPLOYMENTS]: [cached], [PODS]: [] }, objects);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k3d-rollout-'));
  const contexts = new KubeContexts({ kubeconfigFiles: () => [kubeconfig(dir, { a: server.url }, 'a')], batchMs: 1 });
  t.after(async () => {
    contexts.dispose();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { server, contexts, http: await contexts.http('a') };
}

test('a rollout completes on the watch event that makes it available, not on the stale cached object', async (t) => {
  const { server, contexts, http } = await setup(t, web(1, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }));
  const messages: string[] = [];
  const stop = new AbortController();
  const done = followRolloutFromCache(contexts, http, 'a', 'default', 'web', { signal: stop.signal, onMessage: (m) => messages.push(m) });
  await pollUntil('both watches open', () => server.openWatches.get(DEPLOYMENTS) === 1 && server.openWatches.get(PODS) === 1, (v) => v);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(messages, ['Waiting for deployment "web" rollout to finish: 0 out of 2 new replicas have been updated...'], 'the generation-1 object in the cache does not count');
  server.add(DEPLOYMENTS, web(2, { replicas: 3, updatedReplicas: 2, availableReplicas: 1 }));
  await pollUntil('progress', () => messages.length === 2, (v) => v);
  server.add(DEPLOYMENTS, web(2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }));
  assert.deepEqual(await done, { outcome: 'complete' });
  assert.equal(messages.at(-1), 'deployment "web" successfully rolled out');
  assert.equal(server.gets.length, 1, 'one GET of the deployment, then only watch events');
  await pollUntil('the watches closed', () => server.openWatches.get(DEPLOYMENTS) === 0 && server.openWatches.get(PODS) === 0, (v) => v);
  assert.equal(contexts.activeWatches(), 0);
});

test('a failing pod ends the rollout with its reason; Cancel ends it at once and releases the caches', async (t) => {
  const { server, contexts, http } = await setup(t, web(1, {}));
  const done = followRolloutFromCache(contexts, http, 'a', 'default', 'web', { signal: new AbortController().signal });
  await pollUntil('watching pods', () => server.openWatches.get(PODS) === 1, (v) => v);
  server.add(PODS, pod('web-abc', 'ImagePullBackOff'));
  const result = await done;
  assert.equal(result.outcome, 'failed');
  assert.equal(result.outcome === 'failed' ? result.failure?.reason : '', 'ImagePullBackOff');

  const stop = new AbortController();
  const cancelled = followRolloutFromCache(contexts, http, 'a', 'default', 'web', { signal: stop.signal });
  await pollUntil('watching again', () => contexts.activeWatches() === 2, (v) => v);
  stop.abort();
  assert.deepEqual(await cancelled, { outcome: 'stopped' });
  assert.equal(contexts.activeWatches(), 0);
});

test('when the caches cannot tell (the context is not known to be live), the deployment is read every 2 s instead', async (t) => {
  const objects = new Map<string, KubeObject>();
  const { server, contexts, http } = await setup(t, web(1, {}), objects);
  contexts.setLive(new Map([['other', 'x']])); // the clusters view has not seen context a running
  const done = followRolloutFromCache(contexts, http, 'a', 'default', 'web', { signal: new AbortController().signal });
  await pollUntil('the first GET', () => server.gets.length === 1, (v) => v);
  assert.equal(server.openWatches.get(DEPLOYMENTS) ?? 0, 0, 'nothing is watched on a context that is not live');
  objects.set(ONE, web(2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }));
  assert.deepEqual(await done, { outcome: 'complete' });
  assert.ok(server.gets.length >= 2);
});
