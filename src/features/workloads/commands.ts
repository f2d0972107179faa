import * as vscode from 'vscode';
import {
  containerNameFromImage, createDeployment as createDeploymentObject, deleteObject, deploymentRef, objectYaml, podRef,
  restartDeployment as restartDeploymentObject, scaleDeployment as scaleDeploymentObject,
  setDeploymentImage, type ObjectRef,
} from '../../core/kube/actions.ts';
import { explain as explainResource } from '../../core/kube/explain.ts';
import { inUserNamespace } from '../../core/kube/namespaces.ts';
import type { KubeHttp } from '../../core/kube/http.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import { validateClusterName } from '../../core/k3d/names.ts';
import type { Ctx } from '../../ctx.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import type { ManifestIndex } from './ManifestIndex.ts';
import type { WorkloadNode, WorkloadTree } from './WorkloadTree.ts';

/** What a command acts on: a live object of a context. */
interface Target {
  context: string;
  http: KubeHttp;
  namespace: string;
  name: string;
  object?: KubeObject & { spec?: { template?: { spec?: { containers?: Array<{ name: string; image?: string }> } }; replicas?: number } };
}

/** Show YAML of a pod, for Show YAML and Apply's "Show Pod" (through the workloads API). */
export async function showPodYaml(ctx: Ctx, context: string, namespace: string, name: string): Promise<void> {
  await showReadOnly(`${context}/${namespace}/pods/${name}.yaml`, await objectYaml(await ctx.kube.http(context), podRef(namespace, name)));
}

/**
 * The workload commands' handlers, registered by index.ts as thunks that load this part (dist/workloadCommands.js).
 * `useContext`: Clusters' Use Context..., late-bound in extension.ts (Clusters needs this feature's tree).
 */
