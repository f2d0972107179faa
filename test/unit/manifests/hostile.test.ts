// YAML that costs exponential work (alias bombs) or is simply huge is
// refused with a reason, on every path the extension reads manifests by, and never throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lensNotices, lensRows } from '../../../src/core/manifests/lenses.ts';
import { declaredDeployments } from '../../../src/core/manifests/declared.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { setImage, setImagePullPolicy, setImageTag } from '../../../src/core/manifests/edit.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import { checkImageTags, checkLocalImagePullPolicy } from '../../../src/core/manifests/lessons.ts';
import { APPLY_LIMIT, LENS_LIMIT, aliasBudget, applySizeRefusal, lensSizeNotice } from '../../../src/core/manifests/limits.ts';
import { locateField } from '../../../src/core/manifests/paths.ts';
import { validateManifest } from '../../../src/core/manifests/validate.ts';

/** `a: &a [x × 9]`, `b: &b [*a × 9]`, ...: 9^levels nodes once expanded, from ~300 bytes. */
function aliasBomb(levels: number, indent = ''): string {
  const names = 'abcdefghij';
  let out = `${indent}a: &a [x,x,x,x,x,x,x,x,x]\n`;
  for (let i = 1; i < levels; i++) {
    out += `${indent}${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]\n`;
  }
  return out;
}

const BOMB_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
${aliasBomb(7)}spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.25
`;

const PLAIN_POD = `apiVersion: v1
kind: Pod
metadata:
  name: fine
spec:
  containers:
    - name: app
      image: busybox:1.36
