import * as vscode from 'vscode';
import type { KubeHttp } from '../../core/kube/http.ts';
import { followRolloutFromCache, type RolloutFailure } from '../../core/kube/rolloutFollow.ts';
import type { Ctx } from '../../ctx.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import { FailureBatch } from '../../core/deploy/failureBatch.ts';
import { commonImagePullFix, describeImagePullFix, imagePullFixKey } from '../../core/publish/imagePullFix.ts';
import type { ImagePullFix } from '../../core/publish/imagePullFix.ts';
import { imagePullFixesFor, runImagePullFix, waitForPullRetries } from './pullFix.ts';
import type { PullRetry } from './pullFix.ts';

export type RolloutOutcome = 'complete' | 'failed' | 'timedOut' | 'cancelled';
/** Failures less than this apart are reported together (FailureBatch), the first waiting 3 s at most. */
const FAILURE_WINDOW_MS = 1000;
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
 * fix. A failure is reported while the others go on; failures within a second of each other in one
 * notification (stuckTogether).
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
  // Failures that come less than a second apart get one notification (FailureBatch says why).
  const failures = new FailureBatch<Stuck, RolloutOutcome>({ windowMs: FAILURE_WINDOW_MS, maxWaitMs: 3 * FAILURE_WINDOW_MS }, (items) => reportStuck(ctx, http, context, items, showPod, timeoutMs));
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
            if (result.outcome === 'failed') handled[i] = failures.add({ namespace, name, failure: result.failure });
            return result.outcome;
          }),
        );
      } finally {
        clearTimeout(timer);
        cancelled.dispose();
      }
    },
  );
  failures.flush(); // every rollout has ended: nothing more can join
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

/** A rollout that failed, as its follower found it. */
interface Stuck {
  namespace: string;
  name: string;
  failure: RolloutFailure | undefined;
}

/** What a stuck rollout's notification says, and the fixes it offers. */
interface Explained {
  /** `pod P is ErrImagePull: ...` */
  what: string;
  /** The fix's sentence, or what to check; '' or starting with a space. */
  hint: string;
  fixes: ImagePullFix[];
}

async function explain(ctx: Ctx, http: KubeHttp, context: string, { failure }: Stuck): Promise<Explained> {
  const what = failure ? `pod ${failure.pod.metadata?.name} is ${failure.reason}${failure.detail ? `: ${failure.detail}` : ''}` : 'it exceeded its progress deadline';
  // An image this machine's Docker has and the cluster does not: offer the one step that fixes it.
  const fixes = failure ? await imagePullFixesFor(ctx, http, context, failure.pod).catch(() => []) : [];
  const hint = fixes.length > 0
    ? ` ${describeImagePullFix(fixes[0])}`
    : failure && /ImagePull|ErrImage|InvalidImageName/.test(failure.reason)
      ? ' Is the image name and tag right? A local image needs `k3d image import` and imagePullPolicy IfNotPresent.'
      : '';
  return { what, hint, fixes };
}

/** The failures of one batch (FailureBatch): one notification for one, one for several. */
async function reportStuck(ctx: Ctx, http: KubeHttp, context: string, items: readonly Stuck[], showPod: ShowPod, timeoutMs: number): Promise<RolloutOutcome[]> {
  const explained = await Promise.all(items.map((s) => explain(ctx, http, context, s)));
  if (items.length === 1) return [await stuck(ctx, http, context, items[0], explained[0], showPod, timeoutMs)];
  return stuckTogether(ctx, http, context, items, explained, showPod, timeoutMs);
}

/** A rollout that failed: the pod's reason, the fix when there is one (then followed again), Show Pod, Show Events. */
async function stuck(ctx: Ctx, http: KubeHttp, context: string, s: Stuck, { what, hint, fixes }: Explained, showPod: ShowPod, timeoutMs: number): Promise<RolloutOutcome> {
  const { namespace, name, failure } = s;
  const choice = await vscode.window.showErrorMessage(`The rollout of ${name} is stuck: ${what}.${hint}`, ...fixes.map((f) => f.label), 'Show Pod', 'Show Events');
  const fix = fixes.find((f) => f.label === choice);
  if (fix && failure) {
    if (!(await fixed(ctx, fix)) || !(await waitForPullRetries(http, [pullRetry(s, fix)], timeoutMs))[0]) return 'failed';
    return followRollout(ctx, http, context, namespace, name, showPod);
  } else if (failure && choice === 'Show Pod') {
    await showPod(context, namespace, failure.pod.metadata?.name ?? '');
  } else if (choice === 'Show Events') {
    await showEvents(http, namespace, failure?.pod.metadata?.name ?? name);
  }
  return 'failed';
}

