import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findTarget, lensRows, targetOf } from '../../../src/core/manifests/lenses.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { applyEdits, setImageTag } from '../../../src/core/manifests/edit.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import { hasKustomization, isKustomization } from '../../../src/core/manifests/kustomize.ts';
import { applyImageRule, imageRewrites, readKustomization } from '../../../src/core/manifests/kustomizeRewrites.ts';
import { checkImageTags } from '../../../src/core/manifests/lessons.ts';
import { bumpTag } from '../../../src/core/manifests/tags.ts';

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
images:
  - name: PROJECT/IMAGE
    newName: registry.example.com/course/todo-app
    newTag: 1.4.2 # the deployed version
  - name: backend
    newName: registry.example.com/course/backend
  - name: db
    newName: postgres
    digest: sha256:${'c'.repeat(64)}
  - {name: worker, newTag: "1.10"}
`;

// Hand-written files often have no apiVersion and kind.
const KIND_LESS = `resources:
- ../../base
images:
- name: PROJECT/IMAGE
  newName: registry.example.com/course/todo-app
  newTag: sha-666420
`;

test('kustomizations are recognised: kind Kustomization of kustomize.config.k8s.io, or kind-less with kustomize lists; not Flux', () => {
  assert.equal(isKustomization(parseManifest(KUSTOMIZATION).documents[0]), true);
  assert.equal(isKustomization(parseManifest(KIND_LESS).documents[0]), true);
  assert.equal(hasKustomization(parseManifest(KIND_LESS)), true);
  const flux = `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {path: ./apps}\n`;
  assert.equal(isKustomization(parseManifest(flux).documents[0]), false);
  const values = `image:\n  repository: nginx\nresources:\n  limits: {cpu: 100m}\n`; // a Helm values.yaml
  assert.equal(isKustomization(parseManifest(values).documents[0]), false);
});

test('images[] entries with newTag or digest get a lens row on their newTag/digest line; newName alone gets none', () => {
  const file = parseManifest(KUSTOMIZATION);
  const images = findImages(file);
  assert.deepEqual(
    images.map((i) => [i.containerName, i.image]),
    [
      ['PROJECT/IMAGE', 'registry.example.com/course/todo-app:1.4.2'],
      ['db', `postgres@sha256:${'c'.repeat(64)}`],
      ['worker', 'worker:1.10'],
    ],
  );
  const rows = lensRows(file);
  assert.deepEqual(
    rows.map((r) => [file.rangeOf({ start: r.at, end: r.at }).start.line, r.summary, r.editable]),
    [
      [8, '$(tag) 1.4.2 · semver', true],
      [13, '$(pin) pinned by digest', true],
      [14, '$(tag) 1.10 · version', true],
    ],
  );
  assert.deepEqual(checkImageTags(file), [], 'no lessons: these are valid, tagged images');
  const kindLess = lensRows(parseManifest(KIND_LESS));
  assert.equal(kindLess[0].summary, '$(tag) sha-666420 · git SHA');
});

test('bumping newTag edits only its characters, keeps the comment, and quotes a tag YAML would read as a number', () => {
  const file = parseManifest(KUSTOMIZATION);
  const [todo, db, worker] = findImages(file);
  const next = bumpTag(todo.reference.valid ? todo.reference.tag : undefined);
  assert.equal(next.ok && next.tag, '1.4.3');
  const edit = setImageTag(file, todo, '1.4.3');
  assert.ok(edit.ok, !edit.ok ? edit.reason : '');
  assert.equal(edit.ok && edit.edit.newText, '1.4.3');
  assert.equal(edit.ok && edit.text, KUSTOMIZATION.replace('newTag: 1.4.2 #', 'newTag: 1.4.3 #'));
  // The target still finds the entry after the edit.
  const after = parseManifest(edit.ok ? edit.text : '');
  assert.equal(findTarget(after, targetOf('file:///k/kustomization.yaml', todo))?.image, 'registry.example.com/course/todo-app:1.4.3');

  const toNumberLike = setImageTag(file, todo, '2.0');
  assert.equal(toNumberLike.ok && toNumberLike.text.includes('newTag: "2.0" # the deployed version'), true);
  const quoted = setImageTag(file, worker, '1.11');
  assert.equal(quoted.ok && quoted.text.includes('{name: worker, newTag: "1.11"}'), true);

  // A digest wins over newTag in kustomize: switching to a tag replaces the digest line.
  assert.equal(setImageTag(file, db, 'v16').ok, false, 'refused without dropDigest');
  const switched = setImageTag(file, db, '16.4', { dropDigest: true });
  assert.ok(switched.ok, !switched.ok ? switched.reason : '');
  assert.equal(switched.ok && switched.text, KUSTOMIZATION.replace(`digest: sha256:${'c'.repeat(64)}`, 'newTag: "16.4"'));
});

test('an entry with both newTag and digest loses its digest line when switched to a tag', () => {
  const text = `kind: Kustomization\nimages:\n  - name: app\n    newTag: v1\n    digest: sha256:${'d'.repeat(64)}\n    newName: me/app\n`;
  const file = parseManifest(text);
  const [app] = findImages(file);
  assert.equal(lensRows(file)[0].summary, '$(pin) pinned by digest (tag v1 ignored)');
  const result = setImageTag(file, app, 'v2', { dropDigest: true });
  assert.ok(result.ok, !result.ok ? result.reason : '');
  assert.equal(result.ok && applyEdits(text, [result.edit]), `kind: Kustomization\nimages:\n  - name: app\n    newTag: v2\n    newName: me/app\n`);
});

test('what kustomize makes of an image: name matched before tag and digest; newName, newTag, digest', () => {
  assert.equal(applyImageRule('PROJECT/IMAGE', { name: 'PROJECT/IMAGE', newName: 'me/app', newTag: 'v2' }), 'me/app:v2');
  assert.equal(applyImageRule('nginx:1.25', { name: 'nginx', newTag: '1.27' }), 'nginx:1.27');
  assert.equal(applyImageRule('nginx:1.25', { name: 'nginx', newName: 'mirror.example.com/nginx' }), 'mirror.example.com/nginx:1.25');
  assert.equal(applyImageRule('nginx:1.25', { name: 'nginx', digest: `sha256:${'e'.repeat(64)}` }), `nginx@sha256:${'e'.repeat(64)}`);
  assert.equal(applyImageRule('nginx-extra:1', { name: 'nginx', newTag: '2' }), undefined);
  assert.equal(applyImageRule('localhost:5000/app', { name: 'localhost:5000/app', newTag: 'v3' }), 'localhost:5000/app:v3');
});

test('an image rewritten by the overlays that include its base: each overlay says what it becomes, inner rules first', () => {
  const k = (file: string, text: string) => readKustomization(file, parseManifest(text));
  const base = k('base/kustomization.yaml', 'resources:\n  - deployment.yaml\nimages:\n  - name: PROJECT/IMAGE\n    newName: me/todo\n');
  const prod = k('overlays/prod/kustomization.yaml', 'resources:\n  - ../../base\nimages:\n  - name: me/todo\n    newTag: 1.4.2\n');
  const dev = k('overlays/dev/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\nimages:\n  - {name: me/todo, newTag: sha-0f1e2d3}\n');
  const other = k('other/kustomization.yaml', 'resources:\n  - ../elsewhere.yaml\nimages:\n  - {name: PROJECT/IMAGE, newTag: nope}\n');
  const all = [base, prod, dev, other].map((x) => x as NonNullable<typeof x>);
  assert.deepEqual(imageRewrites('base/deployment.yaml', 'PROJECT/IMAGE', all), [
    { kustomization: 'overlays/prod/kustomization.yaml', image: 'me/todo:1.4.2' },
    { kustomization: 'overlays/dev/kustomization.yaml', image: 'me/todo:sha-0f1e2d3' },
  ]);
  assert.deepEqual(imageRewrites('base/deployment.yaml', 'nginx:1.25', all), [], 'no rule for it: unchanged');
  assert.deepEqual(imageRewrites('unrelated/deployment.yaml', 'PROJECT/IMAGE', all), [], 'not included by any kustomization');
  // A cycle of kustomizations ends.
  const a = k('a/kustomization.yaml', 'resources: [../b, app.yaml]\nimages: [{name: x, newTag: "1"}]\n');
  const b = k('b/kustomization.yaml', 'resources: [../a]\n');
  assert.deepEqual(imageRewrites('a/app.yaml', 'x', [a, b].map((x) => x as NonNullable<typeof x>)).map((r) => r.image), ['x:1']);
});

test('Apply says a Kustomization is kustomize\'s build file, not that it misses metadata.name; a Flux Kustomization is checked as an object', async () => {
  const { validateManifest } = await import('../../../src/core/manifests/validate.ts');
  const problems = validateManifest(parseManifest(KUSTOMIZATION));
  assert.deepEqual(problems.map((p) => p.code), ['kustomize.notAnObject']);
  assert.match(problems[0].message, /kubectl apply -k/);
  assert.doesNotMatch(problems[0].message, /Missing metadata/);
  assert.equal(problems[0].range.start.line, 1, 'at kind:');
  const flux = `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\nspec: {path: ./apps}\n`;
  assert.deepEqual(validateManifest(parseManifest(flux)), []);
});

test('a placeholder image that an overlay rewrites gets no InvalidImageName or no-tag lesson; one nothing rewrites still does', () => {
  const deployment = parseManifest(`apiVersion: apps/v1
