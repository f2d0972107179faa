// After a rollback the cluster runs an image the manifest no longer names (the tree marks the
// drift). The file is the truth: the next apply would roll the bad image out again, so the
// rolled-back image is offered to the file, as one undoable edit.
import * as vscode from 'vscode';
import { manifestImageEdits, type RevisionImage } from '../../core/kube/rolloutHistory.ts';
import { declaredDeployments } from '../../core/manifests/declared.ts';
import { decodeManifestBytes } from '../../core/manifests/decode.ts';
import { parseManifest } from '../../core/manifests/documents.ts';
import { sameImage } from '../../core/manifests/imageReference.ts';
import type { Ctx } from '../../ctx.ts';

const WRITE = 'Write to File';

/** The first workspace file that declares the deployment (as the tree's drift marker finds it), with the images it names. */
async function declaringFile(namespace: string, name: string): Promise<{ uri: vscode.Uri; images: Map<string, string> } | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/{node_modules,.git,.cache}/**', 500);
  files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  for (const uri of files) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text = open?.getText();
    if (text === undefined) {
      const bytes = await vscode.workspace.fs.readFile(uri).then((b) => b, () => undefined);
      if (!bytes || bytes.byteLength > 1_000_000) continue;
      const decoded = decodeManifestBytes(bytes);
      if (!decoded.ok) continue;
      text = decoded.text;
    }
    const d = declaredDeployments(text).find((x) => x.namespace === namespace && x.name === name);
    if (d) return { uri, images: d.images };
  }
  return undefined;
}

export async function offerManifestWrite(ctx: Ctx, namespace: string, name: string, images: readonly RevisionImage[]): Promise<void> {
  const declared = await declaringFile(namespace, name);
  if (!declared) return;
  const differing = images.filter((i) => declared.images.has(i.container) && !sameImage(declared.images.get(i.container)!, i.image));
  if (differing.length === 0) return;
  const file = vscode.workspace.asRelativePath(declared.uri);
  const what = differing.map((i) => i.image).join(', ');
  const answer = await vscode.window.showInformationMessage(
    `Write ${what} into ${file}? The cluster was rolled back; the file still says ${differing.map((i) => declared.images.get(i.container)).join(', ')}, and applying it would roll that out again.`,
    WRITE,
  );
  if (answer !== WRITE) return;
  const document = await vscode.workspace.openTextDocument(declared.uri);
  const result = manifestImageEdits(parseManifest(document.getText()), namespace, name, differing);
  if (result.refused.length > 0) {
    void vscode.window.showWarningMessage(`Some images of ${file} were not written: ${result.refused.join('; ')}`);
  }
  if (result.edits.length === 0) return;
  const edit = new vscode.WorkspaceEdit();
  for (const e of result.edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.span.start), document.positionAt(e.span.end)), e.newText);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showWarningMessage(`${file} changed meanwhile; nothing was written. Try again.`);
    return;
  }
  await vscode.window.showTextDocument(document, { preview: false });
  await document.save();
  ctx.log.info(`Wrote ${result.images.join(', ')} into ${file} (Undo reverts it)`);
}
