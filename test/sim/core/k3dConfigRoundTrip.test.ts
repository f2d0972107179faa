// The create wizard's choices saved as a config file create the same cluster as the same choices given as flags
// (the simulated k3d: `k3d cluster create --config FILE` vs `k3d cluster create NAME -s -a -p --image`), and the
// config-vs-cluster comparison finds nothing on that cluster and the missing agent once one is deleted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { parse } from 'yaml';
import { createClusterArgs, type CreateClusterOptions } from '../../../src/core/k3d/args.ts';
import { choicesFromCreateOptions, readConfigModel, renderConfigFile } from '../../../src/core/k3d/configFile.ts';
import { diffClusterWithConfig } from '../../../src/core/k3d/configDiff.ts';
import { analyzeConfig } from '../../../src/core/k3d/configSchema.ts';
import type { RawK3dCluster } from '../../../src/core/k3d/types.ts';
import { plain, sandbox, type Sandbox } from '../k3d/harness.ts';

/** What a person would compare: node names, roles, images, published ports (the random API port aside), counts. */
function shape(c: RawK3dCluster): unknown {
  return {
    name: c.name,
    servers: c.serversCount,
    agents: c.agentsCount,
    loadbalancer: c.hasLoadbalancer === true,
    nodes: (c.nodes ?? []).map((n) => ({
      name: n.name,
      role: n.role,
      image: n.image,
      ports: Object.fromEntries(Object.entries(n.portMappings ?? {}).filter(([k]) => k !== '6443/tcp')),
    })).sort((a, b) => String(a.name).localeCompare(String(b.name))),
  };
}

/** A host port nothing listens on, for the registry. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** `k3d registry list -o json` as compared: name, cluster, published host IP and port. */
async function registries(sb: Sandbox): Promise<unknown> {
  const r = await sb.k3d(['registry', 'list', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return ((JSON.parse(r.stdout || 'null') ?? []) as Array<{ name: string; runtimeLabels?: Record<string, string>; portMappings?: unknown }>)
    .map((x) => ({ name: x.name, cluster: x.runtimeLabels?.['k3d.cluster'], ports: x.portMappings }));
}

describe('k3d config file round trip (simulated k3d)', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  // The cluster made from the file still runs its registry (a docker-registry process): delete it, which stops that.
  after(async () => {
    await sb.k3d(['cluster', 'delete', 'roundtrip']);
    sb.cleanup();
  });

  const list = async (name: string): Promise<RawK3dCluster> => {
    const r = await sb.k3d(['cluster', 'list', name, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as RawK3dCluster[])[0]!;
  };

  it('--config FILE creates what the wizard\'s flags create (nodes, images, ports, the registry); the file is schema-valid; the comparison is empty, then finds a deleted agent', async () => {
    const options: CreateClusterOptions = {
      name: 'roundtrip', servers: 1, agents: 2,
      ports: ['8081:80@loadbalancer', '127.0.0.1:8443:443@loadbalancer', '30080:30080@agent:0'],
      image: 'rancher/k3s:v1.30.4-k3s1',
      registry: { kind: 'create', name: 'rtreg', hostPort: await freePort() },
    };
    const noKubeconfig = ['--kubeconfig-update-default=false'];

    const byFlags = await sb.k3d([...createClusterArgs(options), ...noKubeconfig]);
    assert.equal(byFlags.code, 0, plain(byFlags.stderr));
    const fromFlags = shape(await list('roundtrip'));
    const registriesFromFlags = await registries(sb);
    assert.equal((registriesFromFlags as unknown[]).length, 1, 'the flags created the registry');
    assert.equal((await sb.k3d(['cluster', 'delete', 'roundtrip'])).code, 0);
    assert.deepEqual(await registries(sb), [], 'cluster delete removes the registry created with it');

    const text = renderConfigFile(choicesFromCreateOptions(options));
    assert.match(text, /\nregistries:\n {2}create:\n {4}name: rtreg\n {4}host: "127\.0\.0\.1"\n {4}hostPort: "\d+"\n/);
    assert.deepEqual(analyzeConfig(text).problems, [], 'our validator accepts what we write');
    const file = path.join(sb.dir, 'k3d-roundtrip.yaml');
    fs.writeFileSync(file, text);
    const byFile = await sb.k3d(['cluster', 'create', '--config', file, ...noKubeconfig]);
    assert.equal(byFile.code, 0, plain(byFile.stderr));
    assert.match(plain(byFile.stdout), /Using config file .*k3d-roundtrip\.yaml \(k3d\.io\/v1alpha5#simple\)/);
    const raw = await list('roundtrip');
    assert.deepEqual(shape(raw), fromFlags);
    assert.deepEqual(await registries(sb), registriesFromFlags);

    const model = readConfigModel(parse(text));
    const regFacts = (await registries(sb) as Array<{ name: string; cluster?: string }>).map((r) => ({ name: r.name, cluster: r.cluster }));
    assert.deepEqual(diffClusterWithConfig(model, { cluster: raw, registries: regFacts }), []);
    const del = await sb.k3d(['node', 'delete', 'k3d-roundtrip-agent-1']);
    assert.equal(del.code, 0, plain(del.stderr));
    assert.deepEqual(diffClusterWithConfig(model, { cluster: await list('roundtrip') }).map((d) => [d.message, d.fix]), [
      ['cluster has 1 agent, file says 2', { kind: 'addAgents', count: 1 }],
    ]);
  });
});
