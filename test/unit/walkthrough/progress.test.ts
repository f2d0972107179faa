import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deletedDeclared, LESSON_STEP_TITLES, newTagRolledOut, nodesReady, observe, podsRunning, stepForLesson } from '../../../src/core/walkthrough/progress.ts';

const ready = (name: string) => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const deployment = (extra: Record<string, unknown> = {}) => ({ kind: 'Deployment', metadata: { name: 'hashgenerator-dep', namespace: 'default', uid: 'd1', ...extra } });
const rs = (revision: number, image: string) => ({
  metadata: { name: `rs${revision}`, namespace: 'default', annotations: { 'deployment.kubernetes.io/revision': String(revision) }, ownerReferences: [{ kind: 'Deployment', name: 'hashgenerator-dep', uid: 'd1' }] },
  spec: { template: { spec: { containers: [{ name: 'hashgenerator', image }] } } },
});
const lastApplied = (image: string) => ({
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'hashgenerator', image }] } } } }) },
});
const none = { appliedByUs: new Map<string, Set<string>>() };

test('nodes are ready only when a server and an agent are all Ready', () => {
  assert.equal(nodesReady([ready('server-0')]), false, 'a server alone is not the course cluster');
  assert.equal(nodesReady([ready('server-0'), { metadata: { name: 'agent-0' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }]), false);
  assert.equal(nodesReady([ready('server-0'), ready('agent-0'), ready('agent-1')]), true);
});

test('a deployment made with kubectl create counts as deployed, not as applied', () => {
  const keys = observe({ nodes: [], deployments: [deployment()], replicasets: [], pods: [] }, none);
  assert.ok(keys.has('deployed'));
  assert.ok(!keys.has('applied'));
});

test('a system deployment (coredns) is not the learner’s deployment', () => {
  const keys = observe({ nodes: [], deployments: [{ metadata: { name: 'coredns', namespace: 'kube-system' } }], replicasets: [], pods: [] }, none);
  assert.ok(!keys.has('deployed'));
});

test('kubectl apply in a terminal (its annotation) or our Apply marks applied', () => {
  assert.ok(observe({ nodes: [], deployments: [deployment(lastApplied('a:1'))], replicasets: [], pods: [] }, none).has('applied'));
  const ours = { appliedByUs: new Map([['default/hashgenerator-dep', new Set(['a:1'])]]) };
  assert.ok(observe({ nodes: [], deployments: [deployment()], replicasets: [], pods: [] }, ours).has('applied'));
});

test('pods run when a ReplicaSet-owned pod is Running with every container ready', () => {
  const pod = (phase: string, isReady: boolean) => ({ metadata: { name: 'p', namespace: 'default', ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', uid: 'r1' }] }, status: { phase, containerStatuses: [{ ready: isReady }] } });
  assert.equal(podsRunning([pod('Pending', false)]), false);
  assert.equal(podsRunning([pod('Running', false)]), false, 'Running 0/1 is not yet running');
  assert.equal(podsRunning([pod('Running', true)]), true);
});

test('a new tag of the same image in a newer ReplicaSet is a rollout; another image is not a tag bump', () => {
  assert.equal(newTagRolledOut(deployment(), [rs(1, 'jakousa/dwk-app1:aaa'), rs(2, 'jakousa/dwk-app1:bbb')]), 'jakousa/dwk-app1:bbb');
  assert.equal(newTagRolledOut(deployment(), [rs(1, 'jakousa/dwk-app1:aaa')]), undefined);
  assert.equal(newTagRolledOut(deployment(), [rs(1, 'nginx:1.25'), rs(2, 'jakousa/dwk-app1:bbb')]), undefined);
  assert.equal(newTagRolledOut(deployment(), [rs(1, 'localhost:5000/app:1'), rs(2, 'localhost:5000/app:2')]), 'localhost:5000/app:2', 'a registry port is not a tag');
});

test('a tag rolled out from the file completes build, delivery and bump; kubectl set image does not', () => {
  const sets = [rs(1, 'jakousa/dwk-app1:aaa'), rs(2, 'jakousa/dwk-app1:bbb')];
  const imperative = observe({ nodes: [], deployments: [deployment(lastApplied('jakousa/dwk-app1:aaa'))], replicasets: sets, pods: [] }, none);
  assert.ok(!imperative.has('tagRolledOut'), 'set image after an apply: the file still says aaa');
  const applied = observe({ nodes: [], deployments: [deployment(lastApplied('jakousa/dwk-app1:bbb'))], replicasets: sets, pods: [] }, none);
  assert.deepEqual(['imageBuilt', 'imageDelivered', 'tagRolledOut'].map((k) => applied.has(k as never)), [true, true, true]);
  const ours = observe({ nodes: [], deployments: [deployment()], replicasets: sets, pods: [] }, { appliedByUs: new Map([['default/hashgenerator-dep', new Set(['jakousa/dwk-app1:bbb'])]]) });
  assert.ok(ours.has('tagRolledOut'));
});

test('a declared deployment going away is a delete from a file; an imperative one is not', () => {
  assert.equal(deletedDeclared([deployment(lastApplied('a:1'))], [], new Map()), true);
  assert.equal(deletedDeclared([deployment()], [], new Map()), false, 'kubectl delete deployment of a created one');
  assert.equal(deletedDeclared([deployment()], [], new Map([['default/hashgenerator-dep', new Set()]])), true);
  assert.equal(deletedDeclared([deployment(lastApplied('a:1'))], [deployment(lastApplied('a:1'))], new Map()), false);
});

test('the :latest and local-image lessons point to the steps that explain them', () => {
  assert.equal(stepForLesson('lesson.latestTag'), 'newTag');
  assert.equal(stepForLesson('lesson.noTag'), 'newTag');
  assert.equal(stepForLesson('lesson.localImageDefaultAlways'), 'importImage');
  assert.equal(stepForLesson('lesson.liveImageDiffers'), undefined);
});

test('a lesson\'s "Why?" names its step as the walkthrough shows it: every step a lesson opens has its package.json title', () => {
  const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../package.json'), 'utf8')) as { contributes: { walkthroughs: Array<{ steps: Array<{ id: string; title: string }> }> } };
  const titles = new Map(pkg.contributes.walkthroughs.flatMap((w) => w.steps).map((s) => [s.id, s.title]));
  for (const code of ['lesson.latestTag', 'lesson.noTag', 'lesson.localImageDefaultAlways']) {
    const step = stepForLesson(code)!;
    assert.equal(LESSON_STEP_TITLES[step], titles.get(step), `${code} -> ${step}`);
  }
  assert.notEqual(LESSON_STEP_TITLES[stepForLesson('lesson.latestTag')!], LESSON_STEP_TITLES[stepForLesson('lesson.localImageDefaultAlways')!], 'two lessons on one line read apart');
});
