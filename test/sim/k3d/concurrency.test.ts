// Several k3d commands at once, interruption during create, and the API server lifecycle hook.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { pollUntil } from '../../lib/poll.ts';
import YAML from 'yaml';
import { json, K3D, plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';
import { isAlive } from './state.ts';

interface ClusterJson { name: string; serversRunning: number; nodes: unknown[] }

describe('concurrent commands', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  it('two creates at once both succeed, with distinct ports and subnets, both in the kubeconfig', async () => {
    const [a, b] = await Promise.all([
      sb.k3d(['cluster', 'create', 'one', '-a', '1']),
      sb.k3d(['cluster', 'create', 'two', '-a', '1']),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const list = json<ClusterJson[]>((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout);
    assert.deepEqual(list.map((c) => c.name), ['one', 'two']);
    const states = ['one', 'two'].map((n) => json<{ apiPort: number; subnet: string }>(fs.readFileSync(path.join(sb.home, 'clusters', n, 'cluster.json'), 'utf8')));
    assert.notEqual(states[0].apiPort, states[1].apiPort);
    assert.notEqual(states[0].subnet, states[1].subnet);
    const cfg = YAML.parse(fs.readFileSync(sb.kubeconfig, 'utf8'));
    assert.deepEqual(cfg.contexts.map((c: { name: string }) => c.name), ['k3d-one', 'k3d-two']);
  });

  it('two creates of the same name: exactly one wins', async () => {
    const results = await Promise.all([1, 2, 3].map(() => sb.k3d(['cluster', 'create', 'same', '--kubeconfig-update-default=false'])));
    assert.deepEqual(results.map((r) => r.code).sort(), [0, 1, 1]);
    for (const r of results.filter((x) => x.code === 1)) {
      assert.match(plain(r.stderr), /Failed to create cluster 'same' because a cluster with that name already exists/);
    }
  });

  it('a stale lock left by a dead process does not block', async () => {
    fs.writeFileSync(path.join(sb.home, '.lock'), '999999999');
    const r = await sb.k3d(['cluster', 'stop', 'same']);
    assert.equal(r.code, 0, r.stderr);
  });
});

describe('interruption', () => {
  let sb: Sandbox;
  // Slow enough (about 5 s from 'Starting servers...' to the end) that the signal lands mid-create on a loaded machine.
  before(() => { sb = sandbox({ K3D_SIM_SPEED: '0.15' }); });
  after(() => sb.cleanup());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during create rolls back: no cluster, no kubeconfig entry`, async () => {
      const child = spawn(K3D, ['cluster', 'create', 'halfway', '-a', '2'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
      // Listen at once: a 'close' before the listener would leave the wait below hanging.
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      // wait until the servers are starting, then interrupt
      // Bounded: a create that died early fails the test with its output instead of hanging the file.
      await pollUntil('the create to start its servers', () => stdout, (out) => out.includes('Starting servers...'), { timeoutMs: 120_000, intervalMs: 5, describe: () => `${stdout}${stderr}` });
      const listed = json<ClusterJson[]>((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout);
      assert.equal(listed.length, 1, 'the half-created cluster is visible while it is being created');
      child.kill(signal);
      const code = await closed;
      assert.equal(code, 1);
      const err = plain(stderr);
      assert.match(err, /ERRO\[\d{4}\] Failed Cluster Start: .*context canceled/);
      assert.match(err, /ERRO\[\d{4}\] Failed to create cluster >>> Rolling Back/);
      assert.match(err, /FATA\[\d{4}\] Cluster creation FAILED, all changes have been rolled back! \n$/);
      assert.match(plain(stdout), /INFO\[\d{4}\] Deleting cluster 'halfway'/);
      assert.equal((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout, '[]\n');
      assert.equal((await sb.k3d(['node', 'list', '-o', 'json'])).stdout, 'null\n');
      assert.equal(fs.existsSync(path.join(sb.home, 'clusters', 'halfway')), false);
      assert.equal(fs.existsSync(sb.kubeconfig), false);
    });
  }

  it('--timeout shorter than the create fails and rolls back (timeout counts real k3d seconds)', async () => {
    const r = await sb.k3d(['cluster', 'create', 'slow', '--timeout', '5s'], { K3D_SIM_SPEED: '0' });
    assert.equal(r.code, 1);
    assert.match(plain(r.stderr), /context deadline exceeded/);
    assert.match(plain(r.stderr), /all changes have been rolled back!/);
    assert.equal((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout, '[]\n');
  });

  it('a create killed with SIGKILL is cleaned up by the next command', async () => {
    const child = spawn(K3D, ['cluster', 'create', 'killed'], { env: sb.env, stdio: ['ignore', 'pipe', 'ignore'] });
    const closed = new Promise((resolve) => child.on('close', resolve));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    await pollUntil('the create to create its nodes', () => stdout, (out) => out.includes('Creating node'), { timeoutMs: 120_000, intervalMs: 5, describe: () => stdout });
    child.kill('SIGKILL');
    await closed;
    assert.equal((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout, '[]\n');
    assert.equal(fs.existsSync(path.join(sb.home, 'clusters', 'killed')), false);
    const again = await sb.k3d(['cluster', 'create', 'killed', '--kubeconfig-update-default=false'], { K3D_SIM_SPEED: '0' });
    assert.equal(again.code, 0, again.stderr);
  });
});

describe('timing', () => {
  it('K3D_SIM_SPEED scales the ~40 s create; the [NNNN] stamps follow the scaled clock', async () => {
    const sb = sandbox({ K3D_SIM_SPEED: '0.1' });
    try {
      const started = Date.now();
      const r = await sb.k3d(['cluster', 'create', 'timed', '-a', '2', '--kubeconfig-update-default=false']);
      const seconds = (Date.now() - started) / 1000;
      assert.equal(r.code, 0, r.stderr);
      assert.ok(seconds > 3.2 && seconds < 7, `took ${seconds}s`);
      const out = plain(r.stdout);
      const stamp = (line: string) => Number(new RegExp(`INFO\\[(\\d{4})\\] ${line}`).exec(out)?.[1]);
      const stamps = [...out.matchAll(/INFO\[(\d{4})\]/g)].map((m) => Number(m[1]));
      assert.deepEqual(stamps, [...stamps].sort((x, y) => x - y), 'stamps never go back');
      assert.equal(stamp('Prep: Network'), 0);
      assert.ok([0, 1].includes(stamp('Starting servers\\.\\.\\.')), out); // real k3d: ~3 s
      assert.ok([1, 2].includes(stamp('Starting agents\\.\\.\\.')), out); // ~10 s
      assert.ok([2, 3].includes(stamp('Starting helpers\\.\\.\\.')), out); // ~27 s
      assert.ok([3, 4, 5].includes(stamp("Cluster 'timed' created successfully!")), out); // ~38 s
    } finally {
      sb.cleanup();
    }
  });
});

describe('API server hook', () => {
  let sb: Sandbox;
  let fake: string;
  before(() => {
    sb = sandbox();
    // A stand-in for test/sim/apiserver/main.ts that honours the contract.
    fake = path.join(sb.dir, 'fake-apiserver.ts');
    fs.writeFileSync(fake, `
import * as fs from 'node:fs';
import * as path from 'node:path';
const dir = process.argv[process.argv.indexOf('--cluster-dir') + 1];
const state = path.join(dir, 'apiserver');
fs.mkdirSync(state, { recursive: true });
fs.writeFileSync(path.join(state, 'pid'), String(process.pid));
const cluster = JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
if (process.env.FAKE_APISERVER_FAIL) { console.error('boom'); process.exit(3); }
console.log('listening on', cluster.apiPort);
fs.writeFileSync(path.join(state, 'ready'), 'ok');
process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });
setInterval(() => {}, 1000);
`);
  });
  after(() => sb.cleanup());

  const pidOf = (name: string) => Number(fs.readFileSync(path.join(sb.home, 'clusters', name, 'apiserver', 'pid'), 'utf8'));
  const alive = isAlive; // counts zombies (exited, not yet reaped by init) as dead

  it('create starts it detached; stop stops it; start starts it again; delete stops it', async () => {
    const env = { K3D_SIM_APISERVER_MAIN: fake };
    const c = await sb.k3d(['cluster', 'create', 'api', '--kubeconfig-update-default=false'], env);
    assert.equal(c.code, 0, c.stderr);
    const dir = path.join(sb.home, 'clusters', 'api', 'apiserver');
    assert.ok(fs.existsSync(path.join(dir, 'ready')));
    const pid = pidOf('api');
    assert.ok(alive(pid), 'the API server outlives k3d');
    assert.match(fs.readFileSync(path.join(dir, 'apiserver.log'), 'utf8'), /listening on \d+/);

    assert.equal((await sb.k3d(['cluster', 'stop', 'api'], env)).code, 0);
    assert.equal(alive(pid), false);
    assert.equal(fs.existsSync(path.join(dir, 'ready')), false);
    assert.equal(fs.existsSync(path.join(dir, 'pid')), false);

    assert.equal((await sb.k3d(['cluster', 'start', 'api'], env)).code, 0);
    const pid2 = pidOf('api');
    assert.ok(alive(pid2));

    assert.equal((await sb.k3d(['cluster', 'delete', 'api'], env)).code, 0);
    assert.equal(alive(pid2), false);
    assert.equal(fs.existsSync(path.join(sb.home, 'clusters', 'api')), false);
  });

  it('an API server that dies makes create fail and roll back, keeping its log', async () => {
    const r = await sb.k3d(['cluster', 'create', 'dies', '--kubeconfig-update-default=false'], { K3D_SIM_APISERVER_MAIN: fake, FAKE_APISERVER_FAIL: '1' });
    assert.equal(r.code, 1);
    const err = plain(r.stderr);
    assert.match(err, /ERRO\[\d{4}\] Failed Cluster Start: Failed to start server k3d-dies-server-0: .*API server process exited with code 3/);
    assert.match(err, /Cluster creation FAILED, all changes have been rolled back!/);
    assert.equal(fs.existsSync(path.join(sb.home, 'clusters', 'dies')), false);
    assert.match(fs.readFileSync(path.join(sb.home, 'logs', 'dies-apiserver.log'), 'utf8'), /boom/);
  });
});
