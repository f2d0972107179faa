// The Rollout History picker and what follows a rollback: the tree's drift marker shows the
// cluster no longer matches the file, and the file (the truth) is offered the rolled-back image.
import * as vscode from 'vscode';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { deploymentRef, objectPath } from '../../core/kube/actions.ts';
import type { KubeHttp } from '../../core/kube/http.ts';
import { inUserNamespace } from '../../core/kube/namespaces.ts';
import { deploymentRevisions, rollbackPlan, type Revision } from '../../core/kube/rolloutHistory.ts';
import { age } from '../../core/kube/status.ts';
import type { Ctx } from '../../ctx.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import type { WorkloadNode } from '../workloads/api.ts';
import { offerManifestWrite } from './manifest.ts';

/** Like kubectl's own (kubectl-rollout), so that an apply that disagrees names what changed the template. */
const FIELD_MANAGER = 'k3d-deploy-rollout';

interface Target { context: string; http: KubeHttp; namespace: string; name: string }

async function pickTarget(ctx: Ctx, node: unknown): Promise<Target | undefined> {
  const n = node as WorkloadNode | undefined;
  if (n?.type === 'w-deployment') {
    const [namespace, name] = n.key.split('/');
    return { context: n.context, http: await ctx.kube.http(n.context), namespace, name };
  }
  const context = await ctx.kube.currentContext();
  if (!context) {
    void vscode.window.showWarningMessage('There is no current Kubernetes context: create a k3d cluster or choose a context first.');
    return undefined;
  }
  const http = await ctx.kube.http(context);
  const items = (await http.json<{ items: V1Deployment[] }>('/apis/apps/v1/deployments')).items.filter(inUserNamespace);
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`There are no deployments in ${context} (outside the system namespaces).`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    items.map((d) => ({ label: d.metadata?.name ?? '', description: d.metadata?.namespace, d })),
    { title: 'Rollout History', placeHolder: `Which deployment in ${context}?` },
  );
  return picked && { context, http, namespace: picked.d.metadata?.namespace ?? 'default', name: picked.label };
}

async function load(t: Target): Promise<{ deployment: V1Deployment; replicaSets: V1ReplicaSet[] }> {
  const deployment = await t.http.json<V1Deployment>(objectPath(deploymentRef(t.namespace, t.name)));
  const match = deployment.spec?.selector?.matchLabels ?? {};
  const selector = deployment.spec?.selector?.matchExpressions?.length ? undefined : Object.entries(match).map(([k, v]) => `${k}=${v}`).join(',');
  const list = await t.http.json<{ items: V1ReplicaSet[] }>(`/apis/apps/v1/namespaces/${encodeURIComponent(t.namespace)}/replicasets`, { query: { labelSelector: selector || undefined } });
  return { deployment, replicaSets: list.items };
}

function revisionItem(r: Revision): vscode.QuickPickItem & { revision: Revision } {
  const pods = `${r.readyReplicas}/${r.replicas} pods`;
  return {
    label: `${r.current ? '$(pass-filled) ' : ''}Revision ${r.revision}`,
    description: `${r.images.map((i) => i.image).join(', ')}${r.current ? ' · current' : ''}`,
    detail: [r.changeCause ?? 'no change-cause', pods, `${age(r.created)} old`, r.replicaSet.metadata?.name].filter(Boolean).join(' · '),
    revision: r,
  };
}

/** The command: the deployment's revisions, newest first; a revision offers Roll Back and its details. */
export async function rolloutHistory(ctx: Ctx, node: unknown): Promise<void> {
  const t = await pickTarget(ctx, node);
  if (!t) return;
  const { deployment, replicaSets } = await load(t);
  const revisions = deploymentRevisions(deployment, replicaSets);
  if (revisions.length === 0) {
    void vscode.window.showInformationMessage(`No rollout history found for deployment ${t.name}: it has no ReplicaSets yet.`);
    return;
  }
  const picked = await vscode.window.showQuickPick(revisions.map(revisionItem), {
    title: `Rollout History of ${t.name} (${t.context})`,
    placeHolder: 'Pick a revision to roll back to or look at (kubectl rollout history)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return;
  const r = picked.revision;
  const rollBack = { label: '$(history) Roll Back to This Revision', detail: `kubectl rollout undo deployment/${t.name} --to-revision=${r.revision}`, action: 'rollback' as const };
  const details = { label: '$(file-code) Show Revision Details', detail: `The pod template of revision ${r.revision} (kubectl rollout history --revision=${r.revision})`, action: 'details' as const };
  const action = await vscode.window.showQuickPick(r.current ? [details] : [rollBack, details], {
    title: `Revision ${r.revision} of ${t.name}: ${r.images.map((i) => i.image).join(', ')}${r.current ? ' (current)' : ''}`,
  });
  if (action?.action === 'details') {
    const { loadYaml } = await import('../../core/lazy.ts');
    const { stringify } = await loadYaml();
    const annotations = { ...r.replicaSet.spec?.template?.metadata?.annotations, ...(r.changeCause ? { 'kubernetes.io/change-cause': r.changeCause } : {}) };
    const template = { ...r.replicaSet.spec?.template, metadata: { ...r.replicaSet.spec?.template?.metadata, annotations } };
    await showReadOnly(`${t.context}/${t.namespace}/deployments/${t.name}/revision-${r.revision}.yaml`, `# Revision ${r.revision} of deployment ${t.name} (ReplicaSet ${r.replicaSet.metadata?.name})\n${stringify(template, { lineWidth: 0 })}`);
  } else if (action?.action === 'rollback') {
    await rollBackTo(ctx, t, r.revision);
  }
}

/** `kubectl rollout undo --to-revision=N` on fresh objects, then the file is offered the image it now differs in. */
async function rollBackTo(ctx: Ctx, t: Target, revision: number): Promise<void> {
  const { deployment, replicaSets } = await load(t);
  const plan = rollbackPlan(deployment, replicaSets, revision);
  if (plan.kind === 'error') {
    void vscode.window.showWarningMessage(`Cannot roll back ${t.name}: ${plan.message}.`);
    return;
  }
  if (plan.kind === 'skip') {
    void vscode.window.showInformationMessage(`deployment.apps/${t.name} ${plan.message}`);
    return;
  }
  await t.http.json(objectPath(deploymentRef(t.namespace, t.name)), {
    method: 'PATCH',
    contentType: 'application/json-patch+json',
    query: { fieldManager: FIELD_MANAGER },
    body: JSON.stringify(plan.patch),
  });
  const images = plan.revision.images;
  const message = `deployment.apps/${t.name} rolled back to revision ${revision} (${images.map((i) => i.image).join(', ')})`;
  ctx.log.info(message);
  vscode.window.setStatusBarMessage(`$(check) ${message}`, 5000);
  await offerManifestWrite(ctx, t.namespace, t.name, images);
}
