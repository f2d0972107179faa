// The Registries group of the clusters view (`k3d registry list -o json`) and Create Registry / Delete Registry
// (`k3d registry create NAME --port 127.0.0.1:PORT`, `k3d registry delete k3d-NAME`). A registry is published on
// the loopback only; k3d's pull-through cache (`--proxy-remote-url`) is not offered: it needs the internet.
import * as vscode from 'vscode';
import { K3dError } from '../../core/k3d/errors.ts';
import { hostPortFree } from '../../core/k3d/hostPort.ts';
import {
  parseRegistryList, pullHost, pushHost, registryCreateArgs, registryCreateHint, registryDeleteArgs, registryListArgs,
  validateRegistryName, validateRegistryPort,
} from '../../core/k3d/registries.ts';
import type { ClusterRegistryChoice, K3dRegistry } from '../../core/k3d/registries.ts';
import type { Ctx } from '../../ctx.ts';
import { showK3dError } from './errors.ts';
import { withK3dProgress } from './k3dProgress.ts';

export type RegistryTreeNode =
  | { type: 'registriesGroup' }
  | { type: 'registry'; registry: K3dRegistry }
  | { type: 'registriesHint'; message: string; error?: boolean };

/** How long a listing is reused while the view refreshes (each poll re-renders the whole tree). */
const LIST_TTL_MS = 15_000;

let shared: RegistryList | undefined;

/** The extension's registry listing (for the create wizard's registry step), once the clusters view made it. */
export function registryList(): RegistryList | undefined {
  return shared;
}

