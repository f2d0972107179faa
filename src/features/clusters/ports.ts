// Edit Ports: `k3d cluster edit NAME --port-add HOST:CONTAINER@loadbalancer`, which re-creates the cluster's load
// balancer; removing a mapping needs a k3d whose `cluster edit` has --port-delete (k3d v5's has only --port-add).
import * as vscode from 'vscode';
import { checkNewPort, hostPortFree, splitPortSpec } from '../../core/k3d/hostPort.ts';
import { addPorts, canDeletePorts, deletePorts, loadBalancerPorts, type PublishedPort } from '../../core/k3d/nodeOps.ts';
import type { K3dCluster } from '../../core/k3d/types.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore } from './ClusterStore.ts';
import type { ClusterTreeNode } from './ClusterTreeProvider.ts';
import { resolveCluster } from './commands.ts';
import { showK3dError } from './errors.ts';
import { withK3dProgress } from './k3dProgress.ts';

/** Open in Browser for a port the cluster's load balancer publishes: http://localhost:HOSTPORT. */
export async function openPortInBrowser(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const arg: ClusterTreeNode | undefined = node?.type === 'containers' || node?.type === 'node' ? { type: 'cluster', cluster: node.cluster } : node;
  const cluster = await resolveCluster(store, arg, (c) => c.state !== 'stopped', 'Open a port of which running cluster?', 'There is no running k3d cluster.');
  if (!cluster) return;
  let published: PublishedPort[];
  try {
    published = (await loadBalancerPorts(ctx.k3d, cluster.name)).filter((p) => p.proto === 'tcp');
  } catch (e) {
    await showK3dError(ctx, `Reading the ports of cluster '${cluster.name}'`, e);
    return;
  }
  if (published.length === 0) {
    const add = await vscode.window.showInformationMessage(`Cluster '${cluster.name}' publishes no port besides the Kubernetes API.`, 'Edit Ports...');
    if (add) await editPorts(ctx, store, { type: 'cluster', cluster });
    return;
  }
  const url = (p: PublishedPort): string => `http://${p.hostIp && p.hostIp !== '0.0.0.0' ? p.hostIp : 'localhost'}:${p.hostPort}`;
  const picked =
    published.length === 1
      ? published[0]
      : await vscode.window.showQuickPick(
          published.map((p) => ({ label: url(p), description: `port ${p.containerPort} of the cluster (${p.spec})`, port: p })),
          { title: `Open a port of '${cluster.name}' in the browser` },
        ).then((item) => item?.port);
  if (picked) await vscode.env.openExternal(vscode.Uri.parse(url(picked)));
}

/** `HOST:CONTAINER@loadbalancer`, the form the view shows and k3d takes. */
function normalised(spec: string): string {
  return spec.includes('@') ? spec : `${spec}@loadbalancer`;
}

export async function editPorts(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const arg: ClusterTreeNode | undefined = node?.type === 'containers' || node?.type === 'node' ? { type: 'cluster', cluster: node.cluster } : node;
  const cluster = await resolveCluster(store, arg, () => true, 'Edit the ports of which cluster?', 'There is no k3d cluster. Create one first.');
  if (!cluster) return;
  if (!cluster.hasLoadbalancer) {
    void vscode.window.showWarningMessage(`Cluster '${cluster.name}' was created without a load balancer (--no-lb): k3d cluster edit can only add ports through the load balancer. Nothing was run.`);
    return;
  }
  let existing: PublishedPort[];
  try {
    existing = await loadBalancerPorts(ctx.k3d, cluster.name);
  } catch (e) {
    await showK3dError(ctx, `Reading the ports of cluster '${cluster.name}'`, e);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    [
      { label: '$(add) Add a port mapping...', description: 'k3d cluster edit --port-add', spec: undefined as string | undefined },
      ...existing.map((p) => ({
        label: `$(trash) ${p.spec}`,
        description: `host ${p.hostIp && p.hostIp !== '0.0.0.0' ? p.hostIp : 'localhost'}:${p.hostPort} → port ${p.containerPort}/${p.proto} of the cluster`,
        detail: 'Remove this mapping',
        spec: p.spec,
      })),
    ],
    { title: `Edit Ports of '${cluster.name}'`, placeHolder: existing.length ? `Published: ${existing.map((p) => p.spec).join(', ')}` : 'No port is published yet (besides the API).' },
  );
  if (!picked) return;
  if (picked.spec === undefined) await addPort(ctx, store, cluster, existing);
  else await removePort(ctx, store, cluster, picked.spec);
}

