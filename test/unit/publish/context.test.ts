import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { filesInContext, findBuildContext } from '../../../src/core/publish/context.ts';

const root = '/w';
const files = (...list: string[]) => async (f: string) => list.includes(f);

test('the Dockerfile next to the manifests folder (app1/Dockerfile for app1/manifests/deployment.yaml)', async () => {
  const r = await findBuildContext({ manifestPath: '/w/app1/manifests/deployment.yaml', workspaceRoot: root, isFile: files('/w/app1/Dockerfile', '/w/Dockerfile') });
  assert.deepEqual(r, { ok: true, contextDir: '/w/app1', dockerfile: '/w/app1/Dockerfile' });
});

test('a Dockerfile in the manifest folder itself comes first; the workspace root is the last place', async () => {
  assert.equal((await findBuildContext({ manifestPath: '/w/app1/k8s/d.yaml', workspaceRoot: root, isFile: files('/w/app1/k8s/Dockerfile', '/w/app1/Dockerfile') })).ok && 'ok', 'ok');
  const r = await findBuildContext({ manifestPath: '/w/app1/k8s/d.yaml', workspaceRoot: root, isFile: files('/w/Dockerfile', '/Dockerfile') });
  assert.deepEqual(r, { ok: true, contextDir: '/w', dockerfile: '/w/Dockerfile' });
  const none = await findBuildContext({ manifestPath: '/w/app1/k8s/d.yaml', workspaceRoot: root, isFile: files('/Dockerfile') });
  assert.equal(none.ok, false);
  assert.deepEqual(!none.ok && none.searched, ['/w/app1/k8s', '/w/app1', '/w']);
  assert.match(!none.ok ? none.reason : '', /k3d\.build\.contextPath/);
});

test('outside any workspace folder: the manifest folder and its parent only', async () => {
  const r = await findBuildContext({ manifestPath: '/tmp/a/b/c/d.yaml', isFile: files('/tmp/a/Dockerfile') });
  assert.deepEqual(!r.ok && r.searched, ['/tmp/a/b/c', '/tmp/a/b']);
});

test('k3d.build.contextPath: a folder relative to the workspace, or a Dockerfile', async () => {
  assert.deepEqual(await findBuildContext({ manifestPath: '/w/m/d.yaml', workspaceRoot: root, configured: 'src/app', isFile: files('/w/src/app/Dockerfile') }), {
    ok: true,
    contextDir: '/w/src/app',
    dockerfile: '/w/src/app/Dockerfile',
  });
  assert.deepEqual(await findBuildContext({ manifestPath: '/w/m/d.yaml', workspaceRoot: root, configured: '/abs/Dockerfile.prod', isFile: files('/abs/Dockerfile.prod') }), {
    ok: true,
    contextDir: '/abs',
    dockerfile: '/abs/Dockerfile.prod',
  });
  const missing = await findBuildContext({ manifestPath: '/w/m/d.yaml', workspaceRoot: root, configured: 'nope', isFile: files() });
  assert.equal(missing.ok, false);
});

const tmp = mkdtempSync(path.join(tmpdir(), 'k3d-ctx-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('on a real file system', async () => {
  mkdirSync(path.join(tmp, 'app1', 'manifests'), { recursive: true });
  writeFileSync(path.join(tmp, 'app1', 'Dockerfile'), 'FROM scratch\n');
  const { stat } = await import('node:fs/promises');
  const isFile = (f: string) => stat(f).then((s) => s.isFile(), () => false);
  const r = await findBuildContext({ manifestPath: path.join(tmp, 'app1', 'manifests', 'deployment.yaml'), workspaceRoot: tmp, isFile });
  assert.deepEqual(r, { ok: true, contextDir: path.join(tmp, 'app1'), dockerfile: path.join(tmp, 'app1', 'Dockerfile') });
});

test('the files of a build context: what docker build sends (an unsaved editor among them builds the old version)', () => {
  assert.deepEqual(filesInContext(['/w/app1/message.txt', '/w/app1/src/a.js', '/w/app2/x.txt', '/w/app1-old/y', '/w/app1'], '/w/app1'), ['/w/app1/message.txt', '/w/app1/src/a.js']);
  assert.deepEqual(filesInContext(['/w/app1/../app2/x'], '/w/app1'), []);
});
