// The tree's data against the REAL kubectl on a simulated cluster: what a user does in the
// terminal shows in the tree within a second, what they do in the tree kubectl sees, a
// stopped and started cluster resumes, and Apply's conflicts and dry-run diff.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { deleteObject, deploymentRef, scaleDeployment } from '../../../src/core/kube/actions.ts';
import { applyObjects } from '../../../src/core/kube/apply.ts';
import { KubeContexts } from '../../../src/core/kube/contexts.ts';
import { Discovery } from '../../../src/core/kube/discovery.ts';
import type { KubeHttp } from '../../../src/core/kube/http.ts';
import { deploymentSummary, podSummary } from '../../../src/core/kube/status.ts';
import { ClusterWorkloads } from '../../../src/core/kube/workloads.ts';
import { pollUntil } from '../../lib/poll.ts';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const K3D = path.resolve(import.meta.dirname, '../bin/k3d');
const home = mkdtempSync(path.join(tmpdir(), 'k3d-deploy-kubectl-'));
const kubeconfig = path.join(home, 'kubeconfig');
const env = { ...process.env, K3D_SIM_HOME: path.join(home, 'sim'), KUBECONFIG: kubeconfig, K3D_SIM_SPEED: '0.02' };
const skip = existsSync(KUBECTL) ? false : 'kubectl is not installed at /usr/bin/kubectl';
let http: KubeHttp;
let contexts: KubeContexts;
let workloads: ClusterWorkloads;
let changes = 0;

const kubectl = async (...args: string[]) => (await run(KUBECTL, args, { env })).stdout;

before(async () => {
  if (skip) return;
  await run(K3D, ['cluster', 'create', 'interop', '--agents', '1'], { env });
  contexts = new KubeContexts({ kubeconfigFiles: () => [kubeconfig], batchMs: 10 });
  http = await contexts.http('k3d-interop');
  workloads = new ClusterWorkloads(contexts, 'k3d-interop', { onChange: () => void changes++ });
  await until('the caches to sync', () => workloads.synced);
});

after(async () => {
  workloads?.stop();
  contexts?.dispose();
  if (!skip) await run(K3D, ['cluster', 'delete', 'interop'], { env }).catch(() => undefined);
});

/** Polls every 10 ms; returns how long it took. */
async function until(what: string, probe: () => unknown, timeoutMs = 20_000): Promise<number> {
  const start = Date.now();
  await pollUntil(what, probe, (v) => !!v, { timeoutMs, intervalMs: 10, describe: () => 'not yet' });
  return Date.now() - start;
}

const dep = (name: string) => workloads.deployments.get(`default/${name}`) as V1Deployment | undefined;
const pods = (name: string) => {
  const d = dep(name);
  return d ? (workloads.podsOfDeployment(d) as V1Pod[]).filter((p) => !p.metadata?.deletionTimestamp) : [];
};

test('kubectl create deployment appears in the tree within 1 s, and becomes 1/1 Running', { skip }, async () => {
  await kubectl('create', 'deployment', 'hashgenerator-dep', '--image=jakousa/dwk-app1');
  const seen = await until('the deployment in the cache', () => dep('hashgenerator-dep'));
  assert.ok(seen < 1000, `seen after ${seen} ms`);
  await until('1/1 and a Running pod', () => deploymentSummary(dep('hashgenerator-dep')!).ready === '1/1' && pods('hashgenerator-dep').some((p) => podSummary(p).status === 'Running'));
});

test('kubectl scale and set image show in the tree; kubectl delete empties it', { skip }, async () => {
  await kubectl('scale', 'deployment/hashgenerator-dep', '--replicas=4');
  const scaled = await until('spec.replicas 4', () => dep('hashgenerator-dep')?.spec?.replicas === 4);
  assert.ok(scaled < 1000, `scale seen after ${scaled} ms`);
  await until('4 Running pods', () => pods('hashgenerator-dep').filter((p) => podSummary(p).status === 'Running').length === 4);
  await kubectl('set', 'image', 'deployment/hashgenerator-dep', 'dwk-app1=jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64');
  const imaged = await until('the new image', () => deploymentSummary(dep('hashgenerator-dep')!).images[0].endsWith(':b7fc18de2376da80ff0cfc72cf581a9f94d10e64'));
  assert.ok(imaged < 1000, `set image seen after ${imaged} ms`);
  await until('two ReplicaSets', () => workloads.replicaSetsOf(dep('hashgenerator-dep')!).length === 2);
  await kubectl('delete', 'deployment', 'hashgenerator-dep');
  await until('no deployment and no pods', () => !dep('hashgenerator-dep') && workloads.pods.list().every((p) => p.metadata?.namespace !== 'default'), 30_000);
});

