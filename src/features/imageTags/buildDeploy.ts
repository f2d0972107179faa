// "Build & Deploy" (the course's `docker build -t IMG:TAG`, push or `k3d image import`, edit the tag, apply): the questions first (unsaved edits, build
// context, delivery, pull policy, Docker running, the next tag), then the core's pipeline
// (core/deploy/pipeline.ts: plan → build → deliver → edit → apply → rollout) with this editor's
// adapters. The running phase shows in the status bar and a cancellable notification; the phase
// times end in a notification and the "k3d Build" channel; the first failure stops the loop with
// the tool's own reason; a cancel before the edit leaves the manifest unchanged; a build that
// gives the current tag's image ID is "up to date" (no new tag, no rollout).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findBuildContext } from '../../core/publish/context.ts';
import { dockerUntagArgs } from '../../core/publish/docker.ts';
import { k3dClusterOfContext, planDelivery } from '../../core/publish/publish.ts';
import type { BuildStep } from '../../core/publish/publish.ts';
import { cancelledText, DeployStopped, formatAllTimings, formatSeconds, formatTimings, phaseVerb, runDeploy } from '../../core/deploy/pipeline.ts';
import type { DeployAdapters, DeployInput, DeployOutcome, PlannedDelivery } from '../../core/deploy/pipeline.ts';
import type { ClusterRegistry } from '../../core/publish/registry.ts';
import { runTool } from '../../core/process.ts';
import type { KubeContexts } from '../../core/kube/contexts.ts';
import { formatImageReference } from '../../core/manifests/imageReference.ts';
import { clusterRegistry, localImageId, localImageIds } from '../../core/publish/steps.ts';
import type { MadeEdit } from '../../core/deploy/undoEdit.ts';
import type { ApplyApi, ApplySummary } from '../apply/api.ts';
import type { ImagePhaseDone } from './api.ts';
import type { Located, TagChoice } from './editing.ts';
import { UnsavedEditsGuard } from './saveGuard.ts';
import { checkDocker, saveBuildContextEdits } from './buildQuestions.ts';
import { imageTagSettings } from './settings.ts';

/**
 * What Build & Deploy is given (ImageTagsFeature.ts composes it). This file is its own bundle
 * (dist/imageTagsBuild.js, loaded on first use), so what holds state lives in the extension's bundle and
 * comes in here: the "k3d Build" channel and the step runner (features/shared/buildSteps.ts: one channel;
 * k3d's errors are classified where k3d runs), the read-only diff of the pull-policy fix, the connections.
 */
export interface BuildDeployParts {
  readonly log: Pick<vscode.LogOutputChannel, 'debug'>;
  /** kubeconfig's current context, and the shared connection to a context (Ctx's live cluster state). */
  readonly kube: Pick<KubeContexts, 'currentContext' | 'http'>;
  /** The "k3d Build" channel, made on first use. */
  output(): vscode.OutputChannel;
  runStep(out: vscode.OutputChannel, step: BuildStep, signal: AbortSignal, progress: vscode.Progress<{ message?: string }>): Promise<void>;
  /** Throws the reason when the imported image is not on every node (k3d has claimed imports that never landed). */
  checkImportLanded(out: vscode.OutputChannel, cluster: string, image: string, imageId: string, signal?: AbortSignal): Promise<void>;
  /** The next tag (asks when the tag's scheme needs it); undefined: the user cancelled. */
  chooseNextTag(located: Located): Promise<TagChoice | undefined>;
  /** Writes the tag as one undoable edit; what was replaced, or undefined (with a message). */
  applyTag(located: Located, choice: TagChoice): Promise<MadeEdit | undefined>;
  /** Puts back what applyTag replaced and saves; false when the file changed there since. */
  undoTag(document: vscode.TextDocument, made: MadeEdit): Promise<boolean>;
  /** imagePullPolicy: Always with an import: the diff, the question, the edit; false to stop. */
  offerPullPolicyFix(located: Located): Promise<boolean>;
  /** Applies the saved file through Apply's API (`follow: false`: the rollout is followed here); the lenses then ask the cluster again. */
  applyDocument(document: vscode.TextDocument, options: { follow?: boolean }): Promise<ApplySummary | undefined>;
  readonly apply: Pick<ApplyApi, 'followRollouts'>;
  /** The image is delivered: an imported one counts as local for the lessons, and Docker's image list is read again. */
  delivered(delivery: PlannedDelivery): Promise<void>;
  /** Build & Deploy finished a phase (the walkthrough listens). */
  phaseDone(event: ImagePhaseDone): void;
  /** Clusters' Use Context... (its API), offered when the current context is not a k3d cluster. */
  useContext(): Promise<void>;
}

