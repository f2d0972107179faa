// "Build & Deploy": docker build under the next tag, docker push or k3d image import, then the
// tag in the file, save and apply (WORKFLOW.md rows 7, 18, 19). Cancellable; output streamed to
// the "k3d Build" channel; the first failure stops the chain with the tool's own message.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findBuildContext } from '../../core/build/context.ts';
import { dockerVersionArgs, isDockerDown } from '../../core/build/docker.ts';
import { buildPlan, k3dClusterOfContext, publishMethod } from '../../core/build/publish.ts';
import type { BuildStep } from '../../core/build/publish.ts';
import { lastMeaningfulLine, runTool, ToolError } from '../../core/process.ts';
import { K3dError } from '../../core/k3d/errors.ts';
import { stripAnsi } from '../../core/k3d/logLine.ts';
import { readKubeconfig } from '../../core/kube/kubeconfig.ts';
import { setImagePullPolicy } from '../../core/manifests/edit.ts';
import { findTarget } from '../../core/imageTags/lenses.ts';
import { formatImageReference } from '../../core/manifests/imageReference.ts';
import type { ImageReference } from '../../core/manifests/imageReference.ts';
import type { ImageTagsFeature } from './ImageTagsFeature.ts';
import { applyTag, applyTextEdit, chooseNextTag } from './editing.ts';
import type { Located } from './editing.ts';
import { imageTagSettings } from './settings.ts';

let channel: vscode.OutputChannel | undefined;

function output(feature: ImageTagsFeature): vscode.OutputChannel {
  channel ??= feature.ctx.register(vscode.window.createOutputChannel('k3d Build'));
  return channel;
}

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
  const publish = publishMethod(ref, imageTagSettings.publish(document.uri));
  let cluster: string | undefined;
  if (publish === 'import') {
    const current = (await readKubeconfig(feature.ctx.kubeconfigPaths())).currentContext;
    cluster = k3dClusterOfContext(current);
    if (!cluster) {
      const choice = await vscode.window.showWarningMessage(
        `Build & Deploy imports ${ref.path} into the current k3d cluster, but the current context is ${current ? `'${current}', not a k3d cluster` : 'not set'}.`,
        'Use Context',
      );
      if (choice) await vscode.commands.executeCommand('k3dDeploy.useContext');
      return;
    }
    if (located.image.pullPolicy?.value === 'Always' && !(await offerPullPolicyFix(feature, located))) return;
  }
  // Before asking for a tag: with Docker down there is nothing to build.
  const out = output(feature);
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
  const image = formatImageReference({ registry: ref.registry, path: ref.path, tag: choice.tag });
  const steps = buildPlan({ image, contextDir: context.contextDir, dockerfile: path.basename(context.dockerfile) === 'Dockerfile' ? undefined : context.dockerfile, publish, cluster });

  out.appendLine(`# ${image}: ${steps.map((s) => s.title.toLowerCase()).join(', then ')}`);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Build & Deploy ${image}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        try {
          for (const step of steps) {
            progress.report({ message: step.title });
            await runStep(feature, out, step, abort.signal, progress);
          }
        } finally {
          cancel.dispose();
        }
      },
    );
  } catch (e) {
    await reportFailure(out, e);
    return;
  }
  if (publish === 'import') await feature.imported.add(ref as ImageReference);
  out.appendLine(`# ${image} is ${publish === 'push' ? 'pushed' : `imported into ${cluster}`}; setting the tag in the manifest`);
  if (!(await applyTag(feature, located, choice))) return;
  if (!(await document.save())) {
    void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(document.uri)} could not be saved; apply it once it is.`);
    return;
  }
  await applyDocument(feature, document);
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

async function runStep(
  feature: ImageTagsFeature,
  out: vscode.OutputChannel,
  step: BuildStep,
  signal: AbortSignal,
  progress: vscode.Progress<{ message?: string }>,
): Promise<void> {
  let lastReport = 0;
  const onLine = (line: string) => {
    const text = stripAnsi(line);
    out.appendLine(text);
    if (text.trim() !== '' && Date.now() - lastReport > 250) {
      lastReport = Date.now();
      progress.report({ message: `${step.title}: ${text.trim().slice(0, 80)}` });
    }
  };
  if (step.tool === 'k3d') {
    out.appendLine(`$ ${[feature.ctx.config.k3dPath, ...step.args].join(' ')}`);
    try {
      await feature.ctx.k3d.run([...step.args], { onLine, signal, timeoutMs: feature.ctx.config.operationTimeoutMs });
    } catch (e) {
      if (e instanceof K3dError) {
        if (e.kind === 'cancelled') throw e;
        if (e.kind === 'notInstalled') throw new ChainStopped('k3d was not found. Install it, or set "k3d.path" to where it is.');
        if (e.kind === 'dockerDown') throw new ChainStopped('Importing failed: Docker is not running, or k3d cannot reach it.');
        throw new ChainStopped(`${step.title} failed: ${e.detail ?? e.message}`);
      }
      throw e;
    }
    return;
  }
  const docker = imageTagSettings.dockerPath;
  out.appendLine(`$ ${[docker, ...step.args].join(' ')}`);
  try {
    await runTool(docker, step.args, { onLine, signal, timeoutMs: 30 * 60_000 });
  } catch (e) {
    if (e instanceof ToolError && e.kind !== 'cancelled') {
      if (isDockerDown(e.output)) throw new ChainStopped('Docker is not running, so nothing can be built. Start Docker, then try again.');
      throw new ChainStopped(`${step.title} failed: ${lastMeaningfulLine(e.output) ?? e.message}`);
    }
    throw e;
  }
}

async function reportFailure(out: vscode.OutputChannel, e: unknown): Promise<void> {
  const cancelled = (e instanceof ToolError || e instanceof K3dError) && e.kind === 'cancelled';
  if (cancelled) {
    out.appendLine('# cancelled: the tag in the manifest is unchanged');
    void vscode.window.showInformationMessage('Build & Deploy was cancelled; the manifest is unchanged.');
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  out.appendLine(`# stopped: ${message}`);
  const choice = await vscode.window.showErrorMessage(`Build & Deploy stopped: ${message} The manifest is unchanged.`, 'Show Output');
  if (choice) out.show(true);
}
