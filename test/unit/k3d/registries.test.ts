// `k3d registry list -o json` read into what the Registries group shows, and the argument arrays of
// registry create/delete and of cluster create's --registry-create/--registry-use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clusterRegistryArgs, parseRegistryList, pullHost, pushHost, registryCreateArgs, registryCreateHint, registryDeleteArgs,
  validateRegistryName, validateRegistryPort,
} from '../../../src/core/k3d/registries.ts';
import { K3dError } from '../../../src/core/k3d/errors.ts';

// One registry as `k3d registry list -o json` prints it (a k3d Node, role registry), created with --port 127.0.0.1:5931.
const created = {
  name: 'k3d-unitreg', role: 'registry', image: 'docker.io/library/registry:2', env: ['REGISTRY_HTTP_ADDR=:5931'], Cmd: ['/etc/docker/registry/config.yml'],
  portMappings: { '5931/tcp': [{ HostIp: '127.0.0.1', HostPort: '5931' }] }, restart: true, created: '2026-11-29T23:17:25.748Z',
  runtimeLabels: { app: 'k3d', 'k3d.cluster': '', 'k3d.registry.host': '', 'k3d.registry.hostIP': '127.0.0.1', 'k3d.registry.port.external': '5931', 'k3d.registry.port.internal': '5931', 'k3d.role': 'registry' },
  Networks: ['bridge'], ExtraHosts: null, serverOpts: { kubeAPI: { Port: '', Binding: { HostIp: '', HostPort: '' } } }, agentOpts: {},
  State: { Running: true, Status: 'running', Started: '2026-11-29T23:17:26.351Z' }, IP: { IP: '', Static: false },
};
// Made by `cluster create dev --registry-create dev-registry` (0.0.0.0, labelled with its cluster), stopped with it.
const forCluster = {
  ...created, name: 'dev-registry', portMappings: { '5002/tcp': [{ HostIp: '0.0.0.0', HostPort: '5002' }] },
  runtimeLabels: { ...created.runtimeLabels, 'k3d.cluster': 'dev', 'k3d.registry.hostIP': '0.0.0.0', 'k3d.registry.port.external': '5002', 'k3d.registry.port.internal': '5002' },
  State: { Running: false, Status: 'exited', Started: '' },
};

test('registry list -o json: name, ports, host IP, cluster and state of each registry, sorted', () => {
  assert.deepEqual(parseRegistryList(JSON.stringify([created, forCluster]) + '\n'), [
    { name: 'dev-registry', port: '5002', hostPort: '5002', hostIp: '0.0.0.0', cluster: 'dev', running: false, status: 'exited' },
    { name: 'k3d-unitreg', port: '5931', hostPort: '5931', hostIp: '127.0.0.1', cluster: undefined, running: true, status: 'running' },
  ]);
});

test('registry list -o json: none is [] (or null), debug log lines before the JSON are skipped', () => {
  assert.deepEqual(parseRegistryList('[]\n'), []);
  assert.deepEqual(parseRegistryList('null\n'), []);
  assert.deepEqual(parseRegistryList(''), []);
  const debug = '\x1b[37mDEBU\x1b[0m[0000] Runtime Info:\n&{Name:docker Endpoint:/var/run/docker.sock} \n' + JSON.stringify([created]);
  assert.equal(parseRegistryList(debug)[0]?.name, 'k3d-unitreg');
  // Other node roles (a list of nodes passed by mistake) are not registries.
  assert.deepEqual(parseRegistryList(JSON.stringify([{ ...created, role: 'server' }])), []);
});

test('registry list output that is not a JSON array: a badOutput error naming the command', () => {
  for (const bad of ['NAME ROLE CLUSTER STATUS', '{"name":"x"}']) {
    assert.throws(() => parseRegistryList(bad), (e: unknown) => e instanceof K3dError && e.kind === 'badOutput' && /k3d registry list -o json/.test(e.message));
  }
});

test('push and pull names: localhost:HOSTPORT from this machine, CONTAINER:PORT from the nodes', () => {
  const [forDev, standalone] = parseRegistryList(JSON.stringify([created, forCluster]));
  assert.equal(pushHost(forDev!), 'localhost:5002');
  assert.equal(pushHost(standalone!), '127.0.0.1:5931');
  assert.equal(pullHost(standalone!), 'k3d-unitreg:5931');
  assert.equal(pullHost(forDev!), 'dev-registry:5002');
});

