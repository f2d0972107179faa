// Several k3d commands at once, a create killed by a signal (no rollback, as k3d), and the API server lifecycle hook.

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

  // k3d installs no signal handler (cmd/root.go, cmd/cluster/clusterCreate.go): a signal kills create at once,
  // without rollback; the containers it made stay, so the next create of that name fails until a delete.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during create kills it at once and leaves the half-made cluster; the same name then "already exists" until deleted`, async () => {
      const name = `half-${signal.toLowerCase()}`;
      const child = spawn(K3D, ['cluster', 'create', name, '-a', '2'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
      // Listen at once: a 'close' before the listener would leave the wait below hanging.
      const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      // wait until the servers are starting, then interrupt
      // Bounded: a create that died early fails the test with its output instead of hanging the file.
      await pollUntil('the create to start its servers', () => stdout, (out) => out.includes('Starting servers...'), { timeoutMs: 120_000, intervalMs: 5, describe: () => `${stdout}${stderr}` });
      child.kill(signal);
      const [code, killedBy] = await closed;
      assert.deepEqual([code, killedBy], [null, signal], 'killed by the signal, not an exit');
      assert.doesNotMatch(plain(stderr), /Rolling Back|rolled back|FATA/);
      assert.doesNotMatch(plain(stdout), /Deleting cluster|created successfully/);

      const listed = json<(ClusterJson & { serversCount: number; agentsRunning: number })[]>((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout);
      assert.deepEqual(listed.map((c) => c.name), [name], 'the half-made cluster is still listed');
      assert.equal(listed[0].serversCount, 1);
      assert.ok(listed[0].serversRunning <= 1);
      assert.equal(listed[0].agentsRunning, 0, 'killed before the agents started');
      assert.equal(fs.existsSync(path.join(sb.home, 'clusters', name)), true);
      assert.equal(fs.existsSync(sb.kubeconfig), false, 'k3d writes the kubeconfig only after a successful create');

      const again = await sb.k3d(['cluster', 'create', name, '--kubeconfig-update-default=false'], { K3D_SIM_SPEED: '0' });
      assert.equal(again.code, 1);
      assert.match(plain(again.stderr), new RegExp(`FATA\\[\\d{4}\\] Failed to create cluster '${name}' because a cluster with that name already exists`));

      const del = await sb.k3d(['cluster', 'delete', name], { K3D_SIM_SPEED: '0' });
      assert.equal(del.code, 0, del.stderr);
      assert.match(plain(del.stdout), new RegExp(`Successfully deleted cluster ${name}!`));
      assert.equal((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout, '[]\n');
      assert.equal(fs.existsSync(path.join(sb.home, 'clusters', name)), false);
      const fresh = await sb.k3d(['cluster', 'create', name, '--kubeconfig-update-default=false'], { K3D_SIM_SPEED: '0' });
      assert.equal(fresh.code, 0, fresh.stderr);
      assert.equal((await sb.k3d(['cluster', 'delete', name], { K3D_SIM_SPEED: '0' })).code, 0);
    });
  }

  it('--timeout shorter than the create fails and rolls back (timeout counts real k3d seconds)', async () => {
    const r = await sb.k3d(['cluster', 'create', 'slow', '--timeout', '5s'], { K3D_SIM_SPEED: '0' });
    assert.equal(r.code, 1);
    assert.match(plain(r.stderr), /context deadline exceeded/);
    assert.match(plain(r.stderr), /all changes have been rolled back!/);
    assert.equal((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout, '[]\n');
  });

  it('a create killed with SIGKILL while creating nodes leaves those nodes, none running', async () => {
    const child = spawn(K3D, ['cluster', 'create', 'killed', '-a', '1'], { env: sb.env, stdio: ['ignore', 'pipe', 'ignore'] });
    const closed = new Promise((resolve) => child.on('close', resolve));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    await pollUntil('the create to create its nodes', () => stdout, (out) => out.includes("Creating node 'k3d-killed-agent-0'"), { timeoutMs: 120_000, intervalMs: 5, describe: () => stdout });
    child.kill('SIGKILL');
    await closed;
    const listed = json<(Omit<ClusterJson, 'nodes'> & { nodes: { name: string; State: { Running: boolean } }[] })[]>((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout);
    assert.deepEqual(listed.map((c) => c.name), ['killed']);
    const names = listed[0].nodes.map((n) => n.name);
    assert.ok(names.includes('k3d-killed-server-0'), names.join());
    assert.ok(listed[0].nodes.filter((n) => n.name !== 'k3d-killed-tools').every((n) => !n.State.Running), 'no cluster node was started');
    const again = await sb.k3d(['cluster', 'create', 'killed', '--kubeconfig-update-default=false'], { K3D_SIM_SPEED: '0' });
    assert.equal(again.code, 1);
    assert.match(plain(again.stderr), /because a cluster with that name already exists/);
    assert.equal((await sb.k3d(['cluster', 'delete', 'killed'], { K3D_SIM_SPEED: '0' })).code, 0);
    assert.equal((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout, '[]\n');
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
      // Scaled: ~4 s, never less; a loaded machine only makes it slower, so the upper bound only tells
      // a scaled create from an unscaled one (~40 s). The stamps below check the scaled clock itself.
      assert.ok(seconds > 3.2 && seconds < 30, `took ${seconds}s`);
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
