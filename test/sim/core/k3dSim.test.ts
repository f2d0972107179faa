// The extension's real k3d adapter code against the simulated k3d (test/sim/bin/k3d):
// what the Clusters view and its commands will see.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadSnapshot } from '../../../src/core/clusters/snapshot.ts';
import { removeHalfMadeCluster } from '../../../src/core/k3d/cancelledCreate.ts';
import { K3dCli } from '../../../src/core/k3d/cli.ts';
import { K3dError } from '../../../src/core/k3d/errors.ts';
import { parseLogLine } from '../../../src/core/k3d/logLine.ts';
import { readKubeconfig, useContext } from '../../../src/core/kube/kubeconfig.ts';

const K3D = path.resolve(import.meta.dirname, '../bin/k3d');
const home = mkdtempSync(path.join(tmpdir(), 'k3d-deploy-sim-'));
const kubeconfig = path.join(home, 'kube', 'config');
const env = { ...process.env, K3D_SIM_HOME: path.join(home, 'sim'), KUBECONFIG: kubeconfig, K3D_SIM_SPEED: '0' };
const cli = new K3dCli({ executable: () => K3D, env: () => env });
const sources = { cli, kubeconfigPaths: () => [kubeconfig] };

before(() => {
  // A kubeconfig the user already had: it must survive everything k3d does.
  mkdirSync(path.dirname(kubeconfig), { recursive: true });
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', '# the user\'s work cluster',
    'clusters: [{name: work, cluster: {server: "https://work.example:6443"}}]',
    'users: [{name: me, user: {token: abc}}]',
    'contexts: [{name: work, context: {cluster: work, user: me}}]',
    'current-context: work', '',
  ].join('\n'));
});

after(async () => {
  await cli.run(['cluster', 'delete', '--all']).catch(() => undefined);
});

test('the simulator says it is one', async () => {
  const version = await cli.version();
  assert.equal(version.simulated, true);
  assert.match(version.k3d, /^v5\./);
});

test('no clusters yet: an empty list, not an error', async () => {
  const snapshot = await loadSnapshot(sources);
  assert.equal(snapshot.k3d.kind, 'ok');
  assert.deepEqual(snapshot.clusters, []);
  assert.equal(snapshot.kubeconfig.currentContext, 'work');
});

test('create streams INFO progress, then the cluster is listed running and its context current', async () => {
  const messages: string[] = [];
  await cli.createCluster({ name: 'course', agents: 2, servers: 1, ports: ['8081:80@loadbalancer'] }, {
    onLine: (line) => messages.push(parseLogLine(line).message),
  });
  assert.ok(messages.includes('Starting servers...'), messages.join('\n'));
  assert.ok(messages.some((m) => /Cluster 'course' created successfully/.test(m)));

  const snapshot = await loadSnapshot(sources);
  const cluster = snapshot.clusters.find((c) => c.name === 'course');
  assert.ok(cluster);
  assert.equal(cluster.state, 'running');
  assert.deepEqual([cluster.serversRunning, cluster.serversCount, cluster.agentsRunning, cluster.agentsCount], [1, 1, 2, 2]);
  assert.equal(cluster.hasLoadbalancer, true);
  assert.match(cluster.apiPort ?? '', /^\d+$/);
  assert.deepEqual(cluster.nodes.map((n) => n.shortName), ['server-0', 'agent-0', 'agent-1', 'serverlb']);
  assert.equal(snapshot.kubeconfig.currentContext, 'k3d-course');
  assert.deepEqual(snapshot.otherContexts.map((c) => [c.name, c.server]), [['work', 'https://work.example:6443']]);
});

test('a taken name fails with nameTaken, and the cluster is untouched', async () => {
  const error = await cli.createCluster({ name: 'course', agents: 0 }).catch((e: unknown) => e);
  assert.ok(error instanceof K3dError);
  assert.equal(error.kind, 'nameTaken');
  const cluster = (await cli.listClusters()).find((c) => c.name === 'course');
  assert.equal(cluster?.agentsCount, 2);
});

test('stop makes every node exited; start brings them back', async () => {
  await cli.stopCluster('course');
  let cluster = (await cli.listClusters()).find((c) => c.name === 'course');
  assert.equal(cluster?.state, 'stopped');
  assert.equal(cluster?.serversRunning, 0);
  assert.ok(cluster?.nodes.every((n) => !n.running));
  await cli.startCluster('course');
  cluster = (await cli.listClusters()).find((c) => c.name === 'course');
  assert.equal(cluster?.state, 'running');
});

