// `k3d image import` per node: what reached which node is recorded per node (cluster.json's nodeImageIds), so that
// the import-landed check sees a node that a tools-node import claimed but never reached (k3d v5.9 logs the node's
// error and still says "Successfully imported"), while direct mode fails on it (pkg/client/tools.go).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { docker, dockerOk, requireDocker } from '../../lib/docker.ts';
import { ensureBaseImage } from '../../lib/images.ts';
import { imagesOnNodes, importLanded } from '../../../src/core/deploy/nodeImages.ts';
import { json, plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

describe('k3d image import, node by node', () => {
  let sb: Sandbox;
  const app = `k3dsim-nodes-${process.pid}/app:v1`;
  let id = '';
  const nodeIds = () => json<{ nodeImageIds?: Record<string, Record<string, string>> }>(fs.readFileSync(path.join(sb.home, 'clusters', 'pn', 'cluster.json'), 'utf8')).nodeImageIds;
  const landed = async () => importLanded(app, id, await imagesOnNodes('pn', { simHome: sb.home, docker: async () => '', nodes: async () => [] }), 'pn');

  before(async () => {
    await requireDocker();
    sb = sandbox();
    await dockerOk(['tag', await ensureBaseImage(), app]);
    id = (await dockerOk(['image', 'inspect', '--format', '{{.Id}}', app])).trim();
    const created = await sb.k3d(['cluster', 'create', 'pn', '-a', '1', '--kubeconfig-update-default=false']);
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    await docker(['rmi', app]);
    sb?.cleanup();
  });

  it('every running node gets it: recorded for each, and the landed check passes', async () => {
    const r = await sb.k3d(['image', 'import', app, '-c', 'pn', '-m', 'tools-node']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(nodeIds(), { 'k3d-pn-server-0': { [app]: id }, 'k3d-pn-agent-0': { [app]: id } });
    assert.deepEqual(await landed(), { ok: true });
  });

  it('a stopped agent: tools-node logs its error and claims success; the landed check names the node', async () => {
    const other = `k3dsim-nodes-${process.pid}/other:v2`;
    await dockerOk(['tag', app, other]);
    try {
      assert.equal((await sb.k3d(['node', 'stop', 'k3d-pn-agent-0'])).code, 0);
      const r = await sb.k3d(['image', 'import', other, '-c', 'pn', '-m', 'tools-node']);
      assert.equal(r.code, 0, 'k3d says it succeeded');
      assert.match(plain(r.stdout), /Successfully imported 1 image\(s\) into 1 cluster\(s\)/);
      assert.match(plain(r.stderr), /ERRO\[\d{4}\] failed to import images in node 'k3d-pn-agent-0'/);
      assert.equal(nodeIds()?.['k3d-pn-agent-0']?.[other], undefined);
      assert.equal(nodeIds()?.['k3d-pn-server-0']?.[other], id);
      const check = importLanded(other, id, await imagesOnNodes('pn', { simHome: sb.home, docker: async () => '', nodes: async () => [] }), 'pn');
      assert.match(!check.ok ? check.reason : '', /k3d-pn-agent-0 does not have it/);
      // direct mode says so itself: exit 1.
      const direct = await sb.k3d(['image', 'import', other, '-c', 'pn', '-m', 'direct']);
      assert.equal(direct.code, 1);
      assert.match(plain(direct.stderr), /failed to import images in node 'k3d-pn-agent-0'/);
    } finally {
      await sb.k3d(['node', 'start', 'k3d-pn-agent-0']);
      await docker(['rmi', other]);
    }
  });
});
