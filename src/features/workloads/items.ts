// How workload objects look in the tree (labels, kubectl-like descriptions, health icons,
// tooltips): pure functions of the object, given to WorkloadTree.
import * as vscode from 'vscode';
import type { V1Deployment, V1Node, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { eventAge, podWarning, subjectName, warningText, type EventGroup, type EventWarning } from '../../core/kube/events.ts';
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

/**
 * A deployment's row. `events`: its own, its ReplicaSets' and pods' (for the tooltip);
 * `podWarnings`: the warnings of its failing pods, surfaced on the row.
 */
export function deploymentItem(d: V1Deployment | undefined, events: readonly EventGroup[] = [], podWarnings: readonly EventWarning[] = []): vscode.TreeItem {
  const item = new vscode.TreeItem(d?.metadata?.name ?? '(deleted)', vscode.TreeItemCollapsibleState.Collapsed);
  if (!d) return item;
  const s = deploymentSummary(d);
  const warning = podWarnings[0];
  const warned = warning ? `⚠ ${warning.reason} (${plural(new Set(podWarnings.map((w) => w.subject.name)).size, 'pod')}) · ` : '';
  // The READY count first, as before (other rows and tests read it there), then the warning.
  item.description = `${s.ready} · ${warned}up-to-date ${s.upToDate} · available ${s.available} · ${s.images.join(', ')}`;
  item.iconPath = warning ? icon('warning', 'failed') : icon('layers', s.health);
  item.contextValue = 'k8sDeployment';
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**deployment.apps/${d.metadata?.name}** in \`${d.metadata?.namespace}\`\n\n`);
  md.appendMarkdown(`| READY | UP-TO-DATE | AVAILABLE | AGE |\n| --- | --- | --- | --- |\n| ${s.ready} | ${s.upToDate} | ${s.available} | ${age(d.metadata?.creationTimestamp)} |\n\n`);
  md.appendMarkdown(`Images: ${s.images.map((i) => `\`${i}\``).join(', ')}\n\n`);
  for (const c of d.status?.conditions ?? []) {
    md.appendMarkdown(`- ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}\n`);
  }
  for (const w of podWarnings) md.appendMarkdown(`\n$(warning) pod/${escape(w.subject.name)}: ${escape(warningText(w, 400))}\n`);
  appendEvents(md, events, true);
  item.tooltip = md;
  return item;
}

/** Markdown-safe text from the cluster (an event message may contain `*`, `_` or `<`). */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-!<>|]/g, (c) => `\\${c}`);
}

const TOOLTIP_EVENTS = 6;

/** The newest events, as the last part of a tooltip. */
function appendEvents(md: vscode.MarkdownString, events: readonly EventGroup[], withObject: boolean): void {
  if (events.length === 0) return;
  md.appendMarkdown(`\n\n**Recent events**\n\n`);
  for (const g of events.slice(0, TOOLTIP_EVENTS)) {
    const what = withObject ? `${escape(subjectName(g.subject))}: ` : '';
    md.appendMarkdown(`- ${g.type === 'Warning' ? '$(warning)' : '$(info)'} **${escape(g.reason)}** ${escape(eventAge(g))} ago · ${what}${escape(g.message)}\n`);
  }
  if (events.length > TOOLTIP_EVENTS) md.appendMarkdown(`- … ${events.length - TOOLTIP_EVENTS} more under Events\n`);
}

/** An object's Events node: how many rows, and how many are warnings. */
export function eventsItem(events: readonly EventGroup[]): vscode.TreeItem {
  const item = new vscode.TreeItem('Events', vscode.TreeItemCollapsibleState.Collapsed);
  const warnings = events.filter((g) => g.type === 'Warning').length;
  item.description = warnings > 0 ? `${plural(warnings, 'warning')} · ${events.length}` : String(events.length);
  item.iconPath = new vscode.ThemeIcon('history', warnings > 0 ? new vscode.ThemeColor('charts.yellow') : undefined);
  item.contextValue = 'k8sEvents';
  item.tooltip = 'Events of this object (a deployment\'s include its ReplicaSets\' and pods\'), newest first, as kubectl describe lists them';
  return item;
}

/** One grouped event: reason, age (x count), the object when the list spans several, message. */
export function eventItem(g: EventGroup | undefined, withObject: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(g?.reason || '(gone)', vscode.TreeItemCollapsibleState.None);
  if (!g) return item;
  item.description = `${eventAge(g)} · ${withObject ? `${subjectName(g.subject)} · ` : ''}${g.message}`;
  item.iconPath = g.type === 'Warning' ? icon('warning', 'progressing') : new vscode.ThemeIcon('info');
  item.contextValue = g.type === 'Warning' ? 'k8sEvent:warning' : 'k8sEvent';
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(g.type)} ${escape(g.reason)}** on \`${subjectName(g.subject)}\`\n\n${escape(g.message)}\n\n`);
  md.appendMarkdown(`${g.count > 1 ? `${g.count} times, first ${new Date(g.first).toISOString()}, last` : 'At'} ${new Date(g.last).toISOString()}${g.from ? ` · from ${escape(g.from)}` : ''}`);
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

export { podWarning };

/** A pod's row; with events it expands to its Events node, and a failing pod shows its newest warning. */
export function podItem(pod: V1Pod | undefined, events: readonly EventGroup[] = []): vscode.TreeItem {
  const item = new vscode.TreeItem(pod?.metadata?.name ?? '(deleted)', events.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  if (!pod) return item;
  const s = podSummary(pod);
  const created = pod.metadata?.creationTimestamp;
  const warning = podWarning(pod, events);
  // STATUS first as kubectl prints it; a failing pod's is followed by why: `ImagePullBackOff: Failed to pull image …`.
  const status = !warning ? s.status : warning.reason === s.status ? warningText(warning, 100) : `${s.status} · ${warningText(warning, 100)}`;
  item.description = `${status} · ${s.ready} · ${restartsText(s)} restarts · ${age(created)}${s.node ? ` · ${s.node}` : ''}`;
  item.iconPath = warning
    ? icon('warning', 'failed')
    : s.health === 'progressing' ? new vscode.ThemeIcon('loading~spin', new vscode.ThemeColor('charts.yellow')) : icon(s.health === 'done' ? 'pass' : 'circle-filled', s.health);
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
  if (warning) md.appendMarkdown(`\n\n$(warning) ${escape(warningText(warning, 400))}`);
  appendEvents(md, events, false);
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
