// The cluster commands of a cluster row (start, stop, delete, use its context, its kubeconfig, cluster-info)
// and the pick of a cluster when a command runs from the palette.
import * as vscode from 'vscode';
import { validateClusterName } from '../../core/k3d/names.ts';
import type { K3dCluster } from '../../core/k3d/types.ts';
import { useContext } from '../../core/kube/kubeconfig.ts';
import type { Ctx } from '../../ctx.ts';
import { showClusterInfo } from './clusterInfo.ts';
import type { ClusterStore } from './ClusterStore.ts';
import type { ClusterTreeNode } from './ClusterTreeProvider.ts';
import { showK3dError } from './errors.ts';
import { withK3dProgress } from './k3dProgress.ts';
import { kubeconfigUri } from './kubeconfigDocument.ts';

export async function startCluster(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const cluster = await resolveCluster(store, node, (c) => c.state !== 'running', 'Start which cluster?', 'No cluster is stopped.');
  if (!cluster) {
    return;
  }
  const doing = `Starting cluster '${cluster.name}'`;
  try {
    await store.track(cluster.name, { verb: 'starting' }, () =>
      withK3dProgress(ctx, doing, (run) => ctx.k3d.startCluster(cluster.name, run)),
    );
    void vscode.window.showInformationMessage(`Cluster '${cluster.name}' is running.`);
  } catch (e) {
    await showK3dError(ctx, doing, e);
  }
}

export async function stopCluster(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const cluster = await resolveCluster(store, node, (c) => c.state !== 'stopped', 'Stop which cluster?', 'No cluster is running.');
  if (!cluster) {
    return;
  }
  const doing = `Stopping cluster '${cluster.name}'`;
  try {
    await store.track(cluster.name, { verb: 'stopping' }, () =>
      withK3dProgress(ctx, doing, (run) => ctx.k3d.stopCluster(cluster.name, run)),
    );
    vscode.window.setStatusBarMessage(`$(debug-stop) Cluster '${cluster.name}' stopped`, 5000);
  } catch (e) {
    await showK3dError(ctx, doing, e);
  }
}

export async function deleteCluster(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const cluster = await resolveCluster(store, node, () => true, 'Delete which cluster?', 'There is no cluster to delete.');
  if (!cluster) {
    return;
  }
  const containers = cluster.nodes.length;
  const answer = await vscode.window.showWarningMessage(
    `Delete cluster '${cluster.name}'?`,
    {
      modal: true,
      detail: `This removes its ${containers} node container${containers === 1 ? '' : 's'}, its network and volumes, and the kubeconfig context ${cluster.contextName}. Everything deployed in it is lost.`,
    },
    'Delete',
  );
  if (answer !== 'Delete') {
    return;
  }
  const doing = `Deleting cluster '${cluster.name}'`;
  try {
    await store.track(cluster.name, { verb: 'deleting' }, () =>
      withK3dProgress(ctx, doing, (run) => ctx.k3d.deleteCluster(cluster.name, run)),
    );
    vscode.window.setStatusBarMessage(`$(trash) Cluster '${cluster.name}' deleted`, 5000);
  } catch (e) {
    await showK3dError(ctx, doing, e);
  }
}

export async function switchContext(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  let name = node?.type === 'cluster' ? node.cluster.contextName : node?.type === 'context' ? node.context.name : undefined;
  if (!store.snapshot) await store.refresh(); // run from the palette in the first second
  const view = store.snapshot?.kubeconfig;
  if (!name) {
    const contexts = view?.contexts ?? [];
    if (contexts.length === 0) {
      void vscode.window.showInformationMessage('The kubeconfig has no contexts yet. Create a cluster first.', 'Create Cluster').then((c) => {
        if (c) {
          void vscode.commands.executeCommand('k3dDeploy.createCluster');
        }
      });
      return;
    }
    const picked = await vscode.window.showQuickPick(
      contexts.map((c) => ({
        label: c.name,
        description: c.name === view?.currentContext ? 'current' : undefined,
        detail: c.server,
        iconPath: new vscode.ThemeIcon(c.name === view?.currentContext ? 'pass-filled' : 'circle-large-outline'),
      })),
      { title: 'Use Context', placeHolder: `Current: ${view?.currentContext ?? 'none'}`, matchOnDetail: true },
    );
    name = picked?.label;
  }
  if (!name || name === view?.currentContext) {
    return;
  }
  const file = await useContext(ctx.kubeconfigPaths(), name);
  ctx.log.info(`Switched current-context to ${name} in ${file}`);
  await store.refresh();
  vscode.window.setStatusBarMessage(`$(target) Switched to context ${name}`, 4000);
}

