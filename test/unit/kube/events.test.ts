// Which events belong to an object, grouped as kubectl describe lists them, and the warning a
// failing pod's row shows (core/kube/events.ts). Plain Node, no process started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentWarning, eventAge, EventIndex, eventsTable, groupEvents, podWarning, warningText, type KubeEvent } from '../../../src/core/kube/events.ts';

const T0 = Date.parse('2026-11-29T23:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function ev(name: string, kind: string, obj: string, uid: string | undefined, type: string, reason: string, message: string, first: number, last = first, count = 1, component = 'kubelet'): KubeEvent {
  return {
    metadata: { name, namespace: 'default' },
    involvedObject: { kind, name: obj, namespace: 'default', uid },
    type, reason, message, count, firstTimestamp: at(first), lastTimestamp: at(last), source: { component },
  };
}

// What the kubelet records for a pod whose image does not exist (pkg/kubelet/images/image_manager.go).
const pullFailure: KubeEvent[] = [
  ev('e1', 'Pod', 'web-1', 'pod-1', 'Normal', 'Scheduled', 'Successfully assigned default/web-1 to k3d-x-agent-0', 0, 0, 1, 'default-scheduler'),
  ev('e2', 'Pod', 'web-1', 'pod-1', 'Normal', 'Pulling', 'Pulling image "nosuch/app:1"', 1, 40, 3),
  ev('e3', 'Pod', 'web-1', 'pod-1', 'Warning', 'Failed', 'Failed to pull image "nosuch/app:1": rpc error: not found', 2, 41, 3),
  ev('e4', 'Pod', 'web-1', 'pod-1', 'Warning', 'Failed', 'Error: ErrImagePull', 2, 41, 3),
  ev('e5', 'Pod', 'web-1', 'pod-1', 'Normal', 'BackOff', 'Back-off pulling image "nosuch/app:1"', 3, 50, 4),
  ev('e6', 'Pod', 'web-1', 'pod-1', 'Warning', 'Failed', 'Error: ImagePullBackOff', 3, 50, 4),
  ev('e7', 'Deployment', 'web', 'dep-1', 'Normal', 'ScalingReplicaSet', 'Scaled up replica set web-abc from 0 to 1', 0, 0, 1, 'deployment-controller'),
  ev('e8', 'Pod', 'other', 'pod-2', 'Normal', 'Started', 'Started container other', 5),
];

