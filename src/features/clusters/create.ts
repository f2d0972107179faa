// Create Cluster...: the wizard, from a k3d config file, or saved as one (k3dConfig's New Config File); and the
// clean-up after a create that was cancelled or timed out.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CreateClusterOptions } from '../../core/k3d/args.ts';
import { removeHalfMadeCluster } from '../../core/k3d/cancelledCreate.ts';
import { K3dError } from '../../core/k3d/errors.ts';
import { validateClusterName } from '../../core/k3d/names.ts';
import { loadYaml } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore } from './ClusterStore.ts';
import { askConfigFile, askCreateOptions } from './createWizard.ts';
import { showK3dError } from './errors.ts';
import { withK3dProgress } from './k3dProgress.ts';

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
