// Rollout history and undo as kubectl computes them (history.go, rollback.go): what the
// "Rollout History…" picker lists and what "Roll Back to This Revision" sends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { deploymentRevisions, equalIgnoreHash, imageChanges, manifestImageEdits, rollbackPlan } from '../../../src/core/kube/rolloutHistory.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { applyEdits } from '../../../src/core/manifests/edit.ts';

const UID = 'd-uid';

function template(image: string, hash?: string) {
  return {
    metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
  };
}

function rs(name: string, revision: string | undefined, image: string, extra: { cause?: string; created?: string; replicas?: number; owner?: string; controller?: boolean; annotations?: Record<string, string> } = {}): V1ReplicaSet {
  const hash = name.split('-').pop();
  return {
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp: (extra.created ?? '2026-11-29T10:00:00Z') as unknown as Date,
      annotations: {
        ...(revision !== undefined ? { 'deployment.kubernetes.io/revision': revision } : {}),
        'deployment.kubernetes.io/desired-replicas': '2',
        'deployment.kubernetes.io/max-replicas': '3',
        ...(extra.cause ? { 'kubernetes.io/change-cause': extra.cause } : {}),
        ...extra.annotations,
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: extra.owner ?? UID, controller: extra.controller ?? true }],
    },
    spec: { replicas: extra.replicas ?? 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash! } }, template: template(image, hash) },
    status: { replicas: extra.replicas ?? 0, readyReplicas: extra.replicas ?? 0 },
  };
}

function deployment(image: string, annotations: Record<string, string> = {}, paused = false): V1Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', uid: UID, annotations: { 'deployment.kubernetes.io/revision': '3', ...annotations } },
    spec: { replicas: 2, paused, selector: { matchLabels: { app: 'web' } }, template: template(image) },
  };
}

// Revision 1 ran nginx:1.1, 2 nginx:1.2 (the last good one), 3 is the bad tag now rolling out.
const history = [
  rs('web-aaa', '1', 'nginx:1.1', { cause: 'first', created: '2026-11-29T09:00:00Z' }),
  rs('web-bbb', '2', 'nginx:1.2', { cause: 'bump to 1.2', replicas: 2, created: '2026-11-29T10:00:00Z' }),
  rs('web-ccc', '3', 'nginx:no-such-tag', { replicas: 1, created: '2026-11-29T11:00:00Z' }),
];

test('the revisions are the ReplicaSets, newest first, with images, change-cause and age, the deployment\'s template marked current', () => {
  const revs = deploymentRevisions(deployment('nginx:no-such-tag'), history);
  assert.deepEqual(revs.map((r) => [r.revision, r.images.map((i) => i.image).join(), r.changeCause, r.current]), [
    [3, 'nginx:no-such-tag', undefined, true],
    [2, 'nginx:1.2', 'bump to 1.2', false],
    [1, 'nginx:1.1', 'first', false],
  ]);
  assert.equal(revs[1].created?.toISOString(), '2026-11-29T10:00:00.000Z');
  assert.equal(revs[1].replicas, 2);
});

test('current is the revision whose template the deployment has, not the highest one (the controller has not caught up yet)', () => {
  // The deployment was just rolled back to nginx:1.2; revision 2 has not been renumbered yet.
  const revs = deploymentRevisions(deployment('nginx:1.2'), history);
  assert.deepEqual(revs.filter((r) => r.current).map((r) => r.revision), [2]);
});

test('ReplicaSets another deployment controls, or that are only owned, are not history; a missing revision is 0, a garbled one left out', () => {
  const others = [
    rs('web-xxx', '7', 'nginx:1.7', { owner: 'another-uid' }),
    rs('web-yyy', '8', 'nginx:1.8', { controller: false }),
    rs('web-zzz', undefined, 'nginx:0'),
    rs('web-qqq', 'two', 'nginx:2'),
  ];
  assert.deepEqual(deploymentRevisions(deployment('nginx:1.1'), [...history, ...others]).map((r) => r.revision), [3, 2, 1, 0]);
});

test('rolling back to a revision: its template without the pod-template-hash label, its annotations, the deployment\'s own kept (kubectl rollout undo --to-revision)', () => {
  const d = deployment('nginx:no-such-tag', {
    'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}',
    'kubernetes.io/change-cause': 'bad bump',
    'example.com/team': 'blue',
  });
  const plan = rollbackPlan(d, history, 2);
  assert.equal(plan.kind, 'patch');
  if (plan.kind !== 'patch') return;
  assert.deepEqual(plan.patch, [
    { op: 'replace', path: '/spec/template', value: template('nginx:1.2') },
    {
      op: 'replace',
      path: '/metadata/annotations',
      value: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}',
        'deployment.kubernetes.io/revision': '3',
        'kubernetes.io/change-cause': 'bump to 1.2',
      },
    },
  ]);
  // The ReplicaSet listed is untouched (its hash label stays).
  assert.equal(history[1].spec?.template?.metadata?.labels?.['pod-template-hash'], 'bbb');
});