test('registry create: loopback only, no help text; bad names and ports run nothing', () => {
  assert.deepEqual(registryCreateArgs('course', 5001), ['registry', 'create', 'course', '--port', '127.0.0.1:5001', '--no-help']);
  assert.deepEqual(registryCreateArgs('registry.localhost', '5002'), ['registry', 'create', 'registry.localhost', '--port', '127.0.0.1:5002', '--no-help']);
  for (const name of ['', '--all', 'k3d-course', 'Course', 'my_reg', 'a b', '-x', 'x'.repeat(60)]) {
    assert.ok(validateRegistryName(name), name);
    assert.throws(() => registryCreateArgs(name, 5001), (e: unknown) => e instanceof K3dError && /Nothing was run/.test(e.message), name);
  }
  for (const port of ['', '80', '0', '65536', '5001x', '-1']) {
    assert.ok(validateRegistryPort(port), port);
    assert.throws(() => registryCreateArgs('course', port), /Nothing was run/, port);
  }
  assert.equal(validateRegistryPort(' 5001 '), undefined);
  assert.match(validateRegistryName('k3d-course') ?? '', /adds the k3d- prefix itself/);
});

test('registry delete takes the container name; a flag-like name runs nothing', () => {
  assert.deepEqual(registryDeleteArgs('k3d-course'), ['registry', 'delete', 'k3d-course']);
  assert.deepEqual(registryDeleteArgs('dev-registry'), ['registry', 'delete', 'dev-registry']);
  for (const bad of ['--all', '-a', '', 'k3d-', 'k3d-A B']) assert.throws(() => registryDeleteArgs(bad), /Nothing was run/, bad);
});

test('cluster create flags: --registry-create NAME:127.0.0.1:PORT or --registry-use CONTAINER:PORT', () => {
  assert.deepEqual(clusterRegistryArgs(undefined), []);
  assert.deepEqual(clusterRegistryArgs({ kind: 'create', name: 'dev-registry', hostPort: 5002 }), ['--registry-create', 'dev-registry:127.0.0.1:5002']);
  // --registry-create names the container as given: k3d's own default is k3d-CLUSTER-registry.
  assert.deepEqual(clusterRegistryArgs({ kind: 'create', name: 'k3d-dev-registry', hostPort: 5002 }), ['--registry-create', 'k3d-dev-registry:127.0.0.1:5002']);
  assert.equal(validateRegistryName('k3d-dev-registry', true), undefined);
  assert.throws(() => clusterRegistryArgs({ kind: 'create', name: '--all', hostPort: 5002 }), /Nothing was run/);
  assert.deepEqual(clusterRegistryArgs({ kind: 'use', registry: { name: 'k3d-course', port: '5001' } }), ['--registry-use', 'k3d-course:5001']);
  assert.throws(() => clusterRegistryArgs({ kind: 'use', registry: { name: '--all', port: '5001' } }), /Nothing was run/);
  assert.throws(() => clusterRegistryArgs({ kind: 'create', name: 'x', hostPort: 22 }), /Nothing was run/);
});

test('registry create failures get what to do', () => {
  assert.match(registryCreateHint('Failed to create registry: A registry node with that name already exists') ?? '', /choose another name/);
  assert.match(registryCreateHint("Bind for 127.0.0.1:5001 failed: port is already allocated") ?? '', /choose another port/);
  assert.equal(registryCreateHint('something else'), undefined);
});

test('the create wizard\'s registry choice reaches cluster create as one flag', async () => {
  const { createClusterArgs } = await import('../../../src/core/k3d/args.ts');
  assert.deepEqual(createClusterArgs({ name: 'dev', agents: 1, registry: { kind: 'use', registry: { name: 'k3d-course', port: '5001' } } }), ['cluster', 'create', 'dev', '--agents', '1', '--registry-use', 'k3d-course:5001', '--wait']);
  assert.deepEqual(createClusterArgs({ name: 'dev', registry: { kind: 'create', name: 'k3d-dev-registry', hostPort: 5002 } }), ['cluster', 'create', 'dev', '--registry-create', 'k3d-dev-registry:127.0.0.1:5002', '--wait']);
  assert.deepEqual(createClusterArgs({ name: 'dev' }), ['cluster', 'create', 'dev', '--wait']);
});
