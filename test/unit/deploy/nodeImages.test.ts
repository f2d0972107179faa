import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { canonicalImage, crictlImagesArgs, imagesOnNodes, importLanded, parseCrictlImages } from '../../../src/core/deploy/nodeImages.ts';

const ID = `sha256:${'ab'.repeat(32)}`;
const OLD = `sha256:${'cd'.repeat(32)}`;

test('one spelling per image: app:2, docker.io/library/app:2 and library/app:2 are the same', () => {
  assert.equal(canonicalImage('app:2'), 'docker.io/library/app:2');
  assert.equal(canonicalImage('docker.io/library/app:2'), 'docker.io/library/app:2');
  assert.equal(canonicalImage('app'), 'docker.io/library/app:latest');
  assert.equal(canonicalImage('k3d-reg:5000/app:2'), 'k3d-reg:5000/app:2');
});

test('real k3d: each node\'s containerd is asked with docker exec NODE crictl images -o json', async () => {
  const asked: string[][] = [];
  const source = {
    docker: async (args: readonly string[]) => {
      asked.push([...args]);
      const id = args[1] === 'k3d-dev-agent-0' ? OLD : ID;
      return JSON.stringify({ images: [{ id, repoTags: ['docker.io/library/hashapp:2'], repoDigests: [] }, { id: 'sha256:ff', repoTags: ['docker.io/rancher/mirrored-pause:3.6'] }] });
    },
    nodes: async () => ['k3d-dev-server-0', 'k3d-dev-agent-0'],
  };
  const nodes = await imagesOnNodes('dev', source);
  assert.deepEqual(asked, [crictlImagesArgs('k3d-dev-server-0'), crictlImagesArgs('k3d-dev-agent-0')]);
  const check = importLanded('hashapp:2', ID, nodes, 'dev');
  assert.equal(check.ok, false);
  assert.match(!check.ok ? check.reason : '', /k3d image import said it succeeded, but the built image abababababab of hashapp:2 is not on every node \(k3d-dev-agent-0 has cdcdcdcdcdcd\)/);
  assert.match(!check.ok ? check.reason : '', /k3d image import hashapp:2 -c dev/);
});

test('the simulated k3d: cluster.json\'s importedImageIds, on every server and agent node', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nodeimages-'));
  try {
    fs.mkdirSync(path.join(home, 'clusters', 'dev'), { recursive: true });
    const state = { importedImages: ['hashapp:2'], importedImageIds: { 'hashapp:2': ID }, nodes: [{ name: 'k3d-dev-server-0', role: 'server' }, { name: 'k3d-dev-serverlb', role: 'loadbalancer' }] };
    fs.writeFileSync(path.join(home, 'clusters', 'dev', 'cluster.json'), JSON.stringify(state));
    const source = { simHome: home, docker: async () => assert.fail('no docker exec for the simulator'), nodes: async () => [] };
    const nodes = await imagesOnNodes('dev', source);
    assert.deepEqual([...nodes.keys()], ['k3d-dev-server-0']);
    assert.deepEqual(importLanded('hashapp:2', ID, nodes), { ok: true });
    const stale = importLanded('hashapp:3', ID, nodes, 'dev');
    assert.match(!stale.ok ? stale.reason : '', /k3d-dev-server-0 does not have it/);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('the simulated k3d: per-node nodeImageIds; a node the import did not reach (stopped, tools-node) is named', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nodeimages-'));
  try {
    fs.mkdirSync(path.join(home, 'clusters', 'dev'), { recursive: true });
    const state = {
      importedImages: ['hashapp:2'], importedImageIds: { 'hashapp:2': ID },
      nodeImageIds: { 'k3d-dev-server-0': { 'hashapp:2': ID } },
      nodes: [{ name: 'k3d-dev-server-0', role: 'server' }, { name: 'k3d-dev-agent-0', role: 'agent' }, { name: 'k3d-dev-serverlb', role: 'loadbalancer' }],
    };
    fs.writeFileSync(path.join(home, 'clusters', 'dev', 'cluster.json'), JSON.stringify(state));
    const source = { simHome: home, docker: async () => assert.fail('no docker exec for the simulator'), nodes: async () => [] };
    const nodes = await imagesOnNodes('dev', source);
    assert.deepEqual([...nodes.keys()], ['k3d-dev-server-0', 'k3d-dev-agent-0']);
    const check = importLanded('hashapp:2', ID, nodes, 'dev');
    assert.match(!check.ok ? check.reason : '', /k3d image import said it succeeded, but .* is not on every node \(k3d-dev-agent-0 does not have it\)/);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('crictl output that is not JSON is no images, not a crash', () => {
  assert.equal(parseCrictlImages('FATA[0000] connect: connection refused').size, 0);
});
