// The host's Docker images as Import Image offers them: `docker image ls --no-trunc --format '{{json .}}'`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerImageLsArgs, parseHostImages, sortForImport } from '../../../src/core/docker/images.ts';

// As Docker 28 prints them (one object per line; `<` escaped as \u003c).
const OUTPUT = [
  '{"Containers":"N/A","CreatedAt":"2026-11-29 23:05:56 +0000 UTC","CreatedSince":"9 minutes ago","Digest":"\\u003cnone\\u003e","ID":"sha256:51a79e608f79acfbcbfc2433cf3052108b1b721c230a84e454a0837fd5412357","Repository":"loopapp","SharedSize":"N/A","Size":"1.98MB","Tag":"3","UniqueSize":"N/A","VirtualSize":"1.984MB"}',
  '{"Containers":"N/A","CreatedAt":"2026-11-28 10:00:00 +0000 UTC","CreatedSince":"37 hours ago","Digest":"\\u003cnone\\u003e","ID":"sha256:aaaa","Repository":"rancher/k3s","SharedSize":"N/A","Size":"230MB","Tag":"v1.31.5-k3s1","UniqueSize":"N/A","VirtualSize":"230MB"}',
  '{"Containers":"N/A","CreatedAt":"2026-11-29 23:10:00 +0000 UTC","CreatedSince":"5 minutes ago","Digest":"\\u003cnone\\u003e","ID":"sha256:dangling","Repository":"\\u003cnone\\u003e","SharedSize":"N/A","Size":"1MB","Tag":"\\u003cnone\\u003e","UniqueSize":"N/A","VirtualSize":"1MB"}',
  '{"Containers":"N/A","CreatedAt":"2026-11-29 23:12:00 +0000 UTC","CreatedSince":"3 minutes ago","Digest":"\\u003cnone\\u003e","ID":"bbbb","Repository":"localhost:5001/team/app","SharedSize":"N/A","Size":"5.1MB","Tag":"2","UniqueSize":"N/A","VirtualSize":"5.1MB"}',
  'WARNING: something docker said',
  '',
].join('\n');

test('docker image ls is asked for full IDs, as JSON lines', () => {
  assert.deepEqual(dockerImageLsArgs(), ['image', 'ls', '--no-trunc', '--format', '{{json .}}']);
});

test('each tagged image: name:tag, full ID, size and age; untagged rows and non-JSON lines are skipped', () => {
  const images = parseHostImages(OUTPUT);
  assert.deepEqual(images.map((i) => [i.ref, i.id, i.size, i.createdSince]), [
    ['loopapp:3', 'sha256:51a79e608f79acfbcbfc2433cf3052108b1b721c230a84e454a0837fd5412357', '1.98MB', '9 minutes ago'],
    ['rancher/k3s:v1.31.5-k3s1', 'sha256:aaaa', '230MB', '37 hours ago'],
    ['localhost:5001/team/app:2', 'sha256:bbbb', '5.1MB', '3 minutes ago'],
  ]);
  assert.deepEqual(parseHostImages(''), []);
});

test('the user\'s own images first, newest first; k3d\'s and k3s\'s images last', () => {
  assert.deepEqual(sortForImport(parseHostImages(OUTPUT)).map((i) => i.ref), ['localhost:5001/team/app:2', 'loopapp:3', 'rancher/k3s:v1.31.5-k3s1']);
});