test('use-context switches between k3d clusters in the kubeconfig k3d wrote', async () => {
  await cli.createCluster({ name: 'second', agents: 0 });
  assert.equal((await readKubeconfig([kubeconfig])).currentContext, 'k3d-second');
  await useContext([kubeconfig], 'k3d-course');
  const snapshot = await loadSnapshot(sources);
  assert.equal(snapshot.kubeconfig.currentContext, 'k3d-course');
  assert.deepEqual(snapshot.clusters.map((c) => c.name), ['course', 'second']);
});

test('a cluster that disappeared meanwhile: start says notFound', async () => {
  const error = await cli.startCluster('vanished').catch((e: unknown) => e);
  assert.ok(error instanceof K3dError);
  assert.equal(error.kind, 'notFound');
});

test('Docker down: listing fails with dockerDown, which the view turns into guidance', async () => {
  const down = new K3dCli({ executable: () => K3D, env: () => ({ ...env, K3D_SIM_DOCKER_DOWN: '1' }) });
  const snapshot = await loadSnapshot({ cli: down, kubeconfigPaths: () => [kubeconfig] });
  assert.equal(snapshot.k3d.kind, 'error');
  assert.equal(snapshot.k3d.kind === 'error' && snapshot.k3d.error.kind, 'dockerDown');
  // The kubeconfig's contexts are still there to show.
  assert.ok(snapshot.otherContexts.some((c) => c.name === 'k3d-course'));
});

test('delete removes the cluster and its context; the other cluster stays', async () => {
  await cli.deleteCluster('second');
  const snapshot = await loadSnapshot(sources);
  assert.deepEqual(snapshot.clusters.map((c) => c.name), ['course']);
  assert.ok(!snapshot.kubeconfig.contexts.some((c) => c.name === 'k3d-second'));
  assert.ok(snapshot.kubeconfig.contexts.some((c) => c.name === 'k3d-course'));
  assert.ok(snapshot.kubeconfig.contexts.some((c) => c.name === 'work'));
});

// k3d has no signal handler: the SIGINT of a cancel kills `cluster create` at once, with no rollback.
test('a cancelled create leaves a half-made cluster; removeHalfMadeCluster deletes it with progress', async () => {
  const slow = new K3dCli({ executable: () => K3D, env: () => ({ ...env, K3D_SIM_SPEED: '0.1' }) });
  const abort = new AbortController();
  const error = await slow.createCluster({ name: 'halfway', agents: 1, servers: 1 }, {
    signal: abort.signal,
    onLine: (line) => { if (parseLogLine(line).message === 'Starting servers...') abort.abort(); },
  }).catch((e: unknown) => e);
  assert.ok(error instanceof K3dError);
  assert.equal(error.kind, 'cancelled');
  const left = (await cli.listClusters()).find((c) => c.name === 'halfway');
  assert.ok(left, 'k3d left the half-made cluster');
  const retry = await cli.createCluster({ name: 'halfway' }).catch((e: unknown) => e);
  assert.ok(retry instanceof K3dError);
  assert.equal(retry.kind, 'nameTaken');

  // a cluster that existed before the create is never deleted
  assert.deepEqual(await removeHalfMadeCluster(cli, 'halfway', new Set(['halfway'])), { kind: 'nothingLeft', name: 'halfway' });
  assert.ok((await cli.listClusters()).some((c) => c.name === 'halfway'));

  const progress: string[] = [];
  const result = await removeHalfMadeCluster(cli, 'halfway', new Set(['course']), { onLine: (line) => progress.push(parseLogLine(line).message) });
  assert.equal(result.kind, 'removed');
  assert.ok(result.kind === 'removed' && result.nodes.includes('k3d-halfway-server-0'), JSON.stringify(result));
  assert.ok(progress.includes("Deleting cluster 'halfway'"), progress.join('\n'));
  assert.deepEqual((await cli.listClusters()).map((c) => c.name), ['course'], 'the other cluster stays');
  assert.deepEqual(await removeHalfMadeCluster(cli, 'halfway', new Set(['course'])), { kind: 'nothingLeft', name: 'halfway' });
});

test('removing a half-made cluster while Docker is down reports failed, with k3d\'s reason', async () => {
  const down = new K3dCli({ executable: () => K3D, env: () => ({ ...env, K3D_SIM_DOCKER_DOWN: '1' }) });
  const result = await removeHalfMadeCluster(down, 'halfway', new Set());
  assert.equal(result.kind, 'failed');
  assert.ok(result.kind === 'failed' && result.error instanceof K3dError && result.error.kind === 'dockerDown', JSON.stringify(result));
});
