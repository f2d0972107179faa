import * as vscode from 'vscode';
import { getClusterInfo, KubeError, type ClusterInfo } from '../../core/kube/gateway.ts';
import type { Ctx } from '../../ctx.ts';

const SCHEME = 'k3d-cluster-info';
const documents = new Map<string, string>();
const changed = new vscode.EventEmitter<vscode.Uri>();

export function registerClusterInfoDocuments(ctx: Ctx): void {
  ctx.register(changed);
  ctx.register(
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
      onDidChange: changed.event,
      provideTextDocumentContent: (uri) => documents.get(uri.toString()) ?? '',
    }),
  );
}

/** As `kubectl cluster-info` plus `kubectl get nodes`, opened as a Markdown preview. */
export async function showClusterInfo(ctx: Ctx, context: string): Promise<void> {
  let info: ClusterInfo;
  try {
    info = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Reading cluster info of ${context}` },
      () => getClusterInfo(context, ctx.kubeconfigPaths()),
    );
  } catch (e) {
    const message = e instanceof KubeError ? e.message : (e as Error).message;
    ctx.log.error(`cluster-info ${context}: ${message}`);
    const hint = e instanceof KubeError && e.kind === 'unreachable' ? ' Is the cluster running?' : '';
    const choice = await vscode.window.showErrorMessage(`Cluster info of ${context} failed: ${message}${hint}`, 'Retry', 'Show Log');
    if (choice === 'Retry') {
      await showClusterInfo(ctx, context);
    } else if (choice === 'Show Log') {
      ctx.log.show(true);
    }
    return;
  }
  const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${context}.md` });
  documents.set(uri.toString(), renderClusterInfo(info));
  changed.fire(uri);
  await vscode.commands.executeCommand('markdown.showPreview', uri);
}

export function renderClusterInfo(info: ClusterInfo): string {
  const lines = [
    `# Cluster info: ${info.context}`,
    '',
    `Kubernetes control plane is running at ${info.server}  `,
    ...info.services.map((s) => `${s.title} is running at ${s.url}  `),
    '',
    `Kubernetes version: ${info.version ?? 'unknown'}`,
    '',
    '| Node | Status | Roles | Version |',
    '| --- | --- | --- | --- |',
    ...info.nodes.map((n) => `| ${n.name} | ${n.ready ? 'Ready' : 'NotReady'} | ${n.roles.join(',') || '<none>'} | ${n.version} |`),
  ];
  return `${lines.join('\n')}\n`;
}
