import * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';

const SCHEME = 'k3d-readonly';
const contents = new Map<string, string>();
const changed = new vscode.EventEmitter<vscode.Uri>();

/** Read-only documents (YAML of live objects, explain output): closing them never asks to save. */
export function registerReadOnlyDocuments(ctx: Ctx): void {
  ctx.register(changed);
  ctx.register(
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
      onDidChange: changed.event,
      provideTextDocumentContent: (uri) => contents.get(uri.path) ?? '',
    }),
  );
}

/** Sets a read-only document's text and shows it (or only returns its URI, for a diff). */
export async function showReadOnly(path: string, text: string, markdownPreview = false, show = true): Promise<vscode.Uri> {
  const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${path}` });
  contents.set(uri.path, text);
  changed.fire(uri);
  if (markdownPreview) {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } else if (show) {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }
  return uri;
}
