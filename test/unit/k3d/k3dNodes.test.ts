// Node, port, restart and kubeconfig-file arguments: every name and value that reaches k3d's argv is checked first,
// so a bad one gets a message and nothing runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addPortsArgs, createNodeArgs, deleteNodeArgs, kubeconfigMergeArgs, restartClusterArgs, startNodeArgs, stopNodeArgs,
  validateMemory, validateNewNodeName, validateReplicas,
} from '../../../src/core/k3d/args.ts';
import { K3dError } from '../../../src/core/k3d/errors.ts';
import { checkNewPort, splitPortSpec } from '../../../src/core/k3d/hostPort.ts';
import { createdNodeNames, parsePublishedPorts } from '../../../src/core/k3d/nodeOps.ts';

const refused = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof K3dError && pattern.test(e.message) && /Nothing was run/.test(e.message));

test('Add Agent builds `k3d node create NAME --cluster C --role agent --replicas N --memory M --wait`', () => {
  assert.deepEqual(createNodeArgs({ name: 'dev-extra', cluster: 'dev', role: 'agent', replicas: 2, memory: '1g' }), [
    'node', 'create', 'dev-extra', '--cluster', 'dev', '--role', 'agent', '--replicas', '2', '--memory', '1g', '--wait',
  ]);
  assert.deepEqual(createNodeArgs({ name: 'cp', cluster: 'dev', role: 'server' }).slice(5, 9), ['--role', 'server', '--replicas', '1']);
  assert.deepEqual(createdNodeNames('dev-extra', 2), ['k3d-dev-extra-0', 'k3d-dev-extra-1']);
});

test('a node name, cluster name, role, count or memory size k3d would misread is refused before anything runs', () => {
  refused(() => createNodeArgs({ name: '--all', cluster: 'dev', role: 'agent' }), /cannot name a node/);
  refused(() => createNodeArgs({ name: 'Big', cluster: 'dev', role: 'agent' }), /lowercase/);
  refused(() => createNodeArgs({ name: 'ok', cluster: '--all', role: 'agent' }), /not a valid k3d cluster name/);
  refused(() => createNodeArgs({ name: 'ok', cluster: 'dev', role: 'loadbalancer' as 'agent' }), /not a node role/);
  refused(() => createNodeArgs({ name: 'ok', cluster: 'dev', role: 'agent', replicas: 0 }), /not a number of nodes/);
  refused(() => createNodeArgs({ name: 'ok', cluster: 'dev', role: 'agent', memory: '--all' }), /not a memory size/);
  refused(() => createNodeArgs({ name: 'x'.repeat(58), cluster: 'dev', role: 'agent' }), /63/);
  refused(() => deleteNodeArgs('--all'), /not a k3d node name/);
  refused(() => startNodeArgs(''), /not a k3d node name/);
  refused(() => stopNodeArgs('a b'), /not a k3d node name/);
  refused(() => restartClusterArgs('-a'), /not a valid k3d cluster name/);
  assert.deepEqual(deleteNodeArgs('k3d-dev-agent-2'), ['node', 'delete', 'k3d-dev-agent-2']);
  assert.deepEqual(restartClusterArgs('dev'), ['cluster', 'restart', 'dev']);
});

test('the wizard inputs say what is wrong', () => {
  assert.equal(validateReplicas('2'), undefined);
  assert.match(validateReplicas('0') ?? '', /between 1 and 9/);
  assert.match(validateReplicas('two') ?? '', /whole number/);
  assert.equal(validateMemory('512m'), undefined);
  assert.equal(validateMemory('1.5g'), undefined);
  assert.match(validateMemory('100m') ?? '', /at least 256m/);
  assert.match(validateMemory('lots') ?? '', /not a memory size/);
  assert.equal(validateNewNodeName('worker'), undefined);
  assert.match(validateNewNodeName('-x') ?? '', /cannot name a node/);
});

