// Getting an image from this machine's Docker into the cluster, as the "k3d Build" channel shows
// it: docker build / tag / push and k3d image import as argument arrays, their output streamed,
// each failure told in the tool's own words (stderr, cleaned) with what to do. Used by Build &
// Deploy and by the rollout's "Import into Cluster" / "Push to Cluster Registry" fix.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import {
  dockerFailureHint,
  dockerFailureReason,
  dockerImageInspectArgs,
  dockerPushArgs,
  dockerTagArgs,
  importFailureHint,
  isDockerDown,
  k3dImageImportArgs,
} from '../../core/build/docker.ts';
import { imagePullFixes } from '../../core/build/imagePullFix.ts';
import type { ImagePullFix } from '../../core/build/imagePullFix.ts';
import { k3dClusterOfContext } from '../../core/build/publish.ts';
import type { BuildStep } from '../../core/build/publish.ts';
import { LOCAL_REGISTRY_HOSTING, parseLocalRegistryHosting } from '../../core/build/registry.ts';
import type { ClusterRegistry } from '../../core/build/registry.ts';
import { imagesOnNodes, importLanded } from '../../core/deploy/nodeImages.ts';
import type { NodeImageSource } from '../../core/deploy/nodeImages.ts';
import { K3dError } from '../../core/k3d/errors.ts';
import { stripAnsi } from '../../core/k3d/logLine.ts';
import type { KubeHttp } from '../../core/kube/http.ts';
import { ToolError, runTool } from '../../core/process.ts';
import type { Ctx } from '../../ctx.ts';
import { imageTagSettings } from './settings.ts';

let channel: vscode.OutputChannel | undefined;

/** The "k3d Build" channel: every docker and k3d command of the loop and what it printed. */
export function buildOutput(ctx: Ctx): vscode.OutputChannel {
  channel ??= ctx.register(vscode.window.createOutputChannel('k3d Build'));
  return channel;
}

/** A step failed: `message` is what the user reads (the tool's own reason and what to do). */
export class StepFailed extends Error {
  /** Which step, for the action offered with the message (a failed build opens its Dockerfile). */
  readonly step?: BuildStep['kind'];

  constructor(message: string, step?: BuildStep['kind']) {
    super(message);
    this.step = step;
  }
}

/** The registry the context's cluster announces (kube-public/local-registry-hosting), if any. */
export async function clusterRegistry(ctx: Ctx, http: KubeHttp): Promise<ClusterRegistry | undefined> {
  const { namespace, name } = LOCAL_REGISTRY_HOSTING;
  try {
    const cm = await http.json<V1ConfigMap>(`/api/v1/namespaces/${namespace}/configmaps/${name}`);
    return parseLocalRegistryHosting(cm.data);
  } catch (e) {
    if ((e as { kind?: string }).kind !== 'notFound') ctx.log.debug(`${namespace}/${name}: ${(e as Error).message} (assuming the cluster has no registry)`);
    return undefined;
  }
}

let simulatedK3d: Promise<boolean> | undefined;

/**
 * Where the import-landed check (core/deploy/nodeImages.ts) reads the nodes' images: the simulated
 * k3d's state folder when `k3d version` says "simulated", else `docker exec NODE crictl images`.
 */
export async function nodeImageSource(ctx: Ctx): Promise<NodeImageSource> {
  simulatedK3d ??= ctx.k3d.version().then((v) => v.simulated, () => false);
  return {
    simHome: (await simulatedK3d) ? process.env.K3D_SIM_HOME?.trim() || path.join(os.homedir(), '.k3d-sim') : undefined,
    docker: async (args, signal) => (await runTool(imageTagSettings.dockerPath, args, { signal, timeoutMs: 30_000 })).stdout,
    nodes: async (name, signal) => {
      const clusters = await ctx.k3d.listClusters({ signal });
      return (clusters.find((c) => c.name === name)?.nodes ?? []).filter((n) => n.role === 'server' || n.role === 'agent').map((n) => n.name);
    },
  };
}

/** Throws the reason when `image` is not `imageId` on every node of `cluster` (k3d has claimed imports that never landed). */
export async function checkImportLanded(ctx: Ctx, out: vscode.OutputChannel, cluster: string, image: string, imageId: string, signal?: AbortSignal): Promise<void> {
  const check = importLanded(image, imageId, await imagesOnNodes(cluster, await nodeImageSource(ctx), signal), cluster);
  if (!check.ok) throw new StepFailed(check.reason);
  out.appendLine(`# ${image} (${imageId.replace(/^sha256:/, '').slice(0, 12)}) is on every node of ${cluster}`);
}

/** `docker image inspect IMAGE`: does this machine's Docker have it? */
export async function hasLocalImage(image: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await runTool(imageTagSettings.dockerPath, dockerImageInspectArgs(image), { timeoutMs: 15_000, signal });
    return true;
  } catch {
    return false;
  }
}