test('an object\'s events are those naming its uid; a deployment\'s include its ReplicaSets\' and pods\'', () => {
  const index = new EventIndex(pullFailure);
  const pod = { kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', uid: 'pod-1' } };
  assert.deepEqual(index.of([pod]).map((e) => e.metadata?.name), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
  const deployment = { kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'dep-1' } };
  assert.deepEqual(index.of([deployment, pod]).map((e) => e.metadata?.name).sort(), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
  // A pod of the same name made again (a new uid) does not inherit the old one's events.
  assert.deepEqual(index.of([{ kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', uid: 'pod-9' } }]), []);
});

test('an event without an involvedObject uid is matched by kind, namespace and name', () => {
  const index = new EventIndex([ev('x', 'Pod', 'web-1', undefined, 'Warning', 'FailedMount', 'no volume', 0)]);
  assert.equal(index.of([{ kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', uid: 'pod-1' } }]).length, 1);
  assert.equal(index.of([{ kind: 'Pod', metadata: { name: 'web-2', namespace: 'default', uid: 'pod-2' } }]).length, 0);
});

test('grouped by object, reason and message with counts added, newest first', () => {
  const twice = [...pullFailure, { ...pullFailure[2], metadata: { name: 'e3b', namespace: 'default' }, count: 2, firstTimestamp: at(60), lastTimestamp: at(70) }];
  const groups = groupEvents(twice.filter((e) => e.involvedObject?.uid === 'pod-1'));
  assert.deepEqual(groups.map((g) => `${g.type} ${g.reason} x${g.count}`), [
    'Warning Failed x5', // the pull failure, 3 + 2 times, last at 70 s
    'Normal BackOff x4',
    'Warning Failed x4',
    'Warning Failed x3',
    'Normal Pulling x3',
    'Normal Scheduled x1',
  ]);
  assert.equal(groups[0].first, T0 + 2000);
  assert.equal(groups[0].last, T0 + 70_000);
});

test('the age of a row as kubectl describe prints it', () => {
  assert.equal(eventAge({ count: 1, first: T0, last: T0 }, T0 + 45_000), '45s');
  assert.equal(eventAge({ count: 4, first: T0, last: T0 + 200_000 }, T0 + 300_000), '100s (x4 over 5m)');
});

test('a failing pod\'s warning: ImagePullBackOff with the pull error as its detail', () => {
  const w = currentWarning(groupEvents(pullFailure.filter((e) => e.involvedObject?.uid === 'pod-1')));
  assert.ok(w);
  assert.equal(w.reason, 'ImagePullBackOff');
  assert.equal(w.detail, 'Failed to pull image "nosuch/app:1": rpc error: not found');
  assert.equal(warningText(w), 'ImagePullBackOff: Failed to pull image "nosuch/app:1": rpc error: not found');
  assert.equal(warningText(w, 20), 'ImagePullBackOff: F…');
});

test('a crash loop\'s warning is the BackOff event; no warning among only Normal events', () => {
  const crash = [ev('c', 'Pod', 'p', 'u', 'Warning', 'BackOff', 'Back-off restarting failed container app in pod p_default(u)', 0, 30, 5)];
  assert.equal(warningText(currentWarning(groupEvents(crash))!), 'BackOff: Back-off restarting failed container app in pod p_default(u)');
  assert.equal(currentWarning(groupEvents(pullFailure.filter((e) => e.type === 'Normal'))), undefined);
});

test('the Events table: kubectl describe\'s columns, oldest first, `<none>` when empty', () => {
  const groups = groupEvents(pullFailure.filter((e) => ['e1', 'e6'].includes(e.metadata?.name ?? '')));
  const text = eventsTable(groups, T0 + 60_000);
  assert.equal(text, [
    'Events:',
    '  Type     Reason     Age                From               Message',
    '  ----     ------     ----               ----               -------',
    '  Normal   Scheduled  60s                default-scheduler  Successfully assigned default/web-1 to k3d-x-agent-0',
    '  Warning  Failed     10s (x4 over 57s)  kubelet            Error: ImagePullBackOff',
    '',
  ].join('\n'));
  assert.equal(eventsTable([]), 'Events:  <none>\n');
});

test('a pod\'s row warning: headlined by its STATUS while failing, none once it runs or has finished', () => {
  const groups = groupEvents([
    ev('a', 'Pod', 'p', 'u', 'Warning', 'Failed', 'Failed to pull image "x:1": not found', 0, 30, 2),
    ev('b', 'Pod', 'p', 'u', 'Warning', 'Failed', 'Error: ErrImagePull', 0, 30, 2),
  ]);
  const pod = (state: Record<string, unknown>, ready = false, phase = 'Pending') => ({
    metadata: { name: 'p', uid: 'u' }, spec: { containers: [{ name: 'c' }] },
    status: { phase, containerStatuses: [{ name: 'c', image: 'x:1', imageID: '', ready, restartCount: 0, state }] },
  });
  // Between two pulls the pod says ImagePullBackOff while the newest event says ErrImagePull.
  assert.equal(warningText(podWarning(pod({ waiting: { reason: 'ImagePullBackOff' } }), groups)!), 'ImagePullBackOff: Failed to pull image "x:1": not found');
  assert.equal(podWarning(pod({ running: {} }, true, 'Running'), groups), undefined);
  assert.equal(podWarning(pod({ terminated: { exitCode: 0, reason: 'Completed' } }, false, 'Succeeded'), groups), undefined);
});

// The tree's side (features/workloads/model.ts): where Events nodes appear and what an event refreshes.
test('a pod or deployment with events gets an Events child listing its rows; an event refreshes its object\'s rows and its deployment\'s', async () => {
  const { WorkloadModel } = await import('../../../src/features/workloads/model.ts');
  const { WorkloadView } = await import('../../../src/core/kube/workloads.ts');
  type Cache = import('../../../src/core/kube/contexts.ts').Cache<import('../../../src/core/kube/reflector.ts').KubeObject>;
  const cache = (items: Array<{ metadata: Record<string, unknown> }>): Cache => {
    const map = new Map(items.map((i) => [`${i.metadata.namespace ? `${i.metadata.namespace}/` : ''}${i.metadata.name}`, i]));
    return { list: () => [...map.values()], get: (k: string) => map.get(k), synced: true, version: 1, state: { kind: 'synced' } } as unknown as Cache;
  };
  const view = new WorkloadView({
    namespaces: cache([{ metadata: { name: 'default' } }]),
    nodes: cache([]),
    deployments: cache([{ metadata: { namespace: 'default', name: 'web', uid: 'dep-1' } }]),
    replicasets: cache([{ metadata: { namespace: 'default', name: 'web-abc', uid: 'rs-1', ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'dep-1' }] } }]),
    pods: cache([
      { metadata: { namespace: 'default', name: 'web-1', uid: 'pod-1', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-1' }] } },
      { metadata: { namespace: 'default', name: 'quiet', uid: 'pod-3', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-1' }] } },
    ]),
    services: cache([]),
  } as never);
  const index = new EventIndex(pullFailure);
  const events = {
    pod: (key: string) => groupEvents(index.of([{ kind: 'Pod', metadata: view.pods.get(key)?.metadata }])),
    deployment: () => groupEvents(index.of([{ kind: 'Deployment', metadata: { uid: 'dep-1' } }, { kind: 'Pod', metadata: { uid: 'pod-1' } }])),
  };
  const model = new WorkloadModel();
  const ns = model.rootChildren('ctx', view, false, 'shown').find((n) => n.type === 'w-namespace')!;
  const deployment = model.children(ns, view, events)[0];
  const depChildren = model.children(deployment, view, events);
  assert.deepEqual(depChildren.map((n) => n.id), ['ctx|rs|default/web-abc', 'ctx|events|deploy|default/web']);
  const pods = model.children(depChildren[0], view, events);
  assert.deepEqual(pods.map((n) => n.id), ['ctx|pod|default/quiet', 'ctx|pod|default/web-1']);
  assert.deepEqual(model.children(pods[0], view, events), [], 'a pod without events is a leaf');
  const podEvents = model.children(pods[1], view, events);
  assert.deepEqual(podEvents.map((n) => n.type), ['w-events']);
  const rows = model.children(podEvents[0], view, events);
  assert.equal(rows.length, 6);
  assert.equal(rows[0].type === 'w-event' && rows[0].group, groupEvents(index.of([{ kind: 'Pod', metadata: { uid: 'pod-1' } }]))[0].id);
  // Without events (the cache not read), the tree is as before.
  assert.deepEqual(model.children(deployment, view).map((n) => n.id), ['ctx|rs|default/web-abc']);

  const targets = model.eventTargets('ctx', { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'pod-1' }, view).map((t) => ('id' in t ? t.id : t.context));
  assert.deepEqual(targets, ['ctx|pod|default/web-1', 'ctx|events|pod|default/web-1', 'ctx|deploy|default/web', 'ctx|events|deploy|default/web']);
  // Only rows that are shown: the quiet pod has no Events node yet, its row refreshes (it becomes expandable).
  assert.deepEqual(model.eventTargets('ctx', { kind: 'Pod', namespace: 'default', name: 'quiet' }, view).map((t) => ('id' in t ? t.id : '')), ['ctx|pod|default/quiet', 'ctx|deploy|default/web', 'ctx|events|deploy|default/web']);
  assert.deepEqual(model.eventTargets('ctx', { kind: 'ReplicaSet', namespace: 'default', name: 'web-abc' }, view).map((t) => ('id' in t ? t.id : '')), ['ctx|deploy|default/web', 'ctx|events|deploy|default/web']);
});
