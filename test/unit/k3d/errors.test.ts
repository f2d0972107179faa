import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure } from '../../../src/core/k3d/errors.ts';

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

// What cobra and k3d print for a rejected command line when stderr is a pipe (test/sim/k3d/cli.ts, k3d cmd/root.go).
const usage = ['Usage:', '  k3d cluster create NAME [flags]', '', 'Flags:', '  -a, --agents int                   Specify how many agents you want to create', ''];

test('an unknown flag (cobra\'s Error line, the usage, a logfmt FATA) is rejectedArgs with k3d\'s words', () => {
  const e = classifyFailure(['cluster', 'create', 'dev', '--agent', '2'], 1, [
    'Error: unknown flag: --agent', ...usage, 'time="2026-11-29T20:19:03Z" level=fatal msg="unknown flag: --agent"',
  ]);
  assert.equal(e.kind, 'rejectedArgs');
  assert.equal(e.detail, 'unknown flag: --agent');
  assert.equal(e.message, 'k3d cluster create did not accept its arguments: unknown flag: --agent. The installed k3d may not support it ("k3d version" shows which it is).');
});

test('the same in colours (a terminal), and an argument error after logging is set up', () => {
  const coloured = classifyFailure(['cluster', 'create', 'dev', '--agent', '2'], 1, ['Error: unknown flag: --agent', ...usage, fata('unknown flag: --agent')]);
  assert.equal(coloured.kind, 'rejectedArgs');
  assert.equal(coloured.detail, 'unknown flag: --agent');
  const args = classifyFailure(['cluster', 'create', 'a', 'b'], 1, ['Error: accepts between 0 and 1 arg(s), received 2', ...usage, fata('accepts between 0 and 1 arg(s), received 2')]);
  assert.equal(args.message, 'k3d cluster create did not accept its arguments: accepts between 0 and 1 arg(s), received 2.');
});

test('an unknown command with cobra\'s suggestion: the logfmt message is unquoted, the user message is one line', () => {
  const e = classifyFailure(['clustr', 'list'], 1, [
    'Error: unknown command "clustr" for "k3d"', '', 'Did you mean this?', '\tcluster', '', "Run 'k3d --help' for usage.",
    'time="2026-11-29T20:19:05Z" level=fatal msg="unknown command \\"clustr\\" for \\"k3d\\"\\n\\nDid you mean this?\\n\\tcluster\\n"',
  ]);
  assert.equal(e.kind, 'rejectedArgs');
  assert.equal(e.detail, 'unknown command "clustr" for "k3d"\n\nDid you mean this?\n\tcluster\n');
  assert.match(e.message, /^k3d clustr list did not accept its arguments: unknown command "clustr" for "k3d" Did you mean this\? cluster\. /);
});

test('logfmt FATA lines (LOG_COLORS=false) classify as the coloured ones do', () => {
  const taken = classifyFailure(['cluster', 'create', 'dev'], 1, ['time="2026-11-29T20:19:05Z" level=fatal msg="Failed to create cluster \'dev\' because a cluster with that name already exists"']);
  assert.equal(taken.kind, 'nameTaken');
  const gone = classifyFailure(['cluster', 'start', 'gone'], 1, ['time="2026-11-29T20:19:05Z" level=fatal msg="No nodes found for given cluster"']);
  assert.equal(gone.kind, 'notFound');
});
