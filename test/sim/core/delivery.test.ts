// Build & Deploy's delivery and the ErrImagePull fix, their decisions and argument arrays run for
// real: the real Docker engine, the simulated k3d with a real registry (--registry-create), the
// real kubectl. What the extension reads (the local-registry-hosting ConfigMap, docker image
// inspect) decides; what it runs (docker build/tag/push, k3d image import) makes the pod run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { dockerImageInspectArgs, dockerPushArgs, dockerTagArgs, k3dImageImportArgs } from '../../../src/core/publish/docker.ts';
import { imagePullFixes } from '../../../src/core/publish/imagePullFix.ts';
import { buildPlan, planDelivery } from '../../../src/core/publish/publish.ts';
import { parseLocalRegistryHosting } from '../../../src/core/publish/registry.ts';
import { parseImageReference } from '../../../src/core/manifests/imageReference.ts';
import type { ImageReference } from '../../../src/core/manifests/imageReference.ts';
import { runTool } from '../../../src/core/process.ts';
import { docker, requireDocker } from '../../lib/docker.ts';
import { buildHashApp, copyHashApp, ensureBaseImage } from '../../lib/images.ts';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KUBECTL = '/usr/bin/kubectl';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: app
        image: ${image}
        env:
        - {name: INTERVAL, value: "1"}
