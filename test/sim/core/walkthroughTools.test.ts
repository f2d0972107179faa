import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkTools, describeTools } from '../../../src/core/walkthrough/tools.ts';

test('a DOCKER_HOST nobody listens on is reported as Docker down, and a missing k3d as missing', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'walkthrough-'));
  try {
    const env = { ...process.env, DOCKER_HOST: `unix://${path.join(dir, 'dead.sock')}` };
    const report = await checkTools({ k3dPath: path.join(dir, 'no-k3d'), env });
    assert.equal(report.docker.kind, 'down', JSON.stringify(report.docker));
    assert.equal(report.k3d.kind, 'missing');
    const { ready, lines } = describeTools(report);
    assert.equal(ready, false);
    assert.match(lines[0], /engine is not reachable.*DOCKER_HOST/);
    assert.match(lines[1], /k3d is not installed.*k3d\.io/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no docker on the PATH is missing, with where to install it', async () => {
  const report = await checkTools({ dockerPath: '/nonexistent/docker', k3dPath: '/nonexistent/k3d' });
  assert.equal(report.docker.kind, 'missing');
  assert.match(describeTools(report).lines[0], /docs\.docker\.com/);
});
