import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CreateClusterOptions } from '../../core/k3d/args.ts';
import { removeHalfMadeCluster } from '../../core/k3d/cancelledCreate.ts';
import { K3dError } from '../../core/k3d/errors.ts';
import { validateClusterName } from '../../core/k3d/names.ts';
import type { K3dCluster } from '../../core/k3d/types.ts';
import { useContext } from '../../core/kube/kubeconfig.ts';
import { loadYaml } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import { showClusterInfo } from './clusterInfo.ts';
import type { ClusterStore } from './ClusterStore.ts';
import type { ClusterTreeNode } from './ClusterTreeProvider.ts';
import { askConfigFile, askCreateOptions } from './createWizard.ts';
import { showK3dError } from './errors.ts';
import { withK3dProgress } from './k3dProgress.ts';
import { kubeconfigUri } from './kubeconfigDocument.ts';

/** `newConfigFile`: k3dConfig's New k3d Config File..., late-bound in extension.ts (k3dConfig needs this feature's API). */
export function registerClusterCommands(ctx: Ctx, store: ClusterStore, newConfigFile: () => Promise<unknown>): void {
  ctx.registerCommand('refresh', () => store.refresh());
  ctx.registerCommand('showLog', () => ctx.log.show());
  ctx.registerCommand('createCluster', () => createCluster(ctx, store, newConfigFile));
  ctx.registerCommand('createClusterFromConfig', (uri?: vscode.Uri) => createClusterFromConfig(ctx, store, uri));
  ctx.registerCommand('startCluster', (node?: ClusterTreeNode) => startCluster(ctx, store, node));
  ctx.registerCommand('stopCluster', (node?: ClusterTreeNode) => stopCluster(ctx, store, node));
  ctx.registerCommand('deleteCluster', (node?: ClusterTreeNode) => deleteCluster(ctx, store, node));
  ctx.registerCommand('useContext', (node?: ClusterTreeNode) => switchContext(ctx, store, node));
  ctx.registerCommand('showKubeconfig', (node?: ClusterTreeNode) => showKubeconfig(store, node));
  ctx.registerCommand('showKubeconfigRaw', (node?: ClusterTreeNode) => showKubeconfig(store, node, true));
  ctx.registerCommand('clusterInfo', (node?: ClusterTreeNode) => clusterInfo(ctx, store, node));
}

export async function createCluster(ctx: Ctx, store: ClusterStore, newConfigFile: () => Promise<unknown>): Promise<void> {
  if (!(await k3dReady(ctx, store))) {
    return;
  }
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(add) New cluster...', detail: 'Choose the name, agents, servers, port mappings and k3s image', fromConfig: false },
      { label: '$(file-code) From a k3d config file...', detail: 'k3d cluster create --config FILE', fromConfig: true },
      { label: '$(save) Save the choices as a config file...', detail: 'The same questions; the answers saved as a k3d config file (k3d.io/v1alpha5) to create the cluster from', fromConfig: false, save: true },
    ],
    { title: 'Create k3d Cluster', placeHolder: 'How should the cluster be defined?' },
  );
  if (!choice) {
    return;
  }
  if ('save' in choice) {
    await newConfigFile();
    return;
  }
  if (choice.fromConfig) {
    await createClusterFromConfig(ctx, store);
    return;
  }
  const options = await askCreateOptions(new Set(store.snapshot?.clusters.map((c) => c.name)));
  if (options) {
    await runCreate(ctx, store, options);
  }
}

export async function createClusterFromConfig(ctx: Ctx, store: ClusterStore, uri?: vscode.Uri): Promise<void> {
  if (!(await k3dReady(ctx, store))) {
    return;
  }
  const file = uri ?? (await askConfigFile());
  if (!file) {
    return;
  }
  const name = await configuredName(file);
  const why = name === undefined ? undefined : validateClusterName(name);
  if (why !== undefined) {
    void vscode.window.showErrorMessage(
      `${vscode.workspace.asRelativePath(file)} names the cluster ${JSON.stringify(name).slice(0, 80)} (metadata.name), which k3d does not accept: ${why} Nothing was run.`,
    );
    return;
  }
  await runCreate(ctx, store, { name: name ?? '', configFile: file.fsPath });
}

/**
 * metadata.name of a k3d config file, to show and track the cluster while it is created: the
 * whole value, so that an invalid one is refused rather than cut down to a valid prefix.
 */
