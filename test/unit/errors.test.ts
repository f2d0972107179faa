import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure } from '../../src/core/k3d/errors.ts';

const fata = (m: string) => `\x1b[31mFATA\x1b[0m[0000] ${m}`;

test('Docker not running is recognised whatever k3d was doing', () => {
  const e = classifyFailure(['cluster', 'list', '-o', 'json'], 1, [
    fata('runtime failed to list nodes: docker failed to get containers with labels \'map[app:k3d]\': failed to list containers: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'),
  ]);
  assert.equal(e.kind, 'dockerDown');
  assert.match(e.message, /Docker is not running/);
});

test('a taken name, with the cluster named', () => {
  const e = classifyFailure(['cluster', 'create', 'dev', '--agents', '2'], 1, [
    fata("Failed to create cluster 'dev' because a cluster with that name already exists"),
  ]);
  assert.equal(e.kind, 'nameTaken');
  assert.equal(e.message, "A cluster named 'dev' already exists.");
});

test('a cluster that disappeared', () => {
  const e = classifyFailure(['cluster', 'start', 'gone'], 1, [fata('No nodes found for given cluster')]);
  assert.equal(e.kind, 'notFound');
  assert.match(e.message, /'gone' does not exist/);
});

test('anything else keeps k3d\'s own words and the exit code', () => {
  const e = classifyFailure(['cluster', 'create', 'dev'], 1, [
    '\x1b[36mINFO\x1b[0m[0000] Prep: Network',
    fata('Failed to parse port mapping: invalid'),
  ]);
  assert.equal(e.kind, 'failed');
  assert.equal(e.exitCode, 1);
  assert.equal(e.detail, 'Failed to parse port mapping: invalid');
  assert.match(e.message, /^k3d cluster create failed: Failed to parse port mapping/);
});
