import * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';
import type { CreateClusterOptions } from '../../core/k3d/args.ts';
import type { WorkloadTree } from '../workloads/api.ts';
import type { ClustersApi } from './api.ts';
import { ClusterStore } from './ClusterStore.ts';
import { ClusterTreeProvider } from './ClusterTreeProvider.ts';
import { createCluster, createClusterFromConfig, registerClusterCommands, startCluster, switchContext } from './commands.ts';
import { askCreateOptions } from './createWizard.ts';
import { showK3dError } from './errors.ts';
import { withK3dProgress } from './k3dProgress.ts';
import { registerKubeconfigDocuments } from './kubeconfigDocument.ts';
import { addNodes, registerNodeCommands, removeNode } from './nodes.ts';
import { registerPortCommands } from './ports.ts';
import { registerRestartAndKubeconfigCommands } from './restartAndKubeconfig.ts';
import { RegistryList, registerRegistryCommands } from './registries.ts';
import { registerImportImageCommand } from './importImage.ts';
import { registerContextStatusBar } from './statusBar.ts';

/** `deps.newConfigFile` is k3dConfig's, late-bound: k3dConfig is registered after this, with this feature's API. */
export function register(
  ctx: Ctx,
  deps: { readonly workloads: WorkloadTree; readonly newConfigFile: () => Promise<unknown> },
): { api: ClustersApi; provider: ClusterTreeProvider } {
  const { workloads } = deps;
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

  registerClusterCommands(ctx, store, deps.newConfigFile);
  registerNodeCommands(ctx, store);
  registerPortCommands(ctx, store);
  registerRestartAndKubeconfigCommands(ctx, store);
  registerRegistryCommands(ctx, registries);
  registerImportImageCommand(ctx, store);
  registerKubeconfigDocuments(ctx);
  registerContextStatusBar(ctx, store);
  // After activate() returns: the view shows "Looking for k3d clusters…" meanwhile.
  setImmediate(() => void store.refresh());
  // The actions as their commands run them: an unexpected error is logged and shown, as ctx.registerCommand does
  // (callers often start them with `void` from a notification's button).
  const action = (what: string, run: () => Promise<void>): Promise<void> =>
    run().catch(async (e: unknown) => {
      ctx.log.error(`${what} failed:`, e instanceof Error ? (e.stack ?? e.message) : String(e));
      if ((await vscode.window.showErrorMessage(`k3d: ${e instanceof Error ? e.message : String(e)}`, 'Show Log')) === 'Show Log') ctx.log.show();
    });
  const api: ClustersApi = {
    store,
    start: (cluster) => action('Start Cluster', () => startCluster(ctx, store, { type: 'cluster', cluster })),
    create: () => action('Create Cluster', () => createCluster(ctx, store, deps.newConfigFile)),
    createFromConfig: (file) => action('Create Cluster from Config', () => createClusterFromConfig(ctx, store, file)),
    useContext: () => action('Use Context', () => switchContext(ctx, store)),
    addAgent: (cluster) => action('Add Agent', () => addNodes(ctx, store, 'agent', { type: 'containers', cluster })),
    deleteNode: (cluster, node) => action('Delete Node', () => removeNode(ctx, store, { type: 'node', cluster, node })),
    askCreateOptions: (): Promise<CreateClusterOptions | undefined> => askCreateOptions(new Set(store.snapshot?.clusters.map((c) => c.name))),
    showK3dError: (doing, error, afterwards) => showK3dError(ctx, doing, error, afterwards),
    withK3dProgress: (title, run, cancellable) => withK3dProgress(ctx, title, run, cancellable),
  };
  return { api, provider };
}
