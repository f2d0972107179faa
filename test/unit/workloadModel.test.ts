// The workloads tree's node model (features/workloads/model.ts) from cache contents, without VS
// Code: what a context shows, what a namespace, deployment and ReplicaSet list, and which items a
// watch event refreshes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cache } from '../../src/core/kube/contexts.ts';
import type { KubeObject } from '../../src/core/kube/reflector.ts';
import { WorkloadView, type WorkloadCaches } from '../../src/core/kube/workloads.ts';
import { WorkloadModel, type WorkloadNode } from '../../src/features/workloads/model.ts';

class MemoryCache<T extends KubeObject> implements Cache<T> {
  readonly items = new Map<string, T>();
  synced = true;
  version = 0;
  readonly state = { kind: 'synced' } as const;
  constructor(items: T[] = []) {
    for (const i of items) this.set(i);
  }
  set(obj: T): string {
    const key = obj.metadata?.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : (obj.metadata?.name ?? '');
    this.items.set(key, obj);
    this.version++;
    return key;
  }
  delete(key: string): void {
    this.items.delete(key);
    this.version++;
  }
  list(): T[] {
    return [...this.items.values()];
  }
  get(key: string): T | undefined {
    return this.items.get(key);
  }
}

const ns = (name: string) => ({ metadata: { name, uid: `ns-${name}` } });
const deployment = (namespace: string, name: string) => ({ metadata: { namespace, name, uid: `d-${name}` }, spec: { replicas: 1 } });
const replicaSet = (namespace: string, name: string, owner: string, revision: number) => ({
  metadata: { namespace, name, uid: `rs-${name}`, annotations: { 'deployment.kubernetes.io/revision': String(revision) }, ownerReferences: [{ kind: 'Deployment', name: owner, uid: `d-${owner}` }] },
});
const pod = (namespace: string, name: string, rs?: string) => ({
  metadata: { namespace, name, uid: `p-${name}`, ownerReferences: rs ? [{ kind: 'ReplicaSet', name: rs, uid: `rs-${rs}` }] : [] },
  status: { phase: 'Running' },
});

function cluster() {
  const caches = {
    namespaces: new MemoryCache([ns('kube-system'), ns('team'), ns('default')]),
    nodes: new MemoryCache([{ metadata: { name: 'k3d-demo-server-0', uid: 'n0' } }]),
    deployments: new MemoryCache([deployment('default', 'web'), deployment('default', 'api')]),
    replicasets: new MemoryCache([replicaSet('default', 'web-1', 'web', 1), replicaSet('default', 'web-2', 'web', 2), replicaSet('default', 'api-1', 'api', 1)]),
    pods: new MemoryCache([pod('default', 'web-2-b', 'web-2'), pod('default', 'web-2-a', 'web-2'), pod('default', 'debug'), pod('kube-system', 'coredns-x')]),
    services: new MemoryCache<KubeObject>([]),
  };
  return { caches, view: new WorkloadView(caches as unknown as WorkloadCaches) };
}

const labels = (nodes: WorkloadNode[]) => nodes.map((n) => n.id.replace(/^ctx\|/, ''));

test('a context shows default first, the other namespaces, system namespaces grouped, then Nodes', () => {
  const { view } = cluster();
  const model = new WorkloadModel();
  assert.deepEqual(labels(model.rootChildren('ctx', view, false, 'grouped')), ['ns|default', 'ns|team', 'system', 'nodes']);
  assert.deepEqual(labels(model.rootChildren('ctx', view, false, 'hidden')), ['ns|default', 'ns|team', 'nodes']);
  assert.deepEqual(labels(model.rootChildren('ctx', view, false, 'shown')), ['ns|default', 'ns|kube-system', 'ns|team', 'nodes']);
  assert.deepEqual(labels(model.rootChildren('ctx', view, true, 'hidden')), ['state', 'ns|default', 'ns|team', 'nodes'], 'a problem row first');
});

test('before the caches are synced only the state row shows', () => {
  const { caches, view } = cluster();
  caches.pods.synced = false;
  assert.deepEqual(labels(new WorkloadModel().rootChildren('ctx', view, true, 'grouped')), ['state']);
});

test('namespace -> deployments and standalone pods; deployment -> ReplicaSets newest first; ReplicaSet -> its pods by name', () => {
  const { view } = cluster();
  const model = new WorkloadModel();
  const [defaultNs, team] = model.rootChildren('ctx', view, false, 'grouped');
  const inDefault = model.children(defaultNs, view);
  assert.deepEqual(labels(inDefault), ['deploy|default/api', 'deploy|default/web', 'pod|default/debug']);
  const web = inDefault[1];
  const sets = model.children(web, view);
  assert.deepEqual(labels(sets), ['rs|default/web-2', 'rs|default/web-1']);
  assert.deepEqual(labels(model.children(sets[0], view)), ['pod|default/web-2-a', 'pod|default/web-2-b']);
  assert.deepEqual(labels(model.children(team, view)), ['empty|team'], 'an empty namespace says so');
  assert.equal(model.children(web, view)[0], sets[0], 'the same node object for the same id');
  assert.equal(model.object(sets[0], view)?.metadata?.name, 'web-2');
});

test('a status change refreshes only that item; an added pod refreshes its ReplicaSet; a deleted one its list; a re-list the context', () => {
  const { caches, view } = cluster();
  const model = new WorkloadModel();
  const [defaultNs] = model.rootChildren('ctx', view, false, 'grouped');
  const web = model.children(defaultNs, view)[1];
  const rs = model.children(web, view)[0];
  const [podA] = model.children(rs, view);

  caches.pods.set({ ...pod('default', 'web-2-a', 'web-2'), status: { phase: 'Failed' } });
  assert.deepEqual(model.affected('ctx', { kind: 'pods', keys: new Set(['default/web-2-a']), reset: false }, view), [podA]);

  const added = caches.pods.set(pod('default', 'web-2-c', 'web-2'));
  assert.deepEqual(model.affected('ctx', { kind: 'pods', keys: new Set([added]), reset: false }, view), [rs]);
  assert.deepEqual(labels(model.children(rs, view)), ['pod|default/web-2-a', 'pod|default/web-2-b', 'pod|default/web-2-c'], 'the refreshed list has the new pod');

  caches.pods.delete('default/web-2-a');
  assert.deepEqual(model.affected('ctx', { kind: 'pods', keys: new Set(['default/web-2-a']), reset: false }, view), [rs]);
  assert.deepEqual(labels(model.children(rs, view)), ['pod|default/web-2-b', 'pod|default/web-2-c']);

  const standalone = caches.pods.set(pod('default', 'other'));
  assert.deepEqual(model.affected('ctx', { kind: 'pods', keys: new Set([standalone]), reset: false }, view), [defaultNs]);

  assert.deepEqual(model.affected('ctx', { kind: 'deployments', keys: new Set(['default/web']), reset: true }, view), [{ context: 'ctx' }]);
  assert.deepEqual(model.affected('ctx', { kind: 'namespaces', keys: new Set(['new']), reset: false }, view), [{ context: 'ctx' }]);

  model.forget('ctx');
  const again = model.rootChildren('ctx', view, false, 'grouped')[0];
  assert.notEqual(again, defaultNs, 'a forgotten context makes new node objects');
});
