// The Clusters tree provider returns the simulated clusters the harness created: k3s-default with
// 1 server and 2 agents (node containers server-0, agent-0, agent-1, serverlb).
//
// Needs the extension's activate() to return { clusterTreeProvider } (its TreeDataProvider for
// view k3dDeploy.clusters): no public VS Code API reads another extension's tree.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { before, eventually, suite, test } from '../lib/harness.ts';
import { activate } from '../lib/extension.ts';

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

  test('the refresh command keeps the list', async () => {
    await vscode.commands.executeCommand('k3dDeploy.refresh');
    await eventually('k3s-default after refresh', rootItems, (items) => items.some((r) => label(r.item) === 'k3s-default'));
  });
});
