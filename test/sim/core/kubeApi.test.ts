// The extension's Kubernetes code (src/core/kube) against a simulated cluster made by the
// simulated k3d: what the workloads tree, its actions and Apply will do for a user.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { createDeployment, deleteObject, deploymentRef, objectYaml, restartDeployment, scaleDeployment, setDeploymentImage } from '../../../src/core/kube/actions.ts';
import { applyObjects, contextNamespace, deleteObjects, deleteResultLine, executeDelete, planDelete } from '../../../src/core/kube/apply.ts';
import { Discovery } from '../../../src/core/kube/discovery.ts';
import { KubeError } from '../../../src/core/kube/gateway.ts';
import { readKubeconfig } from '../../../src/core/kube/kubeconfig.ts';
import { explain } from '../../../src/core/kube/explain.ts';
import type { KubeHttp } from '../../../src/core/kube/http.ts';
import { rolloutStatus } from '../../../src/core/kube/rollout.ts';
import { podSummary } from '../../../src/core/kube/status.ts';
import { ClusterWorkloads } from '../../../src/core/kube/workloads.ts';
import { KubeContexts } from '../../../src/core/kube/contexts.ts';
import { pollUntil } from '../../lib/poll.ts';

const run = promisify(execFile);
const K3D = path.resolve(import.meta.dirname, '../bin/k3d');
const home = mkdtempSync(path.join(tmpdir(), 'k3d-deploy-api-'));
const kubeconfig = path.join(home, 'kubeconfig');
const env = { ...process.env, K3D_SIM_HOME: path.join(home, 'sim'), KUBECONFIG: kubeconfig, K3D_SIM_SPEED: '0.02' };
let http: KubeHttp;
let workloads: ClusterWorkloads;
let contexts: KubeContexts;

before(async () => {
  await run(K3D, ['cluster', 'create', 'api', '--agents', '2'], { env });
  contexts = new KubeContexts({ kubeconfigFiles: () => [kubeconfig], batchMs: 5 });
  http = await contexts.http('k3d-api');
  workloads = new ClusterWorkloads(contexts, 'k3d-api', { onChange: () => undefined });
  await until('the caches to sync', () => workloads.synced);
});

after(async () => {
  workloads?.stop();
  contexts?.dispose();
  await run(K3D, ['cluster', 'delete', 'api'], { env }).catch(() => undefined);
});

/** The first truthy value `probe` gives. */
function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  return pollUntil(what, probe, (v) => !!v, { timeoutMs, describe: () => 'not yet' }) as Promise<T>;
}

const deployment = (name: string) => workloads.deployments.get(`default/${name}`) as V1Deployment | undefined;
const runningPods = (name: string) => {
  const d = deployment(name);
  return d ? workloads.podsOfDeployment(d).filter((p) => podSummary(p as V1Pod).status === 'Running' && !p.metadata?.deletionTimestamp) : [];
};

test('the tree sees what a fresh k3s has: 3 Ready nodes, default first, the system pods', () => {
  assert.equal(workloads.nodeList().length, 3);
  assert.equal(workloads.namespaceNames()[0], 'default');
  assert.ok(workloads.namespaceNames().includes('kube-system'));
  assert.ok(workloads.deploymentsIn('kube-system').some((d) => d.metadata?.name === 'coredns'));
});

test('create deployment (as kubectl create deployment) shows up live and becomes 1/1 Running', async () => {
  await createDeployment(http, 'default', 'hashgenerator-dep', 'jakousa/dwk-app1');
  const d = await until('the deployment in the cache', () => deployment('hashgenerator-dep'));
  assert.equal(d.spec?.template?.spec?.containers?.[0]?.name, 'dwk-app1');
  await until('one running pod', () => runningPods('hashgenerator-dep').length === 1);
  const rs = workloads.replicaSetsOf(deployment('hashgenerator-dep')!);
  assert.equal(rs.length, 1);
  assert.equal(workloads.standalonePods('default').length, 0);
});

test('scale to 4 gives 4 running pods', async () => {
  await scaleDeployment(http, 'default', 'hashgenerator-dep', 4);
  await until('4 running pods', () => runningPods('hashgenerator-dep').length === 4);
});