`;

/**
 * Runs `f` and returns the CPU time it took (this process's: other processes on a loaded machine
 * do not count): the bomb must cost well under a second, where it cost minutes before.
 */
function timed<T>(f: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
}

test('a 7-level alias bomb (about 300 bytes of aliases, 9^7 nodes expanded) is refused on every path, quickly and without throwing', () => {
  assert.ok(aliasBomb(7).length < 400);
  const { value: results, ms } = timed(() => {
    const file = parseManifest(BOMB_DEPLOYMENT);
    return {
      images: findImages(file),
      rows: lensRows(file),
      notices: lensNotices(file),
      problems: validateManifest(file),
      object: file.documents[0].toObject(),
      tags: checkImageTags(file),
      local: checkLocalImagePullPolicy(file, () => true),
      located: locateField(file.documents[0], 'spec.template.spec.containers[0].image'),
      declared: declaredDeployments(BOMB_DEPLOYMENT),
    };
  });
  // Before the budget: seconds to minutes of expansion, then `ReferenceError: Excessive alias count`.
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  assert.deepEqual(results.images, []);
  assert.deepEqual(results.rows, []);
  assert.equal(results.object, undefined, 'nothing to send to the cluster');
  assert.deepEqual(results.declared, [], 'the manifest index leaves the document out');
  const [problem] = results.problems;
  assert.equal(results.problems.length, 1);
  assert.equal(problem.code, 'yaml.aliasBudget');
  assert.equal(problem.severity, 'error');
  assert.match(problem.message, /aliases .* expand to more than \d+ nodes.*alias bomb/);
  assert.equal(problem.range.start.line, 0);
  assert.equal(results.notices.length, 1);
  assert.match(results.notices[0].title, /^k3d: lenses off for this document: its YAML aliases expand too far/);
  assert.equal(results.located.exact, false);
});

test('a bomb under a field the lenses skip (annotations): lenses as usual, validation and edits refused', () => {
  const text = BOMB_DEPLOYMENT.replace(aliasBomb(7), `  annotations:\n${aliasBomb(7, '    ')}`);
  const { value, ms } = timed(() => {
    const file = parseManifest(text);
    const images = findImages(file);
    return { images, problems: validateManifest(file), edit: setImageTag(file, images[0], '1.26'), declared: declaredDeployments(text) };
  });
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  assert.deepEqual(
    value.images.map((i) => i.image),
    ['nginx:1.25'],
    'the outline skips annotations by indentation: it never expands them',
  );
  assert.deepEqual(
    value.problems.map((p) => p.code),
    ['yaml.aliasBudget'],
  );
  assert.equal(value.edit.ok, false);
  assert.match(!value.edit.ok ? value.edit.reason : '', /alias bomb/);
  // The manifest index reads outlines too: what the file declares, without expanding anything.
  assert.deepEqual(value.declared.map((d) => [d.namespace, d.name, d.replicas, [...d.images]]), [['default', 'web', undefined, [['web', 'nginx:1.25']]]]);
});

test('declaredDeployments: what the tree compares with the cluster, from the outline', () => {
  const text = `apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 3\n  template:\n    spec:\n      initContainers:\n        - {name: init, image: "busybox:1"}\n      containers:\n        - name: web\n          image: "nginx:1.25"\n        - name: side\n          image: envoy:1.30\n---\nkind: Deployment\nmetadata: {name: second}\n`;
  assert.deepEqual(
    declaredDeployments(text).map((d) => [d.namespace, d.name, d.line, d.replicas, [...d.images]]),
    [
      ['shop', 'web', 3, 3, [['web', 'nginx:1.25'], ['side', 'envoy:1.30']]],
      ['default', 'second', 20, undefined, []],
    ],
  );
  assert.deepEqual(declaredDeployments('kind: Deployment\nmetadata: {name: x}\n' + aliasBomb(8)), [], 'the bomb is at the top level: refused');
});

test('the budget counts expanded nodes: a bomb one level deeper costs no more than the budget', () => {
  // Each level multiplies the expansion by 9; the work stays bounded by the budget.
  for (const levels of [8, 9, 10]) {
    const text = `${PLAIN_POD}---\n${aliasBomb(levels)}`;
    const { value, ms } = timed(() => validateManifest(parseManifest(text)));
    assert.ok(ms < 1000, `${levels} levels took ${ms.toFixed(0)} ms`);
    assert.deepEqual(
      value.map((p) => p.code),
      ['yaml.aliasBudget'],
    );
    assert.equal(value[0].documentIndex, 1, 'the other document is read as usual');
  }
  assert.equal(aliasBudget(300), 1200);
});

test('a bomb in one document leaves the lenses of the others', () => {
  const file = parseManifest(`${PLAIN_POD}---\n${BOMB_DEPLOYMENT}`);
  assert.deepEqual(
    lensRows(file).map((r) => r.image.image),
    ['busybox:1.36'],
  );
  const notices = lensNotices(file);
  assert.equal(notices.length, 1);
  assert.equal(file.rangeOf({ start: notices[0].at, end: notices[0].at }).start.line, PLAIN_POD.split('\n').length, 'on the bomb document\'s first line');
});

test('anchors within the budget still read like the object kubectl sends', () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  containers:
    - &c {name: a, image: "nginx:1.2", env: &env [{name: A, value: "1"}, {name: B, value: "2"}]}
    - {name: b, image: "nginx:1.2", env: *env}
`;
  const file = parseManifest(text);
  assert.deepEqual(validateManifest(file), []);
  const object = file.documents[0].toObject() as { spec: { containers: Array<{ env: unknown }> } };
  assert.deepEqual(object.spec.containers[1].env, [
    { name: 'A', value: '1' },
    { name: 'B', value: '2' },
  ]);
  // 1001 aliases of one scalar: within the budget, though `yaml`'s own maxAliasCount would throw.
  const many = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n  a: &v "x"\n${Array.from({ length: 1001 }, (_, i) => `  k${i}: *v\n`).join('')}`;
  const mf = parseManifest(many);
  assert.deepEqual(validateManifest(mf), []);
  assert.equal((mf.documents[0].toObject() as { data: Record<string, string> }).data.k1000, 'x');
});

test('an image reached through an alias is shown but not edited: every edit says why', () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    base: &img nginx:1.2
spec:
  containers:
    - name: a
      image: *img
`;
  const file = parseManifest(text);
  const [image] = findImages(file);
  assert.equal(image.image, 'nginx:1.2');
  assert.equal(text.slice(image.span.start, image.span.end), '*img', 'the lens and diagnostics point at the alias');
  const [row] = lensRows(file);
  assert.equal(row.editable, false);
  assert.match(row.tooltip, /YAML alias \*img/);
  for (const result of [setImageTag(file, image, '1.3'), setImage(file, image, 'nginx:1.3')]) {
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /reached through the YAML alias \*img: .*change every copy/);
  }
  // The container itself is not shared: a pull policy under `image: *img` changes only it.
  const policy = setImagePullPolicy(file, image, 'IfNotPresent');
  assert.ok(policy.ok);
  assert.equal(policy.text, text.replace('image: *img\n', 'image: *img\n      imagePullPolicy: IfNotPresent\n'));
});

test('edits in an alias bomb are refused with the reason, not ReferenceError: Excessive alias count', () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: nginx:1.2\n';
  const bomb = parseManifest(pod + aliasBomb(7));
  assert.deepEqual(findImages(bomb), [], 'refused before any image is offered');
  // An image found just before the aliases were typed: its edit is checked against the bomb.
  const [image] = findImages(parseManifest(pod));
  const stale = { ...image, document: bomb.documents[0] };
  for (const result of [setImageTag(bomb, stale, '1.3'), setImage(bomb, stale, 'x:1'), setImagePullPolicy(bomb, stale, 'Never')]) {
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /alias bomb/);
  }
});

