import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverSideApply, trackUpdate } from './managedfields.ts';
import { fieldsOf, printPath, toFieldsV1 } from './fieldset.ts';
import { ApiError } from './status.ts';
import type { Obj } from './util.ts';

const applied = (image: string, replicas?: number) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default', labels: { app: 'x' } },
  spec: { ...(replicas !== undefined ? { replicas } : {}), template: { spec: { containers: [{ name: 'c', image }] } } },
});

test('FieldsV1: list items keyed by merge key, maps with "."', () => {
  const f = toFieldsV1(fieldsOf(applied('i:1', 2)));
  assert.deepEqual(f, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
  });
  assert.equal(printPath('f:spec\tf:template\tf:spec\tf:containers\tk:{"name":"c"}\tf:image'), '.spec.template.spec.containers[name="c"].image');
});

test('server-side apply: create, then a second manager conflicts on a differing value, force takes ownership', () => {
  const first = serverSideApply(undefined, applied('i:1', 2), 'alice', 'apps/v1', false);
  assert.equal(first.metadata.managedFields[0].manager, 'alice');
  assert.equal(first.metadata.managedFields[0].operation, 'Apply');
  // same value: shared ownership, no conflict
  const shared = serverSideApply(first, applied('i:1'), 'bob', 'apps/v1', false);
  assert.equal(shared.metadata.managedFields.length, 2);
  // differing value: conflict
  assert.throws(() => serverSideApply(shared, applied('i:2'), 'bob', 'apps/v1', false), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 409);
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "alice" using apps/v1: .spec.template.spec.containers[name="c"].image');
    return true;
  });
  const forced = serverSideApply(shared, applied('i:2'), 'bob', 'apps/v1', true);
  assert.equal(forced.spec.template.spec.containers[0].image, 'i:2');
  const alice = forced.metadata.managedFields.find((m: { manager: string }) => m.manager === 'alice');
  assert.ok(!JSON.stringify(alice.fieldsV1).includes('f:image'));
});

test('server-side apply removes fields the manager stopped applying, unless someone else owns them', () => {
  const a = serverSideApply(undefined, applied('i:1', 3), 'alice', 'apps/v1', false);
  const dropped = serverSideApply(a, applied('i:1'), 'alice', 'apps/v1', false);
  assert.equal(dropped.spec.replicas, undefined);
  const b = serverSideApply(a, applied('i:1', 3), 'bob', 'apps/v1', false);
  const kept = serverSideApply(b, applied('i:1'), 'alice', 'apps/v1', false);
  assert.equal(kept.spec.replicas, 3);
});

test('updates take ownership of the fields they change, without conflicts', () => {
  const a = serverSideApply(undefined, applied('i:1', 1), 'kubectl', 'apps/v1', false);
  const next = structuredClone(a);
  next.spec.template.spec.containers[0].image = 'i:2';
  trackUpdate(a, next, 'kubectl-set', 'apps/v1');
  const set = next.metadata.managedFields.find((m: { manager: string }) => m.manager === 'kubectl-set');
  assert.equal(set.operation, 'Update');
  assert.ok(JSON.stringify(set.fieldsV1).includes('f:image'));
  // now a new apply of the old image conflicts with kubectl-set
  assert.throws(() => serverSideApply(next, applied('i:3', 1), 'kubectl', 'apps/v1', false), /conflict with "kubectl-set" using apps\/v1/);
});

test('server-side apply by kubectl after client-side applies takes over the fields the last-applied annotation still matches', () => {
  const lastApplied = (image: string, replicas: number) => {
    const o = applied(image, replicas);
    return { ...o, metadata: { ...o.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) } } };
  };
  const created: Obj = lastApplied('i:1', 2);
  trackUpdate(undefined, created, 'kubectl-client-side-apply', 'apps/v1');
  const changed = lastApplied('i:2', 3);
  const next = { ...changed, metadata: { ...changed.metadata, managedFields: created.metadata.managedFields } };
  trackUpdate(created, next, 'kubectl-client-side-apply', 'apps/v1');
  // kubectl: no conflict, kubectl now owns image and replicas
  const migrated = serverSideApply(next, applied('i:3', 4), 'kubectl', 'apps/v1', false);
  assert.equal(migrated.spec.template.spec.containers[0].image, 'i:3');
  assert.equal(migrated.spec.replicas, 4);
  const csa = migrated.metadata.managedFields.find((m: { manager: string }) => m.manager === 'kubectl-client-side-apply');
  assert.ok(!JSON.stringify(csa.fieldsV1).includes('f:image'));
  // any other manager still conflicts
  assert.throws(() => serverSideApply(next, applied('i:3', 4), 'someone', 'apps/v1', false), /Apply failed with 2 conflicts/);
  // a field whose live value no longer matches the annotation is still a conflict
  const drifted = { ...next, spec: { ...next.spec, replicas: 7 } };
  assert.throws(() => serverSideApply(drifted, applied('i:3', 4), 'kubectl', 'apps/v1', false), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    return true;
  });
});
