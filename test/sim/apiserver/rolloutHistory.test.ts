// Rollout history and undo, judged by the real kubectl: the simulated deployment controller keeps
// revisions on ReplicaSets as the real one does (a template equal to an old ReplicaSet's reuses it
// and renumbers it, revisionHistoryLimit, change-cause carried), and what the extension computes
// (src/core/kube/rolloutHistory.ts) is what `kubectl rollout history` shows and `rollout undo` does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { eventually, hasKubectl, makeCluster } from './test/harness.ts';
import type { TestCluster } from './test/harness.ts';
import { deploymentRevisions, equalIgnoreHash, rollbackPlan } from '../../../src/core/kube/rolloutHistory.ts';

let tc: TestCluster;
const skip = !hasKubectl && 'kubectl is absent';
before(async () => { tc = await makeCluster({ speed: '0.02', agents: 1 }); });
after(async () => { await tc.cleanup(); });

async function k(...args: string[]): Promise<string> {
  const r = await tc.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function manifest(name: string, image: string, cause: string, limit = 10): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  annotations:
    kubernetes.io/change-cause: ${JSON.stringify(cause)}
spec:
  replicas: 2
  revisionHistoryLimit: ${limit}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
      - name: web
        image: ${image}
`;
}

/** Rolls out an image with its change-cause, as a course does (apply, then annotate), waiting when it can finish. */
async function rollTo(name: string, image: string, cause: string, wait = true): Promise<void> {
  await k('set', 'image', `deployment/${name}`, `web=${image}`);
  await k('annotate', `deployment/${name}`, `kubernetes.io/change-cause=${cause}`, '--overwrite');
  if (wait) await k('rollout', 'status', `deployment/${name}`, '--timeout=60s');
}

async function live(name: string): Promise<{ d: V1Deployment; rss: V1ReplicaSet[] }> {
  const d = JSON.parse(await k('get', 'deployment', name, '-o', 'json')) as V1Deployment;
  const rss = (JSON.parse(await k('get', 'replicasets', '-o', 'json')) as { items: V1ReplicaSet[] }).items;
  return { d, rss };
}

/** kubectl's REVISION / CHANGE-CAUSE table, oldest first. */
async function kubectlHistory(name: string): Promise<Array<[number, string]>> {
  const out = await k('rollout', 'history', `deployment/${name}`);
  const lines = out.split('\n').filter((l) => /^\d+\s/.test(l));
  return lines.map((l) => {
    const m = /^(\d+)\s+(.*?)\s*$/.exec(l)!;
    return [Number(m[1]), m[2]!];
  });
}

/** Waits until kubectl lists these revisions; on timeout, fails showing what it lists. */
async function historyBecomes(name: string, expected: Array<[number, string]>): Promise<void> {
  let last: Array<[number, string]> = [];
  try {
    await eventually(async () => JSON.stringify((last = await kubectlHistory(name))) === JSON.stringify(expected), 10_000, `the history of ${name}`);
  } catch {
    assert.deepEqual(last, expected, `kubectl rollout history deployment/${name}`);
  }
}

async function ours(name: string): Promise<Array<[number, string]>> {
  const { d, rss } = await live(name);
  return deploymentRevisions(d, rss).map((r): [number, string] => [r.revision, r.changeCause ?? '<none>']).reverse();
}

test('history: one revision per ReplicaSet with its change-cause, as kubectl lists it; --revision=N shows its image', { skip }, async () => {
  const r = await tc.kubectl(['apply', '-f', '-'], manifest('web', 'nginx:1.1', 'v1.1'));
  assert.equal(r.code, 0, r.stderr);
  await k('rollout', 'status', 'deployment/web', '--timeout=60s');
  await rollTo('web', 'nginx:1.2', 'v1.2');
  await rollTo('web', 'nginx:doesnotexist', 'bad tag', false);
  // The annotate after set image reaches the ReplicaSet of revision 3 (the controller copies it).
  await historyBecomes('web', [[1, 'v1.1'], [2, 'v1.2'], [3, 'bad tag']]);
  assert.deepEqual(await ours('web'), await kubectlHistory('web'));

  const { d, rss } = await live('web');
  const revs = deploymentRevisions(d, rss);
  assert.deepEqual(revs.filter((x) => x.current).map((x) => x.revision), [3]);
  const two = await k('rollout', 'history', 'deployment/web', '--revision=2');
  assert.match(two, /Image:\s+nginx:1\.2\n/);
  assert.match(two, /kubernetes\.io\/change-cause: v1\.2/);
  assert.deepEqual(revs.find((x) => x.revision === 2)?.images, [{ container: 'web', image: 'nginx:1.2' }]);
});

test('undo --to-revision=2: kubectl patches what the extension computes; revision 2 becomes 4 and leaves the history', { skip }, async () => {
  const before = await live('web');
  const plan = rollbackPlan(before.d, before.rss, 2);
  assert.equal(plan.kind, 'patch');
  if (plan.kind !== 'patch') return;
  const rs2 = plan.revision.replicaSet.metadata!.name!;

  assert.match(await k('rollout', 'undo', 'deployment/web', '--to-revision=2'), /deployment\.apps\/web rolled back/);
  const after = await live('web');
  assert.ok(equalIgnoreHash(after.d.spec?.template, plan.template), 'the template kubectl wrote is the one the extension computes');
  assert.deepEqual(after.d.spec?.template?.metadata?.labels, plan.template.metadata?.labels, 'no pod-template-hash label in the deployment');
  const strip = (a: Record<string, string> | undefined) => Object.fromEntries(Object.entries(a ?? {}).filter(([key]) => key !== 'deployment.kubernetes.io/revision'));
  assert.deepEqual(strip(after.d.metadata?.annotations), strip(plan.patch[1].value as Record<string, string>), 'the annotations kubectl wrote are the ones the extension computes');

  await k('rollout', 'status', 'deployment/web', '--timeout=60s');
  await historyBecomes('web', [[1, 'v1.1'], [3, 'bad tag'], [4, 'v1.2']]);
  assert.deepEqual(await ours('web'), await kubectlHistory('web'));
  const reused = JSON.parse(await k('get', 'replicaset', rs2, '-o', 'json')) as V1ReplicaSet;
  assert.equal(reused.metadata?.annotations?.['deployment.kubernetes.io/revision'], '4', 'the old ReplicaSet is reused, not a new one made');
  assert.equal(reused.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '2');
  const { d, rss } = await live('web');
  assert.deepEqual(deploymentRevisions(d, rss).filter((x) => x.current).map((x) => x.revision), [4]);
  assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '4');
  assert.equal(d.status?.readyReplicas, 2);
});

test('the extension\'s own patch rolls back as kubectl\'s does; an unknown revision and the current one are refused with kubectl\'s words', { skip }, async () => {
  const r = await tc.kubectl(['apply', '-f', '-'], manifest('twin', 'nginx:1.1', 'v1.1'));
  assert.equal(r.code, 0, r.stderr);
  await k('rollout', 'status', 'deployment/twin', '--timeout=60s');
  await rollTo('twin', 'nginx:1.2', 'v1.2');
  await rollTo('twin', 'nginx:doesnotexist', 'bad tag', false);
  await historyBecomes('twin', [[1, 'v1.1'], [2, 'v1.2'], [3, 'bad tag']]);
  const { d, rss } = await live('twin');
  const plan = rollbackPlan(d, rss, 2);
  assert.ok(plan.kind === 'patch');
  await k('patch', 'deployment/twin', '--type=json', '-p', JSON.stringify(plan.patch));
  await k('rollout', 'status', 'deployment/twin', '--timeout=60s');
  await historyBecomes('twin', [[1, 'v1.1'], [3, 'bad tag'], [4, 'v1.2']]);

  const now = await live('twin');
  const same = rollbackPlan(now.d, now.rss, 4);
  assert.ok(same.kind === 'skip');
  assert.match(await k('rollout', 'undo', 'deployment/twin', '--to-revision=4'), new RegExp(`deployment\\.apps/twin ${same.message.replace(/[()]/g, '\\$&')}`));
  const missing = rollbackPlan(now.d, now.rss, 2);
  assert.ok(missing.kind === 'error');
  const refused = await tc.kubectl(['rollout', 'undo', 'deployment/twin', '--to-revision=2']);
  assert.notEqual(refused.code, 0);
  assert.ok(refused.stderr.includes(missing.message), refused.stderr);
});

test('revisionHistoryLimit: once a rollout completes, only that many old ReplicaSets are kept', { skip }, async () => {
  const r = await tc.kubectl(['apply', '-f', '-'], manifest('short', 'nginx:1.1', 'v1.1', 1));
  assert.equal(r.code, 0, r.stderr);
  await k('rollout', 'status', 'deployment/short', '--timeout=60s');
  await rollTo('short', 'nginx:1.2', 'v1.2');
  await rollTo('short', 'nginx:1.3', 'v1.3');
  await historyBecomes('short', [[2, 'v1.2'], [3, 'v1.3']]);
  assert.deepEqual(await ours('short'), await kubectlHistory('short'));
});
