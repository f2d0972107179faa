import * as vscode from 'vscode';
import type { KubeHttp } from '../../core/kube/http.ts';
import { followRolloutFromCache, type RolloutFailure } from '../../core/kube/rolloutFollow.ts';
import type { Ctx } from '../../ctx.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import { describeImagePullFix } from '../../core/publish/imagePullFix.ts';
import { imagePullFixesFor, runImagePullFix, waitForPullRetry } from './pullFix.ts';

export type RolloutOutcome = 'complete' | 'failed' | 'timedOut' | 'cancelled';
export type ShowPod = (context: string, namespace: string, pod: string) => Promise<void>;

/**
 * `kubectl rollout status`, as a progress notification: waits until the deployment's new
 * pods are all available, or a pod fails (its reason, with Show Pod / Show Events), or the
 * time is up. Followed from the context's shared caches (ctx.kube), not by polling.
 */
/** `showPod`: the workloads feature's Show YAML of a pod (its API), for the "Show Pod" button. */
export async function followRollout(ctx: Ctx, http: KubeHttp, context: string, namespace: string, name: string, showPod: ShowPod): Promise<RolloutOutcome> {
  const timeoutMs = ctx.config.rolloutTimeoutMs;
  // The time limit and Cancel both end the wait at once, a request in flight included.
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, timeoutMs);
  let failure: RolloutFailure | undefined;
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Rolling out deployment/${name}`, cancellable: true },
    async (progress, token): Promise<RolloutOutcome> => {
      const cancelled = token.onCancellationRequested(() => stop.abort());
      try {
        const result = await followRolloutFromCache(ctx.kube, http, context, namespace, name, {
          signal: stop.signal,
          onMessage: (message) => {
            progress.report({ message });
            ctx.log.info(message);
          },
        });
        if (result.outcome === 'failed') failure = result.failure;
        return result.outcome === 'stopped' ? (timedOut ? 'timedOut' : 'cancelled') : result.outcome;
      } finally {
        clearTimeout(timer);
        cancelled.dispose();
      }
    },
  );
  if (outcome === 'complete') {
    void vscode.window.showInformationMessage(`deployment "${name}" successfully rolled out in ${context}.`);
  } else if (outcome === 'failed') {
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
  } else if (outcome === 'timedOut') {
    void vscode.window.showWarningMessage(`deployment/${name} has not finished rolling out after ${Math.round(timeoutMs / 1000)} s (setting k3d.rolloutTimeout). It may still complete; watch it in the k3d view.`);
  }
  return outcome;
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
