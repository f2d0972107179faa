// Issue 14's "done when": with the real kubectl and the simulated k3d on a real Docker engine, a locally built image
// fails to pull before `k3d image import` (Docker Hub refuses it) and runs after it, as a real container whose output
// is the pod's log; deleting the pod and the cluster removes its containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { requireDocker, docker } from '../../lib/docker.ts';
import { buildHashApp } from '../../lib/images.ts';
import { pollUntil } from '../../lib/poll.ts';
import { KUBECTL, simWorkspace } from './test/harness.ts';

test('a locally built image: ErrImagePull before k3d image import, a real container after it, its output the pod log', { timeout: 240_000 }, async (t) => {
  await requireDocker();
  const suffix = randomBytes(3).toString('hex');
  const cluster = `real${suffix}`;
  const image = `k3dsim-hashapp-${suffix}:v1`;
  const message = `hello from the real container ${suffix}`;
  const { env, run, k3d } = simWorkspace(t, 'real', cluster);
  const kubectl = async (...args: string[]) => {
    const r = await run(KUBECTL, args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.err}`);
    return r.out;
  };
  const eventually = (what: string, fn: () => Promise<boolean>) => pollUntil(what, fn, (ok) => ok, { timeoutMs: 60_000, intervalMs: 200 });
  const containers = async (all = true): Promise<string[]> => {
    const r = await docker(['ps', ...(all ? ['-a'] : []), '--filter', `label=k3d-sim.cluster=${cluster}`, '--format', '{{.ID}} {{.Names}} {{.State}}']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  };
  t.after(async () => {
    await docker(['rmi', image]);
  });

  const built = await buildHashApp({ tag: image, message });
  const created = await k3d('cluster', 'create', cluster, '--agents', '1');
  assert.equal(created.code, 0, created.err);

  // The course's classic failure: the image is only on the host.
  const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hashgenerator-dep
spec:
  replicas: 1
  selector:
    matchLabels: {app: hashgenerator}
  template:
    metadata:
      labels: {app: hashgenerator}
    spec:
      containers:
      - name: hashgenerator
        image: ${image}
        imagePullPolicy: IfNotPresent
        env:
        - {name: INTERVAL, value: "1"}
`;
  const applied = await run(KUBECTL, ['apply', '-f', '-'], manifest);
  assert.equal(applied.code, 0, applied.err);
  assert.equal(applied.out.trim(), 'deployment.apps/hashgenerator-dep created');
  await eventually('ErrImagePull / ImagePullBackOff', async () => /^hashgenerator-dep-\S+\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s+0\s/m.test(await kubectl('get', 'pods')));
  const canonical = `docker.io/library/${image}`;
  const denied = `failed to pull and unpack image "${canonical}": failed to resolve reference "${canonical}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
  const described = await kubectl('describe', 'pods', '-l', 'app=hashgenerator');
  assert.ok(described.includes(`Failed to pull image "${image}": ${denied}`), described);
  assert.match(described, /Back-off pulling image/);
  await eventually('ImagePullBackOff', async () => /ImagePullBackOff/.test(await kubectl('get', 'pods')));
  assert.deepEqual(await containers(), [], 'no container runs for an image the cluster cannot pull');

  // The fix: import the image into the cluster.
  const imported = await k3d('image', 'import', image, '-c', cluster);
  assert.equal(imported.code, 0, imported.err);
  await eventually('the pod to run', async () => /^hashgenerator-dep-\S+\s+1\/1\s+Running\s+0\s/m.test(await kubectl('get', 'pods')));
  const pod = (await kubectl('get', 'pods', '-l', 'app=hashgenerator', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
  const status = JSON.parse(await kubectl('get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0]}'));
  assert.equal(status.imageID, built.id);
  const running = await containers(false);
  assert.equal(running.length, 1, running.join('\n'));
  const [id, name] = running[0]!.split(' ');
  assert.equal(name, `k3dsim-${cluster}-default-${pod}-hashgenerator-0`);
  assert.equal(status.containerID, `containerd://${(await docker(['inspect', '-f', '{{.Id}}', id!])).stdout.trim()}`);
  assert.equal((await docker(['inspect', '-f', '{{.HostConfig.NetworkMode}}', id!])).stdout.trim(), 'none');

  // Its output is the pod's log: the program's lines, with Docker's timestamps.
  await eventually('two lines of output', async () => (await kubectl('logs', pod)).split('\n').filter(Boolean).length >= 2);
  const logs = await kubectl('logs', pod, '--timestamps');
  const dockerLogs = (await docker(['logs', '--timestamps', id!])).stdout;
  assert.ok(dockerLogs.startsWith(logs), `kubectl logs:\n${logs}\ndocker logs:\n${dockerLogs}`);
  for (const line of logs.trim().split('\n')) {
    assert.match(line, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ: [0-9a-f-]{36} ${message}$`));
  }

  // kubectl logs -f shows exactly what the program prints, as it prints it.
  const follow = await new Promise<string>((resolve) => {
    const p = execFile(KUBECTL, ['logs', '-f', pod], { env }, () => undefined);
    let out = '';
    p.stdout!.on('data', (d) => {
      out += d;
      if (out.split('\n').length > 4) {
        p.kill();
        resolve(out);
      }
    });
  });
  const printed = (await docker(['logs', id!])).stdout;
  assert.ok(printed.startsWith(follow.slice(0, follow.lastIndexOf('\n') + 1)), `followed:\n${follow}\nprinted:\n${printed}`);

  // Deleting the pod removes its container; the deployment's new pod gets a new one.
  await kubectl('delete', 'pod', pod);
  assert.ok(!(await containers()).some((c) => c.startsWith(`${id} `)), 'the deleted pod\'s container is gone');
  await eventually('the replacement pod to run', async () => (await containers(false)).length === 1);

  const deleted = await k3d('cluster', 'delete', cluster);
  assert.equal(deleted.code, 0, deleted.err);
  assert.deepEqual(await containers(), [], 'cluster delete removes every container of the cluster');
});
