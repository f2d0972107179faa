// Add Agent / Add Server, Delete Node, Start Node / Stop Node: `k3d node create|delete|start|stop` from the
// cluster's Containers group and node rows, or the palette.
import * as vscode from 'vscode';
import { validateNewNodeName, validateMemory, validateReplicas } from '../../core/k3d/args.ts';
import { K3dError } from '../../core/k3d/errors.ts';
import { createdNodeNames, createNodes, deleteNode, startNode, stopNode } from '../../core/k3d/nodeOps.ts';
import type { K3dCluster, K3dNode } from '../../core/k3d/types.ts';
import { deleteObject } from '../../core/kube/actions.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore } from './ClusterStore.ts';
import type { ClusterTreeNode } from './ClusterTreeProvider.ts';
import { resolveCluster } from './commands.ts';
import { showK3dError } from './errors.ts';
import { withK3dProgress } from './k3dProgress.ts';

type Role = 'agent' | 'server';

/** The cluster a tree argument belongs to (cluster row, Containers group, node row), or a pick. */
async function clusterOf(store: ClusterStore, node: ClusterTreeNode | undefined, eligible: (c: K3dCluster) => boolean, placeHolder: string, none: string): Promise<K3dCluster | undefined> {
  const arg: ClusterTreeNode | undefined = node?.type === 'containers' ? { type: 'cluster', cluster: node.cluster } : node;
  return resolveCluster(store, arg, eligible, placeHolder, none);
}

