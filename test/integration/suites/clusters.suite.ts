// The Clusters tree provider returns the simulated clusters the harness created: k3s-default with
// 1 server and 2 agents (node containers server-0, agent-0, agent-1, serverlb).
//
// Needs the extension's activate() to return { clusterTreeProvider } (its TreeDataProvider for
// view k3dDeploy.clusters): no public VS Code API reads another extension's tree.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { before, eventually, suite, test } from '../lib/harness.ts';
import { activate } from '../lib/extension.ts';

/** The k3d the extension runs (the simulator, first on the extension host's PATH), as a terminal would. */
async function k3d(args: string[]): Promise<void> {
  const command = vscode.workspace.getConfiguration('k3d').get<string>('path') || 'k3d';
  await promisify(execFile)(command, args, { timeout: 60_000 });
}

function label(item: vscode.TreeItem): string {
  const l = item.label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

suite('clusters tree', () => {
  let provider: vscode.TreeDataProvider<unknown>;

  before(async () => {
    const api = await activate();
    assert.ok(api?.clusterTreeProvider, "the extension's activate() must return { clusterTreeProvider } for tests");
    provider = api.clusterTreeProvider;
  });

  async function rootItems(): Promise<{ element: unknown; item: vscode.TreeItem }[]> {
    const roots = (await provider.getChildren()) ?? [];
    return Promise.all(roots.map(async (element) => ({ element, item: await provider.getTreeItem(element) })));
  }

  const isNode = (l: string) => l.startsWith('k3d-k3s-default-') && !l.endsWith('-tools');

  async function descendants(element: unknown, depth: number): Promise<vscode.TreeItem[]> {
    if (depth === 0) return [];
    const found: vscode.TreeItem[] = [];
    for (const child of (await provider.getChildren(element)) ?? []) {
      const item = await provider.getTreeItem(child);
      found.push(item);
      if (item.collapsibleState !== vscode.TreeItemCollapsibleState.None) found.push(...(await descendants(child, depth - 1)));
    }
    return found;
  }

  test('lists the simulated k3s-default cluster, running, marked simulated', async () => {
    const roots = await eventually('k3s-default in the tree', rootItems, (items) => items.some((r) => label(r.item) === 'k3s-default'));
    const cluster = roots.find((r) => label(r.item) === 'k3s-default')!;
    const description = String(cluster.item.description ?? '');
    assert.match(description, /servers 1\/1/);
    assert.match(description, /agents 2\/2/);
    assert.match(description, /simulated/);
    assert.equal(cluster.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.ok(cluster.item.id, 'cluster items need a stable id');
  });

  test("k3s-default's node containers are its 4 nodes, running", async () => {
    const roots = await eventually('k3s-default in the tree', rootItems, (items) => items.some((r) => label(r.item) === 'k3s-default'));
    const cluster = roots.find((r) => label(r.item) === 'k3s-default')!;
    // Node containers are the cluster's children or sit one group deeper (e.g. "Containers").
    const nodes = await eventually('the node containers', () => descendants(cluster.element, 2), (items) => items.filter((i) => isNode(label(i))).length >= 4);
    const nodeItems = nodes.filter((i) => isNode(label(i)));
    assert.deepEqual(nodeItems.map(label).sort(), ['k3d-k3s-default-agent-0', 'k3d-k3s-default-agent-1', 'k3d-k3s-default-server-0', 'k3d-k3s-default-serverlb']);
    for (const item of nodeItems) assert.match(String(item.description ?? ''), /running/, `${label(item)}: ${item.description}`);
  });

  // With background checks off (k3d.refreshInterval 0) and the default kubeconfig left alone (so
  // its file watch does not fire), only the Refresh command can show a cluster made in a terminal.
  // Each check reads the tree once, right after Refresh settles: no waiting for a later change.
  test('refresh shows a cluster created and then deleted outside VS Code, and keeps the others', async () => {
    const settings = vscode.workspace.getConfiguration('k3d');
    await settings.update('refreshInterval', 0, vscode.ConfigurationTarget.Global);
    const names = async () => (await rootItems()).map((r) => label(r.item));
    try {
      await k3d(['cluster', 'create', 'made-in-terminal', '--kubeconfig-update-default=false']);
      await vscode.commands.executeCommand('k3dDeploy.refresh');
      assert.deepEqual((await names()).filter((n) => n === 'k3s-default' || n === 'made-in-terminal').sort(), ['k3s-default', 'made-in-terminal']);

      await k3d(['cluster', 'delete', 'made-in-terminal']);
      await vscode.commands.executeCommand('k3dDeploy.refresh');
      const after = await names();
      assert.ok(!after.includes('made-in-terminal'), `made-in-terminal is still listed after delete + refresh: ${after.join(', ')}`);
      assert.ok(after.includes('k3s-default'), `k3s-default is gone after refresh: ${after.join(', ')}`);
    } finally {
      await k3d(['cluster', 'delete', 'made-in-terminal']).catch(() => {});
      await settings.update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
    }
  }, 60_000);
});
