// `k3d image import` reads the image from the real Docker engine: an image that exists is
// recorded in cluster.json with its Docker ID (a rebuild re-imported replaces it); one that does not
// fails as k3d v5.9 does (pkg/client/tools.go findImages, cmd/image/imageImport.go).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { docker, dockerOk, requireDocker } from '../../lib/docker.ts';
import { buildHashApp, ensureBaseImage } from '../../lib/images.ts';
import { json, plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

interface Stored {
  importedImages: string[];
  importedImageIds?: Record<string, string>;
}

describe('k3d image import from the real engine', () => {
  let sb: Sandbox;
  // Names no other test uses, removed at the end.
  const app = `k3dsim-import-${process.pid}/hashgenerator:v1`;
  const plainName = `k3dsim-import-${process.pid}-plain`;
  const missing = `k3dsim-import-${process.pid}/nothere:v9`;
  const stored = () => json<Stored>(fs.readFileSync(path.join(sb.home, 'clusters', 'imp', 'cluster.json'), 'utf8'));

  before(async () => {
    await requireDocker();
    sb = sandbox();
    const created = await sb.k3d(['cluster', 'create', 'imp', '-a', '1', '--kubeconfig-update-default=false']);
    assert.equal(created.code, 0, created.stderr);
  });
  const builtIds: string[] = [];
  after(async () => {
    await docker(['rmi', app, plainName]);
    await docker(['rmi', ...builtIds]); // the first build, left untagged by the rebuild
    sb?.cleanup();
  });

  it('records an image that exists with its Docker image ID', async () => {
    const built = await buildHashApp({ tag: app, message: 'first build' });
    builtIds.push(built.id);
    const r = await sb.k3d(['image', 'import', app, '-c', 'imp']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = plain(r.stdout);
    assert.match(out, /INFO\[\d{4}\] Saving 1 image\(s\) from runtime\.\.\./);
    assert.match(out, /Importing images from tarball '\/k3d\/images\/k3d-imp-images-\d{14}\.tar' into node 'k3d-imp-server-0'/);
    assert.match(out, /Successfully imported 1 image\(s\) into 1 cluster\(s\)/);
    assert.deepEqual(stored().importedImages, [app]);
    assert.deepEqual(stored().importedImageIds, { [app]: built.id });
  });

  it('a rebuild under the same tag, imported again, replaces the recorded ID', async () => {
    const before = stored().importedImageIds?.[app];
    const rebuilt = await buildHashApp({ tag: app, message: 'second build' });
    assert.notEqual(rebuilt.id, before);
    const r = await sb.k3d(['image', 'import', app, '-c', 'imp', '--mode', 'direct']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), new RegExp(`Importing images '\\[${app.replace(/[.]/g, '\\.')}\\]' into node 'k3d-imp-agent-0'`));
    assert.deepEqual(stored().importedImages, [app]);
    assert.equal(stored().importedImageIds?.[app], rebuilt.id);
  });

  it('finds docker.io/library/NAME as NAME:latest, as k3d does', async () => {
    await dockerOk(['tag', await ensureBaseImage(), plainName]);
    const id = (await dockerOk(['image', 'inspect', '--format', '{{.Id}}', plainName])).trim();
    const r = await sb.k3d(['image', 'import', `docker.io/library/${plainName}`, '-c', 'imp']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(stored().importedImageIds?.[`${plainName}:latest`], id);
    assert.ok(stored().importedImages.includes(`${plainName}:latest`));
  });

  it('an image that is not in Docker: WARN, ERRO no valid images specified, exit 1, nothing recorded', async () => {
    const beforeState = stored();
    const r = await sb.k3d(['image', 'import', missing, '-c', 'imp']);
    assert.equal(r.code, 1);
    assert.match(plain(r.stdout), /^INFO\[\d{4}\] Importing image\(s\) into cluster 'imp' *\n$/);
    const lines = plain(r.stderr).split('\n');
    assert.match(lines[0], new RegExp(`^WARN\\[\\d{4}\\] Image '${missing.replace(/[.]/g, '\\.')}' is not a file and couldn't be found in the container runtime *$`));
    assert.match(lines[1], /^ERRO\[\d{4}\] Failed to import image\(s\) into cluster 'imp': no valid images specified *$/);
    assert.match(lines[2], /^WARN\[\d{4}\] At least one error occured while trying to import the image\(s\) into the selected cluster\(s\) *$/);
    assert.equal(lines.length, 4);
    assert.deepEqual(stored(), beforeState);
  });

  it('some found, some not: WARN for the missing one, the rest imported, exit 0', async () => {
    const r = await sb.k3d(['image', 'import', missing, app, '-c', 'imp']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stderr), /WARN\[\d{4}\] Image '.*nothere:v9' is not a file and couldn't be found in the container runtime/);
    assert.match(plain(r.stdout), /Saving 1 image\(s\) from runtime\.\.\./);
    assert.ok(!stored().importedImages.includes(missing));
  });

  it('a docker save archive: its tags and ID are recorded', async () => {
    const tar = path.join(sb.dir, 'app.tar');
    await dockerOk(['save', '-o', tar, app]);
    const id = (await dockerOk(['image', 'inspect', '--format', '{{.Id}}', app])).trim();
    // Forget the earlier import so that only the archive can record it.
    const file = path.join(sb.home, 'clusters', 'imp', 'cluster.json');
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as Stored;
    fs.writeFileSync(file, JSON.stringify({ ...state, importedImages: [], importedImageIds: {} }));
    const r = await sb.k3d(['image', 'import', tar, '-c', 'imp']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /Saving 1 tarball\(s\) to shared image volume\.\.\./);
    assert.deepEqual(stored().importedImageIds, { [app]: id });
  });

  it('Docker down (a dead DOCKER_HOST): k3d cannot even find the cluster', async () => {
    const r = await sb.k3d(['image', 'import', app, '-c', 'imp'], { DOCKER_HOST: 'unix:///nonexistent.sock' });
    assert.equal(r.code, 1);
    assert.match(plain(r.stderr), /Cannot connect to the Docker daemon at unix:\/\/\/nonexistent\.sock/);
  });
});
