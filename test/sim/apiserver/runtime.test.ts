// The simulated kubelet on a real Docker engine, judged by the real kubectl: exit codes,
// restarts and --previous logs of real containers, env/command/args from the pod spec, a cluster registry (a real
// docker-registry on loopback), an unresolvable registry host, a dead DOCKER_HOST, and the API server's shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { docker, requireDocker } from '../../lib/docker.ts';
import { ensureBaseImage } from '../../lib/images.ts';
import { eventually, freePort, makeCluster } from './test/harness.ts';
import type { TestCluster } from './test/harness.ts';

const BASE = 'k3d-deploy/base:1';

async function baseId(): Promise<string> {
  await ensureBaseImage();
  const r = await docker(['image', 'inspect', '--format', '{{.Id}}', BASE]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function clusterContainers(name: string): Promise<string[]> {
  const r = await docker(['ps', '-a', '--filter', `label=k3d-sim.cluster=${name}`, '--format', '{{.Names}} {{.State}}']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

async function removeClusterLeftovers(name: string): Promise<void> {
  const r = await docker(['ps', '-aq', '--filter', `label=k3d-sim.cluster=${name}`]);
  const ids = r.stdout.split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', ...ids]);
}

const podJson = async (tc: TestCluster, name: string): Promise<any> => JSON.parse((await tc.kubectl(['get', 'pod', name, '-o', 'json'])).stdout);

test('real containers: exit codes drive restarts and CrashLoopBackOff, --previous shows the exited run, env and args come from the pod spec, shutdown removes them', { timeout: 180_000 }, async (t) => {
  await requireDocker();
  const id = await baseId();
  const name = `rt${randomBytes(3).toString('hex')}`;
  const tc = await makeCluster({ agents: 0, name });
  t.after(async () => {
    await tc.cleanup();
    await removeClusterLeftovers(name);
  });
  tc.setCluster({ importedImages: [BASE], importedImageIds: { [BASE]: id } });

  const crasher = `apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: main
    image: ${BASE}
    command: ["/bin/sh", "-c"]
    args: ["echo run $(date +%s); echo to stderr >&2; exit 3"]
`;
  const r = await tc.kubectl(['apply', '-f', '-'], crasher);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => {
    const p = await podJson(tc, 'crasher');
    const cs = p.status.containerStatuses?.[0];
    return cs?.restartCount >= 2 && cs.state.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
  }, 60_000, 'CrashLoopBackOff');
  const p = await podJson(tc, 'crasher');
  const last = p.status.containerStatuses[0].lastState.terminated;
  assert.equal(last.exitCode, 3);
  assert.equal(last.reason, 'Error');
  const table = (await tc.kubectl(['get', 'pod', 'crasher'])).stdout;
  assert.match(table, /^crasher\s+[01]\/1\s+\S+\s+[1-9]\d* \(\d+s ago\)/m);
  assert.match((await tc.kubectl(['describe', 'pod', 'crasher'])).stdout, /Back-off restarting failed container main in pod crasher_default/);
  const previous = await tc.kubectl(['logs', 'crasher', '--previous']);
  assert.equal(previous.code, 0, previous.stderr);
  // Both streams, in the order of Docker's own timestamps (which the engine takes as it reads each pipe).
  assert.match(previous.stdout, /^(run \d+\nto stderr\n|to stderr\nrun \d+\n)$/);
  // Kubernetes keeps the last exited container, not every one.
  assert.ok((await clusterContainers(name)).filter((c) => c.startsWith(`k3dsim-${name}-default-crasher-main-`)).length <= 2);
  assert.equal((await tc.kubectl(['delete', 'pod', 'crasher'])).code, 0);
  assert.deepEqual((await clusterContainers(name)).filter((c) => c.includes('-crasher-')), [], 'a deleted pod leaves no container');

  const greeter = `apiVersion: v1
kind: ConfigMap
metadata: {name: greeting}
data: {WHO: world}
---
apiVersion: v1
kind: Pod
metadata: {name: greeter}
spec:
  restartPolicy: OnFailure
  containers:
  - name: main
    image: ${BASE}
    command: ["/bin/sh", "-c", "echo \\"$GREETING from $(hostname) in $POD_NS: $1\\"", "sh"]
    args: ["$(GREETING)!"]
    env:
    - {name: GREETING, value: "hello $(WHO)"}
    - name: POD_NS
      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
    envFrom:
    - configMapRef: {name: greeting}
`;
  const g = await tc.kubectl(['apply', '-f', '-'], greeter);
  assert.equal(g.code, 0, g.stderr);
  await eventually(async () => (await podJson(tc, 'greeter')).status.phase === 'Succeeded', 60_000, 'the greeter to complete');
  assert.equal((await tc.kubectl(['logs', 'greeter'])).stdout, 'hello world from greeter in default: hello world!\n');
  const done = (await podJson(tc, 'greeter')).status.containerStatuses[0];
  assert.equal(done.state.terminated.exitCode, 0);
  assert.equal(done.state.terminated.reason, 'Completed');
  assert.equal(done.restartCount, 0);

  // A last line without a newline is printed without one, as Docker recorded it.
  const partial = await tc.kubectl(['run', 'partial', `--image=${BASE}`, '--restart=Never', '--command', '--', 'sh', '-c', 'echo one; printf "no newline"']);
  assert.equal(partial.code, 0, partial.stderr);
  await eventually(async () => (await podJson(tc, 'partial')).status.phase === 'Succeeded', 60_000, 'partial to complete');
  assert.equal((await tc.kubectl(['logs', 'partial'])).stdout, 'one\nno newline');

  const sleeper = await tc.kubectl(['run', 'sleeper', `--image=${BASE}`, '--', 'sleep', '3600']);
  assert.equal(sleeper.code, 0, sleeper.stderr);
  await eventually(async () => (await podJson(tc, 'sleeper')).status.containerStatuses?.[0]?.state?.running, 60_000, 'sleeper running');
  assert.ok((await clusterContainers(name)).includes(`k3dsim-${name}-default-sleeper-sleeper-0 running`));
  // Stopping the API server (k3d cluster stop / delete) stops and removes every container of the cluster.
  await tc.stop();
  assert.deepEqual(await clusterContainers(name), []);
  // Started again (k3d cluster start), the running pod's container runs again from the imported image.
  await tc.start();
  await eventually(async () => (await clusterContainers(name)).includes(`k3dsim-${name}-default-sleeper-sleeper-0 running`), 60_000, 'the sleeper container after a restart');
  const resumed = (await podJson(tc, 'sleeper')).status.containerStatuses[0];
  assert.ok(resumed.state.running);
  const ids = (await docker(['ps', '-q', '--no-trunc', '--filter', `name=k3dsim-${name}-default-sleeper-sleeper-0`])).stdout.trim();
  assert.equal(resumed.containerID, `containerd://${ids}`);
  await tc.stop();
  assert.deepEqual(await clusterContainers(name), []);
});

test('a cluster registry is pulled from for real (a missing tag: not found); an unresolvable registry host fails to resolve', { timeout: 180_000 }, async (t) => {
  await requireDocker();
  await ensureBaseImage();
  const name = `rg${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'k3dsim-registry-'));
  const port = await freePort();
  writeFileSync(join(dir, 'config.yml'), `version: 0.1
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
http:
  addr: 127.0.0.1:${port}
`);
  const registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const pushed = `127.0.0.1:${port}/app:v1`;
  const tc = await makeCluster({ agents: 0, name });
  t.after(async () => {
    await tc.cleanup();
    await removeClusterLeftovers(name);
    registry.kill();
    await docker(['rmi', pushed]);
    // What the kubelet pulled (by digest: no tag) goes too.
    const digests = await docker(['images', '--digests', '--format', '{{.Repository}}@{{.Digest}}', `127.0.0.1:${port}/app`]);
    for (const ref of digests.stdout.split('\n').filter((l) => l.includes('@sha256:'))) await docker(['rmi', ref]);
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal((await docker(['tag', BASE, pushed])).code, 0);
  await eventually(async () => (await docker(['push', pushed])).code === 0, 30_000, 'the push to the registry');
  // Only the registry has it now: the kubelet has to pull it.
  assert.equal((await docker(['rmi', pushed])).code, 0);
  tc.setCluster({ registries: [{ name: 'k3d-reg', host: '0.0.0.0', hostPort: String(port), port: 5000 }] });

  const run = async (pod: string, image: string) => {
    const r = await tc.kubectl(['run', pod, `--image=${image}`, '--image-pull-policy=Always', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
  };
  await run('present', 'k3d-reg:5000/app:v1');
  await run('missing', 'k3d-reg:5000/app:v2');
  await run('nohost', 'registry.example.invalid/app:v1');
  await eventually(async () => (await podJson(tc, 'present')).status.containerStatuses?.[0]?.state?.running, 60_000, 'the registry image to run');
  assert.ok((await clusterContainers(name)).includes(`k3dsim-${name}-default-present-present-0 running`));
  const events = (await tc.kubectl(['describe', 'pod', 'present'])).stdout;
  assert.match(events, /Successfully pulled image "k3d-reg:5000\/app:v1" in [\d.]+s/);
  assert.match((await podJson(tc, 'present')).status.containerStatuses[0].imageID, /^k3d-reg:5000\/app@sha256:[0-9a-f]{64}$/);
  // Pulled by digest: the host's images gain no tag.
  assert.equal((await docker(['images', '--format', '{{.Repository}}:{{.Tag}}', `127.0.0.1:${port}/app`])).stdout.trim(), `127.0.0.1:${port}/app:<none>`);

  const waiting = async (pod: string) => eventually(async () => {
    const w = (await podJson(tc, pod)).status.containerStatuses?.[0]?.state?.waiting;
    return w?.reason === 'ErrImagePull' || w?.reason === 'ImagePullBackOff' ? w.message as string : undefined;
  }, 60_000, `${pod} to fail to pull`);
  assert.match(await waiting('missing'), /failed to pull and unpack image "k3d-reg:5000\/app:v2": failed to resolve reference "k3d-reg:5000\/app:v2": k3d-reg:5000\/app:v2: not found$/);
  assert.match(await waiting('nohost'), /failed to resolve reference "registry\.example\.invalid\/app:v1": failed to do request: Head "https:\/\/registry\.example\.invalid\/v2\/app\/manifests\/v1": dial tcp: lookup registry\.example\.invalid: no such host$/);
});

test('Docker unreachable (dead DOCKER_HOST): an imported image fails to pull with the engine\'s message, the kubelet goes on', { timeout: 60_000 }, async (t) => {
  const tc = await makeCluster({ agents: 0, env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
  t.after(() => tc.cleanup());
  tc.setCluster({ importedImages: ['app:v1'], importedImageIds: { 'app:v1': `sha256:${'ab'.repeat(32)}` } });
  const r = await tc.kubectl(['run', 'app', '--image=app:v1']);
  assert.equal(r.code, 0, r.stderr);
  const message = await eventually(async () => {
    const w = (await podJson(tc, 'app')).status.containerStatuses?.[0]?.state?.waiting;
    return w?.reason === 'ErrImagePull' || w?.reason === 'ImagePullBackOff' ? w.message as string : undefined;
  }, 30_000, 'the pull to fail');
  assert.match(message, /failed to pull and unpack image "docker\.io\/library\/app:v1": Cannot connect to the Docker daemon at unix:\/\/\/nonexistent\.sock\. Is the docker daemon running\?/);
  // A public image still runs (the scripted behaviour), so the kubelet is alive.
  assert.equal((await tc.kubectl(['run', 'web', '--image=nginx'])).code, 0);
  await eventually(async () => (await podJson(tc, 'web')).status.phase === 'Running', 30_000, 'nginx to run');
});
