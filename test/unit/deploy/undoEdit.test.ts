import assert from 'node:assert/strict';
import { test } from 'node:test';
import { madeEdit, undoEdit } from '../../../src/core/deploy/undoEdit.ts';

const apply = (text: string, e: { span: { start: number; end: number }; newText: string }) => text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);

test('undoing the tag edit gives the file back byte for byte (CRLF and a longer tag included)', () => {
  const before = 'spec:\r\n  containers:\r\n    - name: web\r\n      image: hashapp:1.0.9 # pinned\r\n';
  const start = before.indexOf('1.0.9');
  const edit = { span: { start, end: start + 5 }, newText: '1.0.10' };
  const after = apply(before, edit);
  const made = madeEdit(before, edit.span, edit.newText);
  const undo = undoEdit(after, made);
  assert.ok(undo);
  assert.equal(apply(after, undo), before);
});

test('a file edited at that place since is not touched (undefined: nothing put back)', () => {
  const before = 'image: app:1\n';
  const made = madeEdit(before, { start: 11, end: 12 }, '2');
  assert.equal(undoEdit('image: app:3\n', made), undefined);
  assert.equal(undoEdit('image: a', made), undefined);
  // Edits elsewhere after the tag do not matter.
  const undo = undoEdit('image: app:2\n# note\n', made);
  assert.deepEqual(undo, { span: { start: 11, end: 12 }, newText: '1' });
});
