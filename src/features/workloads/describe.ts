import * as vscode from 'vscode';
import { describeLive } from '../../core/kube/describe.ts';
import { inUserNamespace } from '../../core/kube/namespaces.ts';
import type { Ctx } from '../../ctx.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import type { WorkloadNode } from './WorkloadTree.ts';

interface Described {
  context: string;
  kind: 'pod' | 'deployment';
  namespace: string;
  name: string;
}

/** Describe (kubectl describe pod|deployment) on a tree row, or from the palette with a pick among both. */
export async function describe(ctx: Ctx, node?: unknown): Promise<void> {
  const what = await chosen(ctx, node as WorkloadNode | undefined);
  if (!what) return;
  const text = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `kubectl describe ${what.kind} ${what.name}` },
    async () => describeLive(await ctx.kube.http(what.context), what.kind, what.namespace, what.name),
  );
  await showReadOnly(`${what.context}/${what.namespace}/describe/${what.kind}-${what.name}.txt`, text);
}

async function chosen(ctx: Ctx, n: WorkloadNode | undefined): Promise<Described | undefined> {
  if (n && (n.type === 'w-pod' || n.type === 'w-deployment')) {
    const [namespace, name] = n.key.split('/');
    return { context: n.context, kind: n.type === 'w-pod' ? 'pod' : 'deployment', namespace, name };
  }
  const context = await ctx.kube.currentContext();
  if (!context) {
    void vscode.window.showWarningMessage('There is no current Kubernetes context to describe objects from. Create a k3d cluster or choose a context first.');
    return undefined;
  }
  const http = await ctx.kube.http(context);
  type Item = { metadata?: { name?: string; namespace?: string } };
  const [deployments, pods] = await Promise.all([
    http.json<{ items: Item[] }>('/apis/apps/v1/deployments').then((l) => l.items.filter(inUserNamespace)),
    http.json<{ items: Item[] }>('/api/v1/pods').then((l) => l.items.filter(inUserNamespace)),
  ]);
  const items = [
    ...deployments.map((o) => ({ label: o.metadata?.name ?? '', description: `deployment · ${o.metadata?.namespace}`, what: 'deployment' as const, ns: o.metadata?.namespace ?? 'default' })),
    ...pods.map((o) => ({ label: o.metadata?.name ?? '', description: `pod · ${o.metadata?.namespace}`, what: 'pod' as const, ns: o.metadata?.namespace ?? 'default' })),
  ];
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`There are no deployments or pods in ${context} (outside the system namespaces).`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Describe (kubectl describe)', placeHolder: `Which deployment or pod in ${context}?`, matchOnDescription: true });
  return picked && { context, kind: picked.what, namespace: picked.ns, name: picked.label };
}
