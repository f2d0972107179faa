import * as vscode from 'vscode';
import type { KubeHttp } from '../../core/kube/http.ts';
import { followRolloutFromCache, type RolloutFailure } from '../../core/kube/rolloutFollow.ts';
import type { Ctx } from '../../ctx.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import { describeImagePullFix } from '../../core/publish/imagePullFix.ts';
import { imagePullFixesFor, runImagePullFix, waitForPullRetry } from './pullFix.ts';

export type RolloutOutcome = 'complete' | 'failed' | 'timedOut' | 'cancelled';
export type ShowPod = (context: string, namespace: string, pod: string) => Promise<void>;

/** A deployment whose rollout is followed. */
export interface RolloutTarget {
  namespace: string;
  name: string;
}

/**
 * `kubectl rollout status`, as a progress notification: waits until the deployment's new
 * pods are all available, or a pod fails (its reason, with Show Pod / Show Events), or the
 * time is up. Followed from the context's shared caches (ctx.kube), not by polling.
 * `showPod`: the workloads feature's Show YAML of a pod (its API), for the "Show Pod" button.
 */
export async function followRollout(ctx: Ctx, http: KubeHttp, context: string, namespace: string, name: string, showPod: ShowPod): Promise<RolloutOutcome> {
  return (await followRollouts(ctx, http, context, [{ namespace, name }], showPod))[0];
}

/**
 * The rollouts of the deployments one apply changed, under one progress notification, with one
 * message for those that completed. VS Code drops a toast when three others came in the last 800 ms,
 * so a notification per deployment would hide the one that matters: a failing pod's reason and its
 * fix, which each failure still gets (at once, while the others go on).
 */
export async function followRollouts(ctx: Ctx, http: KubeHttp, context: string, targets: readonly RolloutTarget[], showPod: ShowPod): Promise<RolloutOutcome[]> {
  if (targets.length === 0) return [];
  const timeoutMs = ctx.config.rolloutTimeoutMs;
  // The time limit and Cancel both end the wait at once, a request in flight included.
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, timeoutMs);
  const handled: Array<Promise<RolloutOutcome> | undefined> = [];
  const several = targets.length > 1;
  const title = several ? `Rolling out ${targets.length} deployments` : `Rolling out deployment/${targets[0].name}`;
  const outcomes = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token): Promise<RolloutOutcome[]> => {
      const cancelled = token.onCancellationRequested(() => stop.abort());
      try {
        return await Promise.all(
          targets.map(async ({ namespace, name }, i): Promise<RolloutOutcome> => {
            const result = await followRolloutFromCache(ctx.kube, http, context, namespace, name, {
              signal: stop.signal,
              onMessage: (message) => {
                progress.report({ message: several ? `${name}: ${message}` : message });
                ctx.log.info(message);
              },
            });
            if (result.outcome === 'stopped') return timedOut ? 'timedOut' : 'cancelled';
            if (result.outcome === 'failed') handled[i] = stuck(ctx, http, context, namespace, name, result.failure, showPod, timeoutMs);
            return result.outcome;
          }),
        );
      } finally {
        clearTimeout(timer);
        cancelled.dispose();
      }
    },
  );
  const done = targets.filter((_, i) => outcomes[i] === 'complete').map((t) => t.name);
  if (done.length > 0) {
    void vscode.window.showInformationMessage(`${done.length === 1 ? 'deployment' : 'deployments'} ${done.map((n) => `"${n}"`).join(', ')} successfully rolled out in ${context}.`);
  }
  const late = targets.filter((_, i) => outcomes[i] === 'timedOut').map((t) => `deployment/${t.name}`);
  if (late.length > 0) {
    void vscode.window.showWarningMessage(`${late.join(', ')} ${late.length === 1 ? 'has' : 'have'} not finished rolling out after ${Math.round(timeoutMs / 1000)} s (setting k3d.rolloutTimeout). It may still complete; watch it in the k3d view.`);
  }
  // A failure's outcome is what came of its notification: a fix that let the rollout complete, or not.
  return Promise.all(outcomes.map((o, i) => handled[i] ?? o));
}

/** A rollout that failed: the pod's reason, the fix when there is one (then followed again), Show Pod, Show Events. */
async function stuck(ctx: Ctx, http: KubeHttp, context: string, namespace: string, name: string, failure: RolloutFailure | undefined, showPod: ShowPod, timeoutMs: number): Promise<RolloutOutcome> {
  const what = failure ? `pod ${failure.pod.metadata?.name} is ${failure.reason}${failure.detail ? `: ${failure.detail}` : ''}` : 'it exceeded its progress deadline';
  // An image this machine's Docker has and the cluster does not: offer the one step that fixes it.
  const fixes = failure ? await imagePullFixesFor(ctx, http, context, failure.pod).catch(() => []) : [];
  const hint = fixes.length > 0
    ? ` ${describeImagePullFix(fixes[0])}`
    : failure && /ImagePull|ErrImage|InvalidImageName/.test(failure.reason)
      ? ' Is the image name and tag right? A local image needs `k3d image import` and imagePullPolicy IfNotPresent.'
      : '';
  const choice = await vscode.window.showErrorMessage(`The rollout of ${name} is stuck: ${what}.${hint}`, ...fixes.map((f) => f.label), 'Show Pod', 'Show Events');
  const fix = fixes.find((f) => f.label === choice);
  if (fix && failure) {
    const podName = failure.pod.metadata?.name ?? '';
    const fixed = await runImagePullFix(ctx, fix);
    if (!fixed || (fix.kind === 'import' && fix.pullPolicyNote)) return 'failed';
    if (!(await waitForPullRetry(http, namespace, podName, fix.kind === 'import' ? fix.image : fix.pushImage, timeoutMs))) return 'failed';
    return followRollout(ctx, http, context, namespace, name, showPod);
  } else if (failure && choice === 'Show Pod') {
    await showPod(context, namespace, failure.pod.metadata?.name ?? '');
  } else if (choice === 'Show Events') {
    await showEvents(http, namespace, failure?.pod.metadata?.name ?? name);
  }
  return 'failed';
}

/** `kubectl get events --field-selector involvedObject.name=NAME`, as a read-only document. */
export async function showEvents(http: KubeHttp, namespace: string, name: string): Promise<void> {
  const list = await http.json<{ items: Array<{ type?: string; reason?: string; message?: string; lastTimestamp?: string; eventTime?: string; involvedObject?: { kind?: string; name?: string } }> }>(
    `/api/v1/namespaces/${namespace}/events`,
  );
  const rows = list.items
    .filter((e) => e.involvedObject?.name?.startsWith(name))
    .map((e) => `${e.lastTimestamp ?? e.eventTime ?? ''}  ${e.type ?? ''}  ${e.reason ?? ''}  ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}  ${e.message ?? ''}`);
  await showReadOnly(`events/${namespace}/${name}.log`, rows.length ? `${rows.join('\n')}\n` : `No events for ${name}.\n`);
}
