// An edit read incrementally (the documents it did not touch carried over from the previous
// version) must show exactly what a fresh read of the new text shows: lenses, notices, image
// diagnostics and validation, every offset included. Edits are random but seeded, and include
// the ones that move document boundaries: typing `---`, `...`, a directive, deleting a newline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import type { ManifestFile } from '../../../src/core/manifests/documents.ts';
import { ManifestCache } from '../../../src/core/manifests/cache.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import { lensRows } from '../../../src/core/manifests/lenses.ts';
import { editWindow, LineIndex, lineIndexAfterEdit } from '../../../src/core/manifests/text.ts';
import { ENCODINGS, FIXTURES, shown } from './shownFixtures.ts';

/** All fixtures in one file, with the separators people write: comments, `...`, comment-only documents. */
const SEPARATORS = ['---\n', '---\n# just a comment\n---\n', '...\n---\n', '--- # marker comment\n', '...\n'];
const names = Object.keys(FIXTURES).filter((n) => n !== 'notKubernetes');
const BIG = names.map((n, i) => `${FIXTURES[n].trimEnd()}\n${SEPARATORS[i % SEPARATORS.length]}`).join('');

/** What people type: a character, a line, a document marker, a directive; or a deletion. */
const INSERTS = ['x', '1', ' ', '\n', '---\n', '\n---\n', '...\n', '%YAML 1.2\n', '# c\n', 'image: nginx:1.27\n', ':', '"', '&a ', '*a', '\r\n', '\uFEFF'];

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

function randomEdit(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const kind = rnd();
  if (kind < 0.55) {
    return text.slice(0, at) + INSERTS[Math.floor(rnd() * INSERTS.length)] + text.slice(at);
  }
  const length = Math.floor(rnd() * (kind < 0.85 ? 3 : 200));
  const replacement = kind < 0.75 ? '' : INSERTS[Math.floor(rnd() * INSERTS.length)];
  return text.slice(0, at) + replacement + text.slice(Math.min(text.length, at + length));
}

/** Reads the file as the editor does: every document's identity and images (what is carried). */
function read(file: ManifestFile): ManifestFile {
  void lensRows(file);
  return file;
}

for (const [encoding, encode] of Object.entries(ENCODINGS)) {
  test(`an edit read from the previous version shows what a fresh read shows: 300 random edits (${encoding})`, () => {
    const rnd = rng(encoding.length * 7919);
    let carried = 0;
    let total = 0;
    for (let round = 0; round < 60; round++) {
      // Five edits in a row, each read from the one before, as keystrokes are.
      let previous = read(parseManifest(encode(BIG)));
      let text = previous.text;
      for (let k = 0; k < 5; k++) {
        text = randomEdit(text, rnd);
        const incremental = read(parseManifest(text, { previous }));
        assert.deepEqual(shown(incremental), shown(parseManifest(text)), `round ${round}, edit ${k}: ${JSON.stringify(editWindow(previous.text, text))}`);
        assert.deepEqual([...incremental.lines.starts], [...new LineIndex(text).starts]);
        carried += incremental.documents.filter((d) => d.carried).length;
        total += incremental.documents.length;
        previous = incremental;
      }
    }
    // The comparison is not vacuous: most documents were carried over, not read again.
    assert.ok(carried > total * 0.6, `${carried} of ${total} documents carried over`);
  });
}

test('every edit of a document marker line (`---`, `...`) and of the newlines around it shows what a fresh read shows', () => {
  const previous = read(parseManifest(BIG));
  let edits = 0;
  for (let line = BIG.indexOf('\n') + 1; line > 0 && line < BIG.length; line = BIG.indexOf('\n', line) + 1) {
    if (!BIG.startsWith('---', line) && !BIG.startsWith('...', line)) {
      continue;
    }
    // From the newline before the marker to the one after it.
    for (let at = line - 1; at <= line + 4; at++) {
      for (const text of [BIG.slice(0, at) + BIG.slice(at + 1), `${BIG.slice(0, at)}x${BIG.slice(at + 1)}`, `${BIG.slice(0, at)} ${BIG.slice(at)}`]) {
        assert.deepEqual(shown(read(parseManifest(text, { previous }))), shown(parseManifest(text)), `at ${at}: ${JSON.stringify(text.slice(at - 5, at + 8))}`);
        edits++;
      }
    }
  }
  assert.ok(edits > 100, `${edits} edits`);
});

