import * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore } from './ClusterStore.ts';

/** The current kubeconfig context, always in sight; a click switches it. */
export function registerContextStatusBar(ctx: Ctx, store: ClusterStore): void {
  const item = ctx.register(vscode.window.createStatusBarItem('k3dDeploy.context', vscode.StatusBarAlignment.Left, 50));
  item.name = 'Kubernetes Context';
  item.command = 'k3dDeploy.useContext';
  const update = () => {
    const view = store.snapshot?.kubeconfig;
    if (!view || (view.contexts.length === 0 && view.problems.length === 0)) {
      item.hide();
      return;
    }
    const current = view.currentContext;
    const cluster = store.snapshot?.clusters.find((c) => c.contextName === current);
    // A broken kubeconfig file is said here by file and line; its content never is (core/kube/redact.ts).
    const unread = view.problems.map((p) => `\n⚠ ${p.file} was not read: ${p.message}`).join('');
    item.text = `$(server-environment) ${current ?? 'no context'}${unread ? ' $(warning)' : ''}`;
    item.tooltip = (current
      ? `Kubernetes context: ${current}${cluster ? ` (k3d cluster ${cluster.name}, ${cluster.state})` : ''}\nClick to switch`
      : 'No current Kubernetes context. Click to choose one') + unread;
    item.backgroundColor = cluster && cluster.state === 'stopped' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };
  ctx.register(store.onDidChange(update));
  update();
}
