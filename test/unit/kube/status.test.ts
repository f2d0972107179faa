import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { age, deploymentSummary, humanDuration, nodeSummary, podSummary, restartsText } from '../../../src/core/kube/status.ts';

function pod(status: V1Pod['status'], extra: Partial<V1Pod> = {}): V1Pod {
  return { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'x' }], nodeName: 'k3d-dev-agent-0' }, status, ...extra };
}

test('a running, ready pod reads Running 1/1 and is healthy', () => {
  const s = podSummary(pod({ phase: 'Running', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: new Date() } } }] }));
  assert.deepEqual([s.status, s.ready, s.restarts, s.health, s.node], ['Running', '1/1', 0, 'ok', 'k3d-dev-agent-0']);
});

test('waiting reasons show as kubectl shows them, with the message kept for the tooltip', () => {
  const creating = podSummary(pod({ phase: 'Pending', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }));
  assert.deepEqual([creating.status, creating.ready, creating.health], ['ContainerCreating', '0/1', 'progressing']);
  const pull = podSummary(pod({ phase: 'Pending', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } } }] }));
  assert.deepEqual([pull.status, pull.health], ['ImagePullBackOff', 'failed']);
  assert.deepEqual(pull.problems, ['app: ImagePullBackOff: Back-off pulling image "nope:1"']);
});

test('a crashing container: CrashLoopBackOff with restarts and when it last restarted', () => {
  const finished = new Date(Date.now() - 120_000);
  const s = podSummary(pod({ phase: 'Running', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: finished } } }] }));
  assert.equal(s.status, 'CrashLoopBackOff');
  assert.equal(s.health, 'failed');
  assert.equal(restartsText(s, finished.getTime() + 120_000), '3 (2m ago)');
});

test('a pod being deleted is Terminating; a finished one Completed', () => {
  const running = { phase: 'Running', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] };
  assert.equal(podSummary(pod(running, { metadata: { name: 'p', deletionTimestamp: new Date() } })).status, 'Terminating');
  const done = podSummary(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }));
  assert.deepEqual([done.status, done.health], ['Completed', 'done']);
});

test('init containers: Init:0/1 while the first runs; Init:Error when it failed', () => {
  const spec = { containers: [{ name: 'app' }], initContainers: [{ name: 'init' }] };
  const waiting = podSummary({ spec, status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', image: '', imageID: '', ready: false, restartCount: 0, state: { running: {} } }] } });
  assert.equal(waiting.status, 'Init:0/1');
  const failed = podSummary({ spec, status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', image: '', imageID: '', ready: false, restartCount: 1, state: { terminated: { exitCode: 2, reason: 'Error' } } }] } });
  assert.deepEqual([failed.status, failed.health], ['Init:Error', 'failed']);
});

test('deployment READY is ready/desired; complete only when every count matches', () => {
  const d = deploymentSummary({
    metadata: { generation: 2 },
    spec: { replicas: 4, selector: {}, template: { spec: { containers: [{ name: 'a', image: 'jakousa/dwk-app1:abc' }] } } },
    status: { observedGeneration: 2, replicas: 4, readyReplicas: 3, updatedReplicas: 4, availableReplicas: 3 },
  });
  assert.deepEqual([d.ready, d.upToDate, d.available, d.health], ['3/4', 4, 3, 'progressing']);
  assert.deepEqual(d.images, ['jakousa/dwk-app1:abc']);
  const stalled = deploymentSummary({ spec: { replicas: 1, selector: {}, template: {} }, status: { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } });
  assert.equal(stalled.health, 'failed');
});

test('nodes: Ready with roles, as kubectl get nodes', () => {
  const n = nodeSummary({
    metadata: { labels: { 'node-role.kubernetes.io/master': 'true', 'node-role.kubernetes.io/control-plane': 'true' } },
    status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.31.5+k3s1' } as never },
  });
  assert.deepEqual([n.status, n.roles, n.version, n.health], ['Ready', 'control-plane,master', 'v1.31.5+k3s1', 'ok']);
  assert.equal(nodeSummary({ metadata: {}, status: { conditions: [{ type: 'Ready', status: 'False' }] } }).roles, '<none>');
});

test('ages read like kubectl: 45s, 5m10s, 3h4m, 2d5h', () => {
  assert.equal(humanDuration(45_000), '45s');
  assert.equal(humanDuration(119_000), '119s');
  assert.equal(humanDuration(310_000), '5m10s');
  assert.equal(humanDuration(25 * 60_000), '25m');
  assert.equal(humanDuration((3 * 60 + 4) * 60_000), '3h4m');
  assert.equal(humanDuration((2 * 24 + 5) * 3_600_000), '2d5h');
  assert.equal(age(new Date(1_000_000), 1_000_000 + 61_000), '61s');
});