test('a keystroke in the middle of a long file reads only the document it is in again', () => {
  const docs = Array.from({ length: 200 }, (_, i) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/app-${i}:1.${i}.0\n`);
  const before = read(parseManifest(docs.join('---\n')));
  // Typing a digit at the end of document 100's tag.
  const at = before.text.indexOf('app-100:1.100.0') + 'app-100:1.100.0'.length;
  const text = `${before.text.slice(0, at)}1${before.text.slice(at)}`;
  const after = parseManifest(text, { previous: before });
  assert.deepEqual(
    after.documents.flatMap((d, i) => (d.carried ? [] : [i])),
    [100],
  );
  const images = findImages(after);
  assert.equal(images[100].image, 'ghcr.io/acme/app-100:1.100.01');
  // After the edit, offsets moved by one; before it, they did not.
  assert.equal(images[99].keySpan.start, findImages(before)[99].keySpan.start);
  assert.equal(images[101].keySpan.start, findImages(before)[101].keySpan.start + 1);
  assert.equal(images[101].document, after.documents[101]);
  assert.equal(text.slice(images[150].tagSpan!.start, images[150].tagSpan!.end), '1.150.0');
});

test('a version never read, or read by another reader, is not used: the file is read whole', () => {
  const unread = parseManifest(FIXTURES.comments);
  const file = parseManifest(`${FIXTURES.comments}---\n${FIXTURES.rollout}`, { previous: unread });
  assert.ok(file.documents.every((d) => !d.carried));
  const yamlOnly = read(parseManifest(FIXTURES.comments, { fastScanner: false }));
  assert.ok(parseManifest(`${FIXTURES.comments}# x\n`, { previous: yamlOnly }).documents.every((d) => !d.carried));
});

test('the cache reads a newer version of a uri as an edit of the one it kept', () => {
  const cache = new ManifestCache(2);
  const one = `${FIXTURES.comments}---\n${FIXTURES.rollout}`;
  read(cache.get('file:///a.yaml', 1, () => one));
  const two = cache.get('file:///a.yaml', 2, () => `${one}# edited\n`);
  assert.deepEqual(
    two.documents.map((d) => d.carried),
    [true, false],
  );
  // Another uri is not an edit of it.
  assert.ok(cache.get('file:///b.yaml', 1, () => `${one}# edited\n`).documents.every((d) => !d.carried));
});

test('the edit window and the line index after it, at the edges', () => {
  assert.deepEqual(editWindow('abc', 'abc'), { start: 3, oldEnd: 3, newEnd: 3, delta: 0 });
  assert.deepEqual(editWindow('aaaa', 'aaaaa'), { start: 4, oldEnd: 4, newEnd: 5, delta: 1 });
  assert.deepEqual(editWindow('a\nb\nc', 'a\nc'), { start: 2, oldEnd: 4, newEnd: 2, delta: -2 });
  assert.deepEqual(editWindow('', 'x'), { start: 0, oldEnd: 0, newEnd: 1, delta: 1 });
  const long = 'line\n'.repeat(5000);
  const edited = `${long.slice(0, 10_000)}new\nlines\n${long.slice(10_000)}`;
  const window = editWindow(long, edited);
  assert.deepEqual(window, { start: 10_000, oldEnd: 10_000, newEnd: 10_010, delta: 10 });
  assert.deepEqual([...lineIndexAfterEdit(new LineIndex(long), edited, window).starts], [...new LineIndex(edited).starts]);
});