/** Runs one step, its output to the channel and the progress message; throws StepFailed with the reason. */
export async function runStep(
  ctx: Ctx,
  out: vscode.OutputChannel,
  step: BuildStep,
  signal: AbortSignal,
  progress: vscode.Progress<{ message?: string }>,
  /** Receives every line (stdout and stderr, in order): a failed build's Dockerfile line is found in them. */
  allLines?: string[],
): Promise<void> {
  let lastReport = 0;
  const stderr: string[] = [];
  const onLine = (line: string, stream?: 'stdout' | 'stderr') => {
    const text = stripAnsi(line);
    out.appendLine(text);
    allLines?.push(text);
    if (stream === 'stderr') stderr.push(text);
    if (text.trim() !== '' && !/^\s*(DEPRECATED:|Install the buildx|https:\/\/docs\.docker\.com\/go\/buildx)/.test(text) && Date.now() - lastReport > 250) {
      lastReport = Date.now();
      progress.report({ message: `${step.title}: ${text.trim().slice(0, 80)}` });
    }
  };
  if (step.tool === 'k3d') {
    out.appendLine(`$ ${[ctx.config.k3dPath, ...step.args].join(' ')}`);
    try {
      await ctx.k3d.run([...step.args], { onLine, signal, timeoutMs: ctx.config.operationTimeoutMs });
    } catch (e) {
      if (e instanceof K3dError) {
        if (e.kind === 'cancelled') throw e;
        if (e.kind === 'notInstalled') throw new StepFailed('k3d was not found. Install it, or set "k3d.path" to where it is.');
        if (e.kind === 'dockerDown') throw new StepFailed(`${step.title} failed: Docker is not running, or k3d cannot reach it. Start Docker, then try again.`);
        const why = (e.detail ?? e.message).replace(/\.$/, '');
        const hint = importFailureHint(why);
        throw new StepFailed(`${step.title} failed: ${why}.${hint ? ` ${hint}` : ''}`, step.kind);
      }
      throw e;
    }
    return;
  }
  const docker = imageTagSettings.dockerPath;
  out.appendLine(`$ ${[docker, ...step.args].join(' ')}`);
  try {
    // Success is the exit code alone: the classic builder's deprecation notice on stderr is no failure.
    await runTool(docker, step.args, { onLine, signal, timeoutMs: 30 * 60_000 });
  } catch (e) {
    if (e instanceof ToolError && e.kind !== 'cancelled') {
      if (e.kind === 'notInstalled') throw new StepFailed(`Docker was not found (${docker}). Install Docker, or set "k3d.dockerPath" to where it is.`);
      if (isDockerDown(stderr.length ? stderr : e.output)) throw new StepFailed(`${step.title} failed: Docker is not running. Start Docker (Docker Desktop, or \`sudo systemctl start docker\`), then try again.`);
      if (e.kind === 'timedOut') throw new StepFailed(`${step.title} did not finish: ${e.message}`);
      const reason = dockerFailureReason(stderr) ?? e.message;
      const hint = dockerFailureHint(reason, step.kind === 'push' ? 'push' : step.kind === 'build' ? 'build' : 'tag');
      throw new StepFailed(`${step.title} failed: ${reason}${hint ? ` — ${hint}` : ''}`, step.kind);
    }
    throw e;
  }
}

/** The steps of a fix, in a cancellable notification; true when all ran. Failures are reported here. */
export async function runStepsWithProgress(ctx: Ctx, title: string, steps: readonly BuildStep[]): Promise<boolean> {
  const out = buildOutput(ctx);
  out.appendLine('');
  out.appendLine(`# ${title}`);
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        for (const step of steps) {
          progress.report({ message: step.title });
          await runStep(ctx, out, step, abort.signal, progress);
        }
      } finally {
        cancel.dispose();
      }
    });
    return true;
  } catch (e) {
    const cancelled = (e instanceof ToolError || e instanceof K3dError) && e.kind === 'cancelled';
    const message = cancelled ? 'cancelled' : e instanceof Error ? e.message : String(e);
    out.appendLine(`# stopped: ${message}`);
    if (!cancelled) {
      void vscode.window.showErrorMessage(`${title}: ${message}`, 'Show Output').then((c) => c && out.show(true));
    }
    return false;
  }
}

/** The waiting container of a failing pod: its image and pull policy as the pod spec says them. */
export function pullFailureOf(pod: V1Pod): { reason: string; image: string; pullPolicy?: string } | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const s of statuses) {
    const reason = s.state?.waiting?.reason;
    if (!reason || !/ImagePull|ErrImageNeverPull/.test(reason)) continue;
    const spec = specs.find((c) => c.name === s.name);
    const image = spec?.image ?? s.image;
    if (image) return { reason, image, pullPolicy: spec?.imagePullPolicy };
  }
  return undefined;
}

/** The fixes for a pod that cannot pull its image, when this machine's Docker has it. */
export async function imagePullFixesFor(ctx: Ctx, http: KubeHttp, context: string, pod: V1Pod): Promise<ImagePullFix[]> {
  const failure = pullFailureOf(pod);
  const cluster = k3dClusterOfContext(context);
  if (!failure || !cluster) return [];
  const registry = await clusterRegistry(ctx, http);
  return imagePullFixes({ ...failure, cluster, registry }, (image) => hasLocalImage(image));
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

/**
 * After a fix, the pod is still in ImagePullBackOff until the kubelet's next attempt (its
 * back-off doubles from 10 s up to 5 min). Waits, in a cancellable notification, until the
 * pod's containers are past pulling (or the pod is replaced); false when cancelled or timed out.
 */
export async function waitForPullRetry(http: KubeHttp, namespace: string, podName: string, image: string, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Pod ${podName}`, cancellable: true },
    async (progress, token) => {
      progress.report({ message: `waiting for the kubelet to pull ${image} again (it retries with back-off)` });
      while (!token.isCancellationRequested && Date.now() - started < timeoutMs) {
        const pod = await http.json<V1Pod>(`/api/v1/namespaces/${namespace}/pods/${podName}`).catch((e: { kind?: string }) => (e.kind === 'notFound' ? null : undefined));
        if (pod === null) return true; // replaced: the rollout follows the new one
        if (pod && !pullFailureOf(pod)) return true;
        await new Promise((r) => setTimeout(r, 500));
      }
      return false;
    },
  );
}
