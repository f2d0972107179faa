import * as path from 'node:path';
import * as vscode from 'vscode';
import { decodeManifestBytes } from '../../core/manifests/decode.ts';
import { isKustomizationFileName, kustomizeFolderRefusal } from '../../core/manifests/kustomize.ts';
import { APPLY_LIMIT, applySizeRefusal } from '../../core/manifests/limits.ts';

/** The text to apply and where it came from. */
export interface ManifestSource {
  /** For messages: a workspace-relative path or the URL. */
  label: string;
  text: string;
  /** The file's URI, when the source is one (for Problems). */
  uri?: vscode.Uri;
  /** The editor had unsaved edits, which are what is applied. */
  unsaved?: boolean;
}

/**
 * What a command was invoked on: a file or folder from the Explorer (several when many are
 * selected), else the active editor. Open documents are read from the editor, unsaved edits
 * included, as the user sees them.
 */
export async function sourcesFor(uri?: vscode.Uri, selected?: vscode.Uri[]): Promise<ManifestSource[] | undefined> {
  const uris = selected && selected.length > 0 ? selected : uri ? [uri] : undefined;
  if (!uris) {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc) {
      void vscode.window.showInformationMessage('Open a Kubernetes YAML file (e.g. manifests/deployment.yaml) to apply it, or right-click it in the Explorer.');
      return undefined;
    }
    return [fromDocument(doc)];
  }
  const out: ManifestSource[] = [];
  const refused: string[] = [];
  const add = (source: ManifestSource | string) => (typeof source === 'string' ? refused.push(source) : out.push(source));
  for (const u of uris) {
    const stat = await vscode.workspace.fs.stat(u);
    if (stat.type & vscode.FileType.Directory) {
      // `kubectl apply -f dir/`: the folder's .yaml, .yml and .json files, not its subfolders.
      const listing = await vscode.workspace.fs.readDirectory(u);
      const kustomization = listing.find(([name, type]) => type & vscode.FileType.File && isKustomizationFileName(name));
      if (kustomization) {
        add(kustomizeFolderRefusal(vscode.workspace.asRelativePath(u), kustomization[0])); // what -k builds is not the files as they are
        continue;
      }
      const entries = listing
        .filter(([name, type]) => type & vscode.FileType.File && /\.(ya?ml|json)$/i.test(name))
        .map(([name]) => vscode.Uri.joinPath(u, name))
        .sort((a, b) => a.path.localeCompare(b.path));
      for (const f of entries) add(await fromUri(f));
    } else {
      add(await fromUri(u, stat.size));
    }
  }
  if (refused.length > 0) {
    void vscode.window.showErrorMessage(`Nothing was done: ${refused.join(' ')}`);
    return undefined;
  }
  return out;
}

/** The file as the editor shows it (open: its text; on disk: decoded as VS Code does), or why not. */
async function fromUri(uri: vscode.Uri, size?: number): Promise<ManifestSource | string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) {
    return fromDocument(open);
  }
  const label = vscode.workspace.asRelativePath(uri);
  // Not read at all when over the limit: a multi-gigabyte file would exhaust memory first.
  const onDisk = size ?? (await vscode.workspace.fs.stat(uri)).size;
  const bytes = onDisk > APPLY_LIMIT ? undefined : await vscode.workspace.fs.readFile(uri);
  if (bytes === undefined || bytes.byteLength > APPLY_LIMIT) {
    return `${label}: ${applySizeRefusal(Math.max(onDisk, bytes?.byteLength ?? 0))}`;
  }
  const decoded = decodeManifestBytes(bytes);
  return decoded.ok ? { label, text: decoded.text, uri } : `${label}: ${decoded.reason}; nothing was read.`;
}

function fromDocument(doc: vscode.TextDocument): ManifestSource {
  return {
    label: doc.isUntitled ? 'Untitled' : vscode.workspace.asRelativePath(doc.uri),
    text: doc.getText(),
    uri: doc.uri,
    unsaved: doc.isDirty,
  };
}

/**
 * `kubectl apply -f https://...`: the manifest at a URL, at most 5 MB, within the request timeout
 * (of silence), with the cause of a failure in words (core/download.ts).
 */
export async function fromUrl(url: string, options: { signal?: AbortSignal; timeoutMs: number }): Promise<ManifestSource> {
  const { downloadText, MAX_MANIFEST_BYTES } = await import('../../core/download.ts');
  const got = await downloadText(url, { maxBytes: MAX_MANIFEST_BYTES, ...options });
  if (/text\/html/i.test(got.contentType ?? '') && /^\s*</.test(got.text)) {
    throw new Error(`${url} is a web page (text/html), not a manifest. On GitHub, use the address of the Raw button (raw.githubusercontent.com/...).`);
  }
  return { label: url, text: got.text };
}

export function baseName(source: ManifestSource): string {
  return source.uri ? path.basename(source.uri.path) : source.label;
}
