import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { contextHash, nextLoopTag } from '../../../src/core/deploy/nextTag.ts';

const HEAD = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';

test('Deploy on Save picks the next tag by the tag\'s own scheme, without asking', () => {
  assert.deepEqual(nextLoopTag('1.4.2', {}), { ok: true, tag: '1.4.3' });
  assert.deepEqual(nextLoopTag('7', {}), { ok: true, tag: '8' });
  assert.deepEqual(nextLoopTag('9f8e7d6', { headSha: HEAD }), { ok: true, tag: '1a2b3c4' });
});

test('a SHA tag whose commit has not moved gets -dirty-<content hash>, a new one per saved state', () => {
  const first = nextLoopTag('1a2b3c4', { headSha: HEAD, contentHash: 'aaaabbbbccccdddd' });
  assert.deepEqual(first, { ok: true, tag: '1a2b3c4-dirty-aaaabbbbcccc' });
  assert.deepEqual(nextLoopTag('1a2b3c4-dirty-aaaabbbbcccc', { headSha: HEAD, contentHash: 'eeeeffff00001111' }), { ok: true, tag: '1a2b3c4-dirty-eeeeffff0000' });
  // Committed since: the plain commit again.
  assert.deepEqual(nextLoopTag('9f8e7d6-dirty-aaaabbbbcccc', { headSha: HEAD, contentHash: 'x' }), { ok: true, tag: '1a2b3c4' });
});

test('latest (or no tag) cannot be raised: the reason says what Deploy on Save needs', () => {
  const r = nextLoopTag('latest', {});
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /Deploy on Save needs a tag it can raise/);
});

test('the context hash changes with a file\'s content and ignores .git', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctxhash-'));
  try {
    fs.writeFileSync(path.join(dir, 'message.txt'), 'one');
    fs.mkdirSync(path.join(dir, '.git'));
    const a = await contextHash(dir);
    fs.writeFileSync(path.join(dir, '.git', 'index'), 'changed');
    assert.equal(await contextHash(dir), a);
    fs.writeFileSync(path.join(dir, 'message.txt'), 'two');
    assert.notEqual(await contextHash(dir), a);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
