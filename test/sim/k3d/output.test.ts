// k3d's output formats: logrus lines (colours, logfmt), version, help, errors, Docker down.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

const DOCKER = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

describe('log lines', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  it('INFO goes to stdout in colour, padded like logrus, even when piped', async () => {
    const r = await sb.k3d(['cluster', 'create', 'colours', '--kubeconfig-update-default=false']);
    assert.equal(r.code, 0, r.stderr);
    const first = r.stdout.split('\n')[0];
    assert.equal(first, '\x1b[36mINFO\x1b[0m[0000] Prep: Network                                ');
    assert.match(r.stdout, /\x1b\[36mINFO\x1b\[0m\[\d{4}\] Cluster 'colours' created successfully! +\n/);
    assert.match(r.stdout, /\x1b\[36mINFO\x1b\[0m\[\d{4}\] --kubeconfig-update-default=false --> sets --kubeconfig-switch-context=false/);
    assert.ok(r.stdout.endsWith('\nexport KUBECONFIG=$(k3d kubeconfig write colours)\nkubectl cluster-info\n'), r.stdout);
  });

  it('LOG_COLORS=false gives logfmt', async () => {
    const r = await sb.k3d(['cluster', 'stop', 'colours'], { LOG_COLORS: 'false' });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)" level=info msg="Stopping cluster 'colours'"$/);
    const fatal = await sb.k3d(['cluster', 'start', 'ghost'], { LOG_COLORS: 'false' });
    assert.equal(fatal.code, 1);
    assert.match(fatal.stderr, /^time="[^"]+" level=fatal msg="No nodes found for given cluster"\n$/);
  });

  it('WARN is yellow on stderr, FATA red on stderr', async () => {
    const r = await sb.k3d(['cluster', 'create', 'two', '-s', '2', '--kubeconfig-update-default=false']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^\x1b\[33mWARN\x1b\[0m\[\d{4}\] You're creating 2 server nodes: Please consider creating at least 3 to achieve etcd quorum & fault tolerance \n$/);
    assert.match(plain(r.stdout), /Creating initializing server node[\s\S]*Starting the initializing server\.\.\.[\s\S]*Starting node 'k3d-two-server-1'/);
    const f = await sb.k3d(['cluster', 'create', 'two']);
    assert.match(f.stderr, /^\x1b\[31mFATA\x1b\[0m\[\d{4}\] Failed to create cluster 'two' because a cluster with that name already exists \n$/);
  });

  it('--verbose adds DEBUG lines in grey', async () => {
    const r = await sb.k3d(['cluster', 'create', 'chatty', '--verbose']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\x1b\[37mDEBU\x1b\[0m\[\d{4}\] Updating default kubeconfig with a new context for cluster chatty/);
  });
});

describe('version and help', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  it('`k3d version` says simulated', async () => {
    const r = await sb.k3d(['version']);
    assert.equal(r.stdout, 'k3d version v5.8.3 (simulated)\nk3s version v1.31.5-k3s1 (default)\n');
    assert.equal((await sb.k3d(['--version'])).stdout, r.stdout);
    assert.deepEqual(json((await sb.k3d(['version', '-o', 'json'])).stdout), { k3d: 'v5.8.3', k3s: 'v1.31.5-k3s1', simulated: true });
  });

  it('`k3d --help` prints the root usage', async () => {
    const r = await sb.k3d(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^https:\/\/k3d\.io\/\nk3d is a wrapper CLI/);
    assert.match(r.stdout, /Available Commands:\n  cluster     Manage cluster\(s\)/);
    assert.match(r.stdout, /SIMULATED/);
    const create = await sb.k3d(['cluster', 'create', '--help']);
    assert.match(create.stdout, /-a, --agents int +Specify how many agents you want to create/);
  });

  it('unknown flags and commands fail like cobra', async () => {
    const flag = await sb.k3d(['cluster', 'create', '--bogus']);
    assert.equal(flag.code, 1);
    assert.match(flag.stderr, /^Error: unknown flag: --bogus\nUsage:\n[\s\S]*\ntime="[^"]+" level=fatal msg="unknown flag: --bogus"\n$/);
    const cmd = await sb.k3d(['clusters']);
    assert.equal(cmd.code, 1);
    assert.match(plain(cmd.stderr), /Error: unknown command "clusters" for "k3d"/);
    const agents = await sb.k3d(['cluster', 'create', '-a', 'two']);
    assert.match(plain(agents.stderr), /invalid argument "two" for "-a, --agents" flag: strconv\.ParseInt: parsing "two": invalid syntax/);
  });
});

describe('cluster names', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  for (const [name, reason] of [
    ['Under_score', 'Invalid cluster name. name Under_score is not a valid hostname as per RFC 1123'],
    ['dash-', 'Invalid cluster name. name dash- is not a valid hostname as per RFC 1123'],
    ['a'.repeat(33), 'Cluster name must be <= 32 characters, but has 33'],
  ]) {
    it(`rejects '${name}'`, async () => {
      const r = await sb.k3d(['cluster', 'create', name]);
      assert.equal(r.code, 1);
      assert.equal(plain(r.stderr), `FATA[0000] Failed Cluster Configuration Validation:  provided cluster name '${name}' does not match requirements: ${reason} \n`);
      assert.equal(r.stdout, '');
    });
  }

  it('accepts 32 characters', async () => {
    const r = await sb.k3d(['cluster', 'create', 'a'.repeat(32), '--kubeconfig-update-default=false']);
    assert.equal(r.code, 0, r.stderr);
  });
});

describe('Docker down', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  it('create: ERRO lines, then FATA, nothing left behind', async () => {
    const r = await sb.k3d(['cluster', 'create', 'x'], { K3D_SIM_DOCKER_DOWN: '1' });
    assert.equal(r.code, 1);
    const err = plain(r.stderr);
    assert.match(err, new RegExp(`^ERRO\\[0000\\] Failed to get nodes for cluster 'x': docker failed to get containers with labels 'map\\[k3d.cluster:x\\]': failed to list containers: ${DOCKER.replace(/[.?]/g, '\\$&')}`));
    assert.match(err, /ERRO\[\d{4}\] Failed to create cluster >>> Rolling Back/);
    assert.match(err, /FATA\[\d{4}\] Cluster creation FAILED, also FAILED to rollback changes! \n$/);
    assert.match(plain(r.stdout), /^INFO\[\d{4}\] Prep: Network/);
    assert.equal(fs.existsSync(path.join(sb.home, 'clusters', 'x')), false);
  });

  it('list and node list: FATA runtime failed to list nodes', async () => {
    fs.mkdirSync(sb.home, { recursive: true });
    fs.writeFileSync(path.join(sb.home, 'docker-down'), '');
    try {
      const r = await sb.k3d(['cluster', 'list', '-o', 'json']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(plain(r.stderr), `FATA[0000] runtime failed to list nodes: docker failed to get containers with labels 'map[app:k3d]': failed to list containers: ${DOCKER} \n`);
      const n = await sb.k3d(['node', 'list']);
      assert.equal(n.code, 1);
      assert.match(plain(n.stderr), /Is the docker daemon running\?/);
      for (const args of [['cluster', 'start', 'x'], ['cluster', 'stop', 'x'], ['kubeconfig', 'get', 'x']]) {
        const s = await sb.k3d(args);
        assert.equal(s.code, 1, args.join(' '));
        assert.match(plain(s.stderr), /^ERRO\[\d{4}\] Failed to get nodes for cluster 'x': .*Is the docker daemon running\? \nFATA\[\d{4}\] No nodes found for given cluster/);
      }
      assert.equal((await sb.k3d(['version'])).code, 0, 'version needs no Docker');
    } finally {
      fs.rmSync(path.join(sb.home, 'docker-down'));
    }
    assert.equal((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout, '[]\n');
  });
});
