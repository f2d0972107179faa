import * as vscode from 'vscode';
import type { K3dCluster, K3dNode, NodeRole } from '../../core/k3d/types.ts';
import type { KubeContext } from '../../core/kube/kubeconfig.ts';
import { isWorkloadNode, type WorkloadNode, type WorkloadTree } from '../workloads/api.ts';
import type { ClusterStore } from './ClusterStore.ts';
import { registryTreeItem } from './registries.ts';
import type { RegistryList, RegistryTreeNode } from './registries.ts';

export type ClusterTreeNode =
  | { type: 'cluster'; cluster: K3dCluster }
  | { type: 'pendingCluster'; name: string }
  | { type: 'containers'; cluster: K3dCluster }
  | { type: 'node'; cluster: K3dCluster; node: K3dNode }
  | { type: 'contextsGroup' }
  | { type: 'context'; context: KubeContext }
  | { type: 'k3dProblem'; message: string }
  | RegistryTreeNode;

export type TreeNode = ClusterTreeNode | WorkloadNode;

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
export class ClusterTreeProvider implements vscode.TreeDataProvider<TreeNode> {
  private readonly store: ClusterStore;
  private readonly workloads: WorkloadTree;
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Cluster and context nodes by id, kept so that a refresh of one of them can name it. */
  private readonly roots = new Map<string, ClusterTreeNode>();

  private readonly registries?: RegistryList;

  constructor(store: ClusterStore, workloads: WorkloadTree, subscriptions: vscode.Disposable[], registries?: RegistryList) {
    this.store = store;
    this.workloads = workloads;
    this.registries = registries;
    // The whole view: the group itself may appear or go (see knownCount).
    if (registries) subscriptions.push(registries.onDidChange(() => this.changed.fire(undefined)));
    subscriptions.push(
      this.changed,
      store.onDidChange(() => {
        this.workloads.retain(this.liveContexts());
        this.changed.fire(undefined);
      }),
      workloads.onDidChange((target) => {
        if (target === undefined) {
          this.changed.fire(undefined);
        } else if ('type' in target) {
          this.changed.fire(target);
        } else {
          const root = this.roots.get(`cluster:${target.context.replace(/^k3d-/, '')}`) ?? this.roots.get(`context:${target.context}`);
          this.changed.fire(root);
        }
      }),
    );
  }

  /** The contexts whose workloads may be watched, with what identifies their API server. */
  private liveContexts(): Map<string, string> {
    const live = new Map<string, string>();
    const snapshot = this.store.snapshot;
    for (const c of snapshot?.clusters ?? []) {
      if (c.state !== 'stopped' && !this.store.pending(c.name)) {
        live.set(c.contextName, fingerprint(snapshot?.kubeconfig.contexts.find((k) => k.name === c.contextName), c));
      }
    }
    for (const k of snapshot?.otherContexts ?? []) {
      live.set(k.name, fingerprint(k));
    }
    return live;
  }

  getChildren(element?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    const snapshot = this.store.snapshot;
    if (!snapshot) {
      return [];
    }
    if (element && isWorkloadNode(element)) {
      return this.workloads.getChildren(element);
    }
    if (!element) {
      const roots: ClusterTreeNode[] = [];
      if (snapshot.k3d.kind === 'error' && snapshot.otherContexts.length > 0) {
        // With no contexts the view's welcome content explains; with some, say it here.
        roots.push({ type: 'k3dProblem', message: snapshot.k3d.error.message });
      }
      const names = new Set(snapshot.clusters.map((c) => c.name));
      roots.push(...snapshot.clusters.map((cluster) => this.root(`cluster:${cluster.name}`, { type: 'cluster', cluster })));
      for (const name of this.store.pendingNames()) {
        if (!names.has(name)) {
          roots.push({ type: 'pendingCluster', name });
        }
      }
      if (this.registries && snapshot.k3d.kind !== 'error' && (snapshot.clusters.length > 0 || this.registries.knownCount() > 0)) roots.push(REGISTRIES_GROUP);
      if (snapshot.otherContexts.length > 0) {
        roots.push({ type: 'contextsGroup' });
      }
      return roots;
    }
    switch (element.type) {
      case 'cluster': {
        const cluster = element.cluster;
        const containers: TreeNode = { type: 'containers', cluster };
        const live = this.liveContexts().get(cluster.contextName);
        if (live === undefined) return [containers];
        this.workloads.show(cluster.contextName, live);
        return [containers, ...this.workloads.rootChildren(cluster.contextName)];
      }
      case 'containers':
        return element.cluster.nodes.map((node): ClusterTreeNode => ({ type: 'node', cluster: element.cluster, node }));
      case 'contextsGroup':
        return snapshot.otherContexts.map((context) => this.root(`context:${context.name}`, { type: 'context', context }));
      case 'context':
        this.workloads.show(element.context.name, fingerprint(element.context));
        return this.workloads.rootChildren(element.context.name);
      case 'registriesGroup':
        return this.registries?.children() ?? [];
      default:
        return [];
    }
  }

  /** Keeps one node object per id, updated in place, so VS Code can match refreshes to it. */
  private root<T extends ClusterTreeNode>(id: string, fresh: T): T {
    const existing = this.roots.get(id) as T | undefined;
    if (existing && existing.type === fresh.type) {
      Object.assign(existing, fresh);
      return existing;
    }
    this.roots.set(id, fresh);
    return fresh;
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    if (isWorkloadNode(element)) {
      return this.workloads.getTreeItem(element);
    }
    switch (element.type) {
      case 'cluster':
        return this.clusterItem(element.cluster);
      case 'containers': {
        const item = new vscode.TreeItem('Containers', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `containers:${element.cluster.name}`;
        const running = element.cluster.nodes.filter((n) => n.running).length;
        item.description = `${running}/${element.cluster.nodes.length} running · docker ps`;
        item.iconPath = new vscode.ThemeIcon('package');
        item.tooltip = 'The Docker containers k3d runs for this cluster';
        item.contextValue = 'k3dContainers';
        return item;
      }
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
      case 'registriesGroup':
      case 'registry':
      case 'registriesHint':
        return registryTreeItem(element);
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
    const item = new vscode.TreeItem(context.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `context:${context.name}`;
    item.description = [...(current ? ['current'] : []), ...(context.server ? [context.server] : [])].join(' · ');
    item.iconPath = new vscode.ThemeIcon(current ? 'pass-filled' : 'circle-large-outline', current ? new vscode.ThemeColor('charts.green') : undefined);
    item.contextValue = current ? 'kubeContext:current' : 'kubeContext';
    item.tooltip = `${context.name}\ncluster: ${context.cluster ?? '?'}\nuser: ${context.user ?? '?'}${context.namespace ? `\nnamespace: ${context.namespace}` : ''}\nserver: ${context.server ?? '?'}\nfile: ${context.file}`;
    return item;
  }
}

/** One object for the group, so that a change of the registries refreshes just it. */
const REGISTRIES_GROUP: RegistryTreeNode = { type: 'registriesGroup' };

/** What identifies the API server behind a context: a re-created cluster gets a new one. */
function fingerprint(context: KubeContext | undefined, cluster?: K3dCluster): string {
  const server = cluster?.nodes.find((n) => n.role === 'server');
  return [context?.server ?? '', cluster?.apiPort ?? '', server?.created ?? ''].join('|');
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
  item.contextValue = `k3dNode:${node.role}:${node.running ? 'running' : 'stopped'}`;
  return item;
}
