// Restart Cluster (`k3d cluster restart NAME`), Write Kubeconfig to File (`k3d kubeconfig write NAME --output FILE`)
// and Merge Kubeconfig (`k3d kubeconfig merge NAME --kubeconfig-merge-default`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { restartCluster, writeKubeconfig } from '../../core/k3d/nodeOps.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore } from './ClusterStore.ts';
import type { ClusterTreeNode } from './ClusterTreeProvider.ts';
import { resolveCluster } from './commands.ts';
import { showK3dError } from './errors.ts';
import { withK3dProgress } from './k3dProgress.ts';

export async function restart(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const cluster = await resolveCluster(store, node, () => true, 'Restart which cluster?', 'There is no k3d cluster to restart.');
  if (!cluster) return;
  const doing = `Restarting cluster '${cluster.name}'`;
  try {
    await store.track(cluster.name, { verb: 'restarting' }, () =>
      withK3dProgress(ctx, doing, (run) => restartCluster(ctx.k3d, cluster.name, run)),
    );
  } catch (e) {
    await showK3dError(ctx, doing, e, 'k3d stops the cluster before starting it again: it may be left stopped or partly running. Start Cluster continues from there.');
    return;
  }
  void vscode.window.showInformationMessage(`Cluster '${cluster.name}' restarted: its containers were stopped and started again (pods and their data are kept).`);
}

export async function writeToFile(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const cluster = await resolveCluster(store, node, () => true, 'Write the kubeconfig of which cluster?', 'There is no k3d cluster.');
  if (!cluster) return;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.join(os.homedir(), '.kube');
  const target = await vscode.window.showSaveDialog({
    title: `Write the kubeconfig of '${cluster.name}' to (an existing kubeconfig is merged into, not replaced)`,
    defaultUri: vscode.Uri.file(path.join(folder, `kubeconfig-${cluster.name}.yaml`)),
    filters: { YAML: ['yaml', 'yml'], 'All files': ['*'] },
    saveLabel: 'Write Kubeconfig',
  });
  if (!target) return;
  if (target.scheme !== 'file') {
    void vscode.window.showWarningMessage(`k3d writes local files only; ${target.toString(true)} is not one. Nothing was run.`);
    return;
  }
  const doing = `Writing the kubeconfig of '${cluster.name}'`;
  // k3d merges into an existing file and sets its current-context only when it has none (KubeconfigMerge).
  const existed = fs.existsSync(target.fsPath);
  let written: string;
  try {
    written = await withK3dProgress(ctx, doing, (run) => writeKubeconfig(ctx.k3d, cluster.name, { kind: 'file', file: target.fsPath }, run));
  } catch (e) {
    await showK3dError(ctx, doing, e);
    return;
  }
  const file = written || target.fsPath;
  ctx.log.info(`k3d kubeconfig write ${cluster.name}: wrote ${file}`);
  const use = existed ? `KUBECONFIG=${shellQuote(file)} kubectl --context ${cluster.contextName} get nodes` : `export KUBECONFIG=${shellQuote(file)}`;
  const choice = await vscode.window.showInformationMessage(
    `${existed ? 'Merged' : 'Wrote'} the kubeconfig of '${cluster.name}' (context ${cluster.contextName}, with its client key) ${existed ? 'into' : 'to'} ${file}. Use it with: ${use}`,
    'Copy Command',
  );
  if (choice) await vscode.env.clipboard.writeText(use);
}

export async function mergeIntoDefault(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const cluster = await resolveCluster(store, node, () => true, 'Merge the kubeconfig of which cluster into the default kubeconfig?', 'There is no k3d cluster.');
  if (!cluster) return;
  const current = store.snapshot?.kubeconfig.currentContext;
  const how = await vscode.window.showQuickPick(
    [
      { label: `Merge and switch to ${cluster.contextName}`, switchContext: true },
      { label: 'Merge, keep the current context', description: current ? `stays ${current}` : undefined, switchContext: false },
    ],
    { title: `Merge Kubeconfig of '${cluster.name}'`, placeHolder: 'k3d kubeconfig merge --kubeconfig-merge-default: into $KUBECONFIG or ~/.kube/config' },
  );
  if (!how) return;
  const doing = `Merging the kubeconfig of '${cluster.name}'`;
  let written: string;
  try {
    written = await withK3dProgress(ctx, doing, (run) => writeKubeconfig(ctx.k3d, cluster.name, { kind: 'default', switchContext: how.switchContext }, run));
  } catch (e) {
    await showK3dError(ctx, doing, e);
    return;
  }
  await store.refresh();
  ctx.log.info(`k3d kubeconfig merge ${cluster.name} -d: wrote ${written}`);
  vscode.window.setStatusBarMessage(`$(check) Merged ${cluster.contextName} into ${written || 'the default kubeconfig'}${how.switchContext ? ' and switched to it' : ''}`, 5000);
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
