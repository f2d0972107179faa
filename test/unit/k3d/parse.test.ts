import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { K3dOutputError, parseClusterList, parseNodeList } from '../../../src/core/k3d/parse.ts';

const fixture = readFileSync(new URL('../fixtures/cluster-list.json', import.meta.url), 'utf8');

test('a k3d cluster list: counts, API port, nodes in server/agent/lb order, sorted by name', () => {
  const clusters = parseClusterList(fixture);
  assert.deepEqual(clusters.map((c) => c.name), ['bare', 'k3s-default']);
  const k3s = clusters[1];
  assert.equal(k3s.contextName, 'k3d-k3s-default');
  assert.equal(k3s.state, 'running');
  assert.equal(k3s.serversRunning, 1);
  assert.equal(k3s.agentsCount, 2);
  assert.equal(k3s.hasLoadbalancer, true);
  assert.equal(k3s.apiPort, '40427');
  assert.equal(k3s.network, 'k3d-k3s-default');
  assert.deepEqual(
    k3s.nodes.map((n) => [n.shortName, n.role, n.status]),
    [['server-0', 'server', 'running'], ['agent-0', 'agent', 'running'], ['agent-1', 'agent', 'running'], ['serverlb', 'loadbalancer', 'running']],
  );
});

test('an absent hasLoadbalancer key means no load balancer; a stopped server means stopped', () => {
  const bare = parseClusterList(fixture)[0];
  assert.equal(bare.hasLoadbalancer, false);
  assert.equal(bare.state, 'stopped');
  assert.equal(bare.apiPort, '6550');
  assert.equal(bare.nodes[0].status, 'exited');
  assert.equal(bare.nodes[0].ip, undefined);
});

test('a cluster with a stopped agent is partly running', () => {
  const raw = JSON.parse(fixture);
  raw[0].nodes[0].State = { Running: false, Status: 'exited' };
  raw[0].agentsRunning = 1;
  const k3s = parseClusterList(JSON.stringify(raw)).find((c) => c.name === 'k3s-default');
  assert.equal(k3s?.state, 'partial');
  assert.equal(k3s?.nodes.find((n) => n.shortName === 'agent-1')?.running, false);
});

test('no clusters: [] and empty output are empty lists; null node lists are empty', () => {
  assert.deepEqual(parseClusterList('[]\n'), []);
  assert.deepEqual(parseClusterList(''), []);
  assert.deepEqual(parseClusterList('null'), []);
  assert.deepEqual(parseNodeList('null\n'), []);
  const [c] = parseClusterList('[{"name":"x","nodes":null}]');
  assert.deepEqual(c.nodes, []);
  assert.equal(c.state, 'stopped');
});

test('counts are derived from the nodes when k3d leaves them out', () => {
  const raw = JSON.parse(fixture)[0];
  delete raw.serversCount; delete raw.serversRunning; delete raw.agentsCount; delete raw.agentsRunning;
  const [c] = parseClusterList(JSON.stringify([raw]));
  assert.deepEqual([c.serversRunning, c.serversCount, c.agentsRunning, c.agentsCount], [1, 1, 2, 2]);
});

test('output that is not a JSON array is an error, not an empty view', () => {
  assert.throws(() => parseClusterList('FATA[0000] boom'), K3dOutputError);
  assert.throws(() => parseClusterList('{"name":"x"}'), /did not print a JSON array/);
});

test('node list filters by cluster label and shortens names', () => {
  const nodes = JSON.parse(fixture)[0].nodes;
  const parsed = parseNodeList(JSON.stringify(nodes), 'k3s-default');
  assert.equal(parsed.length, 4);
  assert.ok(parsed.some((n) => n.shortName === 'serverlb' && n.role === 'loadbalancer'));
  assert.deepEqual(parseNodeList(JSON.stringify(nodes), 'other'), []);
});

test('k3d\'s DEBU lines before the JSON (LOG_LEVEL=debug in the environment), a multi-line one too, are not the JSON', () => {
  const stdout = [
    '\x1b[37mDEBU\x1b[0m[0000] Runtime Info:',
    '&{Name:docker Endpoint:/var/run/docker.sock Version:27.5.1 OSType:linux OS:Debian GNU/Linux 12 (bookworm) Arch:x86_64 CgroupVersion:2 CgroupDriver:systemd Filesystem:extfs InfoName:host} ',
    '[{"name":"dev","nodes":[{"name":"k3d-dev-server-0","role":"server","State":{"Running":true,"Status":"running","Started":""}}],"serversRunning":1,"serversCount":1,"agentsRunning":0,"agentsCount":0}]',
    '',
  ].join('\n');
  const [c] = parseClusterList(stdout);
  assert.equal(c.name, 'dev');
  assert.equal(c.state, 'running');
  assert.deepEqual(parseNodeList('time="2026-11-29T20:00:00Z" level=debug msg="Runtime Info:\\n&{Name:docker}"\nnull\n'), []);
});