export async function buildAndDeploy(parts: BuildDeployParts, located: Located): Promise<void> {
  const { document } = located;
  const ref = located.image.reference;
  if (!ref.valid) {
    void vscode.window.showWarningMessage(`The image "${located.image.image}" is not valid: ${ref.message}`);
    return;
  }
  if (document.uri.scheme !== 'file' || document.isUntitled) {
    void vscode.window.showInformationMessage('Save the manifest first: the Dockerfile is looked up next to its folder.');
    return;
  }
  // Saving takes the user's other unsaved edits along, and applying sends them: ask before anything runs.
  const guard = new UnsavedEditsGuard(document, 'Build & Deploy');
  if (!(await guard.check())) return;
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const context = await findBuildContext({
    manifestPath: document.uri.fsPath,
    workspaceRoot: folder?.uri.fsPath,
    configured: imageTagSettings.contextPath(document.uri),
    isFile: (f) => fs.stat(f).then((s) => s.isFile(), () => false),
  });
  if (!context.ok) {
    const choice = await vscode.window.showWarningMessage(`Build & Deploy: ${context.reason}`, 'Open Settings');
    if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'k3d.build.contextPath');
    return;
  }
  if (!(await saveBuildContextEdits(document, context.contextDir))) return;

  // Where the image goes: the current context's k3d cluster, and its registry if it announces one.
  const kubeContext = await parts.kube.currentContext();
  const cluster = k3dClusterOfContext(kubeContext);
  const registry = kubeContext ? await registryOf(parts, kubeContext) : undefined;
  const setting = imageTagSettings.publish(document.uri);
  const early = planDelivery({ ref, tag: ref.tag ?? 'latest', setting, cluster, registry });
  if (!early.ok) {
    if (early.needs === 'k3dContext') {
      const choice = await vscode.window.showWarningMessage(
        `Build & Deploy imports ${ref.path} into the current k3d cluster, but the current context is ${kubeContext ? `'${kubeContext}', not a k3d cluster` : 'not set'}.`,
        'Use Context',
      );
      if (choice) await parts.useContext();
    } else {
      void vscode.window.showWarningMessage(`Build & Deploy: ${early.reason} Nothing was built.`);
    }
    return;
  }
  if (early.method === 'import' && located.image.pullPolicy?.value === 'Always') {
    if (!(await parts.offerPullPolicyFix(located))) return;
    guard.accept();
  }

  // Before asking for a tag: with Docker down there is nothing to build.
  const out = parts.output();
  out.appendLine('');
  out.appendLine(`# Build & Deploy ${ref.path} (${vscode.workspace.asRelativePath(document.uri)})`);
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Checking Docker' }, () => checkDocker(out));
  } catch (e) {
    await reportFailure(out, e);
    return;
  }
  const choice = await parts.chooseNextTag(located);
  if (!choice) return;
  await runPipeline(parts, located, guard, out, {
    ref,
    tag: choice.tag,
    setting,
    cluster,
    registry,
    contextDir: context.contextDir,
    dockerfile: path.basename(context.dockerfile) === 'Dockerfile' ? undefined : context.dockerfile,
  }, choice, context.dockerfile);
}

/**
 * Starts the core's pipeline (core/deploy/pipeline.ts) with this editor's adapters, and shows it:
 * the running phase in the status bar and the notification (whose Cancel kills the running
 * docker/k3d process), then the phase times in a notification, the status bar and the channel.
 */
