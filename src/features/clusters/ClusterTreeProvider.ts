import * as vscode from 'vscode';
import type { K3dCluster, K3dNode, NodeRole } from '../../core/k3d/types.ts';
import type { KubeContext } from '../../core/kube/kubeconfig.ts';
import type { ClusterStore } from './ClusterStore.ts';

export type ClusterTreeNode =
  | { type: 'cluster'; cluster: K3dCluster }
  | { type: 'pendingCluster'; name: string }
  | { type: 'node'; cluster: K3dCluster; node: K3dNode }
  | { type: 'contextsGroup' }
  | { type: 'context'; context: KubeContext }
  | { type: 'k3dProblem'; message: string };

const STATE_ICONS = {
  running: new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('charts.green')),
  partial: new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('charts.yellow')),
  stopped: new vscode.ThemeIcon('vm', new vscode.ThemeColor('disabledForeground')),
};

const ROLE_ICONS: Record<NodeRole, string> = {
  server: 'server',
  agent: 'server-process',
  loadbalancer: 'arrow-swap',
  registry: 'package',
  tools: 'tools',
  unknown: 'circle-outline',
};

/** The Clusters view: k3d clusters with their node containers, then other kubeconfig contexts. */
export class ClusterTreeProvider implements vscode.TreeDataProvider<ClusterTreeNode> {
  private readonly store: ClusterStore;
  private readonly changed = new vscode.EventEmitter<ClusterTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(store: ClusterStore, subscriptions: vscode.Disposable[]) {
    this.store = store;
    subscriptions.push(this.changed, store.onDidChange(() => this.changed.fire(undefined)));
  }

  getChildren(element?: ClusterTreeNode): ClusterTreeNode[] {
    const snapshot = this.store.snapshot;
    if (!snapshot) {
      return [];
    }
    if (!element) {
      const roots: ClusterTreeNode[] = [];
      if (snapshot.k3d.kind === 'error' && snapshot.otherContexts.length > 0) {
        // With no contexts the view's welcome content explains; with some, say it here.
        roots.push({ type: 'k3dProblem', message: snapshot.k3d.error.message });
      }
      const names = new Set(snapshot.clusters.map((c) => c.name));
      roots.push(...snapshot.clusters.map((cluster): ClusterTreeNode => ({ type: 'cluster', cluster })));
      for (const name of this.store.pendingNames()) {
        if (!names.has(name)) {
          roots.push({ type: 'pendingCluster', name });
        }
      }
      if (snapshot.otherContexts.length > 0) {
        roots.push({ type: 'contextsGroup' });
      }
      return roots;
    }
    switch (element.type) {
      case 'cluster':
        return element.cluster.nodes.map((node): ClusterTreeNode => ({ type: 'node', cluster: element.cluster, node }));
      case 'contextsGroup':
        return snapshot.otherContexts.map((context): ClusterTreeNode => ({ type: 'context', context }));
      default:
        return [];
    }
  }