test('a 50 MB manifest: lenses off with one notice, validation refuses at once', () => {
  const doc = `---\n${PLAIN_POD}`;
  const big = doc.repeat(Math.ceil((50 * 1024 * 1024) / doc.length));
  assert.equal(lensSizeNotice(big.length), 'k3d: lenses off: file is 50 MB, over the 2 MB limit');
  assert.equal(lensSizeNotice(LENS_LIMIT), undefined);
  assert.equal(lensSizeNotice(LENS_LIMIT + 1), 'k3d: lenses off: file is 2 MB, over the 2 MB limit');
  const { value: problems, ms } = timed(() => validateManifest(parseManifest(big)));
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms (26 s before the limit)`);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].code, 'manifest.tooLarge');
  assert.match(problems[0].message, /^The file is 50 MB, over the 10 MB limit for validating and applying/);
  assert.equal(applySizeRefusal(APPLY_LIMIT), undefined);
  assert.match(applySizeRefusal(APPLY_LIMIT + 1) ?? '', /over the 10 MB limit/);
});

test('duplicate keys are still errors where they are, found in one pass (yaml\'s uniqueKeys compares every pair)', () => {
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  a: "1"\n  b: "2"\n  a: "3"\n  flow: {x: 1, x: 2}\n  "1": one\n  1: number\n';
  const problems = validateManifest(parseManifest(text));
  assert.deepEqual(
    problems.map((p) => [p.code, p.message, p.range.start.line, p.range.start.character]),
    [
      ['yaml.DUPLICATE_KEY', 'Map keys must be unique', 7, 2],
      ['yaml.DUPLICATE_KEY', 'Map keys must be unique', 8, 15],
    ],
    'a string "1" and a number 1 are different keys, as for yaml',
  );
  assert.equal(parseManifest(text).documents[0].toObject(), undefined);
});

test('long mappings are looked up by index (the last of repeated keys wins, as before); stack traces come back after a parse', () => {
  let selector = '';
  let labels = '';
  for (let i = 0; i < 1500; i++) {
    selector += `      l${i}: v${i}\n`;
    labels += `        l${i}: v${i === 1499 ? 'x' : i}\n`;
  }
  const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  selector:\n    matchLabels:\n${selector}  template:\n    metadata:\n      labels:\n${labels}    spec:\n      containers:\n        - {name: a, image: "a:1"}\n`;
  const problems = validateManifest(parseManifest(text));
  assert.deepEqual(
    problems.map((p) => p.message),
    ['The selector l1499=v1499 does not match the pod template\'s labels: the Deployment would not find its own pods.'],
  );
  const repeated = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n${Array.from({ length: 40 }, (_, i) => `k${i}: ${i}\n`).join('')}kind: Pod\n`;
  const doc = parseManifest(repeated).documents[0];
  assert.equal(doc.kind, 'Pod', 'the last kind wins in a 45-key mapping too');
  const limit = Error.stackTraceLimit;
  validateManifest(parseManifest('a: [\n}}}: ]]\n'));
  assert.equal(Error.stackTraceLimit, limit);
});

test('a document only the full parser reads gets lenses up to 128 KB, above it a notice instead of a long parse', () => {
  const deployment = (envs: number) =>
    JSON.stringify(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'json' },
        spec: {
          selector: { matchLabels: { app: 'json' } },
          template: {
            metadata: { labels: { app: 'json' } },
            spec: { containers: [{ name: 'app', image: 'nginx:1.25', env: Array.from({ length: envs }, (_, i) => ({ name: `E${i}`, value: `${i}` })) }] },
          },
        },
      },
      null,
      2,
    );
  const small = parseManifest(deployment(100)); // JSON is YAML; pretty-printed, the scanner cannot follow it
  assert.ok(small.text.length < 128 * 1024);
  assert.deepEqual(
    findImages(small).map((i) => i.image),
    ['nginx:1.25'],
  );
  assert.deepEqual(lensNotices(small), []);
  const large = parseManifest(deployment(2000));
  assert.ok(large.text.length > 128 * 1024);
  assert.deepEqual(findImages(large), [], 'no full parse of a large document for lenses');
  assert.deepEqual(
    lensNotices(large).map((n) => n.title),
    [`k3d: lenses off for this document: ${Math.round(large.text.length / 1024)} KB that only the full YAML parser reads`],
  );
  assert.equal(large.documents[0].kind, 'Deployment', 'Apply still reads it');
});
