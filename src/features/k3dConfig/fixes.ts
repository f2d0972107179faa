// The fixes the CodeLens of a k3d config file offers: in place (Add Agent, Delete Node, k3d cluster edit
// --port-add) or Recreate from File. Part of the lazy part dist/k3dConfigEditor.js.
import * as vscode from 'vscode';
import type { InPlaceFix } from '../../core/k3d/configDiff.ts';
import { addPorts } from '../../core/k3d/nodeOps.ts';
import { hostPortFree, splitPortSpec } from '../../core/k3d/hostPort.ts';
import type { K3dCluster } from '../../core/k3d/types.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore, ClustersApi } from '../clusters/api.ts';

function freshCluster(store: ClusterStore, name: string): K3dCluster | undefined {
  return store.snapshot?.clusters.find((c) => c.name === name);
}

export async function applyFix(ctx: Ctx, clusters: ClustersApi, clusterName: string, fix: InPlaceFix): Promise<void> {
  const { store } = clusters;
  await store.refresh();
  const cluster = freshCluster(store, clusterName);
  if (!cluster) {
    void vscode.window.showWarningMessage(`Cluster '${clusterName}' does not exist any more. Nothing was run.`);
    return;
  }
  if (fix.kind === 'addAgents') {
    // Add Agent's own steps (how many — the file wants this many more — name, memory), progress and `kubectl get nodes` check.
    if (fix.count > 1) vscode.window.setStatusBarMessage(`The file wants ${fix.count} more agents: enter ${fix.count} as the number`, 15_000);
    await clusters.addAgent(cluster);
    return;
  }
  if (fix.kind === 'deleteAgents') {
    for (const name of fix.nodes) {
      const node = freshCluster(store, clusterName)?.nodes.find((n) => n.name === name);
      if (!node) continue;
      // Delete Node asks first, and removes the Node object k3d leaves behind.
      await clusters.deleteNode(cluster, node);
    }
    return;
  }
  for (const spec of fix.specs) {
    const p = splitPortSpec(spec);
    if (p.hostPort && !(await hostPortFree(Number(p.hostPort), p.hostIp || '0.0.0.0'))) {
      void vscode.window.showWarningMessage(`Host port ${p.hostPort} is in use on this machine: k3d would re-create the load balancer and then fail to bind it. Free the port or change it in the file. Nothing was run.`);
      return;
    }
  }
  const go = await vscode.window.showWarningMessage(
    `Add ${fix.specs.join(', ')} to cluster '${clusterName}'?`,
    { modal: true, detail: `k3d cluster edit ${clusterName}${fix.specs.map((s) => ` --port-add ${s}`).join('')} re-creates the load balancer k3d-${clusterName}-serverlb: for a few seconds the Kubernetes API and the ports it already publishes do not answer.` },
    'Add Port',
  );
  if (go !== 'Add Port') return;
  const doing = `Adding port ${fix.specs.join(', ')} to cluster '${clusterName}'`;
  try {
    // Not cancellable: killing k3d between removing the old load balancer and starting the new one breaks the cluster.
    await store.track(clusterName, { verb: 'editing ports' }, () => clusters.withK3dProgress(doing, (run) => addPorts(ctx.k3d, clusterName, fix.specs, run), false));
    vscode.window.setStatusBarMessage(`$(check) Cluster '${clusterName}' now publishes ${fix.specs.join(', ')}`, 5000);
  } catch (e) {
    await clusters.showK3dError(doing, e, 'k3d restores the previous load balancer when the new one does not start.');
  }
}

export async function recreate(ctx: Ctx, clusters: ClustersApi, uri: vscode.Uri, clusterName: string): Promise<void> {
  const { store } = clusters;
  const rel = vscode.workspace.asRelativePath(uri);
  const go = await vscode.window.showWarningMessage(
    `Recreate cluster '${clusterName}' from ${rel}?`,
    {
      modal: true,
      detail: `k3d cluster delete ${clusterName}, then k3d cluster create --config ${rel}. Everything deployed in the cluster is lost (its node containers, volumes and kubeconfig context are re-created); images imported into it must be imported again.`,
    },
    'Delete and Recreate',
  );
  if (go !== 'Delete and Recreate') return;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty && !(await doc.save())) {
    void vscode.window.showWarningMessage(`${rel} could not be saved: k3d reads the file from disk. Nothing was run.`);
    return;
  }
  const doing = `Deleting cluster '${clusterName}' to recreate it from ${rel}`;
  try {
    await store.track(clusterName, { verb: 'deleting' }, () => clusters.withK3dProgress(doing, (run) => ctx.k3d.deleteCluster(clusterName, run), false));
  } catch (e) {
    await clusters.showK3dError(doing, e, 'Nothing was created.');
    return;
  }
  await clusters.createFromConfig(uri);
}