const CHOOSE_DEPLOYMENT = 'Choose Deployment…';

/**
 * Several rollouts that failed together, in one notification: each deployment and its pod's reason;
 * one button that fixes them all when each pod misses an image this machine has (each image imported
 * or pushed once, then the rollouts followed again, under one notification); and Choose Deployment…,
 * which shows one deployment's own notification (its fix, Show Pod, Show Events), then the others again.
 */
async function stuckTogether(
  ctx: Ctx,
  http: KubeHttp,
  context: string,
  items: readonly Stuck[],
  explained: readonly Explained[],
  showPod: ShowPod,
  timeoutMs: number,
): Promise<RolloutOutcome[]> {
  const common = commonImagePullFix(explained.map((e) => e.fixes));
  const list = items.map((s) => `${s.name} (${s.failure ? `pod ${s.failure.pod.metadata?.name} is ${s.failure.reason}` : 'past its progress deadline'})`).join('; ');
  const choice = await vscode.window.showErrorMessage(
    `${items.length} rollouts are stuck: ${list}.${common ? ` ${common.label} runs ${common.runs}, and the pods start at their next pull attempt.` : ''}`,
    ...(common ? [common.label] : []),
    CHOOSE_DEPLOYMENT,
  );
  const outcomes: RolloutOutcome[] = items.map(() => 'failed');
  if (common && choice === common.label) {
    const done = new Set<string>();
    for (const fix of common.fixes) {
      if (await fixed(ctx, fix)) done.add(imagePullFixKey(fix));
    }
    const fixedOnes = items.map((_, k) => k).filter((k) => done.has(imagePullFixKey(explained[k].fixes[0])));
    const pulled = await waitForPullRetries(http, fixedOnes.map((k) => pullRetry(items[k], explained[k].fixes[0])), timeoutMs);
    const retried = fixedOnes.filter((_, at) => pulled[at]);
    const again = await followRollouts(ctx, http, context, retried.map((k) => items[k]), showPod);
    retried.forEach((k, at) => (outcomes[k] = again[at]));
    return outcomes;
  }
  if (choice === CHOOSE_DEPLOYMENT) {
    const picked = await vscode.window.showQuickPick(
      items.map((s, k) => ({ label: s.name, description: explained[k].what, detail: explained[k].hint.trim() || undefined, k })),
      { title: 'Stuck rollouts', placeHolder: 'Which deployment? Its notification offers its fix, Show Pod and Show Events.', matchOnDescription: true },
    );
    if (picked) {
      outcomes[picked.k] = await stuck(ctx, http, context, items[picked.k], explained[picked.k], showPod, timeoutMs);
      // The others are not forgotten: they come back, together (or alone when one is left).
      const rest = items.map((_, k) => k).filter((k) => k !== picked.k);
      const later = rest.length === 1
        ? [await stuck(ctx, http, context, items[rest[0]], explained[rest[0]], showPod, timeoutMs)]
        : await stuckTogether(ctx, http, context, rest.map((k) => items[k]), rest.map((k) => explained[k]), showPod, timeoutMs);
      rest.forEach((k, at) => (outcomes[k] = later[at]));
    }
  }
  return outcomes;
}

/** Runs a fix; false when it failed, or when the pod will still not start (a pull policy to change first). */
async function fixed(ctx: Ctx, fix: ImagePullFix): Promise<boolean> {
  return (await runImagePullFix(ctx, fix)) && !(fix.kind === 'import' && fix.pullPolicyNote);
}

/** What waitForPullRetries waits for after `fix`: the stuck pod pulling the fixed image again. */
function pullRetry({ namespace, failure }: Stuck, fix: ImagePullFix): PullRetry {
  return { namespace, pod: failure?.pod.metadata?.name ?? '', image: fix.kind === 'import' ? fix.image : fix.pushImage };
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