async function configuredName(file: vscode.Uri): Promise<string | undefined> {
  const text = Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
  const { parseDocument } = await loadYaml();
  try {
    const name = (parseDocument(text).toJS() as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    return name === undefined || name === null || name === '' ? undefined : String(name);
  } catch {
    return undefined; // k3d reads the file itself and says what is wrong with it
  }
}

async function runCreate(ctx: Ctx, store: ClusterStore, options: CreateClusterOptions): Promise<void> {
  const label = options.name || (options.configFile ? path.basename(options.configFile) : 'k3s-default');
  const doing = `Creating cluster '${label}'`;
  if (!store.snapshot) await store.refresh();
  // What existed before: a cancelled create never deletes a cluster it did not make.
  const before = new Set(store.snapshot?.clusters.map((c) => c.name) ?? []);
  try {
    await store.track(options.name || label, { verb: 'creating' }, () =>
      withK3dProgress(ctx, doing, (run) => ctx.k3d.createCluster(options, run)),
    );
  } catch (e) {
    if (e instanceof K3dError && (e.kind === 'cancelled' || e.kind === 'timedOut')) {
      // k3d's default name when neither the arguments nor the config file give one
      await cleanUpInterruptedCreate(ctx, store, options.name || 'k3s-default', before, e);
      return;
    }
    await showK3dError(ctx, doing, e, await leftover(store, options.name, e));
    return;
  }
  const cluster = store.snapshot?.clusters.find((c) => c.name === options.name);
  const current = store.snapshot?.kubeconfig.currentContext;
  const switched = cluster && current === cluster.contextName ? ` Context ${current} is now current.` : '';
  void vscode.window.showInformationMessage(`Cluster '${cluster?.name ?? label}' is running.${switched}`);
}

/**
 * After a create that k3d was stopped in (cancel or k3d.operationTimeout): k3d dies at once and does not
 * roll back (src/core/k3d/cancelledCreate.ts), so delete what it made, with progress, and say so.
 */
async function cleanUpInterruptedCreate(ctx: Ctx, store: ClusterStore, name: string, before: ReadonlySet<string>, cause: K3dError): Promise<void> {
  const what = cause.kind === 'timedOut' ? `Create timed out (${cause.message})` : 'Create cancelled';
  for (;;) {
    const doing = `Removing the half-made cluster '${name}'`;
    const result = await store.track(name, { verb: 'deleting' }, () =>
      withK3dProgress(ctx, doing, (run) => removeHalfMadeCluster(ctx.k3d, name, before, run)),
    );
    if (result.kind === 'nothingLeft') {
      ctx.log.info(`${what}: k3d had made nothing for cluster ${name} yet; nothing to remove.`);
      void vscode.window.showInformationMessage(`${what}: k3d had not made anything for cluster ${name} yet, so there is nothing to remove.`);
      return;
    }
    const nodes = result.nodes.length ? result.nodes.join(', ') : 'no node containers';
    if (result.kind === 'removed') {
      ctx.log.info(`${what}: removed the half-made cluster ${name} (k3d cluster delete ${name}): ${nodes}, its network k3d-${name} and its image volume.`);
      void vscode.window.showInformationMessage(`${what}: removed the half-made cluster ${name} (k3d does not roll back an interrupted create).`);
      return;
    }
    const why = result.error instanceof Error ? result.error.message : String(result.error);
    const detail = result.error instanceof K3dError && result.error.detail && !why.includes(result.error.detail) ? ` k3d said: ${result.error.detail}` : '';
    ctx.log.error(`${what}: removing the half-made cluster ${name} (${nodes}) failed: ${why}${detail}`);
    const choice = await vscode.window.showErrorMessage(
      `${what}, and removing the half-made cluster ${name} failed: ${why}${detail} k3d does not roll back an interrupted create; until ${name} is deleted, creating it again fails with "already exists".`,
      'Retry Delete', 'Show Log',
    );
    if (choice === 'Show Log') ctx.log.show(true);
    if (choice !== 'Retry Delete') return;
  }
}

/** After a failed create: k3d rolls back on an error, but say what is left if it did not. */
async function leftover(store: ClusterStore, name: string, error: unknown): Promise<string> {
  if (error instanceof K3dError && (error.kind === 'nameTaken' || error.kind === 'notInstalled')) {
    return '';
  }
  const remains = name !== '' && store.snapshot?.clusters.some((c) => c.name === name);
  return remains
    ? `Cluster '${name}' was left partly created: delete it from the Clusters view.`
    : 'k3d rolled back everything it had created.';
}

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

async function stopCluster(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
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

async function deleteCluster(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
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
async function showKubeconfig(store: ClusterStore, node?: ClusterTreeNode, raw = false): Promise<void> {
  const placeHolder = raw ? 'Show the kubeconfig of which cluster, with its keys and token in clear?' : 'Show the kubeconfig of which cluster?';
  const cluster = await resolveCluster(store, node, () => true, placeHolder, 'There is no k3d cluster.');
  if (!cluster) {
    return;
  }
  const doc = await vscode.workspace.openTextDocument(kubeconfigUri(cluster.name, raw));
  await vscode.window.showTextDocument(doc, { preview: true });
}

async function clusterInfo(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
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

/** k3d must answer before a wizard is worth filling in. */
async function k3dReady(ctx: Ctx, store: ClusterStore): Promise<boolean> {
  await store.refresh();
  const k3d = store.snapshot?.k3d;
  if (k3d?.kind === 'error' && (k3d.error.kind === 'notInstalled' || k3d.error.kind === 'dockerDown')) {
    await showK3dError(ctx, 'Creating a cluster', k3d.error);
    return false;
  }
  return true;
}
