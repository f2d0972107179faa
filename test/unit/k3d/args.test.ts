import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { k3dImageImportArgs } from '../../../src/core/publish/docker.ts';
import { k3dClusterOfContext } from '../../../src/core/publish/publish.ts';
import {
  createClusterArgs, deleteClusterArgs, kubeconfigGetArgs, listClustersArgs, startClusterArgs, stopClusterArgs,
} from '../../../src/core/k3d/args.ts';
import { K3dCli } from '../../../src/core/k3d/cli.ts';
import { K3dError } from '../../../src/core/k3d/errors.ts';

test('create builds the argument array the course types', () => {
  assert.deepEqual(createClusterArgs({ name: 'k3s-default', agents: 2, servers: 1 }), [
    'cluster', 'create', 'k3s-default', '--servers', '1', '--agents', '2', '--wait',
  ]);
});

test('ports repeat the flag; an image and a config file are passed through as single arguments', () => {
  const args = createClusterArgs({
    name: 'dev',
    ports: ['8081:80@loadbalancer', '8443:443@loadbalancer'],
    image: 'rancher/k3s:v1.31.5-k3s1',
    configFile: '/home/me/my k3d.yaml',
  });
  assert.deepEqual(args, [
    'cluster', 'create', 'dev', '--config', '/home/me/my k3d.yaml',
    '--port', '8081:80@loadbalancer', '--port', '8443:443@loadbalancer', '--image', 'rancher/k3s:v1.31.5-k3s1', '--wait',
  ]);
});

test('a config file without a name lets the file name the cluster', () => {
  assert.deepEqual(createClusterArgs({ name: '', configFile: 'k3d.yaml' }), ['cluster', 'create', '--config', 'k3d.yaml', '--wait']);
});

test('list asks for JSON; delete names one cluster', () => {
  assert.deepEqual(listClustersArgs(), ['cluster', 'list', '-o', 'json']);
  assert.deepEqual(deleteClusterArgs('dev'), ['cluster', 'delete', 'dev']);
});

// A name reaches these arrays from the wizard, a tree item, a command argument, a URI or a
// k3d config file; each is checked where the array is built, so none can become a flag.
const HOSTILE_NAMES = ['--all', '-a', '', 'my cluster', 'x'.repeat(64), 'clüster', 'k3d\u202edev', 'dev\n--all'];

test('hostile cluster names are refused by every argument builder, with the reason', () => {
  for (const name of HOSTILE_NAMES) {
    for (const build of [startClusterArgs, stopClusterArgs, deleteClusterArgs, kubeconfigGetArgs, (n: string) => createClusterArgs({ name: n, agents: 2 })]) {
      assert.throws(() => build(name), (e: unknown) => e instanceof K3dError && e.kind === 'invalidName' && /Nothing was run/.test(e.message), `${build.name}(${JSON.stringify(name)})`);
    }
    assert.throws(() => k3dImageImportArgs('app:1', name), K3dError, `image import -c ${JSON.stringify(name)}`);
  }
  assert.match(errorOf(() => startClusterArgs('--all')), /"--all" is not a valid k3d cluster name.*dash/);
  assert.match(errorOf(() => startClusterArgs('x'.repeat(64))), /64 characters/);
  assert.match(errorOf(() => startClusterArgs('clüster')), /'ü'/);
  assert.match(errorOf(() => deleteClusterArgs('')), /No cluster name was given/);
  // A config file may name the cluster, but a name given with it is still checked.
  assert.throws(() => createClusterArgs({ name: '--all', configFile: 'k3d.yaml' }), K3dError);
  assert.throws(() => k3dImageImportArgs('--all', 'dev'), /not an image name/);
  // Build & Deploy takes the cluster from the context name: `k3d---all` is not a k3d cluster.
  assert.equal(k3dClusterOfContext('k3d---all'), undefined);
  assert.equal(k3dClusterOfContext('k3d-dev'), 'dev');
});

test('an invalid name starts no process: the k3d executable is never looked up or run', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'k3d-args-'));
  const marker = path.join(dir, 'ran');
  const k3d = path.join(dir, 'k3d');
  writeFileSync(k3d, `#!/bin/sh\necho "$@" >> '${marker}'\n`, { mode: 0o755 });
  const commandLines: string[] = [];
  let lookedUp = 0;
  const cli = new K3dCli({ executable: () => (lookedUp++, k3d), onRun: (line) => commandLines.push(line) });
  for (const name of HOSTILE_NAMES) {
    for (const op of [() => cli.startCluster(name), () => cli.stopCluster(name), () => cli.deleteCluster(name), () => cli.kubeconfig(name), () => cli.createCluster({ name })]) {
      await assert.rejects(op(), (e: unknown) => e instanceof K3dError && e.kind === 'invalidName');
    }
  }
  assert.deepEqual(commandLines, []);
  assert.equal(lookedUp, 0);
  assert.equal(existsSync(marker), false);
  // The same fake k3d does run for a valid name: the test above can fail.
  await cli.startCluster('dev');
  assert.equal(readFileSync(marker, 'utf8'), 'cluster start dev\n');
});

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}
