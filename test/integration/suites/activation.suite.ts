// Runs first (suites run in file-name order): nothing has called extension.activate() yet, so this
// is the extension as a user meets it. VS Code activates it by itself once startup has finished
// (package.json activationEvents), it registers its commands, and its Clusters view lists the
// clusters k3d reports without the user pressing Refresh.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, suite, test } from '../lib/harness.ts';
import { extension } from '../lib/extension.ts';

suite('activation', () => {
  test('the extension activates by itself: its commands are registered and its Clusters view lists the clusters', async () => {
    const ext = extension();
    await eventually('k3d Deploy activated by VS Code after startup', () => ext.isActive, (active) => active, 30_000);

    const registered = await vscode.commands.getCommands(true);
    for (const id of ['k3dDeploy.createCluster', 'k3dDeploy.refresh', 'k3dDeploy.useContext']) {
      assert.ok(registered.includes(id), `${id} is not registered after activation`);
    }

    const provider = ext.exports?.clusterTreeProvider;
    assert.ok(provider, "the extension's activate() must return { clusterTreeProvider } for tests");
    const labels = await eventually(
      'k3s-default in the Clusters view',
      async () => {
        const roots = (await provider.getChildren()) ?? [];
        const items = await Promise.all(roots.map((r) => provider.getTreeItem(r)));
        return items.map((i) => (typeof i.label === 'string' ? i.label : (i.label?.label ?? '')));
      },
      (names) => names.includes('k3s-default'),
    );
    assert.ok(labels.includes('k3s-default'));
  });
});
