// "Build & Deploy", one pipeline of typed steps (WORKFLOW.md rows 7, 18, 19): check Docker,
// choose the next tag, docker build, deliver (k3d image import, or docker push to the cluster's
// registry), write the tag (one undoable edit), save, apply and follow the rollout. Cancellable;
// output streamed to the "k3d Build" channel; the first failure stops the chain with the tool's
// own reason and leaves the manifest unchanged.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { filesInContext, findBuildContext } from '../../core/build/context.ts';
import { dockerVersionArgs, isDockerDown } from '../../core/build/docker.ts';
import { buildPlan, k3dClusterOfContext, planDelivery } from '../../core/build/publish.ts';
import type { ClusterRegistry } from '../../core/build/registry.ts';
import { ToolError, runTool } from '../../core/process.ts';
import { K3dError } from '../../core/k3d/errors.ts';
import { connectContext } from '../../core/kube/connect.ts';
import { readKubeconfig } from '../../core/kube/kubeconfig.ts';
import { setImagePullPolicy } from '../../core/manifests/edit.ts';
import { findTarget } from '../../core/imageTags/lenses.ts';
import { parseImageReference } from '../../core/manifests/imageReference.ts';
import type { ImageReference } from '../../core/manifests/imageReference.ts';
import type { ImageTagsFeature } from './ImageTagsFeature.ts';
import { buildOutput, clusterRegistry, runStep, StepFailed } from './delivery.ts';
import { applyTag, applyTextEdit, chooseNextTag } from './editing.ts';
import type { Located } from './editing.ts';
import { UnsavedEditsGuard } from './saveGuard.ts';
import { imageTagSettings } from './settings.ts';

/** A step failed: the message is what the user reads; the output channel has the rest. */
class ChainStopped extends Error {}

export async function buildAndDeploy(feature: ImageTagsFeature, located: Located): Promise<void> {
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
  const kubeContext = (await readKubeconfig(feature.ctx.kubeconfigPaths())).currentContext;
  const cluster = k3dClusterOfContext(kubeContext);
  const registry = kubeContext ? await registryOf(feature, kubeContext) : undefined;
  const setting = imageTagSettings.publish(document.uri);
  const early = planDelivery({ ref, tag: ref.tag ?? 'latest', setting, cluster, registry });
  if (!early.ok) {
    if (early.needs === 'k3dContext') {
      const choice = await vscode.window.showWarningMessage(
        `Build & Deploy imports ${ref.path} into the current k3d cluster, but the current context is ${kubeContext ? `'${kubeContext}', not a k3d cluster` : 'not set'}.`,
        'Use Context',
      );
      if (choice) await vscode.commands.executeCommand('k3dDeploy.useContext');
    } else {
      void vscode.window.showWarningMessage(`Build & Deploy: ${early.reason} Nothing was built.`);
    }
    return;
  }
  if (early.method === 'import' && located.image.pullPolicy?.value === 'Always') {
    if (!(await offerPullPolicyFix(feature, located))) return;
    guard.accept();
  }

  // Before asking for a tag: with Docker down there is nothing to build.
  const out = buildOutput(feature.ctx);
  out.appendLine('');
  out.appendLine(`# Build & Deploy ${ref.path} (${vscode.workspace.asRelativePath(document.uri)})`);
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Checking Docker' }, () => checkDocker(out));
  } catch (e) {
    await reportFailure(out, e);
    return;
  }
  const choice = await chooseNextTag(feature, located);
  if (!choice) return;
  const delivery = planDelivery({ ref, tag: choice.tag, setting, cluster, registry });
  if (!delivery.ok) return; // as `early`: the tag does not change where an image goes
  const steps = buildPlan({
    image: delivery.buildImage,
    contextDir: context.contextDir,
    dockerfile: path.basename(context.dockerfile) === 'Dockerfile' ? undefined : context.dockerfile,
    publish: delivery.method,
    cluster: delivery.method === 'import' ? delivery.cluster : undefined,
  });

  out.appendLine(`# ${delivery.manifestImage}: ${steps.map((s) => s.title.toLowerCase()).join(', then ')}`);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Build & Deploy ${delivery.manifestImage}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        try {
          for (const step of steps) {
            progress.report({ message: step.title });
            await runStep(feature.ctx, out, step, abort.signal, progress);
          }
        } finally {
          cancel.dispose();
        }
      },
    );
  } catch (e) {
    await reportFailure(out, e, context.dockerfile);
    return;
  }
  const delivered = parseImageReference(delivery.manifestImage);
  if (delivery.method === 'import' && delivered.valid) await feature.imported.add(delivered as ImageReference);
  void feature.localImages.get(true);
  const where = delivery.method === 'import' ? `imported into ${delivery.cluster}` : `pushed to ${delivery.toClusterRegistry ? `the cluster's registry as ${delivery.buildImage}` : delivery.buildImage}`;
  out.appendLine(`# ${delivery.manifestImage} is built and ${where}; setting the tag in the manifest`);

  // The build took a while: the editor may hold new edits since the user was asked.
  if (!(await guard.check('the build'))) {
    out.appendLine('# the manifest is unchanged (its new unsaved edits were not confirmed)');
    void vscode.window.showInformationMessage(`${delivery.manifestImage} is built and ${where}; the manifest is unchanged and nothing was applied.`);
    return;
  }
  if (!(await applyTag(feature, located, choice))) return;
  if (!(await document.save())) {
    void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(document.uri)} could not be saved; apply it once it is.`);
    return;
  }
  await applyDocument(feature, document);
}

/**
 * `docker build` reads the files as saved: an editor with unsaved changes to one of them (the
 * app's source) would build the old version. Asks: save them, or build what is saved.
 */
async function saveBuildContextEdits(manifest: vscode.TextDocument, contextDir: string): Promise<boolean> {
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && d !== manifest && d.uri.scheme === 'file');
  const inContext = new Set(filesInContext(dirty.map((d) => d.uri.fsPath), contextDir));
  const unsaved = dirty.filter((d) => inContext.has(d.uri.fsPath));
  if (unsaved.length === 0) return true;
  const names = unsaved.map((d) => vscode.workspace.asRelativePath(d.uri));
  const choice = await vscode.window.showWarningMessage(
    `${names.length === 1 ? names[0] : `${names.length} files of the build context`} ${names.length === 1 ? 'has' : 'have'} unsaved changes, and docker build reads the saved files.`,
    { modal: true, detail: `${names.join('\n')}\n\nSave them to build what the editor shows, or build the versions on disk.` },
    'Save and Build',
    'Build Saved Versions',
  );
  if (choice === 'Build Saved Versions') return true;
  if (choice !== 'Save and Build') return false;
  for (const d of unsaved) {
    if (!(await d.save())) {
      void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(d.uri)} could not be saved; nothing was built.`);
      return false;
    }
  }
  return true;
}

