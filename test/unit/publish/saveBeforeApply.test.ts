// Bump & Apply and Build & Deploy once saved the document first, which silently applied the
// user's other unsaved edits. They ask unless nothing but their own edit is unsaved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeUnsavedEdits, unsavedEditsDecision, unsavedEditsQuestion } from '../../../src/core/publish/saveBeforeApply.ts';

const DISK = 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - image: app:1\n';
const EDITED = DISK.replace('replicas: 1', 'replicas: 3');

test('a saved file: nothing to ask, the tag edit alone is saved and applied', () => {
  assert.equal(unsavedEditsDecision({ isDirty: false, bufferText: DISK, diskText: DISK }), 'clean');
  // Dirty flag set but the text is what is on disk (typed and deleted again; CRLF/BOM normalised on load).
  assert.equal(unsavedEditsDecision({ isDirty: true, bufferText: DISK, diskText: `\uFEFF${DISK.replace(/\n/g, '\r\n')}` }), 'clean');
});

test('another unsaved edit in the file: ask before saving and applying it', () => {
  assert.equal(unsavedEditsDecision({ isDirty: true, bufferText: EDITED, diskText: DISK }), 'ask');
  assert.equal(unsavedEditsDecision({ isDirty: true, bufferText: EDITED, diskText: undefined }), 'ask');
  assert.equal(unsavedEditsQuestion('manifests/deployment.yaml'), 'manifests/deployment.yaml has unsaved changes. Save them and apply them too?');
});

test('asked once: the same text goes on; anything typed after the answer asks again', () => {
  assert.equal(unsavedEditsDecision({ isDirty: true, bufferText: EDITED, diskText: DISK, confirmedText: EDITED }), 'confirmed');
  const more = EDITED.replace('app:1', 'app:1 # typed during the build');
  assert.equal(unsavedEditsDecision({ isDirty: true, bufferText: more, diskText: DISK, confirmedText: EDITED }), 'ask');
  assert.match(unsavedEditsQuestion('manifests/deployment.yaml', 'the build'), /changed during the build/);
});

test('the modal says where the unsaved edit is, by line number only (the text may be a secret)', () => {
  assert.equal(describeUnsavedEdits(DISK, EDITED), 'Line 4 differs from the saved file.');
  assert.equal(describeUnsavedEdits(DISK, DISK.replace('spec:\n  replicas: 1', 'spec:\n  replicas: 2\n  paused: true')), 'Lines 4–5 differ from the saved file.');
  assert.equal(describeUnsavedEdits(DISK, DISK.replace('  replicas: 1\n', '')), '1 line was removed after line 3 and not saved.');
  const secret = DISK.replace('image: app:1', 'image: app:1\n          env: [{name: TOKEN, value: s3cr3t-t0ken}]');
  assert.doesNotMatch(describeUnsavedEdits(DISK, secret), /s3cr3t/);
  assert.match(describeUnsavedEdits(undefined, DISK), /cannot be read/);
});
