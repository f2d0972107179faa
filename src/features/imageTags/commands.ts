import * as vscode from 'vscode';
import { loadPart } from '../../core/lazy.ts';
import { shortTag } from '../../core/manifests/lenses.ts';
import type { ApplySummary } from '../apply/api.ts';
import type { BuildDeployParts } from './buildDeploy.ts';
import { applyTag, chooseNextTag, locateImage, pickTag } from './editing.ts';
import type { Located, TagChoice, TagSuggestions } from './editing.ts';
import type { ManifestReading } from './manifestReader.ts';
import { UnsavedEditsGuard } from './saveGuard.ts';

/** What Bump tag, Set tag... and Bump & Apply use: the documents and the tag suggestions. */
export interface TagCommandParts {
  readonly manifests: ManifestReading;
  readonly suggestions: TagSuggestions;
}

function done(located: Located, choice: TagChoice): void {
  vscode.window.setStatusBarMessage(`$(tag) ${located.image.containerName ?? 'image'}: tag ${shortTag(choice.tag)}`, 5000);
}

export async function bumpImageTag(parts: TagCommandParts, arg: unknown): Promise<boolean> {
  const located = await locateImage(parts.manifests, arg, 'Bump Image Tag');
  const choice = located && (await chooseNextTag(parts.suggestions, located));
  if (!located || !choice || !(await applyTag(parts.manifests, located, choice))) return false;
  done(located, choice);
  return true;
}

export async function setImageTag(parts: TagCommandParts, arg: unknown): Promise<boolean> {
  const located = await locateImage(parts.manifests, arg, 'Set Image Tag');
  const choice = located && (await pickTag(parts.suggestions, located));
  if (!located || !choice || !(await applyTag(parts.manifests, located, choice))) return false;
  done(located, choice);
  return true;
}

/** A kustomization's newTag is bumped, not applied: Apply does not run kustomize. */
function refuseKustomize(located: Located, verb: string): boolean {
  if (!located.image.kustomize) return false;
  void vscode.window.showWarningMessage(
    `${verb}: ${vscode.workspace.asRelativePath(located.document.uri)} is a kustomization, and Apply does not run kustomize. Use Bump tag here, then kubectl apply -k on its folder.`,
  );
  return true;
}

/** `applyDocument`: Apply's API, then the lenses ask the cluster again. */
export async function bumpImageTagAndApply(
  parts: TagCommandParts & { applyDocument(document: vscode.TextDocument): Promise<ApplySummary | undefined> },
  arg: unknown,
): Promise<void> {
  const located = await locateImage(parts.manifests, arg, 'Bump Tag & Apply');
  if (!located || refuseKustomize(located, 'Bump & Apply')) return;
  // Saving takes the user's other unsaved edits along, and applying sends them: ask first.
  const guard = new UnsavedEditsGuard(located.document, 'Bump & Apply');
  if (!(await guard.check())) return;
  const choice = await chooseNextTag(parts.suggestions, located);
  if (!choice || !(await guard.check('the tag choice')) || !(await applyTag(parts.manifests, located, choice))) return;
  done(located, choice);
  if (!(await located.document.save())) {
    void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(located.document.uri)} could not be saved, so it was not applied.`);
    return;
  }
  await parts.applyDocument(located.document);
}

/** Build & Deploy's body (buildDeploy.ts) is its own bundle, dist/imageTagsBuild.js, loaded on first use. */
export async function buildAndDeployImage(parts: TagCommandParts & { readonly build: BuildDeployParts }, arg: unknown): Promise<void> {
  const located = await locateImage(parts.manifests, arg, 'Build & Deploy');
  if (!located || refuseKustomize(located, 'Build & Deploy')) return;
  const { buildAndDeploy } = await loadPart('imageTagsBuild.js', () => import('./buildDeploy.ts'));
  await buildAndDeploy(parts.build, located);
}