test('Edit Ports builds `k3d cluster edit C --port-add SPEC` and refuses what k3d cannot add', () => {
  assert.deepEqual(addPortsArgs('dev', ['8082:80@loadbalancer']), ['cluster', 'edit', 'dev', '--port-add', '8082:80@loadbalancer']);
  refused(() => addPortsArgs('dev', ['--port-delete']), /not a port mapping/);
  refused(() => addPortsArgs('dev', []), /No port mapping/);
  const existing = parsePublishedPorts(JSON.stringify([{
    name: 'k3d-dev-serverlb',
    portMappings: { '6443/tcp': [{ HostIp: '0.0.0.0', HostPort: '6550' }], '80/tcp': [{ HostIp: '', HostPort: '8081' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] },
  }]));
  assert.deepEqual(existing.map((p) => p.spec), ['127.0.0.1:5353:53/udp@loadbalancer', '8081:80@loadbalancer']);
  assert.equal(checkNewPort('8082:80@loadbalancer', existing, '6550'), undefined);
  assert.equal(checkNewPort('8082:80', existing, '6550'), undefined);
  assert.match(checkNewPort('8081:443@loadbalancer', existing, '6550') ?? '', /already published \(8081:80@loadbalancer\)/);
  assert.match(checkNewPort('6550:80', existing, '6550') ?? '', /Kubernetes API port/);
  assert.match(checkNewPort('80@loadbalancer', existing) ?? '', /host port too/);
  assert.match(checkNewPort('8083:80@agent:0', existing) ?? '', /only through the load balancer/);
  assert.match(checkNewPort('8083:80@server:0:direct', existing) ?? '', /not a port mapping|only through the load balancer/);
  assert.deepEqual(splitPortSpec('127.0.0.1:8082:80/udp@loadbalancer'), { hostIp: '127.0.0.1', hostPort: '8082', containerPort: '80', proto: 'udp', filter: 'loadbalancer' });
});

test('kubeconfig write/merge: an absolute file, never `-` or a flag; merge into the default names the switch', () => {
  assert.deepEqual(kubeconfigMergeArgs('dev', { kind: 'file', file: '/tmp/dev.yaml' }), [
    'kubeconfig', 'write', 'dev', '--output=/tmp/dev.yaml', '--kubeconfig-switch-context=false',
  ]);
  assert.deepEqual(kubeconfigMergeArgs('dev', { kind: 'default', switchContext: true }), [
    'kubeconfig', 'merge', 'dev', '--kubeconfig-merge-default', '--kubeconfig-switch-context=true',
  ]);
  refused(() => kubeconfigMergeArgs('dev', { kind: 'file', file: '-' }), /not an absolute file path/);
  refused(() => kubeconfigMergeArgs('dev', { kind: 'file', file: 'relative.yaml' }), /not an absolute file path/);
  refused(() => kubeconfigMergeArgs('--all', { kind: 'default', switchContext: false }), /not a valid k3d cluster name/);
});

test('a k3d whose cluster edit has --port-delete gets Remove Port as `cluster edit C --port-delete SPEC`; k3d v5 does not', async () => {
  const { mkdtempSync, writeFileSync, readFileSync, chmodSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { K3dCli } = await import('../../../src/core/k3d/cli.ts');
  const { canDeletePorts, deletePorts } = await import('../../../src/core/k3d/nodeOps.ts');
  const dir = mkdtempSync(path.join(tmpdir(), 'k3d-port-delete-'));
  const fake = (help: string) => {
    const exe = path.join(dir, `k3d-${help.length}`);
    writeFileSync(exe, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/argv"\nprintf '%s\\n' '${help}'\n`);
    chmodSync(exe, 0o755);
    return new K3dCli({ executable: () => exe });
  };
  const future = fake('      --port-add stringArray   ...\n      --port-delete stringArray   ...');
  assert.equal(await canDeletePorts(future), true);
  await deletePorts(future, 'dev', ['8081:80@loadbalancer']);
  assert.deepEqual(readFileSync(path.join(dir, 'argv'), 'utf8').trim().split('\n'), ['cluster', 'edit', 'dev', '--port-delete', '8081:80@loadbalancer']);
  assert.equal(await canDeletePorts(fake('      --port-add stringArray   [EXPERIMENTAL] Map ports')), false);
});