/** The node a command acts on: the row it was started from (checked against the latest listing), or a pick. */
async function nodeOf(store: ClusterStore, node: ClusterTreeNode | undefined, eligible: (n: K3dNode) => boolean, verb: string): Promise<{ cluster: K3dCluster; node: K3dNode } | undefined> {
  const cluster = await clusterOf(store, node, (c) => c.nodes.some(eligible), `${verb} a node of which cluster?`, `No cluster has a node to ${verb.toLowerCase()}.`);
  if (!cluster) return undefined;
  if (node?.type === 'node') {
    const name: unknown = node.node?.name;
    const fresh = cluster.nodes.find((n) => n.name === name);
    if (!fresh) {
      void vscode.window.showWarningMessage(`Node ${JSON.stringify(String(name)).slice(0, 80)} is not in cluster '${cluster.name}' any more. Nothing was run.`);
      return undefined;
    }
    return { cluster, node: fresh };
  }
  const nodes = cluster.nodes.filter(eligible);
  if (nodes.length === 0) {
    void vscode.window.showInformationMessage(`Cluster '${cluster.name}' has no node to ${verb.toLowerCase()}.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    nodes.map((n) => ({ label: n.name, description: `${n.role} · ${n.status}`, node: n })),
    { title: `${verb} Node`, placeHolder: `${verb} which node of '${cluster.name}'?` },
  );
  return picked && { cluster, node: picked.node };
}

/** A name for `k3d node create NAME` whose containers (`k3d-NAME-i`) are all free. */
function suggestName(cluster: K3dCluster, role: Role, taken: Set<string>): string {
  for (let i = 1; ; i++) {
    const name = `${cluster.name}-extra-${role}${i === 1 ? '' : i}`;
    if (!createdNodeNames(name, 3).some((n) => taken.has(n))) return name;
  }
}

export async function addNodes(ctx: Ctx, store: ClusterStore, role: Role, node?: ClusterTreeNode): Promise<void> {
  const title = role === 'agent' ? 'Add Agent' : 'Add Server';
  const cluster = await clusterOf(store, node, () => true, `${title}: to which cluster?`, 'There is no k3d cluster. Create one first.');
  if (!cluster) return;
  if (cluster.state === 'stopped') {
    const choice = await vscode.window.showWarningMessage(
      `Cluster '${cluster.name}' is stopped: a new ${role} cannot join it (k3d would wait for it to register forever). Start the cluster first.`,
      'Start Cluster',
    );
    if (choice) await vscode.commands.executeCommand('k3dDeploy.startCluster', { type: 'cluster', cluster } satisfies ClusterTreeNode);
    return;
  }
  if (role === 'server' && cluster.serversCount === 1) {
    const go = await vscode.window.showWarningMessage(
      `Add a server to '${cluster.name}'?`,
      { modal: true, detail: 'k3s adds servers only to a cluster that runs embedded etcd (k3d starts one when the cluster is created with 2 or more servers, or with --k3s-arg --cluster-init@server:0). A single-server cluster uses SQLite: the new server would not join, and k3d would wait for it until cancelled.' },
      'Add Anyway',
    );
    if (go !== 'Add Anyway') return;
  }
  const taken = new Set((store.snapshot?.clusters ?? []).flatMap((c) => c.nodes.map((n) => n.name)));
  const replicasText = await vscode.window.showInputBox({
    title: `${title} to '${cluster.name}' (1/3): how many?`,
    value: '1',
    prompt: `k3d node create --role ${role} --replicas N`,
    validateInput: (v) => validateReplicas(v),
  });
  if (replicasText === undefined) return;
  const replicas = Number(replicasText.trim());
  const name = await vscode.window.showInputBox({
    title: `${title} to '${cluster.name}' (2/3): name`,
    value: suggestName(cluster, role, taken),
    prompt: `k3d names the container${replicas > 1 ? 's' : ''} k3d-NAME-0${replicas > 1 ? ` … k3d-NAME-${replicas - 1}` : ''}; that is also the Kubernetes node name.`,
    validateInput: (v) => {
      const why = validateNewNodeName(v.trim(), replicas);
      if (why) return why;
      const clash = createdNodeNames(v.trim(), replicas).find((n) => taken.has(n));
      return clash ? `A container named ${clash} exists already: choose another name.` : undefined;
    },
  });
  if (name === undefined) return;
  const memory = await vscode.window.showInputBox({
    title: `${title} to '${cluster.name}' (3/3): memory limit`,
    placeHolder: 'e.g. 1g or 512m — leave empty for no limit',
    prompt: 'k3d node create --memory (a Docker memory limit; k3s needs at least 256m)',
    validateInput: (v) => (v.trim() === '' ? undefined : validateMemory(v.trim())),
  });
  if (memory === undefined) return;

  const names = createdNodeNames(name.trim(), replicas);
  const doing = `Adding ${replicas} ${role}${replicas > 1 ? 's' : ''} to cluster '${cluster.name}'`;
  try {
    await withK3dProgress(ctx, doing, (run) =>
      createNodes(ctx.k3d, { name: name.trim(), cluster: cluster.name, role, replicas, memory: memory.trim() || undefined }, run),
    );
  } catch (e) {
    await store.refresh();
    const left = names.filter((n) => store.snapshot?.clusters.some((c) => c.nodes.some((x) => x.name === n)));
    if (e instanceof K3dError && (e.kind === 'cancelled' || e.kind === 'timedOut') && left.length > 0) {
      // k3d does not roll back a node create: say what it left and offer to remove it.
      const choice = await vscode.window.showWarningMessage(
        `${doing} was ${e.kind === 'cancelled' ? 'cancelled' : 'stopped after k3d.operationTimeout'}. k3d does not roll back: it left ${left.join(', ')} in the cluster.`,
        'Delete Them', 'Keep Them',
      );
      if (choice === 'Delete Them') await deleteNodes(ctx, store, cluster, left);
      return;
    }
    await showK3dError(ctx, doing, e, left.length ? `k3d left ${left.join(', ')} in the cluster.` : '');
    return;
  }
  await store.refresh();
  const seen = await kubernetesNodes(ctx, cluster, names);
  const what = names.length === 1 ? `Node ${names[0]}` : `Nodes ${names.join(', ')}`;
  void vscode.window.showInformationMessage(`${what} joined cluster '${cluster.name}'${seen}.`);
}

/**
 * What `kubectl get nodes` says about `names`, as a phrase; empty when the API cannot be asked. k3d returns once a
 * node registered; k3s marks it Ready a few seconds later, so this waits (up to 30 s) for Ready.
 */
async function kubernetesNodes(ctx: Ctx, cluster: K3dCluster, names: string[]): Promise<string> {
  try {
    const http = await ctx.kube.http(cluster.contextName);
    const read = () => Promise.all(names.map(async (n) => {
      const obj = await http.json<{ status?: { conditions?: Array<{ type?: string; status?: string }> } }>(`/api/v1/nodes/${encodeURIComponent(n)}`).catch(() => undefined);
      if (!obj) return 'not listed yet';
      return obj.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady';
    }));
    let states = await read();
    if (states.some((s) => s !== 'Ready')) {
      states = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Waiting for kubectl get nodes to list ${names.join(', ')} Ready`, cancellable: true },
        async (_progress, token) => {
          let latest = states;
          for (let i = 0; i < 30 && !token.isCancellationRequested && latest.some((s) => s !== 'Ready'); i++) {
            await new Promise((r) => setTimeout(r, 1000));
            latest = await read();
          }
          return latest;
        },
      );
    }
    const all = new Set(states);
    return all.size === 1 ? ` (kubectl get nodes: ${states[0]})` : ` (kubectl get nodes: ${names.map((n, i) => `${n} ${states[i]}`).join(', ')})`;
  } catch (e) {
    ctx.log.warn(`Could not ask cluster ${cluster.name} about its nodes: ${e instanceof Error ? e.message : String(e)}`);
    return '';
  }
}

