// Events and Describe judged by the real kubectl 1.32 against the simulator: the events the
// simulated kubelet and controllers record for a pod whose image does not exist (Scheduled,
// Pulling, Failed/ErrImagePull, BackOff, Failed/ImagePullBackOff, ScalingReplicaSet,
// SuccessfulCreate) as `kubectl get events` lists them, and the extension's Describe text
// (core/kube/describe.ts) against `kubectl describe` line by line for the fields a user reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KubeContexts } from '../../../src/core/kube/contexts.ts';
import { describeLive } from '../../../src/core/kube/describe.ts';
import type { KubeHttp } from '../../../src/core/kube/http.ts';
import { eventually, hasKubectl, makeCluster, type TestCluster } from './test/harness.ts';

let tc: TestCluster;
let contexts: KubeContexts;
let http: KubeHttp;

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
  labels: { app: broken }
spec:
  replicas: 1
  selector: { matchLabels: { app: broken } }
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: broken } }
    spec:
      containers:
      - name: web
        image: example/doesnotexist:1.0
        ports: [{ containerPort: 8080 }]
        resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 128Mi } }
        readinessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 5 }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: crasher
spec:
  replicas: 1
  selector: { matchLabels: { app: crasher } }
  template:
    metadata: { labels: { app: crasher } }
    spec:
      containers:
      - name: app
        image: sim/crash:1
        env: [{ name: SIM_CRASH_AFTER, value: 200ms }]
`;

before(async () => {
  tc = await makeCluster({ agents: 1, speed: '0.02' });
  contexts = new KubeContexts({ kubeconfigFiles: () => [tc.kubeconfig] });
  http = await contexts.http('k3d-test');
});
after(async () => {
  contexts?.dispose();
  await tc?.cleanup();
});

async function kubectl(...args: string[]): Promise<string> {
  const r = await tc.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function podOf(app: string): Promise<string> {
  return (await kubectl('get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={.items[0].metadata.name}')).trim();
}

/** `key: value` of the first line (after indentation) that starts with key. */
function field(text: string, key: string): string | undefined {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`${key}:`));
  return line?.trimStart().slice(key.length + 1).trim();
}

/** The Events table's rows without their Age: type, reason, from, message. */
function eventRows(text: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Events:'));
  return lines.slice(at + 3).filter((l) => l.trim()).map((l) => l.trim().split(/\s{2,}/)).map((c) => `${c[0]} ${c[1]} ${c[3]} ${c.slice(4).join('  ')}`).sort();
}

/** A block's lines (e.g. Conditions:) up to the next unindented line, whitespace collapsed. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${title}:`));
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith(' ')) break;
    out.push(l.trim().replace(/\s+/g, ' '));
  }
  return out;
}

