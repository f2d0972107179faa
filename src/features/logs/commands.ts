// Follow Logs (pods and deployments), Show Previous, Stop Following, Clear, timestamps: the commands' bodies, a lazy
// part with LogStreams.ts (dist/logs.js), required when a user first runs one or Deploy on Save first follows a rollout.
import * as vscode from 'vscode';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { inUserNamespace } from '../../core/kube/namespaces.ts';
import type { Ctx } from '../../ctx.ts';
import type { WorkloadNode, WorkloadTree } from '../workloads/api.ts';
import { podContainers, type LogStreams, type LogTarget } from './LogStreams.ts';

/** The handlers of the commands index.ts registers, on the streams (made once, with the part). */
export function logCommands(ctx: Ctx, tree: WorkloadTree, streams: LogStreams) {
  /** A pod or deployment from the tree, or picked from the current context. */
  const pickTarget = async (node: unknown, title: string, podsOnly: boolean): Promise<{ context: string; kind: 'pod' | 'deployment'; obj: V1Pod | V1Deployment } | undefined> => {
    const n = node as WorkloadNode | undefined;
    if (n && (n.type === 'w-pod' || (!podsOnly && n.type === 'w-deployment'))) {
      const obj = tree.object(n) as V1Pod | V1Deployment | undefined;
      return obj && { context: n.context, kind: n.type === 'w-pod' ? 'pod' : 'deployment', obj };
    }
    const context = await ctx.kube.currentContext();
    if (!context) {
      void vscode.window.showWarningMessage('There is no current Kubernetes context: create a k3d cluster or choose a context first.');
      return undefined;
    }
    const http = await ctx.kube.http(context);
    const [pods, deployments] = await Promise.all([
      http.json<{ items: V1Pod[] }>('/api/v1/pods'),
      podsOnly ? Promise.resolve({ items: [] as V1Deployment[] }) : http.json<{ items: V1Deployment[] }>('/apis/apps/v1/deployments'),
    ]);
    type Item = vscode.QuickPickItem & { what: 'pod' | 'deployment'; obj: V1Pod | V1Deployment };
    const items: Item[] = [
      ...deployments.items.filter(inUserNamespace).map((obj) => ({ label: `$(layers) ${obj.metadata?.name}`, description: `deployment · ${obj.metadata?.namespace} · all its pods`, what: 'deployment' as const, obj })),
      ...pods.items.filter(inUserNamespace).map((obj) => ({ label: `$(circle-filled) ${obj.metadata?.name}`, description: `pod · ${obj.metadata?.namespace} · ${obj.status?.phase ?? ''}`, what: 'pod' as const, obj })),
    ];
    if (items.length === 0) {
      void vscode.window.showInformationMessage(`No pods in ${context} outside the system namespaces yet.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: `Whose logs, in ${context}?`, matchOnDescription: true });
    return picked && { context, kind: picked.what, obj: picked.obj };
  };

  const pickContainer = async (pod: V1Pod, placeHolder: string): Promise<string | undefined | null> => {
    const names = podContainers(pod);
    if (names.length <= 1) return names[0];
    const picked = await vscode.window.showQuickPick(names, { placeHolder });
    return picked ?? null;
  };

  const followLogs = async (node?: unknown) => {
    const t = await pickTarget(node, 'Follow Logs', false);
    if (!t) return;
    let target: LogTarget;
    if (t.kind === 'pod') {
      const pod = t.obj as V1Pod;
      const container = await pickContainer(pod, 'Follow which container?');
      if (container === null) return;
      target = { kind: 'pod', context: t.context, namespace: pod.metadata?.namespace ?? 'default', pod: pod.metadata?.name ?? '', container };
    } else {
      const d = t.obj as V1Deployment;
      target = { kind: 'deployment', context: t.context, namespace: d.metadata?.namespace ?? 'default', name: d.metadata?.name ?? '', matchLabels: d.spec?.selector?.matchLabels ?? {} };
    }
    await streams.follow(target);
  };

  const showPreviousLogs = async (node?: unknown) => {
    const t = await pickTarget(node, 'Show Previous Logs', true);
    if (!t) return;
    const pod = t.obj as V1Pod;
    const restarted = (pod.status?.containerStatuses ?? []).filter((c) => (c.restartCount ?? 0) > 0).map((c) => c.name);
    if (restarted.length === 0) {
      void vscode.window.showInformationMessage(`No container of ${pod.metadata?.name} has restarted, so there is no previous log.`);
      return;
    }
    const container = restarted.length === 1 ? restarted[0] : await vscode.window.showQuickPick(restarted, { placeHolder: 'Which restarted container?' });
    if (!container) return;
    await streams.follow({ kind: 'pod', context: t.context, namespace: pod.metadata?.namespace ?? 'default', pod: pod.metadata?.name ?? '', container, previous: true });
  };

  const pickStream = async (active: boolean, placeHolder: string): Promise<string | undefined> => {
    const list = active ? streams.active() : streams.all();
    if (list.length === 0) {
      void vscode.window.showInformationMessage(active ? 'No log is being followed.' : 'No log channel is open.');
      return undefined;
    }
    if (list.length === 1) return list[0].key;
    const picked = await vscode.window.showQuickPick(list.map((s) => ({ label: s.title, description: s.abort ? 'following' : 'stopped', key: s.key })), { placeHolder });
    return picked?.key;
  };

  const stopFollowing = async () => {
    const key = await pickStream(true, 'Stop following which log?');
    if (key) streams.stop(key);
  };

  const clearLogs = async () => {
    const key = await pickStream(false, 'Clear which log channel?');
    if (key) streams.clear(key);
  };

  const toggleLogTimestamps = async () => {
    const next = !ctx.config.logTimestamps;
    await ctx.config.setLogTimestamps(next);
    vscode.window.setStatusBarMessage(`$(watch) Log timestamps ${next ? 'on' : 'off'}`, 3000);
  };
  return { followLogs, showPreviousLogs, stopFollowing, clearLogs, toggleLogTimestamps };
}
