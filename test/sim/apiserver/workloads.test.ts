// Controllers, kubelet and logs through the real kubectl: pulls, crashes, log options, GC, rollouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { KUBECTL, eventually, hasKubectl, makeCluster, request } from './test/harness.ts';
import type { TestCluster } from './test/harness.ts';

let tc: TestCluster;
const skip = !hasKubectl && 'kubectl is absent';
before(async () => { tc = await makeCluster({ speed: '0.02' }); });
after(async () => { await tc.cleanup(); });

async function k(...args: string[]): Promise<string> {
  const r = await tc.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function podRow(selector: string): Promise<string[]> {
  const out = await k('get', 'pods', '-l', selector, '--no-headers');
  return out.trim().split(/\s+/);
}

test('image pull failures: ErrImagePull then ImagePullBackOff, with events', { skip }, async () => {
  await k('create', 'deployment', 'missing', '--image=nginx:doesnotexist');
  await eventually(async () => (await podRow('app=missing'))[2] === 'ImagePullBackOff', 15_000, 'ImagePullBackOff');
  const events = await k('get', 'events', '--field-selector', 'reason=Failed');
  assert.match(events, /Failed to pull image "nginx:doesnotexist": failed to pull and unpack image "docker\.io\/library\/nginx:doesnotexist"/);
  const logs = await tc.kubectl(['logs', 'deploy/missing']);
  assert.match(logs.stderr, /is waiting to start: (image can't be pulled|trying and failing to pull image)/);
});

test('imagePullPolicy Never: ErrImageNeverPull until the image is imported', { skip }, async () => {
  const yaml = (await k('create', 'deployment', 'local', '--image=myapp:1.0', '--dry-run=client', '-o', 'yaml')).replace('resources: {}', 'imagePullPolicy: Never');
  const r = await tc.kubectl(['apply', '-f', '-'], yaml);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await podRow('app=local'))[2] === 'ErrImageNeverPull', 10_000, 'ErrImageNeverPull');
  tc.setImported(['docker.io/library/myapp:1.0']);
  await eventually(async () => (await podRow('app=local'))[2] === 'Running', 10_000, 'Running after import');
});

test('a crashing container: restarts, CrashLoopBackOff, previous logs', { skip }, async () => {
  await k('run', 'crasher', '--image=busybox', '--env=SIM_CRASH_AFTER=200ms', '--env=SIM_LOG_RATE=50');
  await eventually(async () => {
    const row = await podRow('run=crasher');
    return row[2] === 'CrashLoopBackOff' && Number(row[3]) >= 2;
  }, 20_000, 'CrashLoopBackOff');
  const previous = await k('logs', 'crasher', '--previous');
  assert.match(previous, /sim log line\nfatal: simulated crash \(exit code 1\)\n$/);
  const status = JSON.parse(await k('get', 'pod', 'crasher', '-o', 'json')).status.containerStatuses[0];
  assert.equal(status.lastState.terminated.exitCode, 1);
  assert.equal(status.lastState.terminated.reason, 'Error');
  assert.match(await k('get', 'events', '--field-selector', 'involvedObject.name=crasher'), /Back-off restarting failed container crasher in pod crasher_default/);
});

test('logs: tailLines, timestamps, limitBytes, sinceSeconds, container; follow ends when the pod goes', { skip }, async () => {
  await k('run', 'talker', '--image=busybox', '--env=SIM_LOG_RATE=2000');
  await eventually(async () => (await podRow('run=talker'))[2] === 'Running', 10_000, 'talker running');
  await new Promise((r) => setTimeout(r, 600));
  const all = (await k('logs', 'talker')).trim().split('\n');
  assert.ok(all.length >= 500, `${all.length} lines`);
  assert.deepEqual(all.slice(0, 2).map((l) => l.split(' ')[0]), ['1', '2']);
  const tail = (await k('logs', 'talker', '--tail=3')).trim().split('\n');
  assert.equal(tail.length, 3);
  const ts = (await k('logs', 'talker', '--tail=1', '--timestamps')).trim();
  assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \d+ /);
  assert.equal((await k('logs', 'talker', '--limit-bytes=10')).length, 10);
  const since = (await k('logs', 'talker', '--since=1s')).trim().split('\n').length;
  assert.ok(since < all.length + 2000 && since > 0);
  const bad = await tc.kubectl(['logs', 'talker', '-c', 'nope']);
  assert.match(bad.stderr, /container nope is not valid for pod talker/);
  // Throughput: a follow keeps up with 2000 lines/s, and ends when the pod is deleted.
  const follow = spawn(KUBECTL, ['logs', '-f', 'talker', '--tail=0'], { env: tc.env });
  let bytes = 0;
  follow.stdout.on('data', (d: Buffer) => { bytes += d.length; });
  const ended = new Promise((r) => follow.on('exit', r));
  // The stream goes on while kubectl follows it: 20 KB (some 1,000 lines) arrive, however slowly kubectl starts.
  await eventually(async () => bytes > 20_000, 20_000, '20 KB of the followed log');
  await k('delete', 'pod', 'talker', '--wait=false');
  await Promise.race([ended, new Promise((_, rej) => setTimeout(() => rej(new Error('follow did not end')), 10_000))]);
});

