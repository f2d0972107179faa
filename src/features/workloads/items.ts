// How workload objects look in the tree (labels, kubectl-like descriptions, health icons,
// tooltips): pure functions of the object, given to WorkloadTree.
import * as vscode from 'vscode';
import type { V1Deployment, V1Node, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { age, deploymentSummary, nodeSummary, podSummary, replicaSetSummary, restartsText, type Health } from '../../core/kube/status.ts';

const HEALTH_COLORS: Record<Health, string | undefined> = {
  ok: 'charts.green',
  progressing: 'charts.yellow',
  failed: 'charts.red',
  done: 'disabledForeground',
  unknown: undefined,
};

export function icon(id: string, health: Health): vscode.ThemeIcon {
  const color = HEALTH_COLORS[health];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function deploymentItem(d: V1Deployment | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(d?.metadata?.name ?? '(deleted)', vscode.TreeItemCollapsibleState.Collapsed);
  if (!d) return item;
  const s = deploymentSummary(d);
  item.description = `${s.ready} · up-to-date ${s.upToDate} · available ${s.available} · ${s.images.join(', ')}`;
  item.iconPath = icon('layers', s.health);
  item.contextValue = 'k8sDeployment';
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**deployment.apps/${d.metadata?.name}** in \`${d.metadata?.namespace}\`\n\n`);
  md.appendMarkdown(`| READY | UP-TO-DATE | AVAILABLE | AGE |\n| --- | --- | --- | --- |\n| ${s.ready} | ${s.upToDate} | ${s.available} | ${age(d.metadata?.creationTimestamp)} |\n\n`);
  md.appendMarkdown(`Images: ${s.images.map((i) => `\`${i}\``).join(', ')}\n\n`);
  for (const c of d.status?.conditions ?? []) {
    md.appendMarkdown(`- ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}\n`);
  }
  item.tooltip = md;
  return item;
}

export function replicaSetItem(rs: V1ReplicaSet | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(rs?.metadata?.name ?? '(deleted)', vscode.TreeItemCollapsibleState.Collapsed);
  if (!rs) return item;
  const s = replicaSetSummary(rs);
  item.description = `revision ${s.revision ?? '?'} · desired ${s.desired} · current ${s.current} · ready ${s.ready}${s.desired === 0 ? ' · old' : ''}`;
  item.iconPath = icon('versions', s.health);
  item.contextValue = 'k8sReplicaSet';
  item.tooltip = `replicaset.apps/${rs.metadata?.name}\nimages: ${(rs.spec?.template?.spec?.containers ?? []).map((c) => c.image).join(', ')}\nAGE ${age(rs.metadata?.creationTimestamp)}`;
  return item;
}

export function podItem(pod: V1Pod | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(pod?.metadata?.name ?? '(deleted)', vscode.TreeItemCollapsibleState.None);
  if (!pod) return item;
  const s = podSummary(pod);
  const created = pod.metadata?.creationTimestamp;
  item.description = `${s.status} · ${s.ready} · ${restartsText(s)} restarts · ${age(created)}${s.node ? ` · ${s.node}` : ''}`;
  item.iconPath = s.health === 'progressing' ? new vscode.ThemeIcon('loading~spin', new vscode.ThemeColor('charts.yellow')) : icon(s.health === 'done' ? 'pass' : 'circle-filled', s.health);
  item.contextValue = 'k8sPod';
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**pod/${pod.metadata?.name}** in \`${pod.metadata?.namespace}\`\n\n`);
  md.appendMarkdown(`| READY | STATUS | RESTARTS | AGE | NODE |\n| --- | --- | --- | --- | --- |\n| ${s.ready} | ${s.status} | ${restartsText(s)} | ${age(created)} | ${s.node ?? '<none>'} |\n\n`);
  for (const c of pod.status?.containerStatuses ?? []) {
    const state = c.state?.running ? 'running' : c.state?.waiting ? `waiting: ${c.state.waiting.reason ?? ''}` : c.state?.terminated ? `terminated: ${c.state.terminated.reason ?? c.state.terminated.exitCode}` : 'unknown';
    md.appendMarkdown(`- container \`${c.name}\` (${c.image}): ${state}${c.ready ? ', ready' : ''}\n`);
  }
  for (const p of s.problems) md.appendMarkdown(`\n$(warning) ${p}\n`);
  for (const c of pod.status?.conditions ?? []) {
    md.appendMarkdown(`\n- ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`);
  }
  item.tooltip = md;
  return item;
}

export function serviceItem(svc: V1Service | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(svc?.metadata?.name ?? '(deleted)', vscode.TreeItemCollapsibleState.None);
  if (!svc) return item;
  const ports = (svc.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
  const external = svc.status?.loadBalancer?.ingress?.map((i) => i.ip ?? i.hostname).join(',');
  item.description = `${svc.spec?.type ?? 'ClusterIP'} · ${svc.spec?.clusterIP ?? ''}${external ? ` · ${external}` : ''} · ${ports}`;
  item.iconPath = new vscode.ThemeIcon('plug');
  item.contextValue = 'k8sService';
  item.tooltip = `service/${svc.metadata?.name}\nTYPE ${svc.spec?.type}\nCLUSTER-IP ${svc.spec?.clusterIP}\nEXTERNAL-IP ${external ?? '<none>'}\nPORT(S) ${ports}\nAGE ${age(svc.metadata?.creationTimestamp)}`;
  return item;
}

export function kubeNodeItem(key: string, n: V1Node | undefined): vscode.TreeItem {
  const s = n ? nodeSummary(n) : undefined;
  const item = new vscode.TreeItem(n?.metadata?.name ?? key, vscode.TreeItemCollapsibleState.None);
  item.description = s ? `${s.status} · ${s.roles} · ${s.version} · ${age(n?.metadata?.creationTimestamp)}` : '';
  item.iconPath = icon('server', s?.health ?? 'unknown');
  item.contextValue = 'k8sNode';
  item.tooltip = s ? `${n?.metadata?.name}\nSTATUS ${s.status}\nROLES ${s.roles}\nVERSION ${s.version}\nAGE ${age(n?.metadata?.creationTimestamp)}` : undefined;
  return item;
}
