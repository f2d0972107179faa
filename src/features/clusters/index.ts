import * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';
import type { WorkloadTree } from '../workloads/WorkloadTree.ts';
import { ClusterStore } from './ClusterStore.ts';
import { ClusterTreeProvider } from './ClusterTreeProvider.ts';
import { registerClusterCommands } from './commands.ts';
import { registerKubeconfigDocuments } from './kubeconfigDocument.ts';
import { registerNodeCommands } from './nodes.ts';
import { registerPortCommands } from './ports.ts';
import { registerRestartAndKubeconfigCommands } from './restartAndKubeconfig.ts';
import { RegistryList, registerRegistryCommands } from './registries.ts';
import { registerImportImageCommand } from './importImage.ts';
import { registerContextStatusBar } from './statusBar.ts';

export function register(ctx: Ctx, workloads: WorkloadTree): { store: ClusterStore; provider: ClusterTreeProvider } {
  const store = new ClusterStore(ctx);
  const subscriptions: vscode.Disposable[] = [];
  const registries = ctx.register(new RegistryList(ctx));
  const provider = new ClusterTreeProvider(store, workloads, subscriptions, registries);
  subscriptions.forEach((d) => ctx.register(d));
  const view = ctx.register(vscode.window.createTreeView('k3dDeploy.clusters', { treeDataProvider: provider, showCollapseAll: true }));

  ctx.register(
    store.onDidChange(() => {
      const snapshot = store.snapshot;
      const clusters = snapshot?.clusters ?? [];
      void vscode.commands.executeCommand('setContext', 'k3dDeploy.loaded', snapshot !== undefined);
      void vscode.commands.executeCommand('setContext', 'k3dDeploy.state', store.viewState);
      void vscode.commands.executeCommand('setContext', 'k3dDeploy.hasClusters', clusters.length > 0);
      void vscode.commands.executeCommand('setContext', 'k3dDeploy.hasRunningClusters', clusters.some((c) => c.state !== 'stopped'));
      void vscode.commands.executeCommand('setContext', 'k3dDeploy.hasStoppedClusters', clusters.some((c) => c.state !== 'running'));
      void vscode.commands.executeCommand('setContext', 'k3dDeploy.hasContexts', (snapshot?.kubeconfig.contexts.length ?? 0) > 0);
      view.description = store.k3dVersion?.simulated ? 'simulated k3d' : undefined;
    }),
  );
  ctx.register(view.onDidChangeVisibility((e) => store.setPolling(e.visible)));
  // A collapsed cluster or context is not watched.
  ctx.register(
    view.onDidCollapseElement((e) => {
      const n = e.element;
      if (n.type === 'cluster') workloads.stop(n.cluster.contextName);
      else if (n.type === 'context') workloads.stop(n.context.name);
    }),
  );
  ctx.register(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('k3d.refreshInterval')) {
        store.setPolling(view.visible);
      }
    }),
  );
  store.setPolling(view.visible);

  registerClusterCommands(ctx, store);
  registerNodeCommands(ctx, store);
  registerPortCommands(ctx, store);
  registerRestartAndKubeconfigCommands(ctx, store);
  registerRegistryCommands(ctx, registries);
  registerImportImageCommand(ctx, store);
  registerKubeconfigDocuments(ctx);
  registerContextStatusBar(ctx, store);
  // After activate() returns: the view shows "Looking for k3d clusters…" meanwhile.
  setImmediate(() => void store.refresh());
  return { store, provider };
}