async function runPipeline(
  parts: BuildDeployParts,
  located: Located,
  guard: UnsavedEditsGuard,
  out: vscode.OutputChannel,
  input: DeployInput,
  choice: TagChoice,
  dockerfile: string,
): Promise<void> {
  const { document } = located;
  const status = vscode.window.createStatusBarItem('k3dDeploy.buildDeploy', vscode.StatusBarAlignment.Left, 49);
  status.name = 'k3d Build & Deploy';
  let delivery: PlannedDelivery | undefined;
  let tagSet = false;
  let made: MadeEdit | undefined;
  let outcome: DeployOutcome;
  try {
    outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Build & Deploy ${formatImageReference({ registry: input.ref.registry, path: input.ref.path, tag: input.tag })}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        const adapters: DeployAdapters<ApplySummary> = {
          runStep: (step, signal) => {
            progress.report({ message: step.title });
            return parts.runStep(out, step, signal, progress);
          },
          imageId: (image, signal) => localImageId(imageTagSettings.dockerPath, image, signal),
          imageIds: (images, signal) => localImageIds(imageTagSettings.dockerPath, images, signal),
          // k3d has said "Successfully imported" for images that never arrived: look on the nodes.
          verifyDelivery: async (plan, id, signal) => {
            if (plan.delivery.method === 'import') await parts.checkImportLanded(out, plan.delivery.cluster, plan.delivery.manifestImage, id, signal);
          },
          untag: async (image) => {
            out.appendLine(`$ ${[imageTagSettings.dockerPath, ...dockerUntagArgs(image)].join(' ')}`);
            await runTool(imageTagSettings.dockerPath, dockerUntagArgs(image), { timeoutMs: 15_000 });
          },
          edit: async (plan, signal) => {
            const { manifestImage } = plan.delivery;
            // The build took a while: the editor may hold new edits since the user was asked.
            if (!(await guard.check('the build'))) {
              void vscode.window.showInformationMessage(`${manifestImage} is built and ${deliveredWhere(plan.delivery)}; the manifest is unchanged and nothing was applied.`);
              throw new DeployStopped('the manifest is unchanged (its new unsaved edits were not confirmed)');
            }
            // Cancelled while the question was open: the tag stays as it is.
            if (signal.aborted) throw new DeployStopped('cancelled before the tag was set');
            made = await parts.applyTag(located, choice);
            if (!made) throw new DeployStopped('the tag could not be set');
            tagSet = true;
            if (!(await document.save())) {
              void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(document.uri)} could not be saved; apply it once it is.`);
              throw new DeployStopped('the manifest could not be saved');
            }
          },
          // Cancel after the tag edit: the file goes back as it was.
          undoEdit: async () => made !== undefined && (await parts.undoTag(document, made)),
          apply: async () => {
            const summary = await parts.applyDocument(document, { follow: false });
            if (!summary?.applied) throw new DeployStopped('the manifest was not applied');
            return summary;
          },
          rollout: (summary) => followRollouts(parts.apply, summary),
        };
        try {
          return await runDeploy(input, adapters, {
            signal: abort.signal,
            onPhaseStart: (phase, plan) => {
              delivery = plan?.delivery ?? delivery;
              const verb = phaseVerb(phase, delivery?.method);
              status.text = `$(sync~spin) k3d: ${verb}…`;
              status.tooltip = `Build & Deploy: ${verb}`;
              status.show();
              if (phase === 'build' && plan) out.appendLine(`# ${plan.delivery.manifestImage}: ${[plan.build, ...plan.deliver].map((s) => s.title.toLowerCase()).join(', then ')}`);
              if (phase !== 'build' && phase !== 'deliver') progress.report({ message: verb[0].toUpperCase() + verb.slice(1) });
            },
            onPhaseEnd: (timing) => {
              out.appendLine(`# ${timing.phase}: ${formatSeconds(timing.ms)}`);
              if (timing.phase === 'deliver' && delivery) void afterDelivery(parts, out, delivery);
              if ((timing.phase === 'build' || timing.phase === 'deliver') && delivery) parts.phaseDone({ phase: timing.phase, image: delivery.manifestImage });
            },
          });
        } finally {
          cancel.dispose();
        }
      },
    );
  } finally {
    status.dispose();
  }
  await reportOutcome(out, outcome, input, dockerfile, tagSet);
}

/** Saving and applying happened; follows the changed deployments' rollouts (one notification). */
async function followRollouts(apply: Pick<ApplyApi, 'followRollouts'>, summary: ApplySummary): Promise<void> {
  const { changed, context } = summary;
  if (changed.length === 0 || !context) return;
  const outcomes = await apply.followRollouts(context, changed);
  const bad = outcomes.map((o, i) => ({ o, name: `deployment.apps/${changed[i].name}` })).filter((x) => x.o !== 'complete');
  // followRollouts told the user why (the pod's reason, with its fixes): the loop just ends.
  if (bad.length > 0) throw new DeployStopped(`the rollout did not complete: ${bad.map((b) => `${b.name} ${b.o}`).join(', ')}`);
}

async function afterDelivery(parts: BuildDeployParts, out: vscode.OutputChannel, delivery: PlannedDelivery): Promise<void> {
  await parts.delivered(delivery);
  out.appendLine(`# ${delivery.manifestImage} is built and ${deliveredWhere(delivery)}; setting the tag in the manifest`);
}