test('rolling update with maxSurge/maxUnavailable, rollback to an earlier template, revisions', { skip }, async () => {
  await k('create', 'deployment', 'roll', '--image=nginx:1.26', '--replicas=3');
  await k('rollout', 'status', 'deployment/roll', '--timeout=30s');
  await k('set', 'image', 'deployment/roll', 'nginx=nginx:1.27');
  await k('rollout', 'status', 'deployment/roll', '--timeout=30s');
  const d = JSON.parse(await k('get', 'deployment', 'roll', '-o', 'json'));
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '2');
  assert.equal(d.status.observedGeneration, d.metadata.generation);
  assert.deepEqual(d.status.conditions.map((c: { type: string; reason: string }) => `${c.type}/${c.reason}`), ['Available/MinimumReplicasAvailable', 'Progressing/NewReplicaSetAvailable']);
  await k('rollout', 'undo', 'deployment/roll');
  await k('rollout', 'status', 'deployment/roll', '--timeout=30s');
  const rs = JSON.parse(await k('get', 'rs', '-l', 'app=roll', '-o', 'json')).items;
  assert.equal(rs.length, 2, 'the rollback reused the first ReplicaSet');
  const current = rs.find((r: { spec: { replicas: number } }) => r.spec.replicas === 3);
  assert.equal(current.spec.template.spec.containers[0].image, 'nginx:1.26');
  assert.equal(current.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  const events = await k('get', 'events', '--field-selector', 'involvedObject.name=roll');
  assert.match(events, /Scaled up replica set roll-\w+ from 0 to 1/);
  const scale = (await request(tc, 'GET', '/apis/apps/v1/namespaces/default/deployments/roll/scale')).json();
  assert.deepEqual([scale.kind, scale.apiVersion, scale.spec.replicas, scale.status.selector], ['Scale', 'autoscaling/v1', 3, 'app=roll']);
});

test('garbage collection: background, orphan and foreground deletion', { skip }, async () => {
  await k('create', 'deployment', 'gc-orphan', '--image=nginx');
  await k('rollout', 'status', 'deployment/gc-orphan', '--timeout=30s');
  await k('delete', 'deployment', 'gc-orphan', '--cascade=orphan');
  const orphans = JSON.parse(await k('get', 'rs', '-l', 'app=gc-orphan', '-o', 'json')).items;
  assert.equal(orphans.length, 1);
  assert.equal(orphans[0].metadata.ownerReferences, undefined);
  await k('delete', 'rs', '-l', 'app=gc-orphan', '--cascade=foreground');
  assert.equal((await k('get', 'pods', '-l', 'app=gc-orphan', '-o', 'name')).trim(), '');
  await k('create', 'namespace', 'scratch');
  await k('create', 'deployment', 'in-ns', '--image=nginx', '-n', 'scratch');
  await k('delete', 'namespace', 'scratch');
  const gone = await tc.kubectl(['get', 'ns', 'scratch']);
  assert.match(gone.stderr, /namespaces "scratch" not found/);
});
