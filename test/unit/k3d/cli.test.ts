// K3dCli against small stand-in executables: what a user sees when k3d is missing,
// fails, hangs or is cancelled.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { K3dCli } from '../../../src/core/k3d/cli.ts';
import { K3dError } from '../../../src/core/k3d/errors.ts';

function fakeK3d(script: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'k3d-deploy-fake-'));
  const file = path.join(dir, 'k3d');
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

const cli = (file: string) => new K3dCli({ executable: () => file });

test('a missing executable is notInstalled', async () => {
  const error = await cli('/nonexistent/k3d').listClusters().catch((e: unknown) => e);
  assert.ok(error instanceof K3dError);
  assert.equal(error.kind, 'notInstalled');
});

test('lines of both streams arrive in order as they are printed, ANSI intact', async () => {
  const file = fakeK3d(`printf '\\033[36mINFO\\033[0m[0000] one\\n'; printf '\\033[33mWARN\\033[0m[0001] two\\n' >&2; printf 'INFO[0002] three\\n'`);
  const seen: Array<[string, string]> = [];
  const result = await cli(file).run(['cluster', 'create', 'x'], { onLine: (line, stream) => seen.push([stream, line]) });
  assert.equal(seen.length, 3);
  assert.deepEqual(seen.map(([s]) => s).sort(), ['stderr', 'stdout', 'stdout']);
  assert.equal(seen.find(([s]) => s === 'stderr')?.[1], '\x1b[33mWARN\x1b[0m[0001] two');
  assert.match(result.stdout, /one[\s\S]*three/);
});

test('a non-zero exit is classified from what k3d printed', async () => {
  const file = fakeK3d(`echo "FATA[0000] Failed to create cluster 'dev' because a cluster with that name already exists" >&2; exit 1`);
  const error = await cli(file).createCluster({ name: 'dev' }).catch((e: unknown) => e);
  assert.ok(error instanceof K3dError);
  assert.equal(error.kind, 'nameTaken');
});

test('cancelling interrupts k3d (SIGINT) and says cancelled', async () => {
  const file = fakeK3d(`trap 'echo "INFO[0001] rolling back"; exit 130' INT; echo "INFO[0000] Creating"; while true; do sleep 0.05; done`);
  const abort = new AbortController();
  const lines: string[] = [];
  const promise = cli(file).run(['cluster', 'create', 'x'], {
    signal: abort.signal,
    onLine: (line) => {
      lines.push(line);
      if (line.includes('Creating')) abort.abort();
    },
  });
  const error = await promise.catch((e: unknown) => e);
  assert.ok(error instanceof K3dError);
  assert.equal(error.kind, 'cancelled');
  assert.deepEqual(lines, ['INFO[0000] Creating', 'INFO[0001] rolling back']);
});

test('a hung k3d times out with a message that says how long it waited', async () => {
  const file = fakeK3d('exec sleep 30');
  const error = await cli(file).run(['cluster', 'start', 'x'], { timeoutMs: 300 }).catch((e: unknown) => e);
  assert.ok(error instanceof K3dError);
  assert.equal(error.kind, 'timedOut');
  assert.match(error.message, /did not finish/);
});

test('garbage instead of JSON is badOutput, not an empty cluster list', async () => {
  const file = fakeK3d('echo "this is not json"');
  const error = await cli(file).listClusters().catch((e: unknown) => e);
  assert.ok(error instanceof K3dError);
  assert.equal(error.kind, 'badOutput');
});
