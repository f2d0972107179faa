// Command lines k3d rejects, as cobra and k3d's cmd/root.go print them when stderr is a pipe (as the extension
// runs k3d): "Error: …" and the usage, then logrus' default logfmt FATA for errors found before logging is set
// up (flags, unknown commands), k3d's coloured FATA for argument errors found after; a group command with an
// unknown subcommand prints its help and exits 0.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

const LOGFMT_FATAL = /\ntime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)" level=fatal msg=(.*)\n$/;

describe('rejected command lines', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  it('an unknown flag: Error, the command\'s usage, a logfmt FATA (LOG_COLORS is not read yet), exit 1', async () => {
    const r = await sb.k3d(['cluster', 'create', 'x', '--agent', '2'], { LOG_COLORS: 'true' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Error: unknown flag: --agent\nUsage:\n  k3d cluster create NAME \[flags\]\n\nFlags:\n  -a, --agents int /);
    assert.match(r.stderr, /\nGlobal Flags:\n[\s\S]*--verbose +Enable verbose output \(debug logging\)\n\n/);
    assert.equal(r.stderr.match(LOGFMT_FATAL)?.[2], '"unknown flag: --agent"');
    assert.doesNotMatch(r.stderr, /\x1b\[/, 'no colours before logging is set up');
    assert.equal((await sb.k3d(['cluster', 'list', 'x'])).code, 1, 'nothing was created');
  });

  it('a bad flag value and a missing one: pflag\'s words', async () => {
    const bad = await sb.k3d(['cluster', 'create', 'x', '--wait=maybe']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: invalid argument "maybe" for "--wait" flag: strconv\.ParseBool: parsing "maybe": invalid syntax\n/);
    assert.equal(bad.stderr.match(LOGFMT_FATAL)?.[2], '"invalid argument \\"maybe\\" for \\"--wait\\" flag: strconv.ParseBool: parsing \\"maybe\\": invalid syntax"');
    const missing = await sb.k3d(['cluster', 'list', '-o']);
    assert.match(missing.stderr, /^Error: flag needs an argument: 'o' in -o\n[\s\S]*level=fatal msg="flag needs an argument: 'o' in -o"\n$/);
  });

  it('an unknown command: Error with cobra\'s suggestion, "Run … --help", logfmt FATA', async () => {
    const r = await sb.k3d(['clustr', 'list']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith('Error: unknown command "clustr" for "k3d"\n\nDid you mean this?\n\tcluster\n\nRun \'k3d --help\' for usage.\ntime="'), r.stderr);
    assert.equal(r.stderr.match(LOGFMT_FATAL)?.[2], '"unknown command \\"clustr\\" for \\"k3d\\"\\n\\nDid you mean this?\\n\\tcluster\\n"');
  });

  it('`k3d cluster foo` prints the help of `k3d cluster` and exits 0', async () => {
    const r = await sb.k3d(['cluster', 'foo']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Manage cluster\(s\)\n\nUsage:\n  k3d cluster \[flags\]\n  k3d cluster \[command\]\n\nAvailable Commands:\n/);
  });

  it('too many arguments is found after logging is set up: usage, then k3d\'s coloured FATA', async () => {
    const r = await sb.k3d(['cluster', 'create', 'a', 'b']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: accepts between 0 and 1 arg\(s\), received 2\nUsage:\n  k3d cluster create NAME \[flags\]\n/);
    assert.match(r.stderr, /\n\n\x1b\[31mFATA\x1b\[0m\[0000\] accepts between 0 and 1 arg\(s\), received 2 +\n$/);
    const logfmt = await sb.k3d(['cluster', 'create', 'a', 'b'], { LOG_COLORS: 'false' });
    assert.match(plain(logfmt.stderr), /\ntime="[^"]+" level=fatal msg="accepts between 0 and 1 arg\(s\), received 2"\n$/);
  });

  it('`k3d` alone prints the usage on stderr and exits 0; --help prints the help on stdout', async () => {
    const r = await sb.k3d([]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage:\n  k3d \[flags\]\n  k3d \[command\]\n/);
    const help = await sb.k3d(['--help']);
    assert.match(help.stdout, /^https:\/\/k3d\.io\/\n[\s\S]*\n\nUsage:\n  k3d \[flags\]/);
  });
});
