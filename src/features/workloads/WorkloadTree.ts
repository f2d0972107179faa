import * as vscode from 'vscode';
import type { V1Node, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { nodeSummary } from '../../core/kube/status.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import { SYSTEM_NAMESPACES } from '../../core/kube/namespaces.ts';
import type { WorkloadChange } from '../../core/kube/workloads.ts';
import type { Ctx } from '../../ctx.ts';
import { eventSubject, groupEvents, type EventGroup, type EventWarning } from '../../core/kube/events.ts';
import { deploymentItem, eventItem, eventsItem, icon, kubeNodeItem, plural, podItem, podWarning, replicaSetItem, serviceItem } from './items.ts';
import { differences, type ManifestIndex } from './ManifestIndex.ts';
import { WorkloadModel, type EventsOf, type RefreshTarget, type WorkloadNode } from './model.ts';
import { WorkloadSession } from './WorkloadSession.ts';

export { isWorkloadNode, type SystemNamespaces, type WorkloadNode } from './model.ts';

/**
 * The workloads under a cluster or context, as VS Code tree items. The nodes come from the pure
 * model (model.ts) over the context's shared caches (ctx.kube); a watch event refreshes only the
 * items it touches. A context's caches are held while its item is shown expanded (show(), stop()).
 */
export class WorkloadTree implements vscode.Disposable {
  private readonly ctx: Ctx;
  private readonly sessions = new Map<string, WorkloadSession>();
  private readonly model = new WorkloadModel();
  private readonly changed = new vscode.EventEmitter<RefreshTarget | undefined>();
  /** A workload node changed (refresh it), or a whole context (refresh its root item), or everything. */
  readonly onDidChange = this.changed.event;
  private ageTimer: NodeJS.Timeout;
  private readonly manifests: ManifestIndex;

  constructor(ctx: Ctx, manifests: ManifestIndex) {
    this.ctx = ctx;
    this.manifests = manifests;
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

  /** Children of a shown cluster's or context's item (see show()), from its caches. */
  rootChildren(context: string): WorkloadNode[] {
    const session = this.sessions.get(context);
    if (!session) return [];
    const problem = session.state.kind === 'failed' || session.degraded.size > 0 || session.state.kind === 'connecting';
    return this.model.rootChildren(context, session.workloads, problem, this.ctx.config.systemNamespaces);
  }

  getChildren(node: WorkloadNode): WorkloadNode[] {
    const session = this.sessions.get(node.context);
    return this.model.children(node, session?.workloads, session && eventsOf(session));
  }

  getTreeItem(node: WorkloadNode): vscode.TreeItem {
    const item = this.treeItem(node, this.sessions.get(node.context));
    item.id = node.id;
    return item;
  }

  private treeItem(node: WorkloadNode, session: WorkloadSession | undefined): vscode.TreeItem {
    const w = session?.workloads;
    const None = vscode.TreeItemCollapsibleState.None;
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (node.type) {
      case 'w-state':
        return stateItem(node.context, session);
      case 'w-nodes': {
        const item = new vscode.TreeItem('Nodes', Collapsed);
        const list = w?.nodeList() ?? [];
        item.description = `${list.filter((n) => nodeSummary(n).health === 'ok').length}/${list.length} Ready`;
        item.iconPath = new vscode.ThemeIcon('server-environment');
        item.contextValue = 'k8sNodes';
        return item;
      }
      case 'w-knode':
        return kubeNodeItem(node.key, w?.nodes.get(node.key) as V1Node | undefined);
      case 'w-system': {
        const item = new vscode.TreeItem('System namespaces', Collapsed);
        item.iconPath = new vscode.ThemeIcon('gear');
        item.description = [...SYSTEM_NAMESPACES].join(', ');
        item.contextValue = 'k8sSystemNamespaces';
        return item;
      }
      case 'w-namespace': {
        const item = new vscode.TreeItem(node.ns, node.ns === 'default' ? vscode.TreeItemCollapsibleState.Expanded : Collapsed);
        item.description = plural(w?.deploymentsIn(node.ns).length ?? 0, 'deployment');
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
      case 'w-deployment':
        return this.deploymentWithDrift(w?.deployments.get(node.key), session);
      case 'w-replicaset':
        return replicaSetItem(w?.replicasets.get(node.key) as V1ReplicaSet | undefined);
      case 'w-pod':
        return podItem(w?.pods.get(node.key) as V1Pod | undefined, session ? eventsOf(session).pod(node.key) : []);
      case 'w-events': {
        const events = session ? eventsOf(session) : undefined;
        return eventsItem((node.owner === 'deploy' ? events?.deployment(node.key) : events?.pod(node.key)) ?? []);
      }
      case 'w-event': {
        const events = session ? eventsOf(session) : undefined;
        const groups = (node.owner === 'deploy' ? events?.deployment(node.key) : events?.pod(node.key)) ?? [];
        return eventItem(groups.find((g) => g.id === node.group), node.owner === 'deploy');
      }
      case 'w-service':
        return serviceItem(w?.services.get(node.key) as V1Service | undefined);
    }
  }

  /** A deployment changed imperatively (scale, set image) that a workspace manifest declares: the file is no longer the truth. */
  private deploymentWithDrift(d: Parameters<typeof deploymentItem>[0], session?: WorkloadSession): vscode.TreeItem {
    const item = d && session ? deploymentItem(d, eventsOf(session).deployment(`${d.metadata?.namespace}/${d.metadata?.name}`), podWarnings(session, d)) : deploymentItem(d);
    const declared = d ? this.manifests.declared(d.metadata?.namespace ?? 'default', d.metadata?.name ?? '') : undefined;
    const diff = d && declared ? differences(d, declared) : [];
    if (declared && diff.length > 0) {
      item.description = `≠ ${vscode.workspace.asRelativePath(declared.uri)} · ${String(item.description ?? '')}`;
      item.iconPath = new vscode.ThemeIcon('layers', new vscode.ThemeColor('charts.orange'));
      item.contextValue = 'k8sDeployment:drift';
      const md = item.tooltip instanceof vscode.MarkdownString ? item.tooltip : new vscode.MarkdownString();
      md.appendMarkdown(`\n\n$(warning) **Differs from ${vscode.workspace.asRelativePath(declared.uri)}:**\n\n${diff.map((x) => `- ${x}`).join('\n')}\n\nEdit the file and apply it, or apply it as it is to undo the change. The file should be the truth: it is what you review, commit and apply again on a new cluster, and the next apply silently undoes a change made only in the cluster ([why](command:workbench.action.openWalkthrough?${encodeURIComponent(JSON.stringify([{ category: 'k3d-deploy.k3d-deploy#firstDeploy', step: 'k3d-deploy.k3d-deploy#firstDeploy#imperative' }, false]))})).`);
      md.isTrusted = { enabledCommands: ['workbench.action.openWalkthrough'] };
      item.tooltip = md;
    } else if (declared) {
      item.contextValue = 'k8sDeployment:declared';
    }
    return item;
  }

  /** The live object behind a node, for actions. */
  object(node: WorkloadNode): KubeObject | undefined {
    return this.model.object(node, this.sessions.get(node.context)?.workloads);
  }

  session(context: string): WorkloadSession | undefined {
    return this.sessions.get(context);
  }

  /** Releases a context's caches (collapsed, stopped or vanished): their watches stop unless another feature reads them. */
  stop(context: string): void {
    const session = this.sessions.get(context);
    if (session) {
      session.dispose();
      this.sessions.delete(context);
      this.model.forget(context);
    }
  }

  /** The clusters view says which contexts are live: the others' watches stop, re-created clusters reconnect. */
  retain(live: Map<string, string>): void {
    this.ctx.kube.setLive(live);
    for (const [context, session] of this.sessions) {
      if (live.get(context) !== session.fingerprint) {
        this.ctx.log.info(`Stopping the watches of ${context}: ${live.has(context) ? 'the cluster changed (new address or certificate)' : 'it is no longer running'}`);
        this.stop(context);
        this.changed.fire({ context });
      }
    }
  }

  retry(context: string): void {
    if (this.sessions.has(context)) {
      this.stop(context);
      this.ctx.kube.retry(context);
      this.changed.fire({ context });
    }
  }

  /**
   * The clusters view shows a context's item expanded: hold its caches (once) until stop().
   * A new fingerprint (a re-created cluster) starts over.
   */
  show(context: string, fingerprint: string): WorkloadSession {
    let session = this.sessions.get(context);
    if (session && session.fingerprint !== fingerprint) {
      this.stop(context);
      session = undefined;
    }
    if (!session) {
      session = new WorkloadSession(this.ctx.kube, context, fingerprint, {
        onChange: (change) => this.applyChange(context, change),
        onState: () => this.changed.fire({ context }),
        onEvents: (keys, reset) => this.applyEvents(context, keys, reset),
      });
      this.sessions.set(context, session);
    }
    return session;
  }

  private applyChange(context: string, change: WorkloadChange): void {
    for (const target of this.model.affected(context, change, this.sessions.get(context)?.workloads)) this.changed.fire(target);
  }

  /** Events came or changed: the rows of the objects they name (and their deployment's) refresh. */
  private applyEvents(context: string, keys: ReadonlySet<string>, reset: boolean): void {
    const session = this.sessions.get(context);
    if (!session) return;
    if (reset) {
      this.changed.fire({ context });
      return;
    }
    const targets = new Set<RefreshTarget>();
    for (const k of keys) {
      const e = session.events.get(k);
      // A deleted event (its TTL ran out) leaves its row until the next age refresh.
      if (!e) continue;
      for (const t of this.model.eventTargets(context, eventSubject(e), session.workloads)) targets.add(t);
    }
    for (const t of targets) this.changed.fire(t);
  }

  dispose(): void {
    clearInterval(this.ageTimer);
    for (const context of [...this.sessions.keys()]) this.stop(context);
    this.changed.dispose();
  }
}

/** The grouped events of a context's deployments and pods, from the session's event index. */
function eventsOf(session: WorkloadSession): EventsOf {
  const w = session.workloads;
  const index = session.eventIndex();
  const kind = (k: string, o: { metadata?: { name?: string; namespace?: string; uid?: string } }) => ({ kind: k, metadata: o.metadata });
  return {
    pod: (key: string): EventGroup[] => {
      const pod = w.pods.get(key);
      return pod ? groupEvents(index.of([kind('Pod', pod)])) : [];
    },
    deployment: (key: string): EventGroup[] => {
      const d = w.deployments.get(key);
      if (!d) return [];
      const sets = w.replicaSetsOf(d);
      const pods = sets.flatMap((rs) => w.podsOf(rs));
      return groupEvents(index.of([kind('Deployment', d), ...sets.map((rs) => kind('ReplicaSet', rs)), ...pods.map((p) => kind('Pod', p))]));
    },
  };
}

/** The warnings of a deployment's failing pods, one per pod. */
function podWarnings(session: WorkloadSession, d: NonNullable<Parameters<typeof deploymentItem>[0]>): EventWarning[] {
  const events = eventsOf(session);
  const out: EventWarning[] = [];
  for (const pod of session.workloads.podsOfDeployment(d)) {
    const w = podWarning(pod, events.pod(`${pod.metadata?.namespace}/${pod.metadata?.name}`));
    if (w) out.push(w);
  }
  return out;
}

function stateItem(context: string, session: WorkloadSession | undefined): vscode.TreeItem {
  const None = vscode.TreeItemCollapsibleState.None;
  if (session?.state.kind === 'failed') {
    const item = new vscode.TreeItem(`Cannot connect: ${session.state.error.message}`, None);
    item.iconPath = icon('error', 'failed');
    item.tooltip = `${session.state.error.message}\nClick to retry.`;
    item.command = { command: 'k3dDeploy.retryWorkloads', title: 'Retry', arguments: [context] };
    item.contextValue = 'k8sProblem';
    return item;
  }
  const [kind, error] = [...(session?.degraded ?? new Map()).entries()][0] ?? [];
  if (error) {
    const item = new vscode.TreeItem(session?.workloads.synced ? `Reconnecting (${kind}): ${error.message}` : `Cannot reach the API: ${error.message}`, None);
    item.iconPath = icon('warning', 'progressing');
    item.tooltip = 'The view shows the last known state and reconnects by itself. Click to retry now.';
    item.command = { command: 'k3dDeploy.retryWorkloads', title: 'Retry', arguments: [context] };
    item.contextValue = 'k8sProblem';
    return item;
  }
  const item = new vscode.TreeItem('Loading workloads…', None);
  item.iconPath = new vscode.ThemeIcon('loading~spin');
  return item;
}
