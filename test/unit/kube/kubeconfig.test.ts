import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { kubeconfigPaths, readKubeconfig, useContext } from '../../../src/core/kube/kubeconfig.ts';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'k3d-deploy-kubeconfig-'));
}

function kubeconfig(current: string | undefined, contexts: Array<[string, string]>, comment = ''): string {
  return [
    comment,
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...contexts.map(([, cluster]) => `- name: ${cluster}\n  cluster:\n    server: https://${cluster}.example:6443`),
    'contexts:',
    ...contexts.map(([ctx, cluster]) => `- name: ${ctx}\n  context:\n    cluster: ${cluster}\n    user: admin@${cluster}`),
    `current-context: ${current ?? '""'}`,
    'users: []',
    '',
  ].join('\n');
}

test('KUBECONFIG lists files in order; without it, ~/.kube/config', () => {
  assert.deepEqual(kubeconfigPaths({ KUBECONFIG: '/a/one:/b/two::/a/one' }, '/home/me'), ['/a/one', '/b/two']);
  assert.deepEqual(kubeconfigPaths({}, '/home/me'), ['/home/me/.kube/config']);
});

test('merging: the first file that defines a context or current-context wins, as kubectl merges', async () => {
  const dir = tempDir();
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  writeFileSync(a, kubeconfig(undefined, [['shared', 'from-a']]));
  writeFileSync(b, kubeconfig('k3d-dev', [['shared', 'from-b'], ['k3d-dev', 'k3d-dev']]));
  const view = await readKubeconfig([a, b, path.join(dir, 'missing')]);
  assert.deepEqual(view.contexts.map((c) => [c.name, c.cluster, c.file]), [['k3d-dev', 'k3d-dev', b], ['shared', 'from-a', a]]);
  assert.equal(view.currentContext, 'k3d-dev');
  assert.equal(view.contexts[0].server, 'https://k3d-dev.example:6443');
  assert.deepEqual(view.problems, []);
});

test('a broken file is reported, not fatal, and the others still count', async () => {
  const dir = tempDir();
  const bad = path.join(dir, 'bad');
  const good = path.join(dir, 'good');
  writeFileSync(bad, 'contexts: [\n  - oops: {');
  writeFileSync(good, kubeconfig('ctx', [['ctx', 'c']]));
  const view = await readKubeconfig([bad, good]);
  assert.equal(view.problems.length, 1);
  assert.equal(view.problems[0].file, bad);
  assert.equal(view.currentContext, 'ctx');
});

test('use-context writes to the first existing file and keeps comments and other entries', async () => {
  const dir = tempDir();
  const missing = path.join(dir, 'missing');
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  writeFileSync(a, kubeconfig('prod', [['prod', 'prod']], '# my precious comment'));
  writeFileSync(b, kubeconfig(undefined, [['k3d-dev', 'k3d-dev']]));
  const written = await useContext([missing, a, b], 'k3d-dev');
  assert.equal(written, a);
  assert.equal(existsSync(missing), false);
  const text = readFileSync(a, 'utf8');
  assert.match(text, /# my precious comment/);
  assert.match(text, /current-context: k3d-dev/);
  assert.match(text, /name: prod/);
  assert.equal((await readKubeconfig([missing, a, b])).currentContext, 'k3d-dev');
  assert.equal(readFileSync(b, 'utf8'), kubeconfig(undefined, [['k3d-dev', 'k3d-dev']]));
});

test('use-context refuses an unknown context and leaves the file as it was', async () => {
  const dir = tempDir();
  const a = path.join(dir, 'config');
  const before = kubeconfig('prod', [['prod', 'prod']]);
  writeFileSync(a, before);
  await assert.rejects(useContext([a], 'nope'), /no context named 'nope'/);
  assert.equal(readFileSync(a, 'utf8'), before);
});