test('set image rolls out a new ReplicaSet, and rollout status reaches done', async () => {
  await setDeploymentImage(http, 'default', 'hashgenerator-dep', 'dwk-app1', 'jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64');
  await until('a second ReplicaSet', () => workloads.replicaSetsOf(deployment('hashgenerator-dep')!).length === 2);
  const done = await until('the rollout to complete', () => {
    const status = rolloutStatus(deployment('hashgenerator-dep')!);
    return status.done && status;
  }, 30_000);
  assert.match(done.message, /successfully rolled out/);
});

test('restart makes a new ReplicaSet too; show YAML has no managedFields', async () => {
  await restartDeployment(http, 'default', 'hashgenerator-dep');
  await until('a third ReplicaSet', () => workloads.replicaSetsOf(deployment('hashgenerator-dep')!).length === 3);
  const yaml = await objectYaml(http, deploymentRef('default', 'hashgenerator-dep'));
  assert.match(yaml, /kubectl\.kubernetes\.io\/restartedAt/);
  assert.doesNotMatch(yaml, /managedFields/);
});

test('delete takes the ReplicaSets and pods with it', async () => {
  await deleteObject(http, deploymentRef('default', 'hashgenerator-dep'));
  await until('no deployment, ReplicaSets or pods left', () =>
    !deployment('hashgenerator-dep') && workloads.pods.list().filter((p) => p.metadata?.namespace === 'default').length === 0 &&
    workloads.replicasets.list().filter((r) => r.metadata?.namespace === 'default').length === 0, 30_000);
});

const course = (tag: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'course-dep' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'hashgenerator' } },
    template: { metadata: { labels: { app: 'hashgenerator' } }, spec: { containers: [{ name: 'hashgenerator', image: `jakousa/dwk-app1:${tag}` }] } },
  },
});

test('apply: created, then unchanged, then configured with a new tag', async () => {
  const discovery = new Discovery(http);
  const first = await applyObjects(http, discovery, [course('b7fc18de2376da80ff0cfc72cf581a9f94d10e64')]);
  assert.equal(first.applied, true);
  assert.deepEqual(first.results.map((r) => [r.ref, r.outcome]), [['deployment.apps/course-dep', 'created']]);
  const again = await applyObjects(http, discovery, [course('b7fc18de2376da80ff0cfc72cf581a9f94d10e64')]);
  assert.equal(again.results[0].outcome, 'unchanged');
  const bumped = await applyObjects(http, discovery, [course('0b7c5f3a1e9d')]);
  assert.equal(bumped.results[0].outcome, 'configured');
});

test('apply: another writer changing a field the apply does not own, between two identical applies, leaves it unchanged', async () => {
  const path = '/apis/apps/v1/namespaces/default/deployments/course-dep';
  const tag = 'b7fc18de2376da80ff0cfc72cf581a9f94d10e64';
  await applyObjects(http, new Discovery(http), [course(tag)]);
  // The deployment controller's revision annotation, written after Apply read the object and
  // before it applied: the race that made the test above fail once on a busy machine.
  let raced = 0;
  const racing = Object.create(http) as KubeHttp;
  racing.json = async <T>(p: string, request?: Parameters<KubeHttp['json']>[1]): Promise<T> => {
    const answer = await http.json<T>(p, request);
    if (p === path && (request?.method ?? 'GET') === 'GET' && raced++ === 0) {
      await http.json(path, {
        method: 'PATCH',
        contentType: 'application/merge-patch+json',
        query: { fieldManager: 'another-writer' },
        body: JSON.stringify({ metadata: { annotations: { 'deployment.kubernetes.io/revision': '99', 'example.com/touched': 'yes' } } }),
      });
    }
    return answer;
  };
  const again = await applyObjects(racing, new Discovery(racing), [course(tag)]);
  assert.equal(raced, 1, 'the other writer wrote in between');
  assert.deepEqual(again.results.map((r) => [r.ref, r.outcome]), [['deployment.apps/course-dep', 'unchanged']]);
  assert.equal(again.results[0].object?.metadata?.annotations?.['example.com/touched'], 'yes');
  // And an unowned field written before the apply read it: unchanged too.
  await http.json(path, { method: 'PATCH', contentType: 'application/merge-patch+json', query: { fieldManager: 'another-writer' }, body: JSON.stringify({ metadata: { annotations: { 'example.com/touched': 'again' } } }) });
  assert.equal((await applyObjects(http, new Discovery(http), [course(tag)])).results[0].outcome, 'unchanged');
});

