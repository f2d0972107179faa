// The Registries group of the clusters view (`k3d registry list -o json`): the listing and its tree rows. Its
// commands are in registryCommands.ts (a lazy part).
import * as vscode from 'vscode';
import { K3dError } from '../../core/k3d/errors.ts';
import { parseRegistryList, pullHost, pushHost, registryListArgs } from '../../core/k3d/registries.ts';
import type { K3dRegistry } from '../../core/k3d/registries.ts';
import type { Ctx } from '../../ctx.ts';

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
