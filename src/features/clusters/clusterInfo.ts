import * as vscode from 'vscode';
import { getClusterInfo, KubeError, type ClusterInfo } from '../../core/kube/gateway.ts';
import type { Ctx } from '../../ctx.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';

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
  await showReadOnly(`cluster-info/${context}.md`, renderClusterInfo(info), true);
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
