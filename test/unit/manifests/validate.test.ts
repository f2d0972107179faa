import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { sortForApply, sortForDelete } from '../../../src/core/manifests/kinds.ts';
import { fieldErrorsFromServer, formatFieldPath, locateField, parseFieldPath } from '../../../src/core/manifests/paths.ts';
import { hasErrors, validateManifest } from '../../../src/core/manifests/validate.ts';

const course = readFileSync(new URL('./fixtures/deployment.yaml', import.meta.url), 'utf8');

test('the course manifest is valid', () => {
  assert.deepEqual(validateManifest(parseManifest(course)), []);
});

const THREE = `apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: demo
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: http
   bad: indentation
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

test('a three-document file with one invalid document: an error at its exact line, so nothing applies', () => {
  const file = parseManifest(THREE);
  assert.equal(file.documents.length, 3);
  const problems = validateManifest(file);
  assert.ok(hasErrors(problems));
  assert.ok(problems.length >= 1);
  assert.ok(problems.every((p) => p.documentIndex === 1 && p.code.startsWith('yaml.')), JSON.stringify(problems));
  const first = problems[0];
  assert.equal(first.range.start.line, 16, JSON.stringify(first));
  assert.equal(THREE.split('\n')[first.range.start.line], '   bad: indentation');
  assert.equal(first.message.includes('\n'), false, 'one line, the position travels separately');
});

test('missing apiVersion, kind and metadata.name: reported at the document head or the metadata key', () => {
  const text = `apiVersion: v1
kind: ConfigMap
metadata:
  labels: {a: b}
data: {}
---
# a comment first
metadata:
  name: x
---
apiVersion: v1
kind: Pod
metadata:
  generateName: p-
spec:
  containers: []
`;
  const file = parseManifest(text);
  const problems = validateManifest(file).map((p) => [p.documentIndex, p.code, formatFieldPath(p.path ?? []), p.range.start.line, p.range.start.character]);
  assert.deepEqual(problems, [
    [0, 'k8s.missingField', 'metadata.name', 2, 0],
    [1, 'k8s.missingField', 'apiVersion', 7, 0],
    [1, 'k8s.missingField', 'kind', 7, 0],
    [2, 'k8s.missingField', 'metadata.name', 12, 0],
    [2, 'k8s.invalidValue', 'spec.containers', 15, 14],
  ]);
  assert.match(validateManifest(file)[3].message, /generateName/);
});

test('wrong types learners write: quoted replicas, numeric labels and env values, bad pull policy, bad names', () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: Hash_Generator
  labels:
    version: 1.10
spec:
  replicas: "2"
  selector:
    matchLabels:
      app: hash
  template:
    metadata:
      labels:
        app: hashgenerator
    spec:
      containers:
        - name: hashgenerator
          image: jakousa/dwk-app1
          imagePullPolicy: IfNotPresnt
          ports:
            - containerPort: 80800
          env:
            - name: PORT
              value: 8080
`;
  const problems = validateManifest(parseManifest(text));
  const byField = new Map(problems.map((p) => [formatFieldPath(p.path ?? []), p]));
  assert.deepEqual([...byField.keys()].sort(), [
    'metadata.labels.version',
    'metadata.name',
    'spec.replicas',
    'spec.selector.matchLabels.app',
    'spec.template.spec.containers[0].env[0].value',
    'spec.template.spec.containers[0].imagePullPolicy',
    'spec.template.spec.containers[0].ports[0].containerPort',
  ]);
  assert.match(byField.get('metadata.labels.version')!.message, /quote it, "1\.10"/);
  assert.match(byField.get('spec.replicas')!.message, /remove the quotes, 2/);
  assert.match(byField.get('spec.selector.matchLabels.app')!.message, /does not match/);
  assert.equal(byField.get('spec.replicas')!.range.start.line, 7);
  assert.equal(byField.get('spec.template.spec.containers[0].env[0].value')!.range.start.line, 24);
});

test('apply order: namespaces, CRDs, config, services, workloads, then custom resources; delete in reverse', () => {
  const docs = ['Deployment', 'Widget', 'Service', 'ConfigMap', 'CustomResourceDefinition', 'Namespace', 'Secret', 'ServiceAccount', 'RoleBinding', 'Role', 'Deployment', 'Ingress'].map((kind, i) => ({ kind, i }));
  assert.deepEqual(sortForApply(docs).map((d) => d.kind), ['Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'Secret', 'ConfigMap', 'Role', 'RoleBinding', 'Service', 'Deployment', 'Deployment', 'Ingress', 'Widget']);
  assert.deepEqual(sortForApply(docs).filter((d) => d.kind === 'Deployment').map((d) => d.i), [0, 10], 'stable');
  assert.deepEqual(sortForDelete(docs).map((d) => d.kind).slice(0, 3), ['Widget', 'Ingress', 'Deployment']);
  assert.equal(sortForDelete(docs).at(-1)?.kind, 'Namespace');
  const file = parseManifest(THREE.replace('   bad: indentation\n', ''));
  assert.deepEqual(sortForApply([...file.documents].reverse()).map((d) => d.label), ['namespace/demo', 'service/web', 'deployment/web']);
});

test('field paths from the API server land on the right key', () => {
  const text = course.replace('  replicas: 1', '  replicass: 1').replace('          image:', '          imagePullPolcy: Always\n          image:');
  const doc = parseManifest(text).documents[0];
  const message =
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicass", unknown field "spec.template.spec.containers[0].imagePullPolcy"';
  const errors = fieldErrorsFromServer(message);
  assert.deepEqual(errors.map((e) => formatFieldPath(e.path)), ['spec.replicass', 'spec.template.spec.containers[0].imagePullPolcy']);
  const lines = text.split('\n');
  for (const e of errors) {
    const at = locateField(doc, e.path);
    assert.equal(at.exact, true);
    const line = parseManifest(text).rangeOf(at.span).start.line;
    assert.ok(lines[line].includes(String(e.path.at(-1))), lines[line]);
  }
  const ssa = fieldErrorsFromServer('failed to create typed patch object (default/x; apps/v1, Kind=Deployment): .spec.replicass: field not declared in schema');
  assert.deepEqual(ssa, [{ path: ['spec', 'replicass'], message: 'field not declared in schema' }]);
  const invalid = fieldErrorsFromServer('Deployment.apps "x" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.spec.containers[0].image: Required value]');
  assert.deepEqual(invalid.map((e) => [formatFieldPath(e.path), e.message.split(':')[0]]), [
    ['spec.replicas', 'Invalid value'],
    ['spec.template.spec.containers[0].image', 'Required value'],
  ]);
});

test('a missing field points at its deepest existing ancestor', () => {
  const doc = parseManifest(course).documents[0];
  const at = locateField(doc, 'spec.template.spec.containers[0].resources.limits');
  assert.equal(at.exact, false);
  assert.deepEqual(at.found, ['spec', 'template', 'spec', 'containers', 0]);
  assert.deepEqual(parseFieldPath('.metadata.labels[app.kubernetes.io/name]'), ['metadata', 'labels', 'app.kubernetes.io/name']);
  assert.equal(locateField(doc, 'nothing').span.start, 0);
});
