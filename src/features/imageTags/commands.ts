import * as vscode from 'vscode';
import { shortTag } from '../../core/imageTags/lenses.ts';
import type { ImageTagsFeature } from './ImageTagsFeature.ts';
import type { ApplyApi } from '../apply/api.ts';
import { applyDocument, buildAndDeploy } from './buildDeploy.ts';
import { applyTag, chooseNextTag, locateImage, pickTag } from './editing.ts';
import { UnsavedEditsGuard } from './saveGuard.ts';
import type { Located, TagChoice } from './editing.ts';

function done(located: Located, choice: TagChoice): void {
  vscode.window.setStatusBarMessage(`$(tag) ${located.image.containerName ?? 'image'}: tag ${shortTag(choice.tag)}`, 5000);
}

export async function bumpImageTag(feature: ImageTagsFeature, arg: unknown): Promise<boolean> {
  const located = await locateImage(feature, arg, 'Bump Image Tag');
  const choice = located && (await chooseNextTag(feature, located));
  if (!located || !choice || !(await applyTag(feature, located, choice))) return false;
  done(located, choice);
  return true;
}

export async function setImageTag(feature: ImageTagsFeature, arg: unknown): Promise<boolean> {
  const located = await locateImage(feature, arg, 'Set Image Tag');
  const choice = located && (await pickTag(feature, located));
  if (!located || !choice || !(await applyTag(feature, located, choice))) return false;
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

export async function bumpImageTagAndApply(feature: ImageTagsFeature, apply: ApplyApi, arg: unknown): Promise<void> {
  const located = await locateImage(feature, arg, 'Bump Tag & Apply');
  if (!located || refuseKustomize(located, 'Bump & Apply')) return;
  // Saving takes the user's other unsaved edits along, and applying sends them: ask first.
  const guard = new UnsavedEditsGuard(located.document, 'Bump & Apply');
  if (!(await guard.check())) return;
  const choice = await chooseNextTag(feature, located);
  if (!choice || !(await guard.check('the tag choice')) || !(await applyTag(feature, located, choice))) return;
  done(located, choice);
  if (!(await located.document.save())) {
    void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(located.document.uri)} could not be saved, so it was not applied.`);
    return;
  }
  await applyDocument(feature, apply, located.document);
}

/** `useContext`: Clusters' Use Context... (its API), offered when the current context is not a k3d cluster. */
export async function buildAndDeployImage(feature: ImageTagsFeature, apply: ApplyApi, arg: unknown, useContext: () => Promise<void>): Promise<void> {
  const located = await locateImage(feature, arg, 'Build & Deploy');
  if (located && !refuseKustomize(located, 'Build & Deploy')) await buildAndDeploy(feature, apply, located, useContext);
}
