// Build & Deploy's questions before anything is built: unsaved files of the build context
// (docker build reads the saved ones) and whether Docker answers at all. (imagePullPolicy: Always with
// an import is pullPolicyFix.ts's offerPullPolicyFix: its diff is served by the extension's bundle.)
import * as vscode from 'vscode';
import { filesInContext } from '../../core/publish/context.ts';
import { dockerVersionArgs, isDockerDown } from '../../core/publish/docker.ts';
import { ToolError, runTool } from '../../core/process.ts';
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
