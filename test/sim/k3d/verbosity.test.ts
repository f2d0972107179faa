// --verbose, --trace and LOG_LEVEL as k3d v5's cmd/root.go initLogging reads them: DEBU and TRAC lines on
// stdout, grey like logrus prints them, a multi-line message as it is (k3d's "Runtime Info:" dump).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

const levels = (stdout: string) => new Set(plain(stdout).split('\n').map((l) => l.slice(0, 4)));

describe('verbosity', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(async () => {
    await sb.k3d(['cluster', 'delete', '--all']);
    sb.cleanup();
  });

  it('by default neither DEBU nor TRAC', async () => {
    const r = await sb.k3d(['cluster', 'create', 'quiet', '-p', '8080:80@loadbalancer', '--kubeconfig-update-default=false']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(levels(r.stdout).has('DEBU') || levels(r.stdout).has('TRAC'), false);
  });

  it('--verbose: DEBU lines in grey on stdout, the runtime info as a multi-line message; no TRAC', async () => {
    const r = await sb.k3d(['cluster', 'create', 'loud', '-p', '8081:80@loadbalancer', '--verbose']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\x1b\[37mDEBU\x1b\[0m\[0000\] Runtime Info:\n&\{Name:docker Endpoint:\/var\/run\/docker\.sock Version:\S+ OSType:linux .*\} \n/);
    const out = plain(r.stdout);
    assert.match(out, /\nDEBU\[0000\] Additional CLI Configuration:\ncli:\n  api-port: ""\n[\s\S]*  ports:\n    - "8081:80@loadbalancer"\n/);
    assert.match(out, /\nDEBU\[\d{4}\] '--kubeconfig-update-default set: enabling wait-for-server \n/);
    assert.match(out, /\nDEBU\[\d{4}\] Setting new current-context 'k3d-loud' +\nDEBU\[\d{4}\] Wrote kubeconfig to '[^']+' +\n/);
    assert.equal(levels(r.stdout).has('TRAC'), false);
    assert.equal(r.stderr, '', 'DEBU goes to stdout');
  });

  it('--trace (and LOG_LEVEL=trace) add TRAC lines: port mappings and node filters', async () => {
    const r = await sb.k3d(['cluster', 'create', 'traced', '-p', '8082:80', '--trace', '--kubeconfig-update-default=false']);
    assert.equal(r.code, 0, r.stderr);
    const out = plain(r.stdout);
    assert.match(r.stdout, /\x1b\[37mTRAC\x1b\[0m\[0000\] PortFilterMap: map\[8082:80:\[\]\] +\n/);
    assert.match(out, /TRAC\[0000\] inspecting port mapping for 8082:80 with nodefilters \[\] \n/);
    assert.match(out, /TRAC\[0000\] Filtered 1 nodes for suffix 'proxy' \(filter: servers:\*:proxy\) \n/);
    assert.ok(levels(r.stdout).has('DEBU'));
    const env = await sb.k3d(['cluster', 'list', 'traced', '-o', 'json'], { LOG_LEVEL: 'trace' });
    assert.match(plain(env.stdout), /^DEBU\[0000\] Runtime Info:\n/);
  });

  it('LOG_COLORS=false: level=debug and level=trace in logfmt, the message quoted with its newlines escaped', async () => {
    const r = await sb.k3d(['cluster', 'create', 'fmt', '--trace', '--kubeconfig-update-default=false'], { LOG_COLORS: 'false' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^time="[^"]+" level=debug msg="Runtime Info:\\n&\{Name:docker /);
    assert.match(r.stdout, /\ntime="[^"]+" level=trace msg="PortFilterMap: map\[\]"\n/);
  });
});