  getTreeItem(element: ClusterTreeNode): vscode.TreeItem {
    switch (element.type) {
      case 'cluster':
        return this.clusterItem(element.cluster);
      case 'pendingCluster': {
        const item = new vscode.TreeItem(element.name, vscode.TreeItemCollapsibleState.None);
        item.id = `cluster:${element.name}`;
        item.description = `${this.store.pending(element.name)?.verb ?? 'working'}…`;
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        item.contextValue = 'k3dClusterPending';
        return item;
      }
      case 'node':
        return nodeItem(element.cluster, element.node);
      case 'contextsGroup': {
        const item = new vscode.TreeItem('Other contexts', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'group:contexts';
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.tooltip = 'Kubeconfig contexts that are not k3d clusters on this machine';
        item.contextValue = 'contextsGroup';
        return item;
      }
      case 'context':
        return this.contextItem(element.context);
      case 'k3dProblem': {
        const item = new vscode.TreeItem(element.message, vscode.TreeItemCollapsibleState.None);
        item.id = 'problem:k3d';
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.tooltip = 'k3d cannot list clusters. Click to retry.';
        item.command = { command: 'k3dDeploy.refresh', title: 'Retry' };
        return item;
      }
    }
  }

  private clusterItem(cluster: K3dCluster): vscode.TreeItem {
    const current = this.store.snapshot?.kubeconfig.currentContext === cluster.contextName;
    const pending = this.store.pending(cluster.name);
    const item = new vscode.TreeItem(cluster.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `cluster:${cluster.name}`;
    const parts = [
      ...(current ? ['current'] : []),
      pending ? `${pending.verb}…` : cluster.state === 'partial' ? 'partly running' : cluster.state,
      `servers ${cluster.serversRunning}/${cluster.serversCount}`,
      `agents ${cluster.agentsRunning}/${cluster.agentsCount}`,
      ...(cluster.apiPort ? [`:${cluster.apiPort}`] : []),
      ...(this.store.k3dVersion?.simulated ? ['simulated'] : []),
    ];
    item.description = parts.join(' · ');
    item.iconPath = pending ? new vscode.ThemeIcon('loading~spin') : STATE_ICONS[cluster.state];
    item.contextValue = pending ? 'k3dClusterPending' : `k3dCluster:${cluster.state}${current ? ':current' : ''}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${cluster.name}**${current ? ' — current context' : ''}\n\n`);
    md.appendMarkdown(`State: ${cluster.state === 'partial' ? 'partly running' : cluster.state}  \n`);
    md.appendMarkdown(`Servers: ${cluster.serversRunning}/${cluster.serversCount} running  \n`);
    md.appendMarkdown(`Agents: ${cluster.agentsRunning}/${cluster.agentsCount} running  \n`);
    md.appendMarkdown(`Load balancer: ${cluster.hasLoadbalancer ? 'yes' : 'no'}  \n`);
    if (cluster.apiPort) {
      md.appendMarkdown(`API: https://${cluster.apiHost || '0.0.0.0'}:${cluster.apiPort}  \n`);
    }
    md.appendMarkdown(`Context: \`${cluster.contextName}\``);
    if (this.store.k3dVersion?.simulated) {
      md.appendMarkdown('\n\n$(beaker) Simulated by k3d Deploy\'s test k3d: no Docker containers are involved.');
    }
    item.tooltip = md;
    return item;
  }

  private contextItem(context: KubeContext): vscode.TreeItem {
    const current = this.store.snapshot?.kubeconfig.currentContext === context.name;
    const item = new vscode.TreeItem(context.name, vscode.TreeItemCollapsibleState.None);
    item.id = `context:${context.name}`;
    item.description = [...(current ? ['current'] : []), ...(context.server ? [context.server] : [])].join(' · ');
    item.iconPath = new vscode.ThemeIcon(current ? 'pass-filled' : 'circle-large-outline', current ? new vscode.ThemeColor('charts.green') : undefined);
    item.contextValue = current ? 'kubeContext:current' : 'kubeContext';
    item.tooltip = `${context.name}\ncluster: ${context.cluster ?? '?'}\nuser: ${context.user ?? '?'}${context.namespace ? `\nnamespace: ${context.namespace}` : ''}\nserver: ${context.server ?? '?'}\nfile: ${context.file}`;
    return item;
  }
}

function nodeItem(cluster: K3dCluster, node: K3dNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
  item.id = `node:${cluster.name}:${node.name}`;
  item.description = `${node.role} · ${node.status}`;
  item.iconPath = new vscode.ThemeIcon(
    ROLE_ICONS[node.role],
    new vscode.ThemeColor(node.running ? 'charts.green' : 'disabledForeground'),
  );
  item.tooltip = `${node.name}\nrole: ${node.role}\nstate: ${node.status}${node.ip ? `\nIP: ${node.ip}` : ''}`;
  item.contextValue = `k3dNode:${node.running ? 'running' : 'stopped'}`;
  return item;
}