function deliveredWhere(delivery: PlannedDelivery): string {
  return delivery.method === 'import'
    ? `imported into ${delivery.cluster}`
    : `pushed to ${delivery.toClusterRegistry ? `the cluster's registry as ${delivery.buildImage}` : delivery.buildImage}`;
}

async function reportOutcome(out: vscode.OutputChannel, outcome: DeployOutcome, input: DeployInput, dockerfile: string, tagSet: boolean): Promise<void> {
  const times = formatTimings(outcome.timings, outcome.plan?.delivery.method);
  if (outcome.timings.length > 0) out.appendLine(`# timings: ${formatAllTimings(outcome.timings)}`);
  switch (outcome.status) {
    case 'deployed': {
      out.appendLine(`# ${outcome.plan.delivery.manifestImage} deployed: ${times}`);
      vscode.window.setStatusBarMessage(`$(check) k3d: ${times}`, 30_000);
      void vscode.window.showInformationMessage(`Build & Deploy ${outcome.plan.delivery.manifestImage}: ${times}.`);
      return;
    }
    case 'upToDate': {
      const current = formatImageReference({ registry: input.ref.registry, path: input.ref.path, tag: input.ref.tag });
      const id = outcome.plan.currentImageId?.replace(/^sha256:/, '').slice(0, 12);
      out.appendLine(`# up to date: the build is ${current}'s image (${id}); no new tag, nothing delivered or rolled out (${times})`);
      vscode.window.setStatusBarMessage(`$(check) k3d: ${current} is up to date (${times})`, 30_000);
      void vscode.window.showInformationMessage(`${current} is up to date: the build gives the same image (${id}), so the tag stays and nothing rolls out. (${times})`);
      return;
    }
    case 'cancelled': {
      const text = cancelledText('Build & Deploy', outcome, tagSet, outcome.plan?.delivery.manifestImage ?? input.tag);
      out.appendLine(`# ${text}${times ? ` (${times})` : ''}`);
      void vscode.window.showInformationMessage(text);
      return;
    }
    case 'stopped': {
      out.appendLine(`# stopped: ${outcome.reason}`);
      if (outcome.phase === 'plan') void vscode.window.showWarningMessage(`Build & Deploy: ${outcome.reason} Nothing was built.`);
      return;
    }
    case 'failed':
      await reportFailure(out, outcome.error, outcome.phase === 'build' ? dockerfile : undefined, !tagSet);
  }
}

async function registryOf(parts: BuildDeployParts, context: string): Promise<ClusterRegistry | undefined> {
  try {
    return await clusterRegistry(await parts.kube.http(context), (m) => parts.log.debug(m));
  } catch (e) {
    parts.log.debug(`Build & Deploy: cannot read the registry of ${context}: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * A cancel, read by the error's name and kind rather than instanceof: the steps run in the extension's bundle
 * (parts.runStep), so their ToolError and K3dError are that bundle's classes, not this one's.
 */
function isCancel(e: unknown): boolean {
  const { name, kind } = (e ?? {}) as { name?: unknown; kind?: unknown };
  return (name === 'ToolError' || name === 'K3dError') && kind === 'cancelled';
}

/** The step a StepFailed names (a failed build opens its Dockerfile); by shape, for the same reason. */
function failedStep(e: unknown): unknown {
  return e instanceof Error ? (e as { step?: unknown }).step : undefined;
}

async function reportFailure(out: vscode.OutputChannel, e: unknown, dockerfile?: string, manifestUnchanged = true): Promise<void> {
  if (isCancel(e)) {
    out.appendLine('# cancelled: the tag in the manifest is unchanged');
    void vscode.window.showInformationMessage('Build & Deploy was cancelled; the manifest is unchanged.');
    return;
  }
  const message = (e instanceof Error ? e.message : String(e)).replace(/\.?$/, '.');
  out.appendLine(`# stopped: ${message}`);
  const openDockerfile = dockerfile && failedStep(e) === 'build' ? ['Open Dockerfile'] : [];
  const choice = await vscode.window.showErrorMessage(`Build & Deploy stopped: ${message}${manifestUnchanged ? ' The manifest is unchanged.' : ''}`, ...openDockerfile, 'Show Output');
  if (choice === 'Show Output') out.show(true);
  if (choice === 'Open Dockerfile' && dockerfile) await vscode.window.showTextDocument(vscode.Uri.file(dockerfile));
}
