// imagePullPolicy is never rewritten silently (a locally imported image needs IfNotPresent):
// the change opens as a diff beside the file — the file on the left, the file with the new line
// on the right, read-only — and a question names the line; only "Apply Change" edits the file,
// as one undoable edit made against the version the diff showed. Both the Quick Fix and Build & Deploy's
// question (offerPullPolicyFix) live here, in the extension's bundle, where the diff's read-only document is served.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatLineChange, lineChange } from '../../core/publish/imagePullFix.ts';
import { findTarget, isImageTarget } from '../../core/manifests/lenses.ts';
import type { ImageTarget } from '../../core/manifests/lenses.ts';
import type { ManifestFile } from '../../core/manifests/documents.ts';
import { setImagePullPolicy } from '../../core/manifests/edit.ts';
import type { EditResult, PullPolicyValue } from '../../core/manifests/edit.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import { applyTextEdit, workspaceEdit } from './editing.ts';
import type { Located } from './editing.ts';

export const APPLY_CHANGE = 'Apply Change';

type Parse = (document: vscode.TextDocument) => ManifestFile;

/** The edit for the target's container, or a message why there is none. */
function policyEdit(parse: Parse, document: vscode.TextDocument, target: ImageTarget, policy: PullPolicyValue): EditResult {
  const file = parse(document);
  const image = findTarget(file, target);
  return image ? setImagePullPolicy(file, image, policy) : { ok: false, reason: 'The image is no longer where it was in the file; nothing was changed.' };
}

/** Opens the diff of the document and its text after `result`; returns what closes it again. */
export async function showEditDiff(document: vscode.TextDocument, result: Extract<EditResult, { ok: true }>, what: string): Promise<() => Promise<void>> {
  const name = path.basename(document.uri.path);
  const proposed = await showReadOnly(`proposed/${document.version}/${name}`, result.text, false, false);
  await vscode.commands.executeCommand('vscode.diff', document.uri, proposed, `${name} ↔ ${what} (proposed)`, { preview: true, preserveFocus: false });
  return async () => {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === proposed.toString());
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
  };
}

/**
 * The Quick Fix "Set imagePullPolicy: IfNotPresent…": the diff, then the question; true when the
 * edit was made. `arg` is `[target, policy]` from the code action.
 */
export async function previewPullPolicyFix(parse: Parse, target: unknown, policy: unknown): Promise<boolean> {
  if (!isImageTarget(target) || (policy !== 'IfNotPresent' && policy !== 'Never' && policy !== 'Always')) return false;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri));
  const result = policyEdit(parse, document, target, policy);
  if (!result.ok) {
    void vscode.window.showWarningMessage(result.reason);
    return false;
  }
  const version = document.version;
  const change = formatLineChange(lineChange(document.getText(), result.edit));
  const close = await showEditDiff(document, result, `imagePullPolicy: ${policy}`);
  const choice = await vscode.window.showInformationMessage(
    `Set imagePullPolicy: ${policy} in ${vscode.workspace.asRelativePath(document.uri)}? The diff shows the change.`,
    { modal: true, detail: `${change}\n\nA locally imported image is not in any registry: with ${policy} the node uses the image it has instead of pulling. Nothing else in the file changes.` },
    APPLY_CHANGE,
  );
  await close();
  if (choice !== APPLY_CHANGE) return false;
  // Edited while the question was open: the change is made again on the new text, or not at all.
  const now = document.version === version ? result : policyEdit(parse, document, target, policy);
  if (!now.ok) {
    void vscode.window.showWarningMessage(now.reason);
    return false;
  }
  const applied = await vscode.workspace.applyEdit(workspaceEdit(document, now.edit));
  if (applied) await vscode.window.showTextDocument(document, { preview: false });
  return applied;
}

/** imagePullPolicy: Always with an import: the change to IfNotPresent, shown as a diff, then asked. */
export async function offerPullPolicyFix(parse: Parse, located: Located): Promise<boolean> {
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
