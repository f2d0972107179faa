import * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';
import type { CreateClusterOptions } from '../../core/k3d/args.ts';
import { lazyCommands } from '../../core/lazy.ts';
import type { WorkloadTree } from '../workloads/api.ts';
import type { ClustersApi } from './api.ts';
import { ClusterStore } from './ClusterStore.ts';
import { ClusterTreeProvider } from './ClusterTreeProvider.ts';
import { loadClusterCommands, type ClusterCommands } from './loadPart.ts';
import { registerKubeconfigDocuments } from './kubeconfigDocument.ts';
import { RegistryList } from './registries.ts';
import { registerContextStatusBar } from './statusBar.ts';

/** `deps.newConfigFile` is k3dConfig's, late-bound: k3dConfig is registered after this, with this feature's API. */
export function register(
  ctx: Ctx,
  deps: { readonly workloads: WorkloadTree; readonly newConfigFile: () => Promise<unknown> },
): { api: ClustersApi; provider: ClusterTreeProvider } {
  const { workloads } = deps;
  const store = ctx.register(new ClusterStore(ctx));
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

  ctx.registerCommand('refresh', () => store.refresh());
  ctx.registerCommand('showLog', () => ctx.log.show());
  // The other commands' bodies load with their part on first use (dist/clusterCommands.js).
  const command = lazyCommands(async () => (await loadClusterCommands()).commands(ctx, store, registries, deps.newConfigFile));
  ctx.registerCommand('createCluster', command('createCluster'));
  ctx.registerCommand('createClusterFromConfig', command('createClusterFromConfig'));
  ctx.registerCommand('startCluster', command('startCluster'));
  ctx.registerCommand('stopCluster', command('stopCluster'));
  ctx.registerCommand('deleteCluster', command('deleteCluster'));
  ctx.registerCommand('useContext', command('useContext'));
  ctx.registerCommand('showKubeconfig', command('showKubeconfig'));
  ctx.registerCommand('showKubeconfigRaw', command('showKubeconfigRaw'));
  ctx.registerCommand('clusterInfo', command('clusterInfo'));
  ctx.registerCommand('addAgent', command('addAgent'));
  ctx.registerCommand('addServer', command('addServer'));
  ctx.registerCommand('deleteNode', command('deleteNode'));
  ctx.registerCommand('startNode', command('startNode'));
  ctx.registerCommand('stopNode', command('stopNode'));
  ctx.registerCommand('editPorts', command('editPorts'));
  ctx.registerCommand('openPortInBrowser', command('openPortInBrowser'));
  ctx.registerCommand('restartCluster', command('restartCluster'));
  ctx.registerCommand('writeKubeconfig', command('writeKubeconfig'));
  ctx.registerCommand('mergeKubeconfig', command('mergeKubeconfig'));
  ctx.registerCommand('createRegistry', command('createRegistry'));
  ctx.registerCommand('deleteRegistry', command('deleteRegistry'));
  ctx.registerCommand('importImage', command('importImage'));
  registerKubeconfigDocuments(ctx, async (text) => (await loadClusterCommands()).redactKubeconfig(text));
  registerContextStatusBar(ctx, store);
  // After activate() returns: the view shows "Looking for k3d clusters…" meanwhile.
  setImmediate(() => void store.refresh());
  // The actions as their commands run them: an unexpected error is logged and shown, as ctx.registerCommand does
  // (callers often start them with `void` from a notification's button).
  const action = (what: string, run: (part: ClusterCommands) => Promise<void>): Promise<void> =>
    loadClusterCommands().then(run).catch(async (e: unknown) => {
      ctx.log.error(`${what} failed:`, e instanceof Error ? (e.stack ?? e.message) : String(e));
      if ((await vscode.window.showErrorMessage(`k3d: ${e instanceof Error ? e.message : String(e)}`, 'Show Log')) === 'Show Log') ctx.log.show();
    });
  const api: ClustersApi = {
    store,
    start: (cluster) => action('Start Cluster', (p) => p.startCluster(ctx, store, { type: 'cluster', cluster })),
    create: () => action('Create Cluster', (p) => p.createCluster(ctx, store, deps.newConfigFile)),
    createFromConfig: (file) => action('Create Cluster from Config', (p) => p.createClusterFromConfig(ctx, store, file)),
    useContext: () => action('Use Context', (p) => p.switchContext(ctx, store)),
    addAgent: (cluster) => action('Add Agent', (p) => p.addNodes(ctx, store, 'agent', { type: 'containers', cluster })),
    deleteNode: (cluster, node) => action('Delete Node', (p) => p.removeNode(ctx, store, { type: 'node', cluster, node })),
    askCreateOptions: async (): Promise<CreateClusterOptions | undefined> =>
      (await loadClusterCommands()).askCreateOptions(new Set(store.snapshot?.clusters.map((c) => c.name))),
    showK3dError: async (doing, error, afterwards) => (await loadClusterCommands()).showK3dError(ctx, doing, error, afterwards),
    withK3dProgress: async (title, run, cancellable) => (await loadClusterCommands()).withK3dProgress(ctx, title, run, cancellable),
  };
  return { api, provider };
}