async function registryOf(feature: ImageTagsFeature, context: string): Promise<ClusterRegistry | undefined> {
  try {
    return await clusterRegistry(feature.ctx, await connectContext(context, feature.ctx.kubeconfigPaths()));
  } catch (e) {
    feature.ctx.log.debug(`Build & Deploy: cannot read the registry of ${context}: ${(e as Error).message}`);
    return undefined;
  }
}

/** Saves nothing: asks the cluster to apply the (saved) file with the apply feature's command. */
export async function applyDocument(feature: ImageTagsFeature, document: vscode.TextDocument): Promise<void> {
  const commands = await vscode.commands.getCommands(true);
  if (!commands.includes('k3dDeploy.apply')) {
    void vscode.window.showWarningMessage(
      `The new tag is saved in ${vscode.workspace.asRelativePath(document.uri)}, but it was not applied: this build of the extension has no Apply command (k3dDeploy.apply).`,
    );
    return;
  }
  await vscode.commands.executeCommand('k3dDeploy.apply', document.uri);
  feature.lessons.refreshLive(document, true);
}

async function offerPullPolicyFix(feature: ImageTagsFeature, located: Located): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    `${located.image.containerName ?? 'The container'} has imagePullPolicy: Always, so the node would pull the imported image from a registry and fail (ErrImagePull).`,
    { modal: true },
    'Set IfNotPresent and Continue',
    'Continue Anyway',
  );
  if (choice === 'Continue Anyway') return true;
  if (choice !== 'Set IfNotPresent and Continue') return false;
  const image = findTarget(feature.parse(located.document), located.target);
  const result = image && setImagePullPolicy(feature.parse(located.document), image, 'IfNotPresent');
  if (!result?.ok) {
    void vscode.window.showWarningMessage(result?.reason ?? 'The image is no longer in the file.');
    return false;
  }
  return applyTextEdit(located.document, result.edit);
}

async function checkDocker(out: vscode.OutputChannel, signal?: AbortSignal): Promise<void> {
  const docker = imageTagSettings.dockerPath;
  out.appendLine(`$ ${[docker, ...dockerVersionArgs()].join(' ')}`);
  try {
    const { stdout } = await runTool(docker, dockerVersionArgs(), { timeoutMs: 15_000, signal });
    out.appendLine(`Docker ${stdout.trim()}`);
  } catch (e) {
    if (e instanceof ToolError) {
      e.output.forEach((l) => out.appendLine(l));
      if (e.kind === 'notInstalled') throw new ChainStopped(`Docker was not found (${docker}). Install Docker, or set "k3d.dockerPath" to where it is.`);
      if (e.kind === 'cancelled') throw e;
      if (isDockerDown(e.output)) throw new ChainStopped('Docker is not running, so nothing can be built. Start Docker (Docker Desktop, or `sudo systemctl start docker`), then try again.');
      throw new ChainStopped(`Docker does not answer: ${e.message}`);
    }
    throw e;
  }
}

async function reportFailure(out: vscode.OutputChannel, e: unknown, dockerfile?: string): Promise<void> {
  const cancelled = (e instanceof ToolError || e instanceof K3dError) && e.kind === 'cancelled';
  if (cancelled) {
    out.appendLine('# cancelled: the tag in the manifest is unchanged');
    void vscode.window.showInformationMessage('Build & Deploy was cancelled; the manifest is unchanged.');
    return;
  }
  const message = (e instanceof Error ? e.message : String(e)).replace(/\.?$/, '.');
  out.appendLine(`# stopped: ${message}`);
  const openDockerfile = dockerfile && e instanceof StepFailed && e.step === 'build' ? ['Open Dockerfile'] : [];
  const choice = await vscode.window.showErrorMessage(`Build & Deploy stopped: ${message} The manifest is unchanged.`, ...openDockerfile, 'Show Output');
  if (choice === 'Show Output') out.show(true);
  if (choice === 'Open Dockerfile' && dockerfile) await vscode.window.showTextDocument(vscode.Uri.file(dockerfile));
}
