import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { findImages, formatImageReference, imageAt, normalizeImageReference, parseImageReference, sameImage } from '../../../src/core/manifests/images.ts';
import type { ContainerImage } from '../../../src/core/manifests/images.ts';

const course = readFileSync(new URL('./fixtures/deployment.yaml', import.meta.url), 'utf8');
const slice = (text: string, s: { start: number; end: number } | undefined) => (s ? text.slice(s.start, s.end) : undefined);

test("the course manifest's image: container name, exact value and tag ranges, line 16", () => {
  const file = parseManifest(course);
  const [image, ...rest] = findImages(file);
  assert.equal(rest.length, 0);
  assert.equal(image.containerName, 'hashgenerator');
  assert.equal(image.containerList, 'containers');
  assert.deepEqual(image.path, ['spec', 'template', 'spec', 'containers', 0, 'image']);
  assert.equal(image.image, 'jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64');
  assert.equal(slice(course, image.span), image.image);
  assert.equal(slice(course, image.tagSpan), 'b7fc18de2376da80ff0cfc72cf581a9f94d10e64');
  assert.equal(slice(course, image.keySpan), 'image');
  assert.deepEqual(file.rangeOf(image.keySpan).start, { line: 16, character: 10 });
  assert.deepEqual(file.rangeOf(image.tagSpan!), { start: { line: 16, character: 34 }, end: { line: 16, character: 74 } });
  assert.equal(image.pullPolicy, undefined);
  assert.equal(image.reference.valid && image.reference.canonicalName, 'docker.io/jakousa/dwk-app1');
});

const ALL_KINDS = `apiVersion: v1
kind: Pod
metadata: {name: pod}
spec:
  initContainers:
  - name: init
    image: "localhost:5000/app:1"   # quoted, registry with port
  containers:
  - name: web
    image: 'nginx'
    imagePullPolicy: IfNotPresent
  ephemeralContainers:
  - name: debug
    image: busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cron
spec:
  schedule: "@hourly"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: ghcr.io/acme/job:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
              imagePullPolicy: "Always"
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers: [{name: pg, image: "postgres:16"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-workload}
data:
  image: nginx:1
`;

test('every workload kind, multi-document, quoted, registry:port, digest, flow style; ConfigMaps have no images', () => {
  const file = parseManifest(ALL_KINDS);
  const images = findImages(file);
  const row = (i: ContainerImage) => [i.document.kind, i.containerList, i.containerName, i.image, i.style, slice(ALL_KINDS, i.tagSpan), slice(ALL_KINDS, i.digestSpan)?.slice(0, 8)];
  assert.deepEqual(images.map(row), [
    ['Pod', 'initContainers', 'init', 'localhost:5000/app:1', 'double', '1', undefined],
    ['Pod', 'containers', 'web', 'nginx', 'single', undefined, undefined],
    ['Pod', 'ephemeralContainers', 'debug', 'busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'plain', undefined, '@sha256:'],
    ['CronJob', 'containers', 'job', 'ghcr.io/acme/job:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'plain', '1.2', '@sha256:'],
    ['StatefulSet', 'containers', 'pg', 'postgres:16', 'double', '16', undefined],
  ]);
  const [init, web, , job] = images;
  assert.equal(slice(ALL_KINDS, init.span), '"localhost:5000/app:1"');
  assert.equal(slice(ALL_KINDS, init.valueSpan), 'localhost:5000/app:1');
  assert.equal(web.pullPolicy?.value, 'IfNotPresent');
  assert.equal(job.pullPolicy?.value, 'Always');
  assert.equal(slice(ALL_KINDS, job.pullPolicy?.span), '"Always"');
  assert.equal(ALL_KINDS.slice(web.tagInsertAt, web.tagInsertAt! + 1), "'", 'a tag would go right after nginx, inside the quotes');
  assert.equal(imageAt(file, ALL_KINDS.indexOf('postgres'))?.containerName, 'pg');
  assert.equal(imageAt(file, ALL_KINDS.indexOf('nginx:1')), undefined);
});

test('Deployments, ReplicaSets, DaemonSets, Jobs and ReplicationControllers keep containers in spec.template.spec', () => {
  const kinds = ['Deployment', 'ReplicaSet', 'DaemonSet', 'Job', 'ReplicationController'];
  const text = kinds
    .map((kind, i) => `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: x${i}\nspec:\n  template:\n    spec:\n      containers:\n      - image: app:${i}\n        name: c${i}\n`)
    .join('---\n');
  assert.deepEqual(findImages(parseManifest(text)).map((i) => [i.document.kind, i.containerName, i.image]), kinds.map((k, i) => [k, `c${i}`, `app:${i}`]));
});

test('images in documents the scanner leaves to yaml (anchors) are found the same way', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: &n p\nspec:\n  containers:\n  - name: *n\n    image: app:1\n';
  const [image] = findImages(parseManifest(text));
  assert.equal(image.document.outlineScanned, false);
  assert.equal(image.containerName, 'p');
  assert.equal(slice(text, image.tagSpan), '1');
});

test('an image with escapes in double quotes has no editable tag range', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: "app:\\u0031"\n';
  const [image] = findImages(parseManifest(text));
  assert.equal(image.image, 'app:1');
  assert.equal(image.valueSpan, undefined);
  assert.equal(image.tagSpan, undefined);
});