/** `kubectl config view` (secrets masked), or with `raw`, `kubectl config view --raw`. */
export async function showKubeconfig(store: ClusterStore, node?: ClusterTreeNode, raw = false): Promise<void> {
  const placeHolder = raw ? 'Show the kubeconfig of which cluster, with its keys and token in clear?' : 'Show the kubeconfig of which cluster?';
  const cluster = await resolveCluster(store, node, () => true, placeHolder, 'There is no k3d cluster.');
  if (!cluster) {
    return;
  }
  const doc = await vscode.workspace.openTextDocument(kubeconfigUri(cluster.name, raw));
  await vscode.window.showTextDocument(doc, { preview: true });
}

export async function clusterInfo(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  let context = node?.type === 'context' ? node.context.name : undefined;
  let cluster = node?.type === 'cluster' ? node.cluster : undefined;
  if (!node) {
    if (!store.snapshot) await store.refresh();
    const view = store.snapshot?.kubeconfig;
    if (!view?.contexts.length) {
      void vscode.window.showInformationMessage('The kubeconfig has no contexts yet, so there is no cluster to describe. Create a cluster first.', 'Create Cluster').then((c) => {
        if (c) void vscode.commands.executeCommand('k3dDeploy.createCluster');
      });
      return;
    }
    const picked = await vscode.window.showQuickPick(
      (view?.contexts ?? []).map((c) => ({ label: c.name, description: c.name === view?.currentContext ? 'current' : undefined, detail: c.server })),
      { title: 'Cluster Info', placeHolder: 'Which context?' },
    );
    context = picked?.label;
    cluster = store.snapshot?.clusters.find((c) => c.contextName === context);
  }
  if (cluster) {
    context = cluster.contextName;
    if (cluster.state === 'stopped') {
      const start = await vscode.window.showWarningMessage(`Cluster '${cluster.name}' is stopped, so its API does not answer.`, 'Start Cluster');
      if (start) {
        await vscode.commands.executeCommand('k3dDeploy.startCluster', { type: 'cluster', cluster } satisfies ClusterTreeNode);
      }
      return;
    }
  }
  if (context) {
    await showClusterInfo(ctx, context);
  }
}

/** The cluster a command acts on: the tree item it was started from, or a pick. */
export async function resolveCluster(
  store: ClusterStore,
  node: ClusterTreeNode | undefined,
  eligible: (c: K3dCluster) => boolean,
  placeHolder: string,
  noneMessage: string,
): Promise<K3dCluster | undefined> {
  if (node?.type === 'cluster' || node?.type === 'node') {
    // A command argument can be anything: a name k3d would read as a flag is refused here.
    const name: unknown = node.cluster?.name;
    const why = typeof name === 'string' ? validateClusterName(name) : 'no cluster name was given.';
    if (why !== undefined) {
      void vscode.window.showErrorMessage(`${JSON.stringify(name ?? '').slice(0, 80)} is not a k3d cluster name: ${why} Nothing was run.`);
      return undefined;
    }
    return node.cluster;
  }
  if (!store.snapshot) {
    await store.refresh();
  }
  const clusters = (store.snapshot?.clusters ?? []).filter(eligible);
  if (clusters.length === 0) {
    void vscode.window.showInformationMessage(noneMessage);
    return undefined;
  }
  const current = store.snapshot?.kubeconfig.currentContext;
  const picked = await vscode.window.showQuickPick(
    clusters.map((cluster) => ({
      label: cluster.name,
      description: [cluster.contextName === current ? 'current' : '', cluster.state].filter(Boolean).join(' · '),
      cluster,
    })),
    { placeHolder },
  );
  return picked?.cluster;
}
