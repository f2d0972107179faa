// Nodes, ports, restart and kubeconfig files through the extension's own k3d code (K3dCli + nodeOps, piped as the
// extension runs k3d) against the simulated k3d, with the real kubectl judging what the cluster's API says.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { loadSnapshot } from '../../../src/core/clusters/snapshot.ts';
import { K3dCli } from '../../../src/core/k3d/cli.ts';
import { K3dError } from '../../../src/core/k3d/errors.ts';
import { parseLogLine } from '../../../src/core/k3d/logLine.ts';
import {
  addPorts, canDeletePorts, createNodes, deleteNode, loadBalancerPorts, restartCluster, startNode, stopNode, writeKubeconfig,
} from '../../../src/core/k3d/nodeOps.ts';
import { pollUntil } from '../../lib/poll.ts';

const K3D = path.resolve(import.meta.dirname, '../bin/k3d');
const KUBECTL = '/usr/bin/kubectl';
const home = mkdtempSync(path.join(tmpdir(), 'k3d-deploy-nodes-'));
const kubeconfig = path.join(home, 'kube', 'config');
const env = { ...process.env, K3D_SIM_HOME: path.join(home, 'sim'), KUBECONFIG: kubeconfig, K3D_SIM_SPEED: '0' };
const cli = new K3dCli({ executable: () => K3D, env: () => env });
const sources = { cli, kubeconfigPaths: () => [kubeconfig] };

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(KUBECTL, args, { env });
  return stdout;
}

/** `kubectl get nodes` as name -> STATUS. */
async function nodeStatuses(kubeconfigFile = kubeconfig): Promise<Map<string, string>> {
  const out = await kubectl('--kubeconfig', kubeconfigFile, 'get', 'nodes', '--no-headers');
  return new Map(out.trim().split('\n').filter(Boolean).map((l) => l.split(/\s+/) as [string, string]).map(([n, s]) => [n, s]));
}

const waitForNode = (name: string, status: string | undefined) =>
  pollUntil(`kubectl get nodes: ${name} ${status ?? 'absent'}`, nodeStatuses, (m) => m.get(name) === status, { timeoutMs: 20_000, intervalMs: 200, describe: (m) => JSON.stringify([...(m as Map<string, string>)]) });

before(async () => {
  await cli.createCluster({ name: 'nodes', agents: 1, ports: ['8081:80@loadbalancer'] });
});

after(async () => {
  await cli.run(['cluster', 'delete', '--all']).catch(() => undefined);
});

test('Add Agent: k3d node create streams its progress, the tree lists the node, and kubectl sees it Ready', async () => {
  const messages: string[] = [];
  await createNodes(cli, { name: 'nodes-extra', cluster: 'nodes', role: 'agent' }, { onLine: (l) => messages.push(parseLogLine(l).message) });
  assert.ok(messages.includes("Adding 1 node(s) to the runtime local cluster 'nodes'..."), messages.join('\n'));
  assert.ok(messages.includes('Successfully created 1 node(s)!'), messages.join('\n'));
  const cluster = (await loadSnapshot(sources)).clusters.find((c) => c.name === 'nodes');
  assert.equal(cluster?.agentsCount, 2);
  assert.ok(cluster?.nodes.some((n) => n.name === 'k3d-nodes-extra-0' && n.role === 'agent' && n.running));
  await waitForNode('k3d-nodes-extra-0', 'Ready');
  assert.deepEqual([...(await nodeStatuses()).keys()].sort(), ['k3d-nodes-agent-0', 'k3d-nodes-extra-0', 'k3d-nodes-server-0']);
});

test('Stop/Start Node: kubectl sees the node NotReady, then Ready again', async () => {
  await stopNode(cli, 'k3d-nodes-extra-0');
  await waitForNode('k3d-nodes-extra-0', 'NotReady');
  const stopped = (await loadSnapshot(sources)).clusters.find((c) => c.name === 'nodes');
  assert.equal(stopped?.state, 'partial');
  await startNode(cli, 'k3d-nodes-extra-0');
  await waitForNode('k3d-nodes-extra-0', 'Ready');
});

test('Delete Node: k3d removes the container but leaves the Node NotReady, as real k3d; kubectl delete node removes it', async () => {
  await deleteNode(cli, 'k3d-nodes-extra-0');
  const cluster = (await loadSnapshot(sources)).clusters.find((c) => c.name === 'nodes');
  assert.equal(cluster?.agentsCount, 1);
  await waitForNode('k3d-nodes-extra-0', 'NotReady');
  await kubectl('delete', 'node', 'k3d-nodes-extra-0');
  await waitForNode('k3d-nodes-extra-0', undefined);
});

