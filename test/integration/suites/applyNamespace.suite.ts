// Apply, Diff and Delete in File send an object that names no namespace where kubectl does: to the
// current context's namespace (`kubectl config set-context --current --namespace=...`), not `default`.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { before, suite, test } from '../lib/harness.ts';
import { activate } from '../lib/extension.ts';

const run = promisify(execFile);
const kubectl = async (...args: string[]) => (await run('kubectl', args, { timeout: 30_000 })).stdout;

suite('apply: the context namespace', () => {
  before(async () => {
    await activate();
  });

  test("Apply puts an object that names no namespace in the context's namespace, as kubectl does", async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const manifest = path.join(workspace, 'ns-context.yaml');
    fs.writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ns-context-probe\ndata:\n  a: "1"\n');
    await kubectl('create', 'namespace', 'team-a');
    await kubectl('config', 'set-context', '--current', '--namespace=team-a');
    try {
      const summary = (await vscode.commands.executeCommand('k3dDeploy.apply', vscode.Uri.file(manifest))) as { applied: boolean; results: { namespace?: string }[] };
      assert.equal(summary.applied, true);
      assert.equal(summary.results[0].namespace, 'team-a');
      assert.match(await kubectl('get', 'configmap', 'ns-context-probe', '-n', 'team-a', '-o', 'name'), /configmap\/ns-context-probe/);
      await assert.rejects(kubectl('get', 'configmap', 'ns-context-probe', '-n', 'default'), /NotFound|not found/);
    } finally {
      await kubectl('config', 'set-context', '--current', '--namespace=default');
      await kubectl('delete', 'namespace', 'team-a', '--wait=false').catch(() => '');
      fs.rmSync(manifest, { force: true });
    }
  }, 60_000);
});
