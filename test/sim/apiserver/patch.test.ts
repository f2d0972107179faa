import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, applyMergePatch, strategicMerge } from './patch.ts';

const deployment = () => ({
  metadata: { name: 'd', labels: { app: 'a', tier: 'x' }, finalizers: ['a'] },
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'one', image: 'img:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }], args: ['x', 'y'] },
          { name: 'two', image: 'img:2' },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
    },
  },
});

test('strategic merge: containers merge by name, as kubectl set image sends it', () => {
  const out = strategicMerge(deployment(), { spec: { template: { spec: { containers: [{ name: 'two', image: 'img:3' }] } } } });
  assert.equal(out.spec.template.spec.containers.length, 2);
  assert.equal(out.spec.template.spec.containers[1].image, 'img:3');
  assert.equal(out.spec.template.spec.containers[0].image, 'img:1');
});

test('strategic merge: kubectl apply patch with $setElementOrder and a new element', () => {
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: { template: { spec: { $setElementOrder: undefined, '$setElementOrder/containers': [{ name: 'three' }, { name: 'one' }, { name: 'two' }], containers: [{ name: 'three', image: 'img:9' }] } } },
  };
  delete (patch.spec.template.spec as Record<string, unknown>).$setElementOrder;
  const out = strategicMerge(deployment(), patch);
  assert.deepEqual(out.spec.template.spec.containers.map((c: { name: string }) => c.name), ['three', 'one', 'two']);
  assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{}');
});

test('strategic merge: nested env merge, null deletes, $patch delete removes a list element', () => {
  const out = strategicMerge(deployment(), {
    metadata: { labels: { tier: null } },
    spec: { template: { spec: { containers: [{ name: 'one', env: [{ name: 'B', value: '3' }, { name: 'A', $patch: 'delete' }] }, { name: 'two', $patch: 'delete' }] } } },
  });
  assert.deepEqual(out.metadata.labels, { app: 'a' });
  assert.deepEqual(out.spec.template.spec.containers.map((c: { name: string }) => c.name), ['one']);
  assert.deepEqual(out.spec.template.spec.containers[0].env, [{ name: 'B', value: '3' }]);
});

test('strategic merge: lists without a merge key are replaced; finalizers merge; $patch replace and $retainKeys', () => {
  const out = strategicMerge(deployment(), {
    metadata: { finalizers: ['b'] },
    spec: { template: { spec: { containers: [{ name: 'one', args: ['z'] }], volumes: [{ name: 'v', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }] } } },
  });
  assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
  assert.deepEqual(out.spec.template.spec.containers[0].args, ['z']);
  assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'v', hostPath: { path: '/x' } }]);
  const replaced = strategicMerge(deployment(), { spec: { template: { spec: { $patch: 'replace', containers: [{ name: 'only', image: 'i' }] } } } });
  assert.deepEqual(Object.keys(replaced.spec.template.spec), ['containers']);
  const dropOrder = strategicMerge({ metadata: { finalizers: ['a', 'b', 'c'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } });
  assert.deepEqual(dropOrder.metadata.finalizers, ['a', 'c']);
});

test('service ports merge by port, container ports by containerPort', () => {
  const svc = strategicMerge({ spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] } }, { spec: { ports: [{ port: 443, targetPort: 8443 }] } });
  assert.deepEqual(svc.spec.ports, [{ port: 80, name: 'http' }, { port: 443, name: 'https', targetPort: 8443 }]);
});

test('JSON merge patch replaces lists and deletes with null', () => {
  assert.deepEqual(applyMergePatch({ a: 1, b: [1, 2], c: { d: 1 } }, { a: null, b: [3], c: { e: 2 } }), { b: [3], c: { d: 1, e: 2 } });
});

test('JSON patch: add, replace, remove, test, move, escaping', () => {
  const out = applyJsonPatch({ metadata: { labels: { 'a/b': 'x' } }, spec: { list: [1, 2] } }, [
    { op: 'test', path: '/metadata/labels/a~1b', value: 'x' },
    { op: 'replace', path: '/metadata/labels/a~1b', value: 'y' },
    { op: 'add', path: '/spec/list/-', value: 3 },
    { op: 'remove', path: '/spec/list/0' },
    { op: 'move', from: '/spec/list', path: '/spec/moved' },
  ]);
  assert.deepEqual(out, { metadata: { labels: { 'a/b': 'y' } }, spec: { moved: [2, 3] } });
  assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), /rejected/);
});