test('apply validates everything first: one bad document means nothing is applied', async () => {
  const discovery = new Discovery(http);
  const good = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'should-not-exist' }, data: { a: '1' } };
  const unknownField = { ...course('x1'), metadata: { name: 'bad-dep' }, spec: { ...course('x1').spec, replicass: 2 } };
  const unknownKind = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
  const result = await applyObjects(http, discovery, [good, unknownField, unknownKind]);
  assert.equal(result.applied, false);
  assert.equal(result.results[0].problem, undefined);
  assert.equal(result.results[1].problem?.kind, 'invalid');
  assert.match(result.results[1].problem?.message ?? '', /replicass/);
  assert.equal(result.results[2].problem?.kind, 'unknownKind');
  await assert.rejects(http.json('/api/v1/namespaces/default/configmaps/should-not-exist'), /not found/);
});

test('apply -f: a file that creates a namespace and what lives in it applies, checked before anything is', async () => {
  // The API server refuses anything in a namespace that does not exist, dry runs included: the file's own namespace
  // is not there until the apply creates it.
  const discovery = new Discovery(http);
  const inShop = <T extends { metadata: Record<string, unknown> }>(o: T) => ({ ...o, metadata: { ...o.metadata, namespace: 'shop' } });
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
  const bad = inShop({ ...course('x1'), metadata: { name: 'shop-dep' }, spec: { ...course('x1').spec, replicass: 2 } });
  const refused = await applyObjects(http, discovery, [namespace, inShop(cm('shop-config')), bad]);
  assert.equal(refused.applied, false);
  assert.match(refused.results[2].problem?.message ?? '', /replicass/, 'the deployment is checked by the server all the same');
  assert.equal(refused.results[1].problem, undefined);
  assert.equal(await exists('/api/v1/namespaces/shop'), false, 'nothing was applied, the namespace neither');

  // A dry run (Diff) shows each object under its own name and namespace.
  const diff = await applyObjects(http, discovery, [namespace, inShop(cm('shop-config'))], { dryRun: true, force: true });
  assert.deepEqual(diff.results.map((r) => r.problem), [undefined, undefined]);
  assert.deepEqual([diff.results[1].object?.metadata?.name, diff.results[1].object?.metadata?.namespace], ['shop-config', 'shop']);

  const good = inShop({ ...course('b7fc18de2376da80ff0cfc72cf581a9f94d10e64'), metadata: { name: 'shop-dep' } });
  const applied = await applyObjects(http, discovery, [namespace, inShop(cm('shop-config')), inShop(svc('shop-svc')), good]);
  assert.equal(applied.applied, true, JSON.stringify(applied.results.map((r) => r.problem)));
  assert.deepEqual(applied.results.map((r) => `${r.ref} ${r.outcome}`), ['namespace/shop created', 'configmap/shop-config created', 'service/shop-svc created', 'deployment.apps/shop-dep created']);
  assert.equal(await exists('/apis/apps/v1/namespaces/shop/deployments/shop-dep'), true);
  const leftovers = await http.json<{ items: Array<{ metadata: { name: string } }> }>('/api/v1/namespaces/default/configmaps');
  assert.ok(!leftovers.items.some((c) => c.metadata.name.startsWith('shop-con')), 'the checks left nothing in default');
  assert.equal((await applyObjects(http, discovery, [namespace, inShop(cm('shop-config'))])).results[1].outcome, 'unchanged', 'applied again: unchanged');

  // A namespace the file does not create, and the cluster does not have, is still the server's error.
  const elsewhere = await applyObjects(http, discovery, [{ ...cm('lost'), metadata: { name: 'lost', namespace: 'nowhere' } }]);
  assert.match(elsewhere.results[0].problem?.message ?? '', /namespaces "nowhere" not found/);
});

test('apply -f: an object whose CustomResourceDefinition is in the same apply is refused with what to do', async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com' },
    spec: { group: 'example.com', names: { kind: 'Gadget', plural: 'gadgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }] },
  };
  const gadget = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } };
  const other = { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'z' } };
  const result = await applyObjects(http, new Discovery(http), [crd, gadget, other], { dryRun: true });
  assert.match(result.results[1].problem?.message ?? '', /^no matches for kind "Gadget" in version "example.com\/v1": its CustomResourceDefinition is in this apply.*apply the CustomResourceDefinition first/);
  assert.match(result.results[2].problem?.message ?? '', /"Gizmo".*: the cluster does not know this kind$/);
});