test('an image that cannot be pulled reads ImagePullBackOff, failed, with the reason', { skip }, async () => {
  await kubectl('create', 'deployment', 'broken', '--image=nginx:doesnotexist');
  await until('ImagePullBackOff', () => pods('broken').some((p) => podSummary(p).status === 'ImagePullBackOff'), 30_000);
  const summary = podSummary(pods('broken')[0]);
  assert.equal(summary.health, 'failed');
  assert.ok(summary.problems.some((p) => /doesnotexist/.test(p)), JSON.stringify(summary.problems));
  await kubectl('delete', 'deployment', 'broken');
});

test('what the tree does, kubectl sees', { skip }, async () => {
  await kubectl('create', 'deployment', 'from-tree', '--image=nginx');
  await until('from-tree', () => dep('from-tree'));
  await scaleDeployment(http, 'default', 'from-tree', 2);
  assert.match(await kubectl('get', 'deployment', 'from-tree', '-o', 'jsonpath={.spec.replicas}'), /^2$/);
  await deleteObject(http, deploymentRef('default', 'from-tree'));
  await until('kubectl no longer finding it', () => spawnSync(KUBECTL, ['get', 'deployment', 'from-tree'], { env }).status !== 0, 10_000);
});

const course = (tag: string, replicas = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'course' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'course' } },
    template: { metadata: { labels: { app: 'course' } }, spec: { containers: [{ name: 'app', image: `jakousa/dwk-app1:${tag}` }] } },
  },
});

test('a field another manager owns (kubectl --server-side --field-manager=other) conflicts; Force resolves it', { skip }, async () => {
  const file = path.join(home, 'other.yaml');
  writeFileSync(file, JSON.stringify(course('aaa1111', 3)));
  await kubectl('apply', '--server-side', '--field-manager=other', '-f', file);
  const discovery = new Discovery(http);
  const result = await applyObjects(http, discovery, [course('aaa1111', 1)]);
  assert.equal(result.applied, false);
  assert.equal(result.results[0].problem?.kind, 'conflict');
  assert.deepEqual(result.results[0].problem?.conflicts, [{ field: '.spec.replicas', manager: 'other' }]);
  const forced = await applyObjects(http, discovery, [course('aaa1111', 1)], { force: true });
  assert.equal(forced.results[0].outcome, 'configured');
  assert.match(await kubectl('get', 'deployment', 'course', '-o', 'jsonpath={.spec.replicas}'), /^1$/);
});

test('Diff: a dry run shows the tag change against the live object and changes nothing', { skip }, async () => {
  const discovery = new Discovery(http);
  // Force: a diff shows what the file asks for even where another manager disagrees (Apply says so).
  const dry = await applyObjects(http, discovery, [course('bbb2222', 1)], { dryRun: true, force: true });
  const image = (o: unknown) => (o as V1Deployment).spec?.template?.spec?.containers?.[0]?.image;
  assert.equal(image(dry.results[0].before), 'jakousa/dwk-app1:aaa1111');
  assert.equal(image(dry.results[0].object), 'jakousa/dwk-app1:bbb2222');
  assert.match(await kubectl('get', 'deployment', 'course', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'), /aaa1111$/);
});

test('stopping and starting the cluster: the watches recover by themselves, and see new objects', { skip }, async () => {
  await run(K3D, ['cluster', 'stop', 'interop'], { env });
  await run(K3D, ['cluster', 'start', 'interop'], { env });
  await kubectl('create', 'configmap', 'after-restart', '--from-literal=a=1');
  await kubectl('create', 'deployment', 'after-restart', '--image=nginx');
  await until('the deployment made after the restart', () => dep('after-restart'), 45_000);
  assert.ok(dep('course'), 'objects from before the stop are still there');
});
