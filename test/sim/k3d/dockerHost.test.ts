// The simulated k3d honours DOCKER_HOST as the real one does (its docker client reads it): a dead
// engine address gives k3d's "Docker is down" errors, naming that address; a live one works.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEAD_DOCKER_HOST, requireDocker } from '../../lib/docker.ts';
import { plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

const dead = `Cannot connect to the Docker daemon at ${DEAD_DOCKER_HOST}. Is the docker daemon running?`;

describe('DOCKER_HOST', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  it('a dead DOCKER_HOST: list fails with FATA naming that host, exit 1', async () => {
    const r = await sb.k3d(['cluster', 'list', '-o', 'json'], { DOCKER_HOST: DEAD_DOCKER_HOST });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(plain(r.stderr), `FATA[0000] runtime failed to list nodes: docker failed to get containers with labels 'map[app:k3d]': failed to list containers: ${dead} \n`);
  });

  it('a dead DOCKER_HOST: create rolls back and leaves nothing behind', async () => {
    const r = await sb.k3d(['cluster', 'create', 'nodocker', '--kubeconfig-update-default=false'], { DOCKER_HOST: DEAD_DOCKER_HOST });
    assert.equal(r.code, 1);
    assert.match(plain(r.stderr), /docker failed to list networks: Cannot connect to the Docker daemon at unix:\/\/\/nonexistent\.sock\./);
    assert.match(plain(r.stderr), /FATA\[\d{4}\] Cluster creation FAILED, also FAILED to rollback changes! \n$/);
    assert.equal(fs.existsSync(path.join(sb.home, 'clusters', 'nodocker')), false);
    assert.equal((await sb.k3d(['version'], { DOCKER_HOST: DEAD_DOCKER_HOST })).code, 0, 'version needs no Docker');
  });

  it('a live DOCKER_HOST works', async () => {
    await requireDocker();
    const r = await sb.k3d(['cluster', 'list', '-o', 'json'], { DOCKER_HOST: process.env.DOCKER_HOST || 'unix:///var/run/docker.sock' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[]\n');
  });
});
