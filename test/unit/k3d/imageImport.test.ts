// `k3d image import -m MODE` and its log lines read as per-node progress (pkg/client/tools.go).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageImportModeArgs, importEvent, importProgressMessage } from '../../../src/core/k3d/imageImport.ts';
import { parseLogLine } from '../../../src/core/k3d/logLine.ts';

const ev = (raw: string) => importEvent(parseLogLine(raw));

test('the argument array names the mode; a flag-like image or cluster runs nothing', () => {
  assert.deepEqual(imageImportModeArgs('app:v1', 'dev', 'tools-node'), ['image', 'import', 'app:v1', '-c', 'dev', '-m', 'tools-node']);
  assert.deepEqual(imageImportModeArgs('localhost:5001/a:2', 'dev', 'direct'), ['image', 'import', 'localhost:5001/a:2', '-c', 'dev', '-m', 'direct']);
  assert.throws(() => imageImportModeArgs('--all', 'dev', 'auto'), /Nothing was run/);
  assert.throws(() => imageImportModeArgs('a b', 'dev', 'auto'), /Nothing was run/);
  assert.throws(() => imageImportModeArgs('app:v1', '--all', 'auto'), /Nothing was run/);
});

test('the node lines of both modes, and a node that failed', () => {
  assert.deepEqual(ev("\x1b[36mINFO\x1b[0m[0002] Importing images from tarball '/k3d/images/k3d-dev-images-20261129231500.tar' into node 'k3d-dev-agent-1'... "), { kind: 'node', node: 'k3d-dev-agent-1' });
  assert.deepEqual(ev("INFO[0002] Importing images '[app:v1 other:2]' into node 'k3d-dev-server-0'..."), { kind: 'node', node: 'k3d-dev-server-0' });
  assert.deepEqual(ev("\x1b[31mERRO\x1b[0m[0003] failed to import images in node 'k3d-dev-agent-0': Error response from daemon: container 1a2b is not running"), {
    kind: 'nodeFailed', node: 'k3d-dev-agent-0', reason: 'Error response from daemon: container 1a2b is not running',
  });
  assert.deepEqual(ev("INFO[0000] Saving 1 image(s) from runtime..."), { kind: 'step', message: 'Saving 1 image(s) from runtime...' });
  assert.equal(ev('WARN[0000] At least one error occured'), undefined);
  assert.equal(ev('DEBU[0000] whatever'), undefined);
});

test('progress messages count the nodes', () => {
  assert.equal(importProgressMessage({ kind: 'node', node: 'k3d-dev-agent-1' }, 3, 3), 'into k3d-dev-agent-1 (3/3)');
  assert.equal(importProgressMessage({ kind: 'step', message: 'Removing k3d-tools node...' }, 3, 3), 'Removing k3d-tools node…');
});