`;

test('registry push by Build & Deploy\'s plan, then Push to Cluster Registry and Import into Cluster fixing ErrImagePull', { timeout: 300_000 }, async (t) => {
  await requireDocker();
  await ensureBaseImage();
  const suffix = randomBytes(3).toString('hex');
  const cluster = `deliver${suffix}`;
  const port = await freePort();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'k3d-deliver-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(repo, 'test', 'sim', 'bin')}:${path.join(repo, 'node_modules', '.bin')}:${process.env.PATH}`,
    K3D_SIM_HOME: path.join(root, 'k3d'),
    KUBECONFIG: path.join(root, 'kube', 'config'),
    KUBECACHEDIR: path.join(root, 'kube', 'cache'),
    HOME: root,
    K3D_SIM_SPEED: '0.02',
  };
  const run = (cmd: string, args: readonly string[], input?: string): Promise<{ out: string; err: string; code: number }> =>
    new Promise((resolve) => {
      const p = execFile(cmd, [...args], { env, cwd: root, timeout: 120_000, maxBuffer: 16 << 20 }, (e, out, err) => resolve({ out, err, code: e ? (typeof e.code === 'number' ? e.code : 1) : 0 }));
      if (input !== undefined) p.stdin!.end(input);
    });
  const kubectl = async (...args: string[]) => {
    const r = await run(KUBECTL, args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.err}`);
    return r.out;
  };
  const apply = async (manifest: string) => assert.equal((await run(KUBECTL, ['apply', '-f', '-'], manifest)).code, 0);
  const podOf = async (app: string) => JSON.parse(await kubectl('get', 'pods', '-l', `app=${app}`, '-o', 'json')).items as Array<{ metadata: { name: string }; spec: { containers: Array<{ image: string; imagePullPolicy?: string }> }; status: { containerStatuses?: Array<{ state?: { waiting?: { reason?: string }; running?: unknown } }> } }>;
  const eventually = async (what: string, fn: () => Promise<boolean>, ms = 90_000) => {
    const deadline = Date.now() + ms;
    while (!(await fn())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const waitingReason = async (app: string) => (await podOf(app))[0]?.status.containerStatuses?.[0]?.state?.waiting?.reason;
  const running = async (app: string) => (await podOf(app)).some((p) => p.status.containerStatuses?.[0]?.state?.running !== undefined);
  const hasLocalImage = async (image: string) => runTool('docker', dockerImageInspectArgs(image), { timeoutMs: 30_000 }).then(() => true, () => false);
  const made: string[] = [];
  t.after(async () => {
    await run('k3d', ['cluster', 'delete', cluster]);
    for (const image of made) await docker(['image', 'rm', '--force', image]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  const created = await run('k3d', ['cluster', 'create', cluster, '--registry-create', `reg${suffix}:0.0.0.0:${port}`]);
  assert.equal(created.code, 0, created.err);

  // What Build & Deploy reads: the registry the cluster announces.
  const hosting = JSON.parse(await kubectl('get', 'configmap', 'local-registry-hosting', '-n', 'kube-public', '-o', 'json')) as { data: Record<string, string> };
  const registry = parseLocalRegistryHosting(hosting.data);
  // `--registry-create NAME` names the registry NAME as given, without k3d-'s prefix (k3d pkg/config/transform.go).
  assert.deepEqual(registry, { host: `localhost:${port}`, hostFromContainerRuntime: `reg${suffix}:${port}`, hostFromClusterNetwork: `reg${suffix}:${port}` });

  // Build & Deploy of `regX:PORT/hashapp:1`: built as localhost:PORT/hashapp:2, pushed, the manifest names regX:PORT.
  const ref = parseImageReference(`reg${suffix}:${port}/hashapp-${suffix}:1`) as ImageReference;
  const delivery = planDelivery({ ref, tag: '2', setting: 'auto', cluster, registry });
  assert.ok(delivery.ok && delivery.method === 'push');
  assert.equal(delivery.buildImage, `localhost:${port}/hashapp-${suffix}:2`);
  const context = copyHashApp(path.join(root, 'app'), `pushed by Build & Deploy ${suffix}`);
  made.push(delivery.buildImage);
  for (const step of buildPlan({ image: delivery.buildImage, contextDir: context, publish: 'push' })) {
    assert.equal(step.tool, 'docker');
    await runTool('docker', step.args, { timeoutMs: 180_000 });
  }
  await apply(deployment('pushed', delivery.manifestImage));
  await eventually('the pushed image to run', () => running('pushed'));
  const pushedPod = (await podOf('pushed'))[0]!.metadata.name;
  await eventually('its output', async () => (await kubectl('logs', pushedPod)).includes(`pushed by Build & Deploy ${suffix}`));

  // Built here but never pushed: the registry says not found; the fix offered is the push.
  const unpushed = `localhost:${port}/hashapp-${suffix}:3`;
  await buildHashApp({ tag: unpushed, message: `pushed by the fix ${suffix}` });
  made.push(unpushed);
  await apply(deployment('unpushed', `reg${suffix}:${port}/hashapp-${suffix}:3`));
  await eventually('ErrImagePull for the unpushed tag', async () => /ErrImagePull|ImagePullBackOff/.test((await waitingReason('unpushed')) ?? ''));
  const pod = (await podOf('unpushed'))[0]!;
  const [push] = await imagePullFixes({ reason: (await waitingReason('unpushed'))!, image: pod.spec.containers[0]!.image, pullPolicy: pod.spec.containers[0]!.imagePullPolicy, cluster, registry }, hasLocalImage);
  assert.deepEqual(push, { kind: 'push', label: 'Push to Cluster Registry', source: unpushed, pushImage: unpushed });
  await runTool('docker', dockerPushArgs(push.kind === 'push' ? push.pushImage : ''), { timeoutMs: 120_000 });
  await eventually('the pod to run after the push (its next pull)', () => running('unpushed'), 120_000);

  // Built under the nodes' name only: the fix tags it for this machine's side first.
  const nodesName = `reg${suffix}:${port}/hashapp-${suffix}:4`;
  await runTool('docker', dockerTagArgs(unpushed, nodesName), { timeoutMs: 30_000 });
  made.push(nodesName, `localhost:${port}/hashapp-${suffix}:4`);
  const [tagThenPush] = await imagePullFixes({ reason: 'ErrImagePull', image: nodesName, cluster, registry }, hasLocalImage);
  assert.deepEqual(tagThenPush, { kind: 'push', label: 'Push to Cluster Registry', source: nodesName, pushImage: `localhost:${port}/hashapp-${suffix}:4` });

  // The classic failure: a plain name only on the host. The fix is k3d image import.
  const local = `hashapp-local-${suffix}:1`;
  await buildHashApp({ tag: local, message: `imported by the fix ${suffix}` });
  made.push(local);
  await apply(deployment('hostonly', local));
  await eventually('ErrImagePull for the host-only image', async () => /ErrImagePull|ImagePullBackOff/.test((await waitingReason('hostonly')) ?? ''));
  const hostOnly = (await podOf('hostonly'))[0]!;
  const [importFix] = await imagePullFixes({ reason: (await waitingReason('hostonly'))!, image: hostOnly.spec.containers[0]!.image, pullPolicy: hostOnly.spec.containers[0]!.imagePullPolicy, cluster, registry }, hasLocalImage);
  assert.deepEqual(importFix, { kind: 'import', label: 'Import into Cluster', image: local, cluster });
  const imported = await run('k3d', k3dImageImportArgs(local, cluster));
  assert.equal(imported.code, 0, imported.err);
  await eventually('the pod to run after the import (its next pull)', () => running('hostonly'), 120_000);

  // An image nobody built: no fix is offered.
  assert.deepEqual(await imagePullFixes({ reason: 'ErrImagePull', image: `never-built-${suffix}:1`, cluster, registry }, hasLocalImage), []);
});