kind: Deployment
metadata: {name: todo}
spec:
  template:
    spec:
      containers:
        - name: app
          image: PROJECT/IMAGE
        - name: sidecar
          image: Other/PLACEHOLDER
`);
  const base = readKustomization('base/kustomization.yaml', parseManifest('resources: [deployment.yaml]\n'));
  const prod = readKustomization('prod/kustomization.yaml', parseManifest('resources: [../base]\nimages:\n  - {name: PROJECT/IMAGE, newName: me/todo, newTag: 1.4.2}\n'));
  const all = [base, prod].map((x) => x as NonNullable<typeof x>);
  const rewritten = (image: { image: string }) => imageRewrites('base/deployment.yaml', image.image, all).length > 0;
  assert.deepEqual(
    checkImageTags(deployment).map((f) => [f.image.containerName, f.code]),
    [['app', 'image.invalidReference'], ['sidecar', 'image.invalidReference']],
    'without kustomize, both placeholders are invalid names',
  );
  assert.deepEqual(
    checkImageTags(deployment, { rewritten }).map((f) => [f.image.containerName, f.code]),
    [['sidecar', 'image.invalidReference']],
  );
});

test('Apply on a folder holding a kustomization refuses and says to run kubectl apply -k; the file names kustomize looks for', async () => {
  const { isKustomizationFileName, kustomizeFolderRefusal } = await import('../../../src/core/manifests/kustomize.ts');
  assert.deepEqual(['kustomization.yaml', 'kustomization.yml', 'Kustomization', 'deployment.yaml', 'Kustomization.yaml'].map(isKustomizationFileName), [true, true, true, false, false]);
  const message = kustomizeFolderRefusal('k8s/overlays/prod', 'kustomization.yaml');
  assert.match(message, /^k8s\/overlays\/prod holds kustomization\.yaml, and Apply does not run kustomize/);
  assert.match(message, /kubectl apply -k k8s\/overlays\/prod/);
});

test('kustomize patches are recognised: their images are rewritten by the kustomization that patches with them', () => {
  const prod = readKustomization(
    'prod/kustomization.yaml',
    parseManifest(`resources: [../base]
