// `kubectl describe` text for a pod and a deployment (core/kube/describe.ts), from objects and events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { describeDeployment, describePod, probeText, rfc1123z } from '../../../src/core/kube/describe.ts';
import { groupEvents, type KubeEvent } from '../../../src/core/kube/events.ts';

const T0 = Date.parse('2026-11-29T23:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** The value after `key:` on the first line that starts with it (after indentation). */
function field(text: string, key: string): string | undefined {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`${key}:`));
  return line?.trimStart().slice(key.length + 1).trim();
}

const crashing: V1Pod = {
  metadata: { name: 'web-abc-1', namespace: 'default', uid: 'p1', labels: { app: 'web', 'pod-template-hash': 'abc' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs1', controller: true }] },
  spec: {
    nodeName: 'k3d-x-agent-0',
    serviceAccountName: 'default',
    containers: [{
      name: 'web', image: 'ghcr.io/me/web:1.0', ports: [{ containerPort: 8080, protocol: 'TCP' }],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
      env: [{ name: 'MODE', value: 'dev' }],
    }],
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
  status: {
    phase: 'Running', hostIP: '172.18.0.4', podIP: '10.42.1.7', podIPs: [{ ip: '10.42.1.7' }], startTime: new Date(T0),
    conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }],
    containerStatuses: [{
      name: 'web', image: 'ghcr.io/me/web:1.0', imageID: 'ghcr.io/me/web@sha256:aa', containerID: 'containerd://c1', ready: false, restartCount: 3,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
      lastState: { terminated: { reason: 'Error', exitCode: 1, startedAt: new Date(T0 + 10_000), finishedAt: new Date(T0 + 12_000) } },
    }],
  },
};

test('describe pod: node, IPs, state and last termination with its exit code, readiness, requests and limits, conditions, events', () => {
  const events: KubeEvent[] = [{ involvedObject: { kind: 'Pod', name: 'web-abc-1', uid: 'p1' }, type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container web', count: 4, firstTimestamp: at(20), lastTimestamp: at(50), source: { component: 'kubelet' } }];
  const text = describePod(crashing, events, T0 + 60_000);
  assert.equal(field(text, 'Name'), 'web-abc-1');
  assert.equal(field(text, 'Node'), 'k3d-x-agent-0/172.18.0.4');
  assert.equal(field(text, 'Start Time'), 'Sun, 29 Nov 2026 23:00:00 +0000');
  assert.equal(field(text, 'IP'), '10.42.1.7');
  assert.equal(field(text, 'Controlled By'), 'ReplicaSet/web-abc');
  assert.equal(field(text, 'Image'), 'ghcr.io/me/web:1.0');
  assert.equal(field(text, 'Port'), '8080/TCP');
  assert.match(text, /\n    State: +Waiting\n      Reason: +CrashLoopBackOff\n    Last State: +Terminated\n      Reason: +Error\n      Exit Code: +1\n/);
  assert.equal(field(text, 'Ready'), 'False');
  assert.equal(field(text, 'Restart Count'), '3');
  assert.match(text, /\n    Limits:\n      memory: +128Mi\n    Requests:\n      cpu: +100m\n      memory: +64Mi\n/);
  assert.equal(field(text, 'Readiness'), 'http-get http://:8080/healthz delay=0s timeout=1s period=5s #success=1 #failure=3');
  assert.match(text, /\n      MODE: +dev\n/);
  // kubectl describe pod draws no rule under Type/Status (a deployment's table has one).
  assert.match(text, /Conditions:\n  Type +Status\n  Ready +False\n  PodScheduled +True\n/);
  assert.equal(field(text, 'QoS Class'), 'Burstable');
  assert.equal(field(text, 'Tolerations'), 'node.kubernetes.io/not-ready:NoExecute op=Exists for 300s');
  assert.match(text, /\n  Warning +BackOff +10s \(x4 over 40s\) +kubelet +Back-off restarting failed container web\n$/);
  // Labels: one per line, the rest aligned under the first.
  assert.match(text, /\nLabels: +app=web\n +pod-template-hash=abc\n/);
  assert.equal(field(text, 'Annotations'), '<none>');
});

test('describe pod without events or IP yet: <none>', () => {
  const pending: V1Pod = { metadata: { name: 'p', namespace: 'ns1' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Pending' } };
  const text = describePod(pending, []);
  assert.equal(field(text, 'Node'), '<none>');
  assert.equal(field(text, 'Status'), 'Pending');
  assert.equal(field(text, 'IPs'), '<none>');
  assert.equal(field(text, 'QoS Class'), 'BestEffort');
  assert.match(text, /\nEvents: +<none>\n$/);
  assert.equal(field(text, 'Port'), '<none>');
});

test('describe deployment: replicas, strategy, template, conditions, new and old ReplicaSets, its events and its failing pods', () => {
  const d: V1Deployment = {
    metadata: { name: 'web', namespace: 'default', uid: 'd1', creationTimestamp: new Date(T0), labels: { app: 'web' }, annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nosuch/app:2', ports: [{ containerPort: 80 }] }] } },
    },
    status: { replicas: 3, updatedReplicas: 1, availableReplicas: 2, unavailableReplicas: 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }] },
  };
  const rs = (name: string, rev: string, replicas: number): V1ReplicaSet => ({ metadata: { name, annotations: { 'deployment.kubernetes.io/revision': rev } }, spec: { replicas, selector: {} }, status: { replicas } });
  const failing: V1Pod = { metadata: { name: 'web-new-1', uid: 'p9' }, spec: { containers: [{ name: 'web' }] }, status: { phase: 'Pending', containerStatuses: [{ name: 'web', image: 'nosuch/app:2', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] } };
  const podEvents = groupEvents([
    { involvedObject: { kind: 'Pod', name: 'web-new-1', uid: 'p9' }, type: 'Warning', reason: 'Failed', message: 'Failed to pull image "nosuch/app:2": not found', lastTimestamp: at(5) },
    { involvedObject: { kind: 'Pod', name: 'web-new-1', uid: 'p9' }, type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', lastTimestamp: at(9) },
  ]);
  const events: KubeEvent[] = [{ involvedObject: { kind: 'Deployment', name: 'web', uid: 'd1' }, type: 'Normal', reason: 'ScalingReplicaSet', message: 'Scaled up replica set web-new from 0 to 1', lastTimestamp: at(1), source: { component: 'deployment-controller' } }];
  const text = describeDeployment(d, [rs('web-new', '2', 1), rs('web-old', '1', 2), rs('web-older', '0', 0)], events, [failing], () => podEvents, T0 + 60_000);
  assert.equal(field(text, 'Replicas'), '2 desired | 1 updated | 3 total | 2 available | 1 unavailable');
  assert.equal(field(text, 'StrategyType'), 'RollingUpdate');
  assert.equal(field(text, 'RollingUpdateStrategy'), '25% max unavailable, 25% max surge');
  assert.equal(field(text, 'Selector'), 'app=web');
  assert.equal(field(text, 'CreationTimestamp'), rfc1123z(new Date(T0)));
  assert.equal(field(text, 'Image'), 'nosuch/app:2');
  assert.equal(field(text, 'Container ID'), undefined, 'a template has no container status');
  assert.match(text, /Conditions:\n  Type +Status +Reason\n  -+ +-+ +-+\n  Available +True +MinimumReplicasAvailable\n/);
  assert.equal(field(text, 'NewReplicaSet'), 'web-new (1/1 replicas created)');
  assert.equal(field(text, 'OldReplicaSets'), 'web-old (2/2 replicas created)');
  assert.match(text, /Normal +ScalingReplicaSet +59s +deployment-controller +Scaled up replica set web-new from 0 to 1/);
  assert.match(text, /web-new-1 +ImagePullBackOff +0\/1 ready +0 restarts\n +ImagePullBackOff: Failed to pull image "nosuch\/app:2": not found\n/);
});

test('a probe as kubectl prints it', () => {
  assert.equal(probeText({ tcpSocket: { port: 5432 } }), 'tcp-socket :5432 delay=0s timeout=1s period=10s #success=1 #failure=3');
  assert.equal(probeText({ exec: { command: ['cat', '/tmp/ok'] }, initialDelaySeconds: 3 }), 'exec [cat /tmp/ok] delay=3s timeout=1s period=10s #success=1 #failure=3');
});
