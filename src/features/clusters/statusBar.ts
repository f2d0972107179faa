import * as vscode from 'vscode';
import type { KubeconfigView } from '../../core/kube/kubeconfig.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore } from './ClusterStore.ts';

/** The current kubeconfig context, always in sight; a click switches it. */
export function registerContextStatusBar(ctx: Ctx, store: ClusterStore): void {
  const item = ctx.register(vscode.window.createStatusBarItem('k3dDeploy.context', vscode.StatusBarAlignment.Left, 50));
  item.name = 'Kubernetes Context';
  item.command = 'k3dDeploy.useContext';
  const render = (view: KubeconfigView | undefined) => {
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
  ctx.register(store.onDidChange(() => render(store.snapshot?.kubeconfig)));
  // The kubeconfig alone says the context: show it at once, not after k3d and Docker have
  // answered `k3d cluster list` (seconds when Docker is slow, never when it hangs).
  setImmediate(() => {
    void ctx.kube.kubeconfig().then(
      (view) => store.snapshot === undefined && render(view),
      () => ctx.log.warn('The kubeconfig could not be read for the status bar; the clusters view will say why.'),
    );
  });
}