test('failures say which cluster or node: a missing cluster, a missing node, a name already taken', async () => {
  await assert.rejects(createNodes(cli, { name: 'x', cluster: 'nope', role: 'agent' }), (e: unknown) =>
    e instanceof K3dError && e.kind === 'notFound' && e.message === "Cluster 'nope' does not exist (any more).");
  await assert.rejects(deleteNode(cli, 'k3d-nope-0'), (e: unknown) =>
    e instanceof K3dError && e.kind === 'notFound' && /Node 'k3d-nope-0' does not exist/.test(e.message));
  await createNodes(cli, { name: 'twice', cluster: 'nodes', role: 'agent' });
  await assert.rejects(createNodes(cli, { name: 'twice', cluster: 'nodes', role: 'agent' }), (e: unknown) =>
    e instanceof K3dError && /already in use/.test(e.detail ?? ''));
  await deleteNode(cli, 'k3d-twice-0');
});

test('Edit Ports: --port-add re-creates the load balancer with the new port; a taken host port is refused and rolled back', async () => {
  const messages: string[] = [];
  await addPorts(cli, 'nodes', ['8082:80@loadbalancer'], { onLine: (l) => messages.push(parseLogLine(l).message) });
  assert.ok(messages.some((m) => /^Renaming existing node k3d-nodes-serverlb to k3d-nodes-serverlb-[a-z0-9]{5}\.\.\.$/.test(m)), messages.join('\n'));
  assert.ok(messages.includes('Successfully updated nodes'), messages.join('\n'));
  assert.deepEqual((await loadBalancerPorts(cli, 'nodes')).map((p) => p.spec), ['8081:80@loadbalancer', '8082:80@loadbalancer']);
  await assert.rejects(addPorts(cli, 'nodes', ['8082:443@loadbalancer']), (e: unknown) =>
    e instanceof K3dError && /Bind for 0\.0\.0\.0:8082 failed: port is already allocated/.test(e.detail ?? ''));
  assert.equal((await loadBalancerPorts(cli, 'nodes')).length, 2);
  // k3d v5's cluster edit has no --port-delete: the extension asks before offering removal.
  assert.equal(await canDeletePorts(cli), false);
  await waitForNode('k3d-nodes-server-0', 'Ready'); // the API answers again through the new load balancer
});

test('Restart Cluster: stopped and started again, kubectl answers afterwards', async () => {
  const messages: string[] = [];
  await restartCluster(cli, 'nodes', { onLine: (l) => messages.push(parseLogLine(l).message) });
  assert.equal(messages[0], "Restarting cluster 'nodes'");
  assert.equal(messages.at(-1), "Restarted cluster 'nodes'");
  assert.equal((await loadSnapshot(sources)).clusters.find((c) => c.name === 'nodes')?.state, 'running');
  await waitForNode('k3d-nodes-server-0', 'Ready');
});

test('Write Kubeconfig to File: kubectl works with that file alone', async () => {
  const file = path.join(home, 'out', 'nodes.yaml');
  const written = await writeKubeconfig(cli, 'nodes', { kind: 'file', file });
  assert.equal(written, file);
  const statuses = await nodeStatuses(file);
  assert.equal(statuses.get('k3d-nodes-server-0'), 'Ready');
});

test('a cancelled Add Agent leaves the node container it made (k3d has no signal handler and no rollback)', async () => {
  await stopNode(cli, 'k3d-nodes-server-0'); // with no running server, k3d waits for the agent to register
  const abort = new AbortController();
  const adding = createNodes(cli, { name: 'stuck', cluster: 'nodes', role: 'agent' }, { signal: abort.signal });
  await pollUntil('k3d to make k3d-stuck-0', () => cli.run(['node', 'list', '-o', 'json']).then((r) => r.stdout), (out) => out.includes('"k3d-stuck-0"'), { intervalMs: 200 });
  abort.abort();
  await assert.rejects(adding, (e: unknown) => e instanceof K3dError && e.kind === 'cancelled');
  const cluster = (await loadSnapshot(sources)).clusters.find((c) => c.name === 'nodes');
  assert.ok(cluster?.nodes.some((n) => n.name === 'k3d-stuck-0'), JSON.stringify(cluster?.nodes.map((n) => n.name)));
  await deleteNode(cli, 'k3d-stuck-0');
  await startNode(cli, 'k3d-nodes-server-0');
  await waitForNode('k3d-nodes-server-0', 'Ready');
});