test('a field another manager changed is a conflict naming the manager; force takes it over', async () => {
  await scaleDeployment(http, 'default', 'course-dep', 3);
  const discovery = new Discovery(http);
  const conflicted = await applyObjects(http, discovery, [course('0b7c5f3a1e9d')]);
  assert.equal(conflicted.applied, false);
  const problem = conflicted.results[0].problem;
  assert.equal(problem?.kind, 'conflict');
  assert.deepEqual(problem?.conflicts?.map((c) => c.field), ['.spec.replicas']);
  const forced = await applyObjects(http, discovery, [course('0b7c5f3a1e9d')], { force: true });
  assert.equal(forced.results[0].outcome, 'configured');
});

const cm = (name: string, namespace?: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) }, data: { a: '1' } });
const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });
const exists = (p: string) => http.json(p).then(() => true, (e: unknown) => (e instanceof KubeError && e.status === 404 ? false : Promise.reject(e)));

test('apply -f: kind after kind in apply order, the objects of one kind together; after a failure nothing more is started', async () => {
  // What the server is asked to apply for real (not the dry runs), in order, with how many were in flight.
  const events: string[] = [];
  let inFlight = 0;
  let most = 0;
  const watched = (failOn?: string) => {
    const view = Object.create(http) as KubeHttp;
    view.json = async <T>(p: string, request?: Parameters<KubeHttp['json']>[1]): Promise<T> => {
      if (request?.method !== 'PATCH' || request.query?.dryRun) return http.json<T>(p, request);
      const what = p.split('/').slice(-2).join('/');
      events.push(`start ${what}`);
      most = Math.max(most, ++inFlight);
      try {
        if (what === failOn) throw new KubeError('failed', 'The API server answered 500: etcdserver: request timed out', 500);
        return await http.json<T>(p, request);
      } finally {
        inFlight--;
        events.push(`end ${what}`);
      }
    };
    return view;
  };
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'waves' } };
  const file = [ns, cm('w1', 'waves'), cm('w2', 'waves'), cm('w3', 'waves'), cm('w4', 'waves'), { ...svc('w-svc'), metadata: { name: 'w-svc', namespace: 'waves' } }];
  const ok = watched();
  const applied = await applyObjects(ok, new Discovery(ok), file);
  assert.equal(applied.applied, true, JSON.stringify(applied.results.map((r) => r.problem)));
  assert.deepEqual(applied.results.map((r) => r.outcome), ['created', 'created', 'created', 'created', 'created', 'created']);
  const at = (e: string) => events.indexOf(e);
  assert.ok(at('end namespaces/waves') < Math.min(...['w1', 'w2', 'w3', 'w4'].map((n) => at(`start configmaps/${n}`))), `the namespace before what lives in it: ${events.join(', ')}`);
  assert.ok(Math.max(...['w1', 'w2', 'w3', 'w4'].map((n) => at(`end configmaps/${n}`))) < at('start services/w-svc'), `every config map before the service: ${events.join(', ')}`);
  assert.ok(most > 1, 'the config maps are applied together');

  // A config map fails for real (the dry run passed): the service, a later kind, is never started.
  events.length = 0;
  const changed = file.map((o) => (o.kind === 'Namespace' ? o : { ...o, metadata: { ...o.metadata, labels: { round: 'two' } } }));
  const faulty = watched('configmaps/w2');
  const partial = await applyObjects(faulty, new Discovery(faulty), changed);
  assert.equal(partial.applied, false);
  assert.match(partial.results[2].problem?.message ?? '', /etcdserver: request timed out/);
  assert.equal(partial.results[5].outcome, undefined, 'the service was not applied');
  assert.ok(!events.includes('start services/w-svc'), `nothing after the failure's kind: ${events.join(', ')}`);
  const service = await http.json<{ metadata: { labels?: Record<string, string> } }>('/api/v1/namespaces/waves/services/w-svc');
  assert.equal(service.metadata.labels?.round, undefined, 'the cluster still has the service as it was');
});