test('reference grammar: registries are recognised by ".", ":" or localhost; Docker Hub is normalised', () => {
  const cases: [string, string | undefined, string, string | undefined, string | undefined, string][] = [
    // raw, registry, path, tag, digest, normalised
    ['nginx', undefined, 'nginx', undefined, undefined, 'docker.io/library/nginx:latest'],
    ['nginx:1.25-alpine', undefined, 'nginx', '1.25-alpine', undefined, 'docker.io/library/nginx:1.25-alpine'],
    ['jakousa/dwk-app1:abc1234', undefined, 'jakousa/dwk-app1', 'abc1234', undefined, 'docker.io/jakousa/dwk-app1:abc1234'],
    ['localhost:5000/app:1', 'localhost:5000', 'app', '1', undefined, 'localhost:5000/app:1'],
    ['localhost/app', 'localhost', 'app', undefined, undefined, 'localhost/app:latest'],
    ['registry.example.com/team/app', 'registry.example.com', 'team/app', undefined, undefined, 'registry.example.com/team/app:latest'],
    ['k3d-registry.localhost:5000/app:v2', 'k3d-registry.localhost:5000', 'app', 'v2', undefined, 'k3d-registry.localhost:5000/app:v2'],
    ['index.docker.io/library/redis:7', 'index.docker.io', 'library/redis', '7', undefined, 'docker.io/library/redis:7'],
    ['app@sha256:' + 'a'.repeat(64), undefined, 'app', undefined, 'sha256:' + 'a'.repeat(64), 'docker.io/library/app@sha256:' + 'a'.repeat(64)],
    ['app:1.2@sha256:' + 'b'.repeat(64), undefined, 'app', '1.2', 'sha256:' + 'b'.repeat(64), 'docker.io/library/app:1.2@sha256:' + 'b'.repeat(64)],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', undefined, '[::1]:5000/app:1'],
    ['team/app', undefined, 'team/app', undefined, undefined, 'docker.io/team/app:latest'],
  ];
  for (const [raw, registry, path, tag, digest, normalised] of cases) {
    const ref = parseImageReference(raw);
    assert.ok(ref.valid, `${raw}: ${!ref.valid && ref.message}`);
    assert.deepEqual([ref.registry, ref.path, ref.tag, ref.digest], [registry, path, tag, digest], raw);
    assert.equal(normalizeImageReference(ref), normalised, raw);
    assert.equal(formatImageReference(ref), raw, 'written back as the user wrote it');
    if (tag !== undefined) {
      assert.equal(raw.slice(ref.tagStart, ref.tagEnd), tag);
    }
  }
});

