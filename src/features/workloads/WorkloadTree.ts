import * as vscode from 'vscode';
import type { V1Deployment, V1Node, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { age, deploymentSummary, nodeSummary, podSummary, replicaSetSummary, restartsText, type Health } from '../../core/kube/status.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import { isSystemNamespace, SYSTEM_NAMESPACES } from '../../core/kube/namespaces.ts';
import type { ClusterWorkloads, WorkloadChange } from '../../core/kube/workloads.ts';
import type { Ctx } from '../../ctx.ts';
import { differences, type ManifestIndex } from './ManifestIndex.ts';
import { WorkloadSession } from './WorkloadSession.ts';

type Base = { id: string; context: string };
export type WorkloadNode =
  | (Base & { type: 'w-state' })
  | (Base & { type: 'w-nodes' })
  | (Base & { type: 'w-knode'; key: string })
  | (Base & { type: 'w-system' })
  | (Base & { type: 'w-namespace'; ns: string })
  | (Base & { type: 'w-services'; ns: string })
  | (Base & { type: 'w-empty'; ns: string })
  | (Base & { type: 'w-deployment'; key: string })
  | (Base & { type: 'w-replicaset'; key: string })
  | (Base & { type: 'w-pod'; key: string })
  | (Base & { type: 'w-service'; key: string });

export function isWorkloadNode(node: { type: string }): node is WorkloadNode {
  return node.type.startsWith('w-');
}

const HEALTH_COLORS: Record<Health, string | undefined> = {
  ok: 'charts.green',
  progressing: 'charts.yellow',
  failed: 'charts.red',
  done: 'disabledForeground',
  unknown: undefined,
};

function icon(id: string, health: Health): vscode.ThemeIcon {
  const color = HEALTH_COLORS[health];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export type SystemNamespaces = 'grouped' | 'hidden' | 'shown';

/**
 * The workloads under a cluster or context: namespaces -> deployments -> replica sets -> pods,
 * standalone pods, services, and the Kubernetes nodes. Fed by list+watch; only the items an
 * event touches are refreshed, and node objects are kept so VS Code can match them.
 */
export class WorkloadTree implements vscode.Disposable {
  private readonly ctx: Ctx;
  private readonly sessions = new Map<string, WorkloadSession>();
  private readonly nodes = new Map<string, WorkloadNode>();
  /** id of each shown object node -> id of the node that lists it. */
  private readonly parents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<WorkloadNode | { context: string } | undefined>();
  /** A workload node changed (refresh it), or a whole context (refresh its root item), or everything. */
  readonly onDidChange = this.changed.event;
  private ageTimer: NodeJS.Timeout;
  private readonly manifests: ManifestIndex;

  constructor(ctx: Ctx, manifests: ManifestIndex) {
    this.ctx = ctx;
    this.manifests = manifests;
    ctx.register(this);
    ctx.register(manifests.onDidChange(() => this.changed.fire(undefined)));
    // kubectl's AGE column moves on; so do the descriptions of what is shown.
    this.ageTimer = setInterval(() => {
      for (const context of this.sessions.keys()) this.changed.fire({ context });
    }, 30_000);
    ctx.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('k3d.systemNamespaces')) this.changed.fire(undefined);
      }),
    );
  }

  private get systemNamespaces(): SystemNamespaces {
    return this.ctx.config.systemNamespaces;
  }

  /** Children of a cluster's or context's item; starts watching it. */
  rootChildren(context: string, fingerprint: string): WorkloadNode[] {
    const session = this.ensureSession(context, fingerprint);
    const w = session.workloads;
    const children: WorkloadNode[] = [];
    const problem = session.state.kind === 'failed' || session.degraded.size > 0 || session.state.kind === 'connecting';
    if (problem) {
      children.push(this.node({ type: 'w-state', id: `${context}|state`, context }));
    }
    if (!w || !w.synced) {
      return children;
    }
    const nsNames = w.namespaceNames();
    const user = nsNames.filter((n) => !isSystemNamespace(n));
    const system = nsNames.filter((n) => isSystemNamespace(n));
    const mode = this.systemNamespaces;
    for (const ns of mode === 'shown' ? nsNames : user) {
      children.push(this.child(`${context}|root`, { type: 'w-namespace', id: `${context}|ns|${ns}`, context, ns }));
    }
    if (mode === 'grouped' && system.length > 0) {
      children.push(this.node({ type: 'w-system', id: `${context}|system`, context }));
    }
    children.push(this.node({ type: 'w-nodes', id: `${context}|nodes`, context }));
    return children;
  }

  getChildren(node: WorkloadNode): WorkloadNode[] {
    const w = this.sessions.get(node.context)?.workloads;
    if (!w) {
      return [];
    }
    const c = node.context;
    switch (node.type) {
      case 'w-nodes':
        return w.nodeList().map((n) => this.child(node.id, { type: 'w-knode', id: `${c}|node|${key(n)}`, context: c, key: key(n) }));
      case 'w-system':
        return w.namespaceNames().filter((n) => isSystemNamespace(n)).map((ns) => this.child(node.id, { type: 'w-namespace', id: `${c}|ns|${ns}`, context: c, ns }));
      case 'w-namespace': {
        const out: WorkloadNode[] = [
          ...w.deploymentsIn(node.ns).map((d) => this.child(node.id, { type: 'w-deployment', id: `${c}|deploy|${key(d)}`, context: c, key: key(d) })),
          ...w.standalonePods(node.ns).map((p) => this.child(node.id, { type: 'w-pod', id: `${c}|pod|${key(p)}`, context: c, key: key(p) })),
        ];
        if (w.servicesIn(node.ns).length > 0) {
          out.push(this.child(node.id, { type: 'w-services', id: `${c}|svcs|${node.ns}`, context: c, ns: node.ns }));
        }
        if (out.length === 0) {
          out.push(this.node({ type: 'w-empty', id: `${c}|empty|${node.ns}`, context: c, ns: node.ns }));
        }
        return out;
      }
      case 'w-services':
        return w.servicesIn(node.ns).map((s) => this.child(node.id, { type: 'w-service', id: `${c}|svc|${key(s)}`, context: c, key: key(s) }));
      case 'w-deployment': {
        const d = w.deployments.get(node.key);
        return d ? w.replicaSetsOf(d).map((rs) => this.child(node.id, { type: 'w-replicaset', id: `${c}|rs|${key(rs)}`, context: c, key: key(rs) })) : [];
      }
      case 'w-replicaset': {
        const rs = w.replicasets.get(node.key);
        return rs ? w.podsOf(rs).map((p) => this.child(node.id, { type: 'w-pod', id: `${c}|pod|${key(p)}`, context: c, key: key(p) })) : [];
      }
      default:
        return [];
    }
  }

  getTreeItem(node: WorkloadNode): vscode.TreeItem {
    const session = this.sessions.get(node.context);
    const w = session?.workloads;
    const item = this.treeItem(node, session, w);
    item.id = node.id;
    return item;
  }

  private treeItem(node: WorkloadNode, session: WorkloadSession | undefined, w: ClusterWorkloads | undefined): vscode.TreeItem {
    const None = vscode.TreeItemCollapsibleState.None;
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    const Expanded = vscode.TreeItemCollapsibleState.Expanded;
    switch (node.type) {
      case 'w-state': {
        if (session?.state.kind === 'failed') {
          const item = new vscode.TreeItem(`Cannot connect: ${session.state.error.message}`, None);
          item.iconPath = icon('error', 'failed');
          item.tooltip = `${session.state.error.message}\nClick to retry.`;
          item.command = { command: 'k3dDeploy.retryWorkloads', title: 'Retry', arguments: [node.context] };
          item.contextValue = 'k8sProblem';
          return item;
        }
        const [kind, error] = [...(session?.degraded ?? new Map()).entries()][0] ?? [];
        if (error) {
          const item = new vscode.TreeItem(session?.workloads?.synced ? `Reconnecting (${kind}): ${error.message}` : `Cannot reach the API: ${error.message}`, None);
          item.iconPath = icon('warning', 'progressing');
          item.tooltip = 'The view shows the last known state and reconnects by itself. Click to retry now.';
          item.command = { command: 'k3dDeploy.retryWorkloads', title: 'Retry', arguments: [node.context] };
          item.contextValue = 'k8sProblem';
          return item;
        }
        const item = new vscode.TreeItem('Loading workloads…', None);
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        return item;
      }
      case 'w-nodes': {
        const item = new vscode.TreeItem('Nodes', Collapsed);
        const list = w?.nodeList() ?? [];
        item.description = `${list.filter((n) => nodeSummary(n).health === 'ok').length}/${list.length} Ready`;
        item.iconPath = new vscode.ThemeIcon('server-environment');
        item.contextValue = 'k8sNodes';
        return item;
      }
      case 'w-knode': {
        const n = w?.nodes.get(node.key) as V1Node | undefined;
        const s = n ? nodeSummary(n) : undefined;
        const item = new vscode.TreeItem(n?.metadata?.name ?? node.key, None);
        item.description = s ? `${s.status} · ${s.roles} · ${s.version} · ${age(n?.metadata?.creationTimestamp)}` : '';
        item.iconPath = icon('server', s?.health ?? 'unknown');
        item.contextValue = 'k8sNode';
        item.tooltip = s ? `${n?.metadata?.name}\nSTATUS ${s.status}\nROLES ${s.roles}\nVERSION ${s.version}\nAGE ${age(n?.metadata?.creationTimestamp)}` : undefined;
        return item;
      }
      case 'w-system': {
        const item = new vscode.TreeItem('System namespaces', Collapsed);
        item.iconPath = new vscode.ThemeIcon('gear');
        item.description = [...SYSTEM_NAMESPACES].join(', ');
        item.contextValue = 'k8sSystemNamespaces';
        return item;
      }
      case 'w-namespace': {
        const deployments = w?.deploymentsIn(node.ns).length ?? 0;
        const item = new vscode.TreeItem(node.ns, node.ns === 'default' ? Expanded : Collapsed);
        item.description = plural(deployments, 'deployment');
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.contextValue = 'k8sNamespace';
        return item;
      }
      case 'w-empty': {
        const item = new vscode.TreeItem('No workloads yet', None);
        item.description = 'Create Deployment… or apply a manifest';
        item.iconPath = new vscode.ThemeIcon('info');
        item.command = { command: 'k3dDeploy.createDeployment', title: 'Create Deployment', arguments: [{ context: node.context, ns: node.ns }] };
        return item;
      }
      case 'w-services': {
        const item = new vscode.TreeItem('Services', Collapsed);
        item.description = String(w?.servicesIn(node.ns).length ?? 0);
        item.iconPath = new vscode.ThemeIcon('plug');
        return item;
      }
      case 'w-deployment': {
        const d = w?.deployments.get(node.key);
        const item = deploymentItem(node, d);
        const declared = d ? this.manifests.declared(d.metadata?.namespace ?? 'default', d.metadata?.name ?? '') : undefined;
        const diff = d && declared ? differences(d, declared) : [];
        if (declared && diff.length > 0) {
          // Changed imperatively (scale, set image): the file is no longer the truth.
          item.description = `≠ ${vscode.workspace.asRelativePath(declared.uri)} · ${String(item.description ?? '')}`;
          item.iconPath = new vscode.ThemeIcon('layers', new vscode.ThemeColor('charts.orange'));
          item.contextValue = 'k8sDeployment:drift';
          const md = item.tooltip instanceof vscode.MarkdownString ? item.tooltip : new vscode.MarkdownString();
          md.appendMarkdown(`\n\n$(warning) **Differs from ${vscode.workspace.asRelativePath(declared.uri)}:**\n\n${diff.map((x) => `- ${x}`).join('\n')}\n\nEdit the file and apply it, or apply it as it is to undo the change.`);
          item.tooltip = md;
        } else if (declared) {
          item.contextValue = 'k8sDeployment:declared';
        }
        return item;
      }
      case 'w-replicaset':
        return replicaSetItem(node, w?.replicasets.get(node.key));
      case 'w-pod':
        return podItem(node, w?.pods.get(node.key));
      case 'w-service':
        return serviceItem(node, w?.services.get(node.key));
    }
  }

  /** The live object behind a node, for actions. */
  object(node: WorkloadNode): KubeObject | undefined {
    const w = this.sessions.get(node.context)?.workloads;
    switch (node.type) {
      case 'w-deployment': return w?.deployments.get(node.key);
      case 'w-replicaset': return w?.replicasets.get(node.key);
      case 'w-pod': return w?.pods.get(node.key);
      case 'w-service': return w?.services.get(node.key);
      case 'w-knode': return w?.nodes.get(node.key);
      default: return undefined;
    }
  }

  session(context: string): WorkloadSession | undefined {
    return this.sessions.get(context);
  }

  /** Watching stops for collapsed, stopped or vanished clusters. */
  stop(context: string): void {
    const session = this.sessions.get(context);
    if (session) {
      session.dispose();
      this.sessions.delete(context);
      for (const [id, n] of this.nodes) {
        if (n.context === context) {
          this.nodes.delete(id);
          this.parents.delete(id);
        }
      }
    }
  }

  /** Keeps only sessions for the given contexts (with the same fingerprint). */
  retain(live: Map<string, string>): void {
    for (const [context, session] of this.sessions) {
      if (live.get(context) !== session.fingerprint) {
        this.ctx.log.info(`Stopping the watches of ${context}: ${live.has(context) ? 'the cluster changed (new address or certificate)' : 'it is no longer running'}`);
        this.stop(context);
        this.changed.fire({ context });
      }
    }
  }

  retry(context: string): void {
    const session = this.sessions.get(context);
    if (session) {
      this.stop(context);
      this.changed.fire({ context });
    }
  }

  private ensureSession(context: string, fingerprint: string): WorkloadSession {
    let session = this.sessions.get(context);
    if (session && session.fingerprint !== fingerprint) {
      this.stop(context);
      session = undefined;
    }
    if (!session) {
      session = new WorkloadSession(context, fingerprint, {
        kubeconfigFiles: () => this.ctx.kubeconfigPaths(),
        onChange: (change) => this.applyChange(context, change),
        onState: () => this.changed.fire({ context }),
        log: (m) => this.ctx.log.info(m),
      });
      this.sessions.set(context, session);
      void session.start();
    }
    return session;
  }

  private applyChange(context: string, change: WorkloadChange): void {
    const session = this.sessions.get(context);
    const w = session?.workloads;
    if (!w || !w.synced || change.reset) {
      this.changed.fire({ context });
      return;
    }
    const prefix: Record<WorkloadChange['kind'], string> = {
      namespaces: 'ns', nodes: 'node', deployments: 'deploy', replicasets: 'rs', pods: 'pod', services: 'svc',
    };
    const toFire = new Set<WorkloadNode | { context: string }>();
    for (const k of change.keys) {
      const id = change.kind === 'namespaces' ? `${context}|ns|${k}` : `${context}|${prefix[change.kind]}|${k}`;
      const shown = this.nodes.get(id);
      const exists = objectExists(w, change.kind, k);
      const newParent = exists ? this.parentIdOf(context, change.kind, k, w) : undefined;
      const oldParent = this.parents.get(id);
      if (shown && exists && newParent === oldParent) {
        toFire.add(shown); // a status change: refresh just this item
        continue;
      }
      // Added, deleted or moved: the lists that hold it change.
      for (const parentId of [oldParent, newParent]) {
        if (parentId === undefined) continue;
        const parent = parentId === `${context}|root` ? { context } : this.nodes.get(parentId);
        if (parent) toFire.add(parent);
      }
      if (change.kind === 'namespaces') toFire.add({ context });
    }
    for (const target of toFire) this.changed.fire(target);
  }

  /** Where an object appears in the tree, as the id of its parent node. */
  private parentIdOf(context: string, kind: WorkloadChange['kind'], k: string, w: ClusterWorkloads): string | undefined {
    const ns = k.includes('/') ? k.split('/')[0] : undefined;
    switch (kind) {
      case 'deployments':
        return `${context}|ns|${ns}`;
      case 'replicasets': {
        const owner = w.replicasets.get(k)?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment');
        return owner ? `${context}|deploy|${ns}/${owner.name}` : undefined;
      }
      case 'pods': {
        const owner = w.pods.get(k)?.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
        return owner && w.replicasets.get(`${ns}/${owner.name}`) ? `${context}|rs|${ns}/${owner.name}` : `${context}|ns|${ns}`;
      }
      case 'services':
        return `${context}|svcs|${ns}`;
      case 'nodes':
        return `${context}|nodes`;
      case 'namespaces':
        return `${context}|root`;
    }
  }

  private node<T extends WorkloadNode>(fresh: T): T {
    const existing = this.nodes.get(fresh.id) as T | undefined;
    if (existing) return existing;
    this.nodes.set(fresh.id, fresh);
    return fresh;
  }

  private child<T extends WorkloadNode>(parentId: string, fresh: T): T {
    this.parents.set(fresh.id, parentId);
    return this.node(fresh);
  }

  dispose(): void {
    clearInterval(this.ageTimer);
    for (const context of [...this.sessions.keys()]) this.stop(context);
    this.changed.dispose();
  }
}

