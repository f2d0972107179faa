import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podStatus, toTable } from './tables.ts';
import { humanDuration } from './util.ts';

test('AGE as kubectl prints it', () => {
  assert.equal(humanDuration(5_000), '5s');
  assert.equal(humanDuration(119_000), '119s');
  assert.equal(humanDuration(150_000), '2m30s');
  assert.equal(humanDuration(3_600_000 * 2.5), '150m');
  assert.equal(humanDuration(3_600_000 * 4.5), '4h30m');
  assert.equal(humanDuration(86_400_000 * 3), '3d');
});

const pod = (containerStatuses: object[], extra: object = {}) => ({
  metadata: { name: 'p', creationTimestamp: new Date().toISOString(), ...extra },
  spec: { containers: [{ name: 'c' }] },
  status: { phase: 'Running', containerStatuses },
});

test('pod STATUS/READY/RESTARTS follow printPod', () => {
  assert.deepEqual(podStatus(pod([{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }])), { ready: '1/1', reason: 'Running', restarts: '0' });
  assert.equal(podStatus(pod([{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }])).reason, 'ContainerCreating');
  const crash = podStatus(pod([{ name: 'c', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { finishedAt: new Date(Date.now() - 10_000).toISOString() } } }]));
  assert.equal(crash.reason, 'CrashLoopBackOff');
  assert.match(crash.restarts, /^3 \(1\ds ago\)$/);
  assert.equal(podStatus(pod([{ name: 'c', ready: true, state: { running: {} } }], { deletionTimestamp: new Date().toISOString() })).reason, 'Terminating');
});

test('Tables carry kubectl columns and partial object metadata', () => {
  const t = toTable('Deployment', [{
    metadata: { name: 'd', creationTimestamp: new Date().toISOString() },
    spec: { replicas: 4, selector: { matchLabels: { app: 'x' } }, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } },
    status: { readyReplicas: 3, updatedReplicas: 4, availableReplicas: 3 },
  }], { resourceVersion: '7' });
  assert.equal(t.kind, 'Table');
  assert.deepEqual(t.columnDefinitions.filter((c: { priority: number }) => c.priority === 0).map((c: { name: string }) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
  assert.deepEqual(t.rows[0].cells.slice(0, 4), ['d', '3/4', 4, 3]);
  assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
  const nodes = toTable('Node', [{ metadata: { name: 'n', labels: { 'node-role.kubernetes.io/master': 'true', 'node-role.kubernetes.io/control-plane': 'true' } }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1' } } }], {});
  assert.deepEqual(nodes.rows[0].cells.slice(0, 3), ['n', 'Ready', 'control-plane,master']);
});