test('invalid references say why', () => {
  for (const [raw, why] of [
    ['', /empty/],
    ['Jakousa/App', /lowercase/],
    ['app:', /not a valid tag/],
    ['app:-x', /not a valid tag/],
    ['app@sha256:123', /not a digest/],
    ['my registry/app', /not a valid/],
    ['localhost:port/app', /port number/],
    [' app', /spaces/],
  ] as const) {
    const ref = parseImageReference(raw);
    assert.equal(ref.valid, false, raw);
    assert.match(!ref.valid ? ref.message : '', why, raw);
  }
});

test('sameImage compares what the kubelet pulls', () => {
  assert.ok(sameImage('nginx', 'docker.io/library/nginx:latest'));
  assert.ok(sameImage('jakousa/dwk-app1:abc', 'docker.io/jakousa/dwk-app1:abc'));
  assert.ok(!sameImage('nginx:1', 'nginx:2'));
  assert.ok(!sameImage('localhost:5000/app:1', 'app:1'));
});

test('the outline (a pruned scan) finds exactly what a full yaml parse finds, at the same positions', async () => {
  const { OUTLINE_KEEP } = await import('../../../src/core/manifests/kinds.ts');
  const { getNode, toPlain } = await import('../../../src/core/manifests/node.ts');
  type Keep = true | { readonly [key: string]: Keep };
  const prune = (value: unknown, keep: Keep): unknown => {
    if (keep === true || value === null || typeof value !== 'object') {
      return value;
    }
    if (Array.isArray(value)) {
      return value.map((v) => prune(v, keep['[]'] ?? {}));
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (keep[k] !== undefined) {
        out[k] = prune(v, keep[k]);
      }
    }
    return out;
  };
  const env = Array.from({ length: 5 }, (_, i) => `            - name: V${i}\n              value: "x: ${i}"   # not: a key\n`).join('');
  const text = [
    course,
    ALL_KINDS,
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    note: |\n      image: fake:1\n      containers:\n        - image: fake:2\nspec:\n  template:\n    spec:\n      containers:\n        - env:\n${env}          name: app\n          image: app:2 # trailing\n          args:\n          - --image=other:3\n      volumes:\n      - name: v\n        configMap: {name: c}\n`,
  ].join('---\n');
  const file = parseManifest(text);
  for (const doc of file.documents) {
    assert.ok(doc.outlineScanned);
    assert.deepEqual(toPlain(doc.outline!), prune(doc.full().yaml.toJS(), OUTLINE_KEEP));
  }
  const images = findImages(file);
  assert.equal(images.length, 7);
  for (const image of images) {
    const full = getNode(image.document.full().tree!, image.path);
    assert.deepEqual(full?.span, image.span, image.image);
  }
  assert.deepEqual(images.at(-1)?.image, 'app:2');
});

test('a reference is read once per string: the same frozen answer for a slice of a file and for a fresh string', () => {
  const text = `spec:\n  image: registry.example.com:5000/platform/app:2026.1.3\n`;
  const fromFile = parseImageReference(text.slice(text.indexOf('registry'), text.length - 1));
  const fresh = parseImageReference(['registry.example.com:5000', 'platform/app:2026.1.3'].join('/'));
  assert.equal(fromFile, fresh);
  assert.ok(Object.isFrozen(fresh));
  assert.deepEqual(
    { ...fresh },
    {
      valid: true,
      raw: 'registry.example.com:5000/platform/app:2026.1.3',
      registry: 'registry.example.com:5000',
      path: 'platform/app',
      tag: '2026.1.3',
      digest: undefined,
      domain: 'registry.example.com:5000',
      repository: 'platform/app',
      canonicalName: 'registry.example.com:5000/platform/app',
      nameEnd: 38,
      tagStart: 39,
      tagEnd: 47,
      digestAt: undefined,
    },
  );
  // Invalid ones too, message included.
  assert.equal(parseImageReference('Nginx:1'), parseImageReference('Nginx:1'));
  assert.equal((parseImageReference('Nginx:1') as { message: string }).message, "Repository names must be lowercase: 'Nginx'.");
});