patches:
  - path: sidecar-patch.yaml
    target: {kind: Deployment}
patchesStrategicMerge:
  - replicas.yaml
  - |-
    apiVersion: apps/v1
    kind: Deployment
images:
  - {name: LOGGER, newName: me/logger, newTag: v2}
`),
  ) as NonNullable<ReturnType<typeof readKustomization>>;
  assert.deepEqual(prod.includes, ['base', 'prod/replicas.yaml', 'prod/sidecar-patch.yaml']);
  assert.deepEqual(imageRewrites('prod/sidecar-patch.yaml', 'LOGGER', [prod]), [{ kustomization: 'prod/kustomization.yaml', image: 'me/logger:v2' }]);
});

test('an images[] entry that a YAML alias repeats is shown but not edited (the edit would change every copy)', () => {
  const file = parseManifest('kind: Kustomization\nimages:\n  - &e {name: app, newTag: v1}\n  - *e\n');
  const rows = lensRows(file);
  assert.deepEqual(rows.map((r) => [r.summary, r.editable]), [['$(tag) v1 · build number', false]]);
  const result = setImageTag(file, rows[0].image, 'v2');
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.reason : '', /anchor &e/);
});

test("a kind-less document is a kustomization by its own top-level lists only, not the next document's or an indented one", () => {
  const settings = `# settings\nlog: info\nnote: "images: are listed below"\nnested:\n  images:\n    - a\n`;
  const docs = parseManifest(`${settings}---\n${KIND_LESS}---\n${settings}`).documents;
  assert.deepEqual(
    docs.map((d) => isKustomization(d)),
    [false, true, false],
  );
  // A file of many kind-less documents is read line by line per document (searching the rest of
  // the file for each marker made it quadratic): each still answers for itself.
  const many = parseManifest(Array.from({ length: 300 }, (_, i) => (i === 299 ? KIND_LESS : `key${i}: value\n`)).join('---\n'));
  assert.deepEqual(
    many.documents.flatMap((d, i) => (isKustomization(d) ? [i] : [])),
    [299],
  );
});