function objectExists(w: ClusterWorkloads, kind: WorkloadChange['kind'], k: string): boolean {
  return (w[kind] as { get(key: string): unknown }).get(k) !== undefined;
}

function key(obj: KubeObject): string {
  return obj.metadata?.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : (obj.metadata?.name ?? '');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function deploymentItem(node: WorkloadNode, d: V1Deployment | undefined): vscode.TreeItem {
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
  void node;
  return item;
}

function replicaSetItem(node: WorkloadNode, rs: V1ReplicaSet | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(rs?.metadata?.name ?? '(deleted)', vscode.TreeItemCollapsibleState.Collapsed);
  if (!rs) return item;
  const s = replicaSetSummary(rs);
  item.description = `revision ${s.revision ?? '?'} · desired ${s.desired} · current ${s.current} · ready ${s.ready}${s.desired === 0 ? ' · old' : ''}`;
  item.iconPath = icon('versions', s.health);
  item.contextValue = 'k8sReplicaSet';
  item.tooltip = `replicaset.apps/${rs.metadata?.name}\nimages: ${(rs.spec?.template?.spec?.containers ?? []).map((c) => c.image).join(', ')}\nAGE ${age(rs.metadata?.creationTimestamp)}`;
  void node;
  return item;
}

function podItem(node: WorkloadNode, pod: V1Pod | undefined): vscode.TreeItem {
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
  void node;
  return item;
}

function serviceItem(node: WorkloadNode, svc: V1Service | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(svc?.metadata?.name ?? '(deleted)', vscode.TreeItemCollapsibleState.None);
  if (!svc) return item;
  const ports = (svc.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
  const external = svc.status?.loadBalancer?.ingress?.map((i) => i.ip ?? i.hostname).join(',');
  item.description = `${svc.spec?.type ?? 'ClusterIP'} · ${svc.spec?.clusterIP ?? ''}${external ? ` · ${external}` : ''} · ${ports}`;
  item.iconPath = new vscode.ThemeIcon('plug');
  item.contextValue = 'k8sService';
  item.tooltip = `service/${svc.metadata?.name}\nTYPE ${svc.spec?.type}\nCLUSTER-IP ${svc.spec?.clusterIP}\nEXTERNAL-IP ${external ?? '<none>'}\nPORT(S) ${ports}\nAGE ${age(svc.metadata?.creationTimestamp)}`;
  void node;
  return item;
}
