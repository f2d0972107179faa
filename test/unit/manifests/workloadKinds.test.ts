// Pod templates of custom workloads (Argo Rollouts, Knative Services) get image lenses and
// checks like Deployments; a core Service never does, whatever it holds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { lensRows } from '../../../src/core/manifests/lenses.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { setImageTag } from '../../../src/core/manifests/edit.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import { isBuiltinApi, podSpecPath } from '../../../src/core/manifests/kinds.ts';
import { checkImageTags } from '../../../src/core/manifests/lessons.ts';
import { validateManifest } from '../../../src/core/manifests/validate.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const ROLLOUT = fixture('argo-rollout.yaml');
const KNATIVE = fixture('knative-service.yaml');

test('an Argo Rollout: lenses on its containers and init containers, as on a Deployment', () => {
  const file = parseManifest(ROLLOUT);
  const images = findImages(file);
  assert.deepEqual(
    images.map((i) => [i.document.label, i.containerName, i.path.join('.'), i.image]),
    [
      ['rollout/web', 'migrate', 'spec.template.spec.initContainers.0.image', 'registry.local:5000/shop/migrate:1.2.0'],
      ['rollout/web', 'web', 'spec.template.spec.containers.0.image', 'ghcr.io/acme/web:1.4.2'],
    ],
  );
  const rows = lensRows(file);
  assert.equal(rows[1].summary, '$(tag) 1.4.2 · semver');
  assert.equal(file.rangeOf({ start: rows[1].at, end: rows[1].at }).start.line, ROLLOUT.split('\n').findIndex((l) => l.includes('image: ghcr.io')));
  assert.deepEqual(validateManifest(file), [], 'the workloadRef Rollout has no pod spec of its own, and needs none');
  // Bump edits the tag in place, as on a Deployment.
  const edit = setImageTag(file, images[1], '1.4.3');
  assert.ok(edit.ok);
  assert.equal(edit.text, ROLLOUT.replace('ghcr.io/acme/web:1.4.2', 'ghcr.io/acme/web:1.4.3'));
});

test('a Knative Service gets lenses and lessons on its pod template; the core Service beside it gets none', () => {
  const file = parseManifest(KNATIVE);
  const images = findImages(file);
  assert.deepEqual(
    images.map((i) => [i.document.label, i.containerName, i.path.join('.'), i.image]),
    [['service/hello', undefined, 'spec.template.spec.containers.0.image', 'ghcr.io/knative/helloworld-go:latest']],
    'nginx:1.25 under the core Service is no container image',
  );
  assert.equal(lensRows(file)[0].tagKind, 'latest');
  assert.deepEqual(
    checkImageTags(file).map((p) => [p.code, p.range.start.line]),
    [['lesson.latestTag', KNATIVE.split('\n').findIndex((l) => l.includes('helloworld-go'))]],
  );
  assert.deepEqual(validateManifest(file), [], 'a lone Knative container needs no name');
});

test('their pod templates are checked: a missing image, a wrong pull policy, a port out of range', () => {
  const rollout = ROLLOUT.replace('          image: ghcr.io/acme/web:1.4.2\n', '          imagePullPolicy: Sometimes\n').replace('containerPort: 8080', 'containerPort: 80800');
  assert.deepEqual(
    validateManifest(parseManifest(rollout)).map((p) => [p.code, p.path?.join('.')]),
    [
      ['k8s.missingField', 'spec.template.spec.containers.0.image'],
      ['k8s.invalidValue', 'spec.template.spec.containers.0.imagePullPolicy'],
      ['k8s.invalidValue', 'spec.template.spec.containers.0.ports.0.containerPort'],
    ],
  );
  const knative = KNATIVE.replace('        - image: ghcr.io/knative/helloworld-go:latest\n', '        - image: 42\n');
  assert.deepEqual(
    validateManifest(parseManifest(knative)).map((p) => [p.code, p.documentIndex, p.path?.join('.')]),
    [['k8s.wrongType', 0, 'spec.template.spec.containers.0.image']],
  );
});

test('pod templates are found by shape in custom resources only; built-in APIs go by kind', () => {
  const root = (yaml: string) => parseManifest(yaml).documents[0].outline;
  const scheduled = 'apiVersion: batch.example.com/v1\nkind: ScheduledJob\nmetadata: {name: s}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n              image: alpine:3.19\n';
  assert.deepEqual(podSpecPath('ScheduledJob', 'batch.example.com/v1', root(scheduled)), ['spec', 'jobTemplate', 'spec', 'template', 'spec']);
  assert.deepEqual(findImages(parseManifest(scheduled)).map((i) => i.image), ['alpine:3.19']);
  const noContainers = 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      color: blue\n';
  assert.equal(podSpecPath('Widget', 'example.com/v1', root(noContainers)), undefined, 'a template without a containers list is no pod template');
  const ingress = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: x, image: "nginx:1"}\n';
  assert.deepEqual(findImages(parseManifest(ingress)), [], 'a k8s.io group is Kubernetes\' own');
  assert.deepEqual(
    ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'argoproj.io/v1alpha1', 'serving.knative.dev/v1'].map(isBuiltinApi),
    [true, true, true, true, false, false],
  );
  // A custom resource that calls itself Deployment is not one: no pod spec demanded of it.
  assert.deepEqual(validateManifest(parseManifest('apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n')), []);
});
