// Every command in package.json's contributes.commands is registered by the extension, and every
// k3dDeploy.* command it registers is contributed (so the palette and menus can reach it).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { before, suite, test } from '../lib/harness.ts';
import { activate, contributedCommands, contributedViewIds } from '../lib/extension.ts';

const ISSUE_COMMANDS = [
  'k3dDeploy.createCluster',
  'k3dDeploy.startCluster',
  'k3dDeploy.stopCluster',
  'k3dDeploy.deleteCluster',
  'k3dDeploy.useContext',
  'k3dDeploy.showKubeconfig',
  'k3dDeploy.clusterInfo',
  'k3dDeploy.refresh',
  'k3dDeploy.showLog',
];

suite('commands', () => {
  let registered: string[] = [];

  before(async () => {
    await activate();
    registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('k3dDeploy.'));
  });

  test('every contributed command is registered', () => {
    const missing = contributedCommands()
      .map((c) => c.command)
      .filter((c) => !registered.includes(c));
    assert.deepEqual(missing, [], `contributed in package.json but not registered: ${missing.join(', ')}`);
  });

  test('every registered k3dDeploy command is contributed', () => {
    const contributed = new Set(contributedCommands().map((c) => c.command));
    // VS Code itself registers <viewId>.focus, .open, .removeView... for each contributed view.
    const views = contributedViewIds();
    const extra = registered.filter((c) => !contributed.has(c) && !views.some((v) => c.startsWith(`${v}.`)));
    assert.deepEqual(extra, [], `registered but not in contributes.commands: ${extra.join(', ')}`);
  });

  test("the issue's commands are all there, in category k3d", () => {
    const byId = new Map(contributedCommands().map((c) => [c.command, c]));
    for (const id of ISSUE_COMMANDS) {
      assert.ok(registered.includes(id), `${id} is not registered`);
      assert.equal(byId.get(id)?.category, 'k3d', `${id} should have category "k3d"`);
    }
  });
});