test('delete -f: objects without a namespace go to the kubeconfig context namespace, as kubectl does', async () => {
  // The context's namespace as `kubectl config set-context --namespace` writes it.
  const config = path.join(home, 'kubeconfig-ns');
  copyFileSync(kubeconfig, config);
  await run('kubectl', ['config', 'set-context', 'k3d-api', '--namespace', 'dev', '--kubeconfig', config]);
  const namespace = contextNamespace(await readKubeconfig([config]), 'k3d-api');
  assert.equal(namespace, 'dev');
  assert.equal(contextNamespace(await readKubeconfig([kubeconfig]), 'k3d-api'), 'default');

  const discovery = new Discovery(http);
  await applyObjects(http, discovery, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } }]);
  await applyObjects(http, discovery, [cm('settings')], { defaultNamespace: 'dev' });
  await applyObjects(http, discovery, [cm('settings')], { defaultNamespace: 'default' });
  const plan = await planDelete(discovery, [cm('settings'), cm('pinned', 'default'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } }], namespace);
  assert.deepEqual(plan.map((p) => [p.ref, p.namespace]), [['namespace/dev', undefined], ['configmap/pinned', 'default'], ['configmap/settings', 'dev']]);
  const results = await executeDelete(http, plan.slice(1));
  assert.deepEqual(results.map(deleteResultLine), ['configmap/pinned (namespace default) not found', 'configmap/settings (namespace dev) deleted']);
  assert.equal(await exists('/api/v1/namespaces/dev/configmaps/settings'), false);
  assert.equal(await exists('/api/v1/namespaces/default/configmaps/settings'), true, 'the same name in default is left alone');
});

test('delete -f: a failure part-way is reported per object and never hides what was already deleted', async () => {
  const discovery = new Discovery(http);
  await applyObjects(http, discovery, [cm('first'), course('b7fc18de2376da80ff0cfc72cf581a9f94d10e64'), svc('last')]);
  // The apps/v1 discovery document fails (as when an aggregated API is down): before, that
  // threw out of the loop after service/last was deleted, and nobody heard of it.
  const faulty = Object.create(http) as KubeHttp;
  faulty.json = async <T>(p: string, request?: Parameters<KubeHttp['json']>[1]): Promise<T> => {
    if (p === '/apis/apps/v1') throw new KubeError('failed', 'The API server answered 503: the server is currently unable to handle the request', 503);
    return http.json<T>(p, request);
  };
  const file = [cm('first'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } }, course('x'), cm('never-applied'), svc('last')];
  const results = await deleteObjects(faulty, new Discovery(faulty), file, 'default');
  assert.deepEqual(results.map(deleteResultLine), [
    'service/last (namespace default) deleted',
    'configmap/never-applied (namespace default) not found',
    'deployment.apps/course-dep failed: The API server answered 503: the server is currently unable to handle the request',
    'namespace/kube-system failed: namespaces "kube-system" is forbidden: this namespace may not be deleted',
    'configmap/first (namespace default) deleted',
  ]);
  assert.equal(await exists('/api/v1/namespaces/default/services/last'), false);
  assert.equal(await exists('/api/v1/namespaces/default/configmaps/first'), false);
  assert.equal(await exists('/apis/apps/v1/namespaces/default/deployments/course-dep'), true, 'what failed is still there');
});

test('delete -f: once the API server stops answering, the rest are reported as not attempted', async () => {
  const discovery = new Discovery(http);
  await applyObjects(http, discovery, [cm('one'), cm('two')]);
  const dropping = Object.create(http) as KubeHttp;
  dropping.json = async <T>(p: string, request?: Parameters<KubeHttp['json']>[1]): Promise<T> => {
    if (request?.method === 'DELETE' && p.endsWith('/two')) throw new KubeError('unreachable', 'The API server at https://0.0.0.0:6550 does not answer (ECONNRESET).');
    return http.json<T>(p, request);
  };
  const results = await deleteObjects(dropping, discovery, [cm('one'), cm('two')], 'default');
  assert.deepEqual(results.map((r) => [r.ref, r.outcome, r.message]), [
    ['configmap/two', 'failed', 'The API server at https://0.0.0.0:6550 does not answer (ECONNRESET).'],
    ['configmap/one', 'failed', 'not attempted: the API server stopped answering'],
  ]);
  assert.equal(await exists('/api/v1/namespaces/default/configmaps/one'), true);
});

test('explain pod reads like kubectl explain', async () => {
  const text = await explain(http, 'pod');
  assert.match(text, /\*\*KIND:\*\* Pod/);
  assert.match(text, /\*\*spec\*\* `<PodSpec>`/);
  const field = await explain(http, 'deployment.spec.replicas');
  assert.match(field, /\*\*FIELD:\*\* replicas `<integer>`/);
  await assert.rejects(explain(http, 'nosuchthing'), /doesn't have a resource type/);
});