test('a missing image: the kubelet\'s events as kubectl get events shows them, on the right objects, counted', { skip: !hasKubectl && 'no kubectl', timeout: 180_000 }, async () => {
  const applied = await tc.kubectl(['apply', '-f', '-'], MANIFEST);
  assert.equal(applied.code, 0, applied.stderr);
  type Obj = Record<string, any>;
  // Few kubectl runs: each takes a second on a loaded machine.
  const objects = await eventually(async () => {
    const all = JSON.parse(await kubectl('get', 'pods,rs', '-l', 'app=broken', '-o', 'json')) as { items: Obj[] };
    const pod = all.items.find((o) => o.kind === 'Pod');
    return pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' && { pod, rs: all.items.find((o) => o.kind === 'ReplicaSet')! };
  }, 60_000, 'ImagePullBackOff');
  const pod = objects.pod.metadata.name as string;
  const uid = objects.pod.metadata.uid as string;
  const rs = objects.rs.metadata.name as string;
  // The pull is retried after the back-off: the same events are counted, not repeated.
  const items = await eventually(async () => {
    const list = JSON.parse(await kubectl('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'json')) as { items: Obj[] };
    const pulling = list.items.filter((e) => e.reason === 'Pulling');
    return pulling.length === 1 && (pulling[0].count ?? 1) >= 2 && list.items;
  }, 90_000, 'a second pull counted on the one Pulling event');
  const seen = items.map((e) => `${e.type} ${e.reason} ${e.source?.component}: ${e.message}`);
  for (const want of [
    `Normal Scheduled default-scheduler: Successfully assigned default/${pod} to `,
    'Normal Pulling kubelet: Pulling image "example/doesnotexist:1.0"',
    'Warning Failed kubelet: Failed to pull image "example/doesnotexist:1.0": ',
    'Warning Failed kubelet: Error: ErrImagePull',
    'Normal BackOff kubelet: Back-off pulling image "example/doesnotexist:1.0"',
    'Warning Failed kubelet: Error: ImagePullBackOff',
  ]) assert.ok(seen.some((x) => x.startsWith(want)), `no event "${want}" in:\n${seen.join('\n')}`);
  assert.equal(new Set(seen).size, seen.length, `one event per reason and message, counted:\n${seen.join('\n')}`);
  for (const e of items) {
    assert.equal(e.involvedObject.kind, 'Pod');
    assert.equal(e.involvedObject.uid, uid);
    assert.equal(e.involvedObject.namespace, 'default');
    if (e.source?.component === 'kubelet') assert.equal(e.involvedObject.fieldPath, 'spec.containers{web}', `${e.reason}: ${e.message}`);
  }
  const others = await kubectl('get', 'events', '--field-selector', 'involvedObject.kind!=Pod', '-o', 'jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name} {.reason}: {.message}{"\\n"}{end}');
  assert.match(others, new RegExp(`Deployment/broken ScalingReplicaSet: Scaled up replica set ${rs} from 0 to 1`));
  assert.match(others, new RegExp(`ReplicaSet/${rs} SuccessfulCreate: Created pod: ${pod}`));
});

test('Describe of the ImagePullBackOff pod says what kubectl describe pod says', { skip: !hasKubectl && 'no kubectl', timeout: 60_000 }, async () => {
  const pod = await podOf('broken');
  const [ours, theirs] = [await describeLive(http, 'pod', 'default', pod), await kubectl('describe', 'pod', pod)];
  for (const key of ['Name', 'Namespace', 'Priority', 'Service Account', 'Node', 'Start Time', 'Labels', 'Annotations', 'Status', 'IP', 'Controlled By', 'Image', 'Image ID', 'Port', 'Host Port', 'State', 'Reason', 'Ready', 'Restart Count', 'cpu', 'memory', 'Readiness', 'QoS Class', 'Node-Selectors', 'Tolerations']) {
    assert.equal(field(ours, key), field(theirs, key), `${key}:\n--- ours\n${ours}\n--- kubectl\n${theirs}`);
  }
  assert.equal(field(ours, 'State'), 'Waiting');
  assert.equal(field(ours, 'Reason'), 'ImagePullBackOff');
  assert.deepEqual(section(ours, 'Conditions'), section(theirs, 'Conditions'));
  assert.deepEqual(section(ours, 'Labels').length, section(theirs, 'Labels').length);
  assert.deepEqual(eventRows(ours), eventRows(theirs));
  assert.ok(eventRows(ours).some((r) => r.startsWith('Warning Failed kubelet Error: ImagePullBackOff')));
});

test('Describe of the deployment says what kubectl describe deployment says, then its failing pod\'s warning', { skip: !hasKubectl && 'no kubectl', timeout: 60_000 }, async () => {
  const [ours, theirs] = [await describeLive(http, 'deployment', 'default', 'broken'), await kubectl('describe', 'deployment', 'broken')];
  for (const key of ['Name', 'Namespace', 'CreationTimestamp', 'Labels', 'Annotations', 'Selector', 'Replicas', 'StrategyType', 'MinReadySeconds', 'RollingUpdateStrategy', 'Image', 'Port', 'Host Port', 'Readiness', 'OldReplicaSets', 'NewReplicaSet']) {
    assert.equal(field(ours, key), field(theirs, key), `${key}:\n--- ours\n${ours}\n--- kubectl\n${theirs}`);
  }
  assert.deepEqual(section(ours, 'Conditions'), section(theirs, 'Conditions'));
  assert.deepEqual(eventRows(ours.split('\nPods (')[0]), eventRows(theirs));
  const pod = await podOf('broken');
  assert.match(ours, new RegExp(`${pod} +ImagePullBackOff +0/1 ready +0 restarts\\n +ImagePullBackOff: Failed to pull image "example/doesnotexist:1.0": `));
});

test('Describe of a crashing pod: its last termination with exit code and restart count, as kubectl describe', { skip: !hasKubectl && 'no kubectl', timeout: 90_000 }, async () => {
  const pod = await eventually(async () => (await podOf('crasher')) || undefined, 20_000, 'the pod');
  await eventually(async () => Number(await kubectl('get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')) >= 1, 60_000, 'a restart');
  const [ours, theirs] = [await describeLive(http, 'pod', 'default', pod), await kubectl('describe', 'pod', pod)];
  const states = (t: string) => t.split('\n').filter((l) => /^\s+(State|Last State|Reason|Exit Code|Ready|Restart Count):/.test(l)).map((l) => l.trim().replace(/\s+/g, ' '));
  assert.ok(states(ours).includes('Last State: Terminated'), ours);
  assert.ok(states(ours).some((l) => l.startsWith('Exit Code: ')), ours);
  // The pod may restart between the two reads: compare them while it stands still.
  if (field(ours, 'Restart Count') === field(theirs, 'Restart Count') && field(ours, 'State') === field(theirs, 'State')) {
    assert.deepEqual(states(ours), states(theirs));
  } else {
    // One read may have caught the container terminated (State has its own Exit Code) and the other not:
    // compare the last termination's, which Last State lists after State.
    const lastExit = (t: string) => states(t).filter((l) => l.startsWith('Exit Code')).at(-1);
    assert.equal(lastExit(ours), lastExit(theirs));
  }
});
