import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ManifestCache } from '../../../src/core/manifests/cache.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import { checkImageTags, checkLocalImagePullPolicy, compareWithLive, rolloutFindings } from '../../../src/core/manifests/lessons.ts';

const course = readFileSync(new URL('./fixtures/deployment.yaml', import.meta.url), 'utf8');

const TAGS = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    image: jakousa/dwk-app1
  - name: b
    image: "jakousa/dwk-app1:latest"
  - name: c
    image: jakousa/dwk-app1:b7fc18d
  - name: d
    image: app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  - name: e
    image: Jakousa/App
`;

test("':latest' and no tag warn that a new version needs a new tag, at the image or its tag", () => {
  const file = parseManifest(TAGS);
  const findings = checkImageTags(file);
  assert.deepEqual(findings.map((f) => [f.image.containerName, f.code, f.severity, TAGS.slice(f.span.start, f.span.end)]), [
    ['a', 'lesson.noTag', 'warning', 'jakousa/dwk-app1'],
    ['b', 'lesson.latestTag', 'warning', 'latest'],
    ['e', 'image.invalidReference', 'warning', 'Jakousa/App'],
  ]);
  assert.match(findings[0].message, /A new version needs a new tag/);
  assert.equal(findings[0].fix?.kind, 'setTag');
  assert.equal(findings[1].range.start.line, 8);
  assert.deepEqual(checkImageTags(parseManifest(course)), []);
});

test('local-only images: Always is a warning, unset :latest too; unset with a real tag is only a hint', () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: always
        image: mine:1
        imagePullPolicy: Always
      - name: latest
        image: mine
      - name: tagged
        image: mine:2
      - name: fine
        image: mine:3
        imagePullPolicy: IfNotPresent
      - name: remote
        image: nginx
`;
  const file = parseManifest(text);
  const findings = checkLocalImagePullPolicy(file, (ref) => ref.path === 'mine');
  assert.deepEqual(findings.map((f) => [f.image.containerName, f.code, f.severity, text.slice(f.span.start, f.span.end)]), [
    ['always', 'lesson.localImageAlwaysPulled', 'warning', 'Always'],
    ['latest', 'lesson.localImageDefaultAlways', 'warning', 'mine'],
    ['tagged', 'lesson.localImagePolicyUnset', 'info', 'image'],
  ]);
  assert.ok(findings.every((f) => f.fix?.kind === 'setPullPolicy' && f.fix.policy === 'IfNotPresent'));
});

test('re-applying an unchanged tag rolls out nothing; an imperative change shows as a difference', () => {
  const doc = parseManifest(course).documents[0];
  const same = [{ name: 'hashgenerator', image: 'docker.io/jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64' }];
  assert.deepEqual(compareWithLive(doc, same).map((c) => c.changes), [false]);
  const [unchanged] = rolloutFindings(doc, same);
  assert.equal(unchanged.code, 'lesson.unchangedImage');
  assert.match(unchanged.message, /applying changes nothing for hashgenerator/);

  const setImage = [{ name: 'hashgenerator', image: 'jakousa/dwk-app1:0f1e2d3' }];
  assert.deepEqual(compareWithLive(doc, setImage).map((c) => [c.changes, c.liveImage]), [[true, 'jakousa/dwk-app1:0f1e2d3']]);
  assert.equal(rolloutFindings(doc, setImage)[0].code, 'lesson.liveImageDiffers');
  assert.deepEqual(rolloutFindings(doc, []), [], 'not in the cluster yet: it will be created');
});

test('the cache returns the same parse for the same (uri, version) and reads the text only on a miss', () => {
  const cache = new ManifestCache(2);
  let reads = 0;
  const text = () => {
    reads++;
    return course;
  };
  const a = cache.get('file:///a.yaml', 1, text);
  assert.equal(cache.get('file:///a.yaml', 1, text), a);
  assert.equal(reads, 1);
  assert.equal(findImages(cache.get('file:///a.yaml', 1, text))[0], findImages(a)[0], 'images are computed once per version');
  const b = cache.get('file:///a.yaml', 2, text);
  assert.notEqual(b, a);
  cache.get('file:///b.yaml', 1, text);
  cache.get('file:///c.yaml', 1, text);
  assert.equal(cache.size, 2);
  cache.get('file:///a.yaml', 2, text);
  assert.equal(reads, 5, 'a was evicted (least recently used) and read again');
});

test('templated images (Helm {{ }}, ${VAR}, $(VAR)) are not image references: no InvalidImageName, a neutral lens', async () => {
  const { lensRows } = await import('../../../src/core/manifests/lenses.ts');
  const { parseImageReference } = await import('../../../src/core/manifests/imageReference.ts');
  const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: helm
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
        - name: envsubst
          image: registry.example.com/team/app:\${IMAGE_TAG}
        - name: var
          image: $(REGISTRY)/app:v1
        - name: broken
          image: Not/Valid:v1
`;
  const file = parseManifest(text);
  const findings = checkImageTags(file);
  assert.deepEqual(
    findings.map((f) => [f.image.containerName, f.code]),
    [['broken', 'image.invalidReference']],
    'only the real invalid reference is a Problem',
  );
  const rows = lensRows(file);
  assert.deepEqual(
    rows.map((r) => r.summary),
    ['$(symbol-variable) Helm template', '$(symbol-variable) variable', '$(symbol-variable) variable', '$(error) invalid image'],
  );
  assert.ok(rows.slice(0, 3).every((r) => !r.editable && !/invalid/i.test(r.tooltip)));
  const helm = parseImageReference('{{ .Values.image }}');
  assert.equal(helm.valid, false);
  assert.equal(!helm.valid && helm.template, 'helm');
});

test('a whole Helm chart template (not valid YAML until rendered) gets no image warnings and no crash', async () => {
  const { lensRows } = await import('../../../src/core/manifests/lenses.ts');
  const chart = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "todo.fullname" . }}
  labels:
    {{- include "todo.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
        - name: plain
          image: {{ .Values.sidecar.image }}
`;
  const file = parseManifest(chart);
  assert.deepEqual(checkImageTags(file), []);
  assert.ok(lensRows(file).every((r) => !/invalid/.test(r.summary)));
});
