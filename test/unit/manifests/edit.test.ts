import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { applyEdits, setImage, setImagePullPolicy, setImageTag } from '../../../src/core/manifests/edit.ts';
import type { EditResult } from '../../../src/core/manifests/edit.ts';
import { findImages } from '../../../src/core/manifests/images.ts';

const course = readFileSync(new URL('./fixtures/deployment.yaml', import.meta.url), 'utf8');
const HEAD = '0f1e2d3c4b5a69788796a5b4c3d2e1f001234567';

function edited(result: EditResult): string {
  assert.ok(result.ok, !result.ok ? result.reason : '');
  return result.text;
}

test('bumping the course manifest changes the 40 tag characters and nothing else', () => {
  const file = parseManifest(course);
  const [image] = findImages(file);
  const result = setImageTag(file, image, HEAD);
  const text = edited(result);
  assert.equal(text, course.replace('b7fc18de2376da80ff0cfc72cf581a9f94d10e64', HEAD));
  assert.ok(result.ok && result.edit.newText === HEAD);
  assert.deepEqual(result.ok && result.edit.range, { start: { line: 16, character: 34 }, end: { line: 16, character: 74 } });
  assert.equal(applyEdits(course, [result.ok ? result.edit : (undefined as never)]), text);
});

const STYLED = `# The app, built by CI
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # keep this name
spec:
  template:
    spec:
      containers:
        - name: web
          image: "localhost:5000/web:1.4.2"   # local registry
        - name: proxy
          image: 'nginx'
        - name: pinned
          image: app:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        - {name: flow, image: busybox:1.36}
`;

test('quotes, comments and spacing stay byte for byte', () => {
  const file = parseManifest(STYLED);
  const [web, proxy, pinned, flow] = findImages(file);
  assert.equal(edited(setImageTag(file, web, '1.4.3')), STYLED.replace('web:1.4.2"', 'web:1.4.3"'));
  assert.equal(edited(setImageTag(file, proxy, '1.27')), STYLED.replace("'nginx'", "'nginx:1.27'"));
  assert.equal(edited(setImageTag(file, flow, '1.37')), STYLED.replace('busybox:1.36}', 'busybox:1.37}'));
  const digest = setImageTag(file, pinned, '1.1');
  assert.equal(digest.ok, false);
  assert.match(!digest.ok ? digest.reason : '', /pinned by digest/);
  assert.equal(edited(setImageTag(file, pinned, '1.1', { dropDigest: true })), STYLED.replace(/app:1\.0@sha256:[0-9a-f]+/, 'app:1.1'));
});

test('a CRLF file keeps its line endings; an invalid tag is refused', () => {
  const crlf = course.replaceAll('\n', '\r\n');
  const file = parseManifest(crlf);
  const [image] = findImages(file);
  assert.equal(edited(setImageTag(file, image, 'abc1234')), crlf.replace('b7fc18de2376da80ff0cfc72cf581a9f94d10e64', 'abc1234'));
  const policy = edited(setImagePullPolicy(file, image, 'IfNotPresent'));
  assert.ok(policy.includes('b7fc18de2376da80ff0cfc72cf581a9f94d10e64\r\n          imagePullPolicy: IfNotPresent\r\n'));
  const bad = setImageTag(file, image, 'has space');
  assert.equal(bad.ok, false);
});

test('imagePullPolicy: replaced where it is, inserted under image with its indentation otherwise', () => {
  const file = parseManifest(course);
  const [image] = findImages(file);
  const inserted = edited(setImagePullPolicy(file, image, 'IfNotPresent'));
  assert.equal(
    inserted,
    course.replace('cf581a9f94d10e64\n', 'cf581a9f94d10e64\n          imagePullPolicy: IfNotPresent\n'),
  );
  const again = parseManifest(inserted);
  const [withPolicy] = findImages(again);
  assert.equal(withPolicy.pullPolicy?.value, 'IfNotPresent');
  assert.equal(edited(setImagePullPolicy(again, withPolicy, 'Never')), inserted.replace('IfNotPresent', 'Never'));

  // A compact `- image:` item: the new key aligns with `image`, not with the dash.
  const compact = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - image: app:1 # mine\n    name: a\n';
  const cf = parseManifest(compact);
  assert.equal(edited(setImagePullPolicy(cf, findImages(cf)[0], 'Never')), compact.replace('# mine\n', '# mine\n    imagePullPolicy: Never\n'));
});

test('an edit that would change more than intended is refused (flow-style container)', () => {
  const file = parseManifest(STYLED);
  const flow = findImages(file)[3];
  const result = setImagePullPolicy(file, flow, 'IfNotPresent');
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.reason : '', /break the YAML|more than intended/);
});

