// `k3d kubeconfig write|merge` as k3d v5 does it (cmd/kubeconfig/kubeconfigMerge.go, pkg/client/kubeconfig.go,
// pkg/util/files.go): where the file goes by default, merging into an existing file, --overwrite, conflicts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

const FOREIGN = 'apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://prod.example:6443\ncontexts:\n- name: prod\n  context:\n    cluster: prod\n    user: me\nusers:\n- name: me\n  user:\n    token: abc\ncurrent-context: prod\n';
const names = (file: string, key: 'contexts' | 'clusters' | 'users') => (YAML.parse(fs.readFileSync(file, 'utf8'))[key] as { name: string }[]).map((e) => e.name);

describe('kubeconfig write and merge', () => {
  let sb: Sandbox;
  before(async () => {
    sb = sandbox();
    for (const name of ['one', 'two']) assert.equal((await sb.k3d(['cluster', 'create', name, '--kubeconfig-update-default=false'])).code, 0);
  });
  after(() => sb.cleanup());

  it('by default writes kubeconfig-NAME.yaml in ~/.config/k3d and prints its path', async () => {
    const r = await sb.k3d(['kubeconfig', 'write', 'one']);
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(sb.dir, '.config', 'k3d', 'kubeconfig-one.yaml');
    assert.equal(r.stdout, `${file}\n`);
    assert.deepEqual(names(file, 'contexts'), ['k3d-one']);
    assert.equal(YAML.parse(fs.readFileSync(file, 'utf8'))['current-context'], 'k3d-one');
  });

  it('with $XDG_CONFIG_HOME set, into that folder as it is (pkg/util/files.go), made if missing', async () => {
    const xdg = path.join(sb.dir, 'xdg', 'conf');
    const r = await sb.k3d(['kubeconfig', 'merge', 'two'], { XDG_CONFIG_HOME: xdg });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${path.join(xdg, 'kubeconfig-two.yaml')}\n`);
    assert.ok(fs.existsSync(path.join(xdg, 'kubeconfig-two.yaml')));
  });

  it('-o FILE merges into what is there and switches the context; --update=false refuses a conflict with k3d\'s text', async () => {
    const file = path.join(sb.dir, 'merged.yaml');
    fs.writeFileSync(file, FOREIGN);
    const r = await sb.k3d(['kubeconfig', 'merge', 'one', '-o', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${file}\n`);
    assert.deepEqual(names(file, 'contexts'), ['k3d-one', 'prod']);
    assert.equal(YAML.parse(fs.readFileSync(file, 'utf8'))['current-context'], 'k3d-one');
    const before = fs.readFileSync(file, 'utf8');

    const again = await sb.k3d(['kubeconfig', 'merge', 'one', '-o', file, '--update=false']);
    assert.equal(again.code, 1);
    assert.equal(plain(again.stderr), "ERRO[0000] Cluster 'k3d-one' already exists in target KubeConfig \n");
    assert.equal(again.stdout, '\n', 'no file written, so an empty list of files');
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  it('--overwrite replaces the file with this cluster\'s kubeconfig alone', async () => {
    const file = path.join(sb.dir, 'replaced.yaml');
    fs.writeFileSync(file, FOREIGN);
    const r = await sb.k3d(['kubeconfig', 'write', 'two', '-o', file, '--overwrite']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(names(file, 'contexts'), ['k3d-two']);
    assert.deepEqual(names(file, 'users'), ['admin@k3d-two']);
  });

  it('--overwrite into a folder that does not exist fails (os.Create makes no folders)', async () => {
    const file = path.join(sb.dir, 'nowhere', 'kc.yaml');
    const r = await sb.k3d(['kubeconfig', 'write', 'two', '-o', file, '--overwrite']);
    assert.equal(r.code, 1);
    assert.equal(plain(r.stderr), `ERRO[0000] failed to create file '${file}': open ${file}: no such file or directory \n`);
    assert.equal(fs.existsSync(file), false);
  });
});
