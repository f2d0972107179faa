// Apply's "unchanged" is decided from what the apply owns (its managedFields entry), not from
// the whole object: a controller's write in between must not turn it into "configured".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIELD_MANAGER, unchangedByApply } from '../../../src/core/kube/apply.ts';
import type { KubeObject } from '../../../src/core/kube/reflector.ts';

const OWNED = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:name': {}, 'f:image': {} } } } },
  },
};

function deployment(opts: { image?: string; annotations?: Record<string, string>; owned?: object; pullPolicy?: string; manager?: string } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'd',
      labels: { app: 'a' },
      annotations: opts.annotations,
      managedFields: [
        { manager: opts.manager ?? FIELD_MANAGER, operation: 'Apply', apiVersion: 'apps/v1', time: new Date().toISOString(), fieldsType: 'FieldsV1', fieldsV1: opts.owned ?? OWNED },
        { manager: 'k3s', operation: 'Update', apiVersion: 'apps/v1', subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {} } } },
      ],
    },
    spec: {
      replicas: 1,
      template: { spec: { containers: [{ name: 'app', image: opts.image ?? 'app:1', imagePullPolicy: opts.pullPolicy ?? 'IfNotPresent' }] } },
    },
  } as KubeObject;
}

test('a controller annotation or a defaulted field written in between leaves the apply unchanged', () => {
  const before = deployment();
  const after = deployment({ annotations: { 'deployment.kubernetes.io/revision': '2' }, pullPolicy: 'Always' });
  (after as { status?: unknown }).status = { observedGeneration: 3 };
  assert.equal(unchangedByApply(before, after), true);
});

test('a new value, or a field added to or dropped from what the apply owns, is configured', () => {
  assert.equal(unchangedByApply(deployment(), deployment({ image: 'app:2' })), false);
  const more = { ...OWNED, 'f:spec': { ...OWNED['f:spec'], 'f:minReadySeconds': {} } };
  assert.equal(unchangedByApply(deployment(), deployment({ owned: more })), false);
  assert.equal(unchangedByApply(deployment({ owned: more }), deployment()), false);
});

test('taking over an object another manager created is configured, not unchanged', () => {
  assert.equal(unchangedByApply(deployment({ manager: 'kubectl-create' }), deployment()), false);
});