async function addPort(ctx: Ctx, store: ClusterStore, cluster: K3dCluster, existing: PublishedPort[]): Promise<void> {
  const suggestion = String(Math.max(8080, ...existing.map((p) => Number(p.hostPort) || 0)) + 1);
  const input = await vscode.window.showInputBox({
    title: `Add a port to '${cluster.name}'`,
    value: `${suggestion}:80@loadbalancer`,
    valueSelection: [0, suggestion.length],
    prompt: 'HOSTPORT:CONTAINERPORT[/PROTOCOL]@loadbalancer — e.g. 8082:80 sends localhost:8082 to port 80 (Traefik, the ingress)',
    validateInput: (v) => checkNewPort(v.trim(), existing, cluster.apiPort),
  });
  if (input === undefined) return;
  const spec = normalised(input.trim());
  const p = splitPortSpec(spec);
  if (!(await hostPortFree(Number(p.hostPort), p.hostIp || '0.0.0.0'))) {
    void vscode.window.showWarningMessage(`Host port ${p.hostPort} is in use on this machine: k3d would re-create the load balancer and then fail to bind it. Choose another port. Nothing was run.`);
    return;
  }
  const go = await vscode.window.showWarningMessage(
    `Add ${spec} to cluster '${cluster.name}'?`,
    {
      modal: true,
      detail: `k3d re-creates the load balancer k3d-${cluster.name}-serverlb to publish the new port: for a few seconds the Kubernetes API (port ${cluster.apiPort ?? '?'}) and the ports it already publishes do not answer.`,
    },
    'Add Port',
  );
  if (go !== 'Add Port') return;
  const doing = `Adding port ${spec} to cluster '${cluster.name}'`;
  try {
    // Not cancellable: killing k3d between renaming the old load balancer and starting the new one breaks the cluster.
    await store.track(cluster.name, { verb: 'editing ports' }, () =>
      withK3dProgress(ctx, doing, (run) => addPorts(ctx.k3d, cluster.name, [spec], run), false),
    );
  } catch (e) {
    await showK3dError(ctx, doing, e, 'k3d restores the previous load balancer when the new one does not start.');
    return;
  }
  const url = `http://localhost:${p.hostPort}`;
  const choice = await vscode.window.showInformationMessage(`Cluster '${cluster.name}' now publishes ${spec}: ${url} reaches port ${p.containerPort} in the cluster.`, 'Open in Browser');
  if (choice) await vscode.env.openExternal(vscode.Uri.parse(url));
}

async function removePort(ctx: Ctx, store: ClusterStore, cluster: K3dCluster, spec: string): Promise<void> {
  let supported: boolean;
  try {
    supported = await canDeletePorts(ctx.k3d);
  } catch (e) {
    await showK3dError(ctx, 'Asking k3d whether it can remove a port', e);
    return;
  }
  if (!supported) {
    void vscode.window.showWarningMessage(
      `k3d ${store.k3dVersion?.k3d ?? ''} cannot remove a port from an existing cluster: its \`k3d cluster edit\` has only --port-add. To drop ${spec}, re-create cluster '${cluster.name}' without it. Nothing was run.`.replace('k3d  ', 'k3d '),
    );
    return;
  }
  const go = await vscode.window.showWarningMessage(
    `Remove ${spec} from cluster '${cluster.name}'?`,
    { modal: true, detail: `k3d re-creates the load balancer k3d-${cluster.name}-serverlb without it: for a few seconds the Kubernetes API and the other published ports do not answer.` },
    'Remove Port',
  );
  if (go !== 'Remove Port') return;
  const doing = `Removing port ${spec} from cluster '${cluster.name}'`;
  try {
    await store.track(cluster.name, { verb: 'editing ports' }, () =>
      withK3dProgress(ctx, doing, (run) => deletePorts(ctx.k3d, cluster.name, [spec], run), false),
    );
    vscode.window.setStatusBarMessage(`$(trash) Removed ${spec} from '${cluster.name}'`, 5000);
  } catch (e) {
    await showK3dError(ctx, doing, e);
  }
}
