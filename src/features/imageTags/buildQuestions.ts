// Build & Deploy's questions before anything is built: unsaved files of the build context
// (docker build reads the saved ones), imagePullPolicy: Always with an import (the change shown as
// a diff), and whether Docker answers at all.
import * as vscode from 'vscode';
import { filesInContext } from '../../core/build/context.ts';
import { dockerVersionArgs, isDockerDown } from '../../core/build/docker.ts';
import { formatLineChange, lineChange } from '../../core/build/imagePullFix.ts';
import { findTarget } from '../../core/imageTags/lenses.ts';
import type { ManifestFile } from '../../core/manifests/documents.ts';
import { setImagePullPolicy } from '../../core/manifests/edit.ts';
import { ToolError, runTool } from '../../core/process.ts';
import { applyTextEdit } from './editing.ts';
import type { Located } from './editing.ts';
import { showEditDiff } from './pullPolicyFix.ts';
import { imageTagSettings } from './settings.ts';

/** A check failed: the message is what the user reads; the output channel has the rest. */
export class ChainStopped extends Error {}

/**
 * `docker build` reads the files as saved: an editor with unsaved changes to one of them (the
 * app's source) would build the old version. Asks: save them, or build what is saved.
 */
export async function saveBuildContextEdits(manifest: vscode.TextDocument, contextDir: string): Promise<boolean> {
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

/** imagePullPolicy: Always with an import: the change to IfNotPresent, shown as a diff, then asked. */
export async function offerPullPolicyFix(parse: (document: vscode.TextDocument) => ManifestFile, located: Located): Promise<boolean> {
  const version = located.document.version;
  const file = parse(located.document);
  const image = findTarget(file, located.target);
  const result = image && setImagePullPolicy(file, image, 'IfNotPresent');
  const close = result?.ok ? await showEditDiff(located.document, result, 'imagePullPolicy: IfNotPresent') : async () => undefined;
  const choice = await vscode.window.showWarningMessage(
    `${located.image.containerName ?? 'The container'} has imagePullPolicy: Always, so the node would pull the imported image from a registry and fail (ErrImagePull).`,
    { modal: true, detail: result?.ok ? `The diff shows the change: ${formatLineChange(lineChange(file.text, result.edit))}` : undefined },
    'Set IfNotPresent and Continue',
    'Continue Anyway',
  );
  await close();
  if (choice === 'Continue Anyway') return true;
  if (choice !== 'Set IfNotPresent and Continue') return false;
  if (!result?.ok || located.document.version !== version) {
    void vscode.window.showWarningMessage(result?.ok === false ? result.reason : 'The file changed meanwhile; nothing was changed. Try again.');
    return false;
  }
  return applyTextEdit(located.document, result.edit);
}

export async function checkDocker(out: vscode.OutputChannel, signal?: AbortSignal): Promise<void> {
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
