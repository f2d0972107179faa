// The cluster commands' bodies: a lazy part (dist/clusterCommands.js), required when a user first runs one of
// them or another feature first uses one through the Clusters API. index.ts registers each command at
// activation as a thunk that loads this part. The tree, its store and the registry listing stay in the main
// bundle; this part takes them (and every module the main bundle has) from it, never a copy (scripts/esbuild.mjs).
import type * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore } from './ClusterStore.ts';
import type { ClusterTreeNode } from './ClusterTreeProvider.ts';
import { clusterInfo, deleteCluster, showKubeconfig, startCluster, stopCluster, switchContext } from './commands.ts';
import { createCluster, createClusterFromConfig } from './create.ts';
import { askCreateOptions } from './createWizard.ts';
import { showK3dError } from './errors.ts';
import { importImage } from './importImage.ts';
import { withK3dProgress } from './k3dProgress.ts';
import { addNodes, removeNode, setNodeRunning } from './nodes.ts';
import { editPorts, openPortInBrowser } from './ports.ts';
import type { RegistryList, RegistryTreeNode } from './registries.ts';
import { createRegistry, deleteRegistry } from './registryCommands.ts';
import { mergeIntoDefault, restart, writeToFile } from './restartAndKubeconfig.ts';

export { addNodes, askCreateOptions, createCluster, createClusterFromConfig, removeNode, showK3dError, startCluster, switchContext, withK3dProgress };
export { redactKubeconfig } from '../../core/kube/redact.ts';

/** The handlers of the commands index.ts registers. `newConfigFile`: k3dConfig's New k3d Config File..., late-bound. */
export function commands(ctx: Ctx, store: ClusterStore, registries: RegistryList, newConfigFile: () => Promise<unknown>) {
  return {
    createCluster: () => createCluster(ctx, store, newConfigFile),
    createClusterFromConfig: (uri?: vscode.Uri) => createClusterFromConfig(ctx, store, uri),
    startCluster: (node?: ClusterTreeNode) => startCluster(ctx, store, node),
    stopCluster: (node?: ClusterTreeNode) => stopCluster(ctx, store, node),
    deleteCluster: (node?: ClusterTreeNode) => deleteCluster(ctx, store, node),
    useContext: (node?: ClusterTreeNode) => switchContext(ctx, store, node),
    showKubeconfig: (node?: ClusterTreeNode) => showKubeconfig(store, node),
    showKubeconfigRaw: (node?: ClusterTreeNode) => showKubeconfig(store, node, true),
    clusterInfo: (node?: ClusterTreeNode) => clusterInfo(ctx, store, node),
    addAgent: (node?: ClusterTreeNode) => addNodes(ctx, store, 'agent', node),
    addServer: (node?: ClusterTreeNode) => addNodes(ctx, store, 'server', node),
    deleteNode: (node?: ClusterTreeNode) => removeNode(ctx, store, node),
    startNode: (node?: ClusterTreeNode) => setNodeRunning(ctx, store, node, true),
    stopNode: (node?: ClusterTreeNode) => setNodeRunning(ctx, store, node, false),
    editPorts: (node?: ClusterTreeNode) => editPorts(ctx, store, node),
    openPortInBrowser: (node?: ClusterTreeNode) => openPortInBrowser(ctx, store, node),
    restartCluster: (node?: ClusterTreeNode) => restart(ctx, store, node),
    writeKubeconfig: (node?: ClusterTreeNode) => writeToFile(ctx, store, node),
    mergeKubeconfig: (node?: ClusterTreeNode) => mergeIntoDefault(ctx, store, node),
    createRegistry: () => createRegistry(ctx, registries),
    deleteRegistry: (node?: RegistryTreeNode) => deleteRegistry(ctx, registries, node),
    importImage: (node?: ClusterTreeNode) => importImage(ctx, store, node),
  };
}
