// Where a running cluster differs from its config file, in words, and what can be applied in place.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffClusterWithConfig, summarize } from '../../../src/core/k3d/configDiff.ts';
import { readConfigModel } from '../../../src/core/k3d/configFile.ts';
import type { RawK3dCluster, RawK3dNode } from '../../../src/core/k3d/types.ts';

const IMAGE_ID = 'sha256:012c5a75a68da0000000000000000000000000000000000000000000000000000';

function node(name: string, role: string, extra: Partial<RawK3dNode> = {}): RawK3dNode {
  return { name, role, image: IMAGE_ID, State: { Running: true, Status: 'running' }, ...extra };
}

/** A cluster as `k3d cluster list dev -o json` prints it: servers, agents, a load balancer publishing `ports`. */
function cluster(servers: number, agents: number, ports: Record<string, Array<{ HostIp: string; HostPort: string }>> = {}): RawK3dCluster {
  return {
    name: 'dev',
    nodes: [
      node('k3d-dev-serverlb', 'loadbalancer', { image: 'sha256:49c4', portMappings: { '6443/tcp': [{ HostIp: '0.0.0.0', HostPort: '34333' }], ...ports } }),
      ...Array.from({ length: agents }, (_, i) => node(`k3d-dev-agent-${i}`, 'agent')),
      ...Array.from({ length: servers }, (_, i) => node(`k3d-dev-server-${i}`, 'server')),
    ],
  };
}

const file = (extra: Record<string, unknown> = {}) => readConfigModel({ apiVersion: 'k3d.io/v1alpha5', kind: 'Simple', metadata: { name: 'dev' }, servers: 1, agents: 2, ...extra });

describe('diffClusterWithConfig', () => {
  it('a cluster that matches its file: no difference', () => {
    const model = file({ ports: [{ port: '8081:80', nodeFilters: ['loadbalancer'] }] });
    assert.deepEqual(diffClusterWithConfig(model, { cluster: cluster(1, 2, { '80/tcp': [{ HostIp: '', HostPort: '8081' }] }), registries: [] }), []);
  });

  it('fewer agents than the file: "cluster has 1 agent, file says 2", fixed in place by adding 1', () => {
    assert.deepEqual(diffClusterWithConfig(file(), { cluster: cluster(1, 1) }), [
      { field: 'agents', message: 'cluster has 1 agent, file says 2', fix: { kind: 'addAgents', count: 1 } },
    ]);
  });

  it('more agents than the file: the highest-numbered ones are offered for deletion', () => {
    const d = diffClusterWithConfig(file(), { cluster: cluster(1, 12) });
    assert.equal(d[0]!.message, 'cluster has 12 agents, file says 2');
    assert.deepEqual(d[0]!.fix, { kind: 'deleteAgents', nodes: Array.from({ length: 10 }, (_, i) => `k3d-dev-agent-${11 - i}`) });
  });

  it('servers differ: said, with no in-place fix (only a recreate)', () => {
    const d = diffClusterWithConfig(file({ servers: 3 }), { cluster: cluster(1, 2) });
    assert.deepEqual(d, [{ field: 'servers', message: 'cluster has 1 server, file says 3' }]);
  });

  it('a port the file lists and the load balancer does not publish: cluster edit --port-add, with the entry index', () => {
    const model = file({ ports: [{ port: '8081:80', nodeFilters: ['loadbalancer'] }, { port: '8443:443' }] });
    const d = diffClusterWithConfig(model, { cluster: cluster(1, 2, { '80/tcp': [{ HostIp: '', HostPort: '8081' }] }) });
    assert.deepEqual(d, [{ field: 'ports', portIndex: 1, message: 'cluster does not publish 8443:443, file lists it', fix: { kind: 'addPorts', specs: ['8443:443@loadbalancer'] } }]);
  });

  it('the same container port on another host port is a difference; a port the file does not list is said too', () => {
    const model = file({ ports: [{ port: '8081:80', nodeFilters: ['loadbalancer'] }] });
    const d = diffClusterWithConfig(model, { cluster: cluster(1, 2, { '80/tcp': [{ HostIp: '', HostPort: '9090' }] }) });
    assert.equal(summarize(d), 'cluster does not publish 8081:80@loadbalancer, file lists it; cluster publishes 9090:80, which the file does not list');
  });

  it('a port on an agent (not through the load balancer) has no in-place fix', () => {
    const d = diffClusterWithConfig(file({ ports: [{ port: '30080:30080', nodeFilters: ['agent:0'] }] }), { cluster: cluster(1, 2) });
    assert.equal(d[0]!.fix, undefined);
  });

  it('the image: by name when k3d gives one, by Docker image ID when it gives an ID, not at all when the ID is unknown', () => {
    const named = cluster(1, 2);
    for (const n of named.nodes!) if (n.role !== 'loadbalancer') n.image = 'docker.io/rancher/k3s:v1.30.0-k3s1';
    assert.deepEqual(diffClusterWithConfig(file({ image: 'rancher/k3s:v1.30.0-k3s1' }), { cluster: named }), []);
    assert.deepEqual(diffClusterWithConfig(file({ image: 'rancher/k3s:v1.31.5-k3s1' }), { cluster: named }).map((d) => d.message), ['cluster runs docker.io/rancher/k3s:v1.30.0-k3s1, file says rancher/k3s:v1.31.5-k3s1']);
    const model = file({ image: 'rancher/k3s:v1.31.5-k3s1' });
    assert.deepEqual(diffClusterWithConfig(model, { cluster: cluster(1, 2), imageIds: new Map([['rancher/k3s:v1.31.5-k3s1', IMAGE_ID]]) }), []);
    assert.equal(diffClusterWithConfig(model, { cluster: cluster(1, 2), imageIds: new Map([['rancher/k3s:v1.31.5-k3s1', 'sha256:ffff000000000000000']]) })[0]!.field, 'image');
    assert.deepEqual(diffClusterWithConfig(model, { cluster: cluster(1, 2) }), []);
  });

  it('registries: one the file creates that is missing, one the cluster has that the file does not create, one it uses that does not exist', () => {
    const model = file({ registries: { create: { name: 'reg', hostPort: '5001' }, use: ['k3d-shared:5000'] } });
    assert.deepEqual(diffClusterWithConfig(model, { cluster: cluster(1, 2), registries: [{ name: 'reg', cluster: 'dev' }, { name: 'k3d-shared' }] }), []);
    assert.deepEqual(diffClusterWithConfig(model, { cluster: cluster(1, 2), registries: [{ name: 'old', cluster: 'dev' }] }).map((d) => d.message), [
      'no registry reg exists (k3d registry list), file creates it with the cluster',
      'cluster has registry old, which the file does not create',
      'registry k3d-shared:5000 the file uses does not exist (k3d registry list)',
    ]);
  });
});
