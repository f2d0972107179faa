import * as vscode from 'vscode';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { objectPath } from '../../core/kube/actions.ts';
import { abortableSleep } from '../../core/kube/podLogs.ts';
import type { KubeHttp } from '../../core/kube/http.ts';
import { labelSelector } from '../../core/kube/pods.ts';
import { rolloutStatus } from '../../core/kube/rollout.ts';
import { podSummary } from '../../core/kube/status.ts';
import type { Ctx } from '../../ctx.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import { describeImagePullFix } from '../../core/build/imagePullFix.ts';
import { imagePullFixesFor, runImagePullFix, waitForPullRetry } from '../imageTags/delivery.ts';

export type RolloutOutcome = 'complete' | 'failed' | 'timedOut' | 'cancelled';

/**
 * `kubectl rollout status`, as a progress notification: waits until the deployment's new
 * pods are all available, or a pod fails (its reason, with Show Pod / Show Events), or the
 * time is up.
 */
export async function followRollout(ctx: Ctx, http: KubeHttp, context: string, namespace: string, name: string): Promise<RolloutOutcome> {
  const timeoutMs = ctx.config.rolloutTimeoutMs;
  const path = objectPath({ apiVersion: 'apps/v1', resource: 'deployments', namespace, name });
  // The time limit and Cancel both end the wait at once, a request in flight included.
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, timeoutMs);
  const api = http.withSignal(stop.signal);
  let failure: { pod: V1Pod; reason: string; detail: string } | undefined;
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Rolling out deployment/${name}`, cancellable: true },
    async (progress, token): Promise<RolloutOutcome> => {
      const cancelled = token.onCancellationRequested(() => stop.abort());
      try {
        let last = '';
        while (!stop.signal.aborted) {
          const d = await api.json<V1Deployment>(path).catch(() => undefined);
          if (d && !stop.signal.aborted) {
            const status = rolloutStatus(d);
            if (status.message !== last) {
              progress.report({ message: status.message });
              ctx.log.info(status.message);
              last = status.message;
            }
            if (status.done) return 'complete';
            if (status.failed) return 'failed';
            failure = await failingPod(api, d);
            if (failure) return 'failed';
          }
          await abortableSleep(400, stop.signal);
        }
        return timedOut ? 'timedOut' : 'cancelled';
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
      return followRollout(ctx, http, context, namespace, name);
    } else if (failure && choice === 'Show Pod') {
      await vscode.commands.executeCommand('k3dDeploy.showYaml', { type: 'w-pod', context, key: `${namespace}/${failure.pod.metadata?.name}`, id: `${context}|pod|${namespace}/${failure.pod.metadata?.name}` });
    } else if (choice === 'Show Events') {
      await showEvents(http, namespace, failure?.pod.metadata?.name ?? name);
    }
  } else if (outcome === 'timedOut') {
    void vscode.window.showWarningMessage(`deployment/${name} has not finished rolling out after ${Math.round(timeoutMs / 1000)} s (setting k3d.rolloutTimeout). It may still complete; watch it in the k3d view.`);
  }
  return outcome;
}

/** A pod of the deployment's newest ReplicaSet that is failing (ImagePullBackOff, CrashLoopBackOff...). */
async function failingPod(http: KubeHttp, d: V1Deployment): Promise<{ pod: V1Pod; reason: string; detail: string } | undefined> {
  const selector = labelSelector(d.spec?.selector?.matchLabels ?? {});
  const pods = await http.json<{ items: V1Pod[] }>(`/api/v1/namespaces/${d.metadata?.namespace}/pods`, { query: { labelSelector: selector } }).catch(() => undefined);
  for (const pod of pods?.items ?? []) {
    const s = podSummary(pod);
    if (s.health === 'failed') {
      return { pod, reason: s.status, detail: s.problems[0]?.replace(/^[^:]+: [^:]+: /, '') ?? '' };
    }
  }
  return undefined;
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