export async function removeNode(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const target = await nodeOf(store, node, (n) => n.role === 'agent' || n.role === 'server', 'Delete');
  if (!target) return;
  const { cluster, node: victim } = target;
  if (victim.role !== 'agent' && victim.role !== 'server') {
    void vscode.window.showWarningMessage(`${victim.name} is the cluster's ${victim.role}: it cannot be deleted on its own. Delete the cluster instead. Nothing was run.`);
    return;
  }
  if (victim.role === 'server' && cluster.nodes.filter((n) => n.role === 'server').length === 1) {
    void vscode.window.showWarningMessage(`${victim.name} is the only server of cluster '${cluster.name}': without it there is no Kubernetes API. Delete the cluster instead. Nothing was run.`);
    return;
  }
  const answer = await vscode.window.showWarningMessage(
    `Delete node ${victim.name} from cluster '${cluster.name}'?`,
    {
      modal: true,
      detail: `k3d node delete removes its container; the pods on it are lost (those of a Deployment are re-created elsewhere). k3d leaves the Kubernetes Node object behind, NotReady: k3d Deploy removes it too (kubectl delete node ${victim.name}).`,
    },
    'Delete',
  );
  if (answer !== 'Delete') return;
  await deleteNodes(ctx, store, cluster, [victim.name]);
}

async function deleteNodes(ctx: Ctx, store: ClusterStore, cluster: K3dCluster, names: string[]): Promise<void> {
  const doing = `Deleting node${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
  for (const name of names) {
    try {
      await withK3dProgress(ctx, doing, (run) => deleteNode(ctx.k3d, name, run));
    } catch (e) {
      await store.refresh();
      await showK3dError(ctx, doing, e);
      return;
    }
  }
  await store.refresh();
  // k3d's NodeDelete removes only the container (pkg/client/node.go): the Node object would stay, NotReady.
  const leftBehind: string[] = [];
  if (cluster.state === 'stopped') {
    leftBehind.push(...names.map((n) => `${n} (the cluster is stopped, so its API could not be asked)`));
  } else {
    for (const name of names) {
      try {
        const http = await ctx.kube.http(cluster.contextName);
        await deleteObject(http, { apiVersion: 'v1', resource: 'nodes', name });
        ctx.log.info(`Deleted the Node object ${name} from ${cluster.contextName} (kubectl delete node ${name}).`);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        if (/not ?found|404/i.test(why)) continue;
        ctx.log.warn(`Could not delete the Node object ${name} from ${cluster.contextName}: ${why}`);
        leftBehind.push(`${name} (${why})`);
      }
    }
  }
  if (leftBehind.length > 0) {
    void vscode.window.showWarningMessage(`Deleted the container${names.length > 1 ? 's' : ''}, but Kubernetes still lists ${leftBehind.join(', ')} as a NotReady node: run kubectl delete node.`);
  } else {
    vscode.window.setStatusBarMessage(`$(trash) Deleted node${names.length > 1 ? 's' : ''} ${names.join(', ')}`, 5000);
  }
}

export async function setNodeRunning(ctx: Ctx, store: ClusterStore, node: ClusterTreeNode | undefined, start: boolean): Promise<void> {
  const verb = start ? 'Start' : 'Stop';
  const target = await nodeOf(store, node, (n) => n.role !== 'registry' && n.role !== 'tools' && n.running !== start, verb);
  if (!target) return;
  const { cluster, node: n } = target;
  if (n.running === start) {
    void vscode.window.showInformationMessage(`${n.name} is ${start ? 'already running' : 'not running'}.`);
    return;
  }
  if (!start) {
    const runningServers = cluster.nodes.filter((x) => x.role === 'server' && x.running);
    const why = n.role === 'loadbalancer'
      ? `The load balancer publishes the Kubernetes API (port ${cluster.apiPort ?? '?'}) and the cluster's ports: kubectl and the view lose the cluster until it runs again.`
      : n.role === 'server' && runningServers.length === 1
        ? `${n.name} is the only running server: the Kubernetes API stops with it.`
        : undefined;
    if (why) {
      const go = await vscode.window.showWarningMessage(`Stop ${n.name}?`, { modal: true, detail: why }, 'Stop');
      if (go !== 'Stop') return;
    }
  }
  const doing = `${start ? 'Starting' : 'Stopping'} node ${n.name}`;
  try {
    await withK3dProgress(ctx, doing, (run) => (start ? startNode(ctx.k3d, n.name, run) : stopNode(ctx.k3d, n.name, run)));
  } catch (e) {
    await store.refresh();
    await showK3dError(ctx, doing, e);
    return;
  }
  await store.refresh();
  vscode.window.setStatusBarMessage(`$(${start ? 'debug-start' : 'debug-stop'}) ${n.name} ${start ? 'started' : 'stopped'}`, 5000);
}