export function workloadCommands(ctx: Ctx, tree: WorkloadTree, manifests: ManifestIndex, useContext: () => Promise<void>) {
  const http = (context: string): Promise<KubeHttp> => ctx.kube.http(context);

  /** The tree item a command came from, or a pick among the current context's objects. */
  const target = async (node: unknown, kind: 'deployments' | 'pods', verb: string): Promise<Target | undefined> => {
    const n = node as WorkloadNode | undefined;
    if (n && (n.type === 'w-deployment' || n.type === 'w-pod')) {
      const [namespace, name] = n.key.split('/');
      return { context: n.context, http: await http(n.context), namespace, name, object: tree.object(n) as Target['object'] };
    }
    const context = await ctx.kube.currentContext();
    if (!context) {
      void vscode.window.showWarningMessage('There is no current Kubernetes context. Create a k3d cluster or choose a context first.', 'Use Context').then((c) => {
        if (c) void useContext();
      });
      return undefined;
    }
    const api = await http(context);
    const path = kind === 'deployments' ? '/apis/apps/v1/deployments' : '/api/v1/pods';
    const list = await api.json<{ items: Array<NonNullable<Target['object']>> }>(path);
    const items = list.items.filter(inUserNamespace);
    if (items.length === 0) {
      void vscode.window.showInformationMessage(`There are no ${kind} in ${context} (outside the system namespaces).`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      items.map((o) => ({ label: o.metadata?.name ?? '', description: o.metadata?.namespace, object: o })),
      { title: verb, placeHolder: `Which ${kind === 'deployments' ? 'deployment' : 'pod'} in ${context}?` },
    );
    return picked && { context, http: api, namespace: picked.object.metadata?.namespace ?? 'default', name: picked.label, object: picked.object };
  };

  const report = (message: string) => {
    ctx.log.info(message);
    vscode.window.setStatusBarMessage(`$(check) ${message}`, 5000);
  };

  const openManifest = async (node?: unknown) => {
    const n = node as WorkloadNode | undefined;
    if (n?.type !== 'w-deployment') return;
    const [namespace, name] = n.key.split('/');
    const declared = manifests.declared(namespace, name);
    if (!declared) {
      void vscode.window.showInformationMessage(`No workspace manifest declares deployment ${name}.`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(declared.uri);
    const position = new vscode.Position(declared.line, 0);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(position, position) });
  };

  const retryWorkloads = (context?: string) => {
    if (context) tree.retry(context);
  };

  const scaleDeployment = async (node?: unknown) => {
    const t = await target(node, 'deployments', 'Scale Deployment');
    if (!t) return;
    const current = t.object?.spec?.replicas ?? 1;
    const answer = await vscode.window.showInputBox({
      title: `Scale ${t.name}`,
      prompt: `Replicas (now ${current}). Like kubectl scale deployment/${t.name} --replicas=N`,
      value: String(current),
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) <= 100 ? undefined : 'A whole number from 0 to 100.'),
    });
    if (answer === undefined || Number(answer) === current) return;
    await scaleDeploymentObject(t.http, t.namespace, t.name, Number(answer));
    report(`deployment.apps/${t.name} scaled to ${Number(answer)}`);
  };

  const setImage = async (node?: unknown) => {
    const t = await target(node, 'deployments', 'Set Image');
    if (!t) return;
    const containers = t.object?.spec?.template?.spec?.containers ?? [];
    let container = containers[0];
    if (containers.length > 1) {
      const picked = await vscode.window.showQuickPick(containers.map((c) => ({ label: c.name, description: c.image, c })), { placeHolder: 'Which container?' });
      if (!picked) return;
      container = picked.c;
    }
    if (!container) return;
    const image = await vscode.window.showInputBox({
      title: `Set Image of ${t.name}/${container.name}`,
      prompt: 'New image. Like kubectl set image; editing the manifest and applying it is the better habit.',
      value: container.image,
      validateInput: (v) => (v.trim() === '' || /\s/.test(v) ? 'An image reference has no spaces.' : undefined),
    });
    if (!image || image === container.image) return;
    await setDeploymentImage(t.http, t.namespace, t.name, container.name, image.trim());
    report(`deployment.apps/${t.name} image updated`);
  };

  const restartDeployment = async (node?: unknown) => {
    const t = await target(node, 'deployments', 'Restart Deployment');
    if (!t) return;
    await restartDeploymentObject(t.http, t.namespace, t.name);
    report(`deployment.apps/${t.name} restarted`);
  };

  const deleteDeployment = async (node?: unknown) => {
    const t = await target(node, 'deployments', 'Delete Deployment');
    if (!t) return;
    const ok = await vscode.window.showWarningMessage(
      `Delete deployment ${t.name}?`,
      { modal: true, detail: `Its ReplicaSets and pods go with it (${t.context}, namespace ${t.namespace}). Applying the manifest again is usually the better fix: it rolls out without downtime.` },
      'Delete',
    );
    if (ok !== 'Delete') return;
    await deleteObject(t.http, deploymentRef(t.namespace, t.name));
    report(`deployment.apps "${t.name}" deleted`);
  };

  const deletePod = async (node?: unknown) => {
    const t = await target(node, 'pods', 'Delete Pod');
    if (!t) return;
    const owned = (t.object?.metadata?.ownerReferences ?? []).some((o) => o.kind === 'ReplicaSet');
    const ok = await vscode.window.showWarningMessage(
      `Delete pod ${t.name}?`,
      { modal: true, detail: owned ? 'Its ReplicaSet will start a new pod to replace it.' : 'No controller owns this pod: it will not come back.' },
      'Delete',
    );
    if (ok !== 'Delete') return;
    await deleteObject(t.http, podRef(t.namespace, t.name));
    report(`pod "${t.name}" deleted`);
  };

  const showYaml = async (node?: unknown) => {
    const n = node as WorkloadNode | undefined;
    const kind = n?.type === 'w-pod' ? 'pods' : 'deployments';
    const t = await target(node, kind, 'Show YAML');
    if (!t) return;
    const ref: ObjectRef = kind === 'pods' ? podRef(t.namespace, t.name) : deploymentRef(t.namespace, t.name);
    await showReadOnly(`${t.context}/${t.namespace}/${kind}/${t.name}.yaml`, await objectYaml(t.http, ref));
  };

  const createDeployment = async (arg?: unknown) => {
    const a = arg as (WorkloadNode & { ns?: string }) | { context: string; ns: string } | undefined;
    const context = a?.context ?? (await ctx.kube.currentContext());
    if (!context) {
      void vscode.window.showWarningMessage('There is no current Kubernetes context. Create a k3d cluster first.');
      return;
    }
    const namespace = (a && 'ns' in a && a.ns) || 'default';
    const image = await vscode.window.showInputBox({
      title: `Create Deployment in ${context}/${namespace} (1/2)`,
      prompt: 'Image, e.g. jakousa/dwk-app1 (kubectl create deployment NAME --image=IMAGE)',
      placeHolder: 'jakousa/dwk-app1',
      validateInput: (v) => (v.trim() === '' || /\s/.test(v) ? 'Enter an image reference, without spaces.' : undefined),
    });
    if (!image) return;
    const suggested = `${containerNameFromImage(image.trim())}-dep`;
    const name = await vscode.window.showInputBox({
      title: `Create Deployment in ${context}/${namespace} (2/2)`,
      prompt: `Deployment name; its container will be named ${containerNameFromImage(image.trim())}`,
      value: suggested,
      validateInput: (v) => validateClusterName(v.trim())?.replace('cluster', 'deployment') ?? (v.trim() !== v.trim().toLowerCase() ? 'Kubernetes names are lowercase.' : undefined),
    });
    if (!name) return;
    await createDeploymentObject(await http(context), namespace, name.trim(), image.trim());
    report(`deployment.apps/${name.trim()} created`);
  };

  const explain = async (arg?: unknown) => {
    const n = arg as WorkloadNode | undefined;
    const kindWord: Record<string, string> = { 'w-pod': 'pod', 'w-deployment': 'deployment', 'w-replicaset': 'replicaset', 'w-service': 'service', 'w-knode': 'node', 'w-namespace': 'namespace' };
    const context = n?.context ?? (await ctx.kube.currentContext());
    if (!context) {
      void vscode.window.showWarningMessage('There is no current Kubernetes context to explain resources from.');
      return;
    }
    const what = (n && kindWord[n.type]) || (await vscode.window.showInputBox({
      title: 'Explain (kubectl explain)',
      prompt: 'A resource, or a field path: pod, deployment.spec.strategy, pod.spec.containers',
      value: 'pod',
    }));
    if (!what) return;
    const markdown = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `kubectl explain ${what}` },
      async () => explainResource(await http(context), what),
    );
    await showReadOnly(`explain/${what}.md`, markdown, true);
  };
  return { openManifest, retryWorkloads, scaleDeployment, setImage, restartDeployment, deleteDeployment, deletePod, showYaml, createDeployment, explain };
}