test('undo without a revision goes to the previous one; an unknown revision, a paused deployment and the current template are refused as kubectl refuses them', () => {
  const d = deployment('nginx:no-such-tag');
  const previous = rollbackPlan(d, history, 0);
  assert.equal(previous.kind === 'patch' && previous.revision.revision, 2);
  assert.deepEqual(rollbackPlan(d, history, 9), { kind: 'error', message: 'unable to find specified revision 9 in history' });
  assert.deepEqual(rollbackPlan(d, [history[2]], 0), { kind: 'error', message: 'no rollout history found for deployment "web"' });
  const paused = rollbackPlan(deployment('nginx:no-such-tag', {}, true), history, 2);
  assert.equal(paused.kind, 'error');
  assert.match(paused.kind === 'error' ? paused.message : '', /cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment\/web'/);
  const same = rollbackPlan(d, history, 3);
  assert.equal(same.kind, 'skip');
  assert.equal(same.kind === 'skip' && same.message, 'skipped rollback (current template already matches revision 3)');
});

test('templates equal but for the hash label, or for an empty map where the other has none, are the same revision', () => {
  assert.ok(equalIgnoreHash(template('a', 'h1'), template('a')));
  const withEmpty = { ...template('a'), metadata: { labels: { app: 'web' }, annotations: {} } };
  assert.ok(equalIgnoreHash(withEmpty, template('a', 'h2')));
  assert.ok(!equalIgnoreHash(template('a'), template('b')));
});

test('the containers whose image a rollback changes: what the manifest is offered', () => {
  const plan = rollbackPlan(deployment('nginx:no-such-tag'), history, 2);
  assert.ok(plan.kind === 'patch');
  assert.deepEqual(imageChanges(deployment('nginx:no-such-tag'), plan.template), [{ container: 'web', from: 'nginx:no-such-tag', to: 'nginx:1.2' }]);
  assert.deepEqual(imageChanges(deployment('nginx:1.2'), plan.template), []);
});

const MANIFEST = `# the course's app
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: "nginx:no-such-tag"   # bumped by hand
        - name: sidecar
          image: busybox:1.36
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: other
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:no-such-tag
`;

test('writing the rolled-back image into the manifest changes only the tag\'s characters, of that deployment, comments and quotes kept', () => {
  const result = manifestImageEdits(parseManifest(MANIFEST), 'default', 'web', [{ container: 'web', image: 'nginx:1.2' }, { container: 'sidecar', image: 'busybox:1.36' }]);
  assert.deepEqual(result.images, ['nginx:1.2']);
  assert.deepEqual(result.refused, []);
  assert.equal(result.edits.length, 1);
  assert.equal(applyEdits(MANIFEST, result.edits), MANIFEST.replace('"nginx:no-such-tag"   # bumped', '"nginx:1.2"   # bumped'));
  assert.equal(result.edits[0].newText, '1.2', 'the tag only');
});

test('another repository is written whole; an image the file already has, another namespace and another container are left alone', () => {
  const moved = manifestImageEdits(parseManifest(MANIFEST), 'default', 'web', [{ container: 'web', image: 'ghcr.io/acme/web:1.0' }]);
  assert.equal(applyEdits(MANIFEST, moved.edits), MANIFEST.replace('"nginx:no-such-tag"', '"ghcr.io/acme/web:1.0"'));
  assert.deepEqual(manifestImageEdits(parseManifest(MANIFEST), 'default', 'web', [{ container: 'web', image: 'docker.io/library/nginx:no-such-tag' }]).edits, []);
  assert.deepEqual(manifestImageEdits(parseManifest(MANIFEST), 'prod', 'web', [{ container: 'web', image: 'nginx:1.2' }]).edits, []);
  assert.deepEqual(manifestImageEdits(parseManifest(MANIFEST), 'default', 'web', [{ container: 'nope', image: 'nginx:1.2' }]).edits, []);
});

test('an image shared through a YAML anchor is not written: the reason is given', () => {
  const shared = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: &img nginx:no-such-tag
      containers:
        - name: web
          image: *img
`;
  const result = manifestImageEdits(parseManifest(shared), 'default', 'web', [{ container: 'web', image: 'nginx:1.2' }]);
  assert.deepEqual(result.edits, []);
  assert.equal(result.refused.length, 1);
});
