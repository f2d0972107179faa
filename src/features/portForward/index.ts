// Port Forward… on a pod, deployment or service (issue 19): a local port (the container port unless it is
// taken) carried to the pod over the portforward API, listed in the "Port Forwards" view and the status bar,
// stoppable, opened in the browser, and following a deployment to its new pod after a rollout.
//
// At activation only the view, the status bar and the commands' thunks: the forwards and the commands are the
// lazy part dist/portForward.js (part.ts), required when a user first runs one (until then nothing runs).
import * as vscode from 'vscode';
import { lazyCommands, loadPart } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import type { WorkloadTree } from '../workloads/api.ts';
import type { Forward, Forwards } from './forwards.ts';
import { describe } from './text.ts';

const VIEW = 'k3dDeploy.portForwards';

class ForwardItem extends vscode.TreeItem {
  readonly forwardId: string;
  constructor(f: Forward) {
    super(`localhost:${f.localPort}`, vscode.TreeItemCollapsibleState.None);
    this.forwardId = f.id;
    this.id = f.id;
    const where = f.problem ? f.problem : `pod ${f.pod}`;
    this.description = `→ ${f.kind}/${f.name}:${f.remotePort} · ${where}${f.lastError ? ' · last connection failed' : ''}`;
    const bad = f.problem || f.lastError;
    this.iconPath = new vscode.ThemeIcon('plug', new vscode.ThemeColor(bad ? 'charts.yellow' : 'charts.green'));
    this.contextValue = 'k3dPortForward';
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${describe(f)}** in \`${f.namespace}\` (${f.context})\n\n`);
    md.appendMarkdown(f.problem ? `$(warning) ${f.problem}\n\n` : `Connections go to pod \`${f.pod}\`${f.kind === 'pod' ? '' : ` (it follows the ${f.kind} to its new pod after a rollout)`}.\n\n`);
    if (f.taken) md.appendMarkdown(`Local port ${f.localPort}: ${f.taken}.\n\n`);
    md.appendMarkdown(`${f.connections} connection${f.connections === 1 ? '' : 's'} so far.`);
    if (f.lastError) md.appendMarkdown(`\n\n$(error) Last connection: ${f.lastError}`);
    this.tooltip = md;
  }
}

class ForwardsView implements vscode.TreeDataProvider<Forward> {
  private readonly list: () => Forward[];
  readonly onDidChangeTreeData: vscode.Event<void>;
  constructor(list: () => Forward[], onDidChange: vscode.Event<void>) {
    this.list = list;
    this.onDidChangeTreeData = onDidChange;
  }
  getChildren(element?: Forward): Forward[] {
    return element ? [] : this.list();
  }
  getTreeItem(f: Forward): vscode.TreeItem {
    return new ForwardItem(f);
  }
}

export function register(ctx: Ctx, tree: WorkloadTree): void {
  /** The running forwards, once the part is loaded. */
  let forwards: Forwards | undefined;
  const changed = ctx.register(new vscode.EventEmitter<void>());
  const view = ctx.register(vscode.window.createTreeView('k3dDeploy.portForwards', { treeDataProvider: new ForwardsView(() => forwards?.list() ?? [], changed.event) }));
  const status = ctx.register(vscode.window.createStatusBarItem('k3dDeploy.portForwards', vscode.StatusBarAlignment.Left, 47));
  status.name = 'k3d Port Forwards';
  status.command = `${VIEW}.focus`;
  // The view shows while forwards run: it does not take the Clusters view's room otherwise.
  let shown = false;
  const refreshStatus = (): void => {
    const list = forwards?.list() ?? [];
    if (shown !== list.length > 0) {
      shown = list.length > 0;
      void vscode.commands.executeCommand('setContext', 'k3dDeploy.hasPortForwards', shown);
    }
    view.badge = list.length ? { value: list.length, tooltip: `${list.length} port forward${list.length === 1 ? '' : 's'}` } : undefined;
    if (list.length === 0) {
      status.hide();
      return;
    }
    const bad = list.some((f) => f.problem || f.lastError);
    status.text = `$(plug) ${list.length === 1 ? `localhost:${list[0]!.localPort}` : `${list.length} port forwards`}`;
    status.tooltip = list.map((f) => `${describe(f)}${f.problem ? ` (${f.problem})` : f.pod ? ` (pod ${f.pod})` : ''}`).join('\n');
    status.backgroundColor = bad ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    status.show();
  };

  const command = lazyCommands(async () => {
    const part = await loadPart<typeof import('./part.ts')>('portForward.js', () => import('./part.ts'));
    const started = part.start(ctx, tree);
    forwards = started.forwards;
    ctx.register(forwards.onDidChange(() => {
      changed.fire();
      refreshStatus();
    }));
    return started.commands;
  });
  ctx.registerCommand('portForward', command('portForward'));
  ctx.registerCommand('stopPortForward', command('stopPortForward'));
  ctx.registerCommand('openPortForwardInBrowser', command('openPortForwardInBrowser'));
  ctx.registerCommand('changePortForwardPort', command('changePortForwardPort'));
}