test('a document with YAML errors is not edited; a stale image is refused', () => {
  const broken = `${course}  bad: [\n`;
  const file = parseManifest(broken);
  const [image] = findImages(file);
  const result = setImageTag(file, image, 'abc1234');
  assert.equal(result.ok, false);
  const other = parseManifest(course);
  assert.equal(setImageTag(other, image, 'abc1234').ok, false, 'image from another parse');
});

test('setImage keeps the quoting style; a plain value that needs quotes gets them', () => {
  const file = parseManifest(STYLED);
  const [web, proxy] = findImages(file);
  assert.equal(edited(setImage(file, web, 'ghcr.io/acme/web:2')), STYLED.replace('"localhost:5000/web:1.4.2"', '"ghcr.io/acme/web:2"'));
  assert.equal(edited(setImage(file, proxy, "it's")), STYLED.replace("'nginx'", "'it''s'"));
  const plain = parseManifest(course);
  assert.equal(edited(setImage(plain, findImages(plain)[0], 'app: 1')), course.replace(/jakousa\S+/, '"app: 1"'));
});

test('bumping one document of many leaves the other documents identical', () => {
  const three = [course, course.replace('hashgenerator-dep', 'second'), course.replace('hashgenerator-dep', 'third')].join('---\n');
  const file = parseManifest(three);
  const images = findImages(file);
  assert.equal(images.length, 3);
  const text = edited(setImageTag(file, images[1], 'abc1234'));
  const [a, b, c] = text.split('---\n');
  const [oa, , oc] = three.split('---\n');
  assert.equal(a, oa);
  assert.equal(c, oc);
  assert.ok(b.includes('jakousa/dwk-app1:abc1234'));
});

// A CRLF file keeps its line endings where an edit adds a line.
test('imagePullPolicy after the last line of a CRLF file without a final newline is written with \\r\\n', () => {
  const crlf = 'apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n    - name: a\r\n      image: nginx:1.2';
  const file = parseManifest(crlf);
  const result = setImagePullPolicy(file, findImages(file)[0], 'IfNotPresent');
  assert.equal(edited(result), `${crlf}\r\n      imagePullPolicy: IfNotPresent`);
  assert.ok(result.ok && result.edit.span.start === crlf.length && result.edit.span.end === crlf.length);
  // An LF file without a final newline keeps \n.
  const lf = crlf.replaceAll('\r\n', '\n');
  const lfFile = parseManifest(lf);
  assert.equal(edited(setImagePullPolicy(lfFile, findImages(lfFile)[0], 'Never')), `${lf}\n      imagePullPolicy: Never`);
});

test('a map anchor repeated by an alias: a bump of one container would change both, so it is refused', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - &c {name: a, image: "nginx:1.2"}\n    - *c\n';
  const file = parseManifest(text);
  const [first, second] = findImages(file);
  assert.equal(second.image, 'nginx:1.2');
  assert.equal(text.slice(second.keySpan.start, second.keySpan.end), '*c', 'the second container is shown at its alias');
  const results = [setImageTag(file, first, '1.3'), setImage(file, first, 'nginx:1.3'), setImagePullPolicy(file, first, 'Never')];
  for (const result of results) {
    assert.equal(result.ok, false, 'once edited both containers ran nginx:1.3, while one was reported');
    assert.match(!result.ok ? result.reason : '', /anchor &c, which \*c repeats elsewhere/);
  }
  for (const result of [setImageTag(file, second, '1.3'), setImagePullPolicy(file, second, 'Never')]) {
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /alias \*c/);
  }
});

test('a scalar anchor repeated by an alias is refused with the anchor/alias reason; unused anchors are edited byte-exact', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: &img nginx:1.2\n    - name: b\n      image: *img\n';
  const file = parseManifest(text);
  const [a, b] = findImages(file);
  const bumpA = setImageTag(file, a, '1.3');
  assert.equal(bumpA.ok, false);
  assert.match(!bumpA.ok ? bumpA.reason : '', /^The image is inside the YAML anchor &img, which \*img repeats elsewhere/);
  const bumpB = setImageTag(file, b, '1.3');
  assert.equal(bumpB.ok, false);
  assert.match(!bumpB.ok ? bumpB.reason : '', /^The image is reached through the YAML alias \*img/);
  // The anchored value alone is shared, not the container: a pull policy line is fine.
  assert.equal(edited(setImagePullPolicy(file, a, 'Never')), text.replace('&img nginx:1.2\n', '&img nginx:1.2\n      imagePullPolicy: Never\n'));

  const unused = text.replace('image: *img', 'image: busybox');
  const uf = parseManifest(unused);
  assert.equal(edited(setImageTag(uf, findImages(uf)[0], '1.3')), unused.replace('&img nginx:1.2', '&img nginx:1.3'));
});
