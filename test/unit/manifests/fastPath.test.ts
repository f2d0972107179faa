// The fast scanner against the full parse: lenses and diagnostics must not depend on which one read
// a document. Every fixture is read twice, by default (scanner where it can, `yaml` where it gives
// up) and with `fastScanner: false` (`yaml` only), in three encodings (LF, CRLF, BOM + CRLF).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lensRows } from '../../../src/core/manifests/lenses.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import { ENCODINGS, FIXTURES, shown } from './shownFixtures.ts';

for (const [name, fixture] of Object.entries(FIXTURES)) {
  for (const [encoding, encode] of Object.entries(ENCODINGS)) {
    test(`fast scanner and full parse show the same lenses and diagnostics: ${name} (${encoding})`, () => {
      const text = encode(fixture);
      assert.deepEqual(shown(parseManifest(text)), shown(parseManifest(text, { fastScanner: false })));
    });
  }
}

test('the comparison compares something: the scanner reads the plain fixtures, yaml alone reads none', () => {
  for (const name of ['comments', 'multiContainer', 'flowMaps', 'blockScalars', 'cronJob', 'rollout', 'knative', 'kustomization', 'templates']) {
    for (const encode of Object.values(ENCODINGS)) {
      const text = encode(FIXTURES[name]);
      assert.ok(parseManifest(text).documents.every((d) => d.outlineScanned), `${name}: the scanner read every document`);
      assert.ok(parseManifest(text, { fastScanner: false }).documents.every((d) => !d.outlineScanned), name);
    }
  }
  // The lens path does find images in both: an empty comparison would pass too.
  assert.equal(findImages(parseManifest(FIXTURES.multiContainer)).length, 4);
  assert.equal(lensRows(parseManifest(FIXTURES.kustomization)).length, 4);
});

test("a document's outline read again after another document's is the same tree, and its identity is kept", () => {
  const file = parseManifest(`${FIXTURES.comments}---\n${FIXTURES.rollout}`);
  const [a, b] = file.documents;
  const tree = a.outline;
  const first = JSON.stringify(tree);
  assert.equal(a.outline, tree, 'read twice in a row: scanned once');
  assert.equal(b.kind, 'Rollout');
  void b.outline;
  // The file keeps only the last outline read (7,000 kept outlines were 20 MB that every garbage
  // collection copied): a's is read again, equal but new.
  const again = a.outline;
  assert.notEqual(again, tree);
  assert.equal(JSON.stringify(again), first);
  assert.equal(a.name, 'web');
  assert.equal(a.namespace, 'shop');
  assert.deepEqual(findImages(file).map((i) => i.image), ['ghcr.io/acme/web:1.4.2', 'busybox:1.36', 'ghcr.io/acme/app:sha-666420']);
});
