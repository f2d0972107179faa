// The rollout's "Import into Cluster" / "Push to Cluster Registry" fix for a pod that cannot pull
// an image this machine's Docker has: the steps (core/publish/steps.ts) in a cancellable
// notification, their output in the log; then the wait for the kubelet's next pull attempt.
import * as vscode from 'vscode';
import type { V1Pod } from '@kubernetes/client-node';
import { dockerPushArgs, dockerTagArgs, k3dImageImportArgs } from '../../core/publish/docker.ts';
import { podImagePullFixes, pullFailureOf } from '../../core/publish/imagePullFix.ts';
import type { ImagePullFix } from '../../core/publish/imagePullFix.ts';
import type { BuildStep } from '../../core/publish/publish.ts';
import { clusterRegistry, hasLocalImage, isCancelled, runBuildStep } from '../../core/publish/steps.ts';
import type { KubeHttp } from '../../core/kube/http.ts';
import type { Ctx } from '../../ctx.ts';

/** The fixes for a pod that cannot pull its image, when this machine's Docker has it. */
export function imagePullFixesFor(ctx: Ctx, http: KubeHttp, context: string, pod: V1Pod): Promise<ImagePullFix[]> {
  return podImagePullFixes(pod, context, () => clusterRegistry(http, (m) => ctx.log.debug(m)), (image) => hasLocalImage(ctx.config.dockerPath, image));
}

/** The steps of a fix, in a cancellable notification; true when all ran. Failures are reported here. */
async function runStepsWithProgress(ctx: Ctx, title: string, steps: readonly BuildStep[]): Promise<boolean> {
  ctx.log.info(`# ${title}`);
  const tools = { dockerPath: ctx.config.dockerPath, k3dPath: ctx.config.k3dPath, k3d: ctx.k3d, k3dTimeoutMs: ctx.config.operationTimeoutMs };
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        for (const step of steps) {
          progress.report({ message: step.title });
          await runBuildStep(tools, step, abort.signal, (line) => ctx.log.info(line));
        }
      } finally {
        cancel.dispose();
      }
    });
    return true;
  } catch (e) {
    const message = isCancelled(e) ? 'cancelled' : e instanceof Error ? e.message : String(e);
    ctx.log.info(`# stopped: ${message}`);
    if (!isCancelled(e)) void vscode.window.showErrorMessage(`${title}: ${message}`, 'Show Log').then((c) => c && ctx.log.show(true));
    return false;
  }
}

/** Runs a fix: `k3d image import`, or `docker tag` + `docker push` to the cluster's registry. */
export async function runImagePullFix(ctx: Ctx, fix: ImagePullFix): Promise<boolean> {
  if (fix.kind === 'import') {
    const steps: BuildStep[] = [{ kind: 'import', tool: 'k3d', args: k3dImageImportArgs(fix.image, fix.cluster), title: `Importing ${fix.image} into ${fix.cluster}` }];
    const ok = await runStepsWithProgress(ctx, `Import ${fix.image} into ${fix.cluster}`, steps);
    if (ok && fix.pullPolicyNote) void vscode.window.showWarningMessage(`Imported ${fix.image} into ${fix.cluster}, but ${fix.pullPolicyNote}`);
    return ok;
  }
  const steps: BuildStep[] = [];
  if (fix.source !== fix.pushImage) steps.push({ kind: 'push', tool: 'docker', args: dockerTagArgs(fix.source, fix.pushImage), title: `Tagging ${fix.source} as ${fix.pushImage}` });
  steps.push({ kind: 'push', tool: 'docker', args: dockerPushArgs(fix.pushImage), title: `Pushing ${fix.pushImage}` });
  return runStepsWithProgress(ctx, `Push ${fix.pushImage} to the cluster's registry`, steps);
}

/** A pod that could not pull `image`, waiting for the kubelet's next attempt after a fix. */
export interface PullRetry {
  namespace: string;
  pod: string;
  image: string;
}

/**
 * After a fix, a pod is still in ImagePullBackOff until the kubelet's next attempt (its back-off
 * doubles from 10 s up to 5 min). Waits, in one cancellable notification for all the pods (one each
 * would be several toasts at once, and VS Code hides the fourth within 800 ms, the next rollout's
 * message with it), until each pod's containers are past pulling (or the pod is replaced). Per pod:
 * true when it was, false when cancelled or timed out first.
 */
export async function waitForPullRetries(http: KubeHttp, pods: readonly PullRetry[], timeoutMs: number): Promise<boolean[]> {
  const started = Date.now();
  const done = pods.map(() => false);
  if (pods.length === 0) return done;
  const title = pods.length === 1 ? `Pod ${pods[0].pod}` : `${pods.length} pods`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    while (!token.isCancellationRequested && Date.now() - started < timeoutMs) {
      const waiting = pods.filter((_, i) => !done[i]);
      if (waiting.length === 0) break;
      progress.report({ message: `waiting for the kubelet to pull ${[...new Set(waiting.map((p) => p.image))].join(', ')} again (it retries with back-off)` });
      await Promise.all(
        pods.map(async ({ namespace, pod: name }, i) => {
          if (done[i]) return;
          const pod = await http.json<V1Pod>(`/api/v1/namespaces/${namespace}/pods/${name}`).catch((e: { kind?: string }) => (e.kind === 'notFound' ? null : undefined));
          // Replaced (the rollout follows the new one), or past pulling.
          if (pod === null || (pod && !pullFailureOf(pod))) done[i] = true;
        }),
      );
      if (done.every(Boolean)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    return done;
  });
}