/** The last `k3d registry list`, shared by the tree and the commands; refreshed on demand and after changes. */
export class RegistryList implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private last?: { at: number; registries?: K3dRegistry[]; error?: string };
  private pending?: Promise<K3dRegistry[]>;
  private readonly ctx: Ctx;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    shared = this;
  }

  /** The registries, from the cache when it is fresh; throws K3dError when k3d cannot list them. */
  async list(fresh = false): Promise<K3dRegistry[]> {
    if (!fresh && this.last && Date.now() - this.last.at < LIST_TTL_MS) {
      if (this.last.error !== undefined) throw new K3dError('failed', this.last.error);
      return this.last.registries ?? [];
    }
    this.pending ??= this.ctx.k3d.run(registryListArgs(), { timeoutMs: 30_000 })
      .then((r) => {
        const registries = parseRegistryList(r.stdout);
        this.last = { at: Date.now(), registries };
        return registries;
      }, (e: unknown) => {
        this.last = { at: Date.now(), error: e instanceof Error ? e.message : String(e) };
        throw e;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  /**
   * How many registries the last listing had (0 before the first). Without clusters the view shows its welcome
   * text only while the tree is empty, so the group is shown then only when registries exist: the first call
   * lists them in the background and re-renders the view when there are some.
   */
  knownCount(): number {
    if (!this.last && !this.pending) {
      void this.list().then((r) => r.length > 0 && this.changed.fire(), () => undefined);
    }
    return this.last?.registries?.length ?? 0;
  }

  /** Forget the listing and re-render the group (after create/delete, or Refresh). */
  invalidate(): void {
    this.last = undefined;
    this.changed.fire();
  }

  /** The group's rows: registries, or one row saying there are none / why they cannot be listed. */
  async children(): Promise<RegistryTreeNode[]> {
    try {
      const registries = await this.list();
      if (registries.length === 0) return [{ type: 'registriesHint', message: 'No registries: Create Registry… (or a cluster with one)' }];
      return registries.map((registry) => ({ type: 'registry', registry }));
    } catch (e) {
      const why = e instanceof K3dError && e.kind === 'dockerDown' ? 'Docker is not running' : (e as Error).message.split('\n')[0];
      return [{ type: 'registriesHint', message: `k3d registry list failed: ${why}`, error: true }];
    }
  }

  dispose(): void {
    if (shared === this) shared = undefined;
    this.changed.dispose();
  }
}

export function registryTreeItem(node: RegistryTreeNode): vscode.TreeItem {
  switch (node.type) {
    case 'registriesGroup': {
      const item = new vscode.TreeItem('Registries', vscode.TreeItemCollapsibleState.Expanded);
      item.id = 'group:registries';
      item.description = 'k3d registry list';
      item.iconPath = new vscode.ThemeIcon('database');
      item.tooltip = 'Image registries k3d runs in Docker (k3d registry create, or a cluster created with --registry-create). Push to one from this machine by its host name; a cluster that uses it pulls by its container name.';
      item.contextValue = 'k3dRegistries';
      return item;
    }
    case 'registry': {
      const r = node.registry;
      const item = new vscode.TreeItem(r.name, vscode.TreeItemCollapsibleState.None);
      item.id = `registry:${r.name}`;
      item.description = `push ${pushHost(r)} · pull ${pullHost(r)} · ${r.status}`;
      item.iconPath = new vscode.ThemeIcon('package', new vscode.ThemeColor(r.running ? 'charts.green' : 'disabledForeground'));
      const md = new vscode.MarkdownString(undefined, true);
      md.appendMarkdown(`**${r.name}** — ${r.status}${r.cluster ? ` · created with cluster \`${r.cluster}\`` : ''}\n\n`);
      md.appendMarkdown(`From this machine: \`docker push ${pushHost(r)}/app:1\`  \n`);
      md.appendMarkdown(`In a manifest of a cluster that uses it: \`image: ${pullHost(r)}/app:1\`  \n`);
      md.appendMarkdown(`Use it in a new cluster: \`k3d cluster create --registry-use ${pullHost(r)}\``);
      item.tooltip = md;
      item.contextValue = `k3dRegistry:${r.running ? 'running' : 'stopped'}`;
      return item;
    }
    case 'registriesHint': {
      const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
      item.id = 'registries:hint';
      item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info');
      if (!node.error) item.command = { command: 'k3dDeploy.createRegistry', title: 'Create Registry…' };
      item.contextValue = 'k3dRegistriesHint';
      return item;
    }
  }
}

export function registerRegistryCommands(ctx: Ctx, registries: RegistryList): void {
  ctx.registerCommand('createRegistry', () => createRegistry(ctx, registries));
  ctx.registerCommand('deleteRegistry', (node?: RegistryTreeNode) => deleteRegistry(ctx, registries, node));
}

/** A free loopback port from 5001 up that no registry publishes. */
async function suggestPort(taken: Set<string>): Promise<string> {
  for (let port = 5001; port < 5100; port++) {
    if (!taken.has(String(port)) && (await hostPortFree(port, '127.0.0.1'))) return String(port);
  }
  return '';
}

/**
 * Asks for a name and a host port (both checked as typed); undefined when cancelled. `asGiven`: the name is the
 * container's as typed (`cluster create --registry-create NAME`), not k3d-NAME (`k3d registry create NAME`).
 */
export async function askNewRegistry(existing: readonly K3dRegistry[], title: string, suggestedName: string, asGiven = false): Promise<{ name: string; hostPort: number } | undefined> {
  const names = new Set(existing.map((r) => r.name));
  const container = (n: string) => (asGiven ? n : `k3d-${n}`);
  let suggested = suggestedName;
  for (let i = 2; names.has(container(suggested)); i++) suggested = `${suggestedName}-${i}`;
  const name = await vscode.window.showInputBox({
    title: `${title}: name`,
    prompt: asGiven
      ? 'The registry container\'s name (k3d uses it as given): the cluster pulls images as NAME:PORT/app:tag'
      : 'k3d names the container k3d-NAME; clusters that use it pull images as k3d-NAME:PORT/app:tag',
    value: suggested,
    ignoreFocusOut: true,
    validateInput: (v) => validateRegistryName(v.trim(), asGiven) ?? (names.has(container(v.trim())) ? `Registry ${container(v.trim())} exists already.` : undefined),
  });
  if (name === undefined) return undefined;
  const port = await vscode.window.showInputBox({
    title: `${title}: host port`,
    prompt: 'Published on 127.0.0.1 only: docker push 127.0.0.1:PORT/app:tag from this machine. (A pull-through cache, --proxy-remote-url, is not offered: it needs the internet.)',
    value: await suggestPort(new Set(existing.map((r) => r.hostPort))),
    ignoreFocusOut: true,
    validateInput: async (v) => {
      const why = validateRegistryPort(v);
      if (why) return why;
      const taken = existing.find((r) => r.hostPort === v.trim());
      if (taken) return `Registry ${taken.name} publishes port ${v.trim()}.`;
      return (await hostPortFree(Number(v.trim()), '127.0.0.1')) ? undefined : `Something on this machine listens on 127.0.0.1:${v.trim()}: choose another port.`;
    },
  });
  if (port === undefined) return undefined;
  return { name: name.trim(), hostPort: Number(port.trim()) };
}

async function createRegistry(ctx: Ctx, registries: RegistryList): Promise<void> {
  let existing: K3dRegistry[];
  try {
    existing = await registries.list(true);
  } catch (e) {
    await showK3dError(ctx, 'Listing registries', e);
    return;
  }
  const asked = await askNewRegistry(existing, 'Create Registry', 'registry');
  if (!asked) return;
  const container = `k3d-${asked.name}`;
  const doing = `Creating registry ${container}`;
  try {
    await withK3dProgress(ctx, doing, (run) => ctx.k3d.run(registryCreateArgs(asked.name, asked.hostPort), run));
  } catch (e) {
    registries.invalidate();
    const hint = e instanceof K3dError ? registryCreateHint(e.detail ?? e.message) : undefined;
    await showK3dError(ctx, doing, e, hint ?? '');
    return;
  }
  registries.invalidate();
  const pull = `${container}:${asked.hostPort}`;
  void vscode.window.showInformationMessage(
    `Registry ${container} runs. Push from this machine to 127.0.0.1:${asked.hostPort}/app:tag; a cluster created with it (Create Cluster…, or k3d cluster create --registry-use ${pull}) pulls it as ${pull}/app:tag.`,
    'Copy Pull Name',
  ).then((c) => c && vscode.env.clipboard.writeText(pull));
}

async function deleteRegistry(ctx: Ctx, registries: RegistryList, node?: RegistryTreeNode): Promise<void> {
  let registry: K3dRegistry | undefined;
  let all: K3dRegistry[];
  try {
    all = await registries.list(true);
  } catch (e) {
    await showK3dError(ctx, 'Listing registries', e);
    return;
  }
  if (node?.type === 'registry') {
    const name: unknown = node.registry?.name;
    registry = all.find((r) => r.name === name);
    if (!registry) {
      void vscode.window.showWarningMessage(`Registry ${JSON.stringify(String(name)).slice(0, 80)} does not exist any more. Nothing was run.`);
      registries.invalidate();
      return;
    }
  } else {
    if (all.length === 0) {
      void vscode.window.showInformationMessage('There is no k3d registry to delete.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      all.map((r) => ({ label: r.name, description: `push ${pushHost(r)} · ${r.status}`, registry: r })),
      { title: 'Delete Registry', placeHolder: 'Which registry?' },
    );
    registry = picked?.registry;
  }
  if (!registry) return;
  const go = await vscode.window.showWarningMessage(
    `Delete registry ${registry.name}?`,
    {
      modal: true,
      detail: `k3d registry delete ${registry.name}: the container goes, and every image pushed to it with it.${registry.cluster ? ` Cluster '${registry.cluster}' was created with it and can no longer pull images from it.` : ' Clusters created with --registry-use can no longer pull images from it.'}`,
    },
    'Delete',
  );
  if (go !== 'Delete') return;
  const doing = `Deleting registry ${registry.name}`;
  try {
    await withK3dProgress(ctx, doing, (run) => ctx.k3d.run(registryDeleteArgs(registry.name), run), false);
  } catch (e) {
    registries.invalidate();
    await showK3dError(ctx, doing, e);
    return;
  }
  registries.invalidate();
  void vscode.window.showInformationMessage(`Registry ${registry.name} deleted.`);
}

/**
 * The create wizard's registry step: none, a new one made with the cluster (`--registry-create`), or one that
 * runs (`--registry-use`). Undefined when cancelled.
 */
export async function askClusterRegistry(cluster: string, title: string): Promise<ClusterRegistryChoice | 'none' | undefined> {
  let existing: K3dRegistry[] = [];
  try {
    existing = (await shared?.list(true)) ?? [];
  } catch {
    // k3d cannot list them: creating one with the cluster is still offered.
  }
  type Item = vscode.QuickPickItem & { choice: ClusterRegistryChoice | 'none' | 'create' };
  const items: Item[] = [
    { label: 'No registry', description: 'images come by k3d image import (or from a public registry)', choice: 'none' },
    { label: '$(add) Create a registry with the cluster', description: '--registry-create NAME:127.0.0.1:PORT (deleted with the cluster)', choice: 'create' },
    ...existing.filter((r) => r.running).map((r): Item => ({
      label: `$(package) Use ${r.name}`,
      description: `--registry-use ${pullHost(r)} · push to ${pushHost(r)}`,
      choice: { kind: 'use', registry: { name: r.name, port: r.port } },
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'A local registry for this cluster: Build & Deploy pushes to it from this machine and the cluster pulls from it',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.choice !== 'create') return picked.choice;
  const asked = await askNewRegistry(existing, `${title} registry`, `k3d-${cluster}-registry`.slice(0, 63), true);
  return asked && { kind: 'create', name: asked.name, hostPort: asked.hostPort };
}
