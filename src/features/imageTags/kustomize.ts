// The workspace's kustomizations, so that an image an overlay rewrites (`image: PROJECT/IMAGE`)
// shows what it becomes instead of an invalid-image warning. Found once with findFiles, kept
// current by a file watcher and by saves in the editor (a watcher event may come late or, on some
// remote file systems, not at all); the walk from a file to the overlays that include it is core's.
import * as vscode from 'vscode';
import { decodeManifestBytes } from '../../core/manifests/decode.ts';
import { parseManifest } from '../../core/manifests/documents.ts';
import { imageRewrites, readKustomization } from '../../core/manifests/kustomizeRewrites.ts';
import type { ImageRewrite, KustomizationInfo } from '../../core/manifests/kustomizeRewrites.ts';

const GLOB = '**/{kustomization.yaml,kustomization.yml,Kustomization}';
const MAX_FILES = 1000;
const MAX_BYTES = 1024 * 1024;

export class KustomizeIndex implements vscode.Disposable {
  private infos: Map<string, KustomizationInfo> | undefined;
  private readonly uris = new Map<string, vscode.Uri>();
  private loading = false;
  private readonly memo = new Map<string, ImageRewrite[]>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly saved: vscode.Disposable;
  private readonly log: vscode.LogOutputChannel;

  constructor(log: vscode.LogOutputChannel) {
    this.log = log;
    this.watcher = vscode.workspace.createFileSystemWatcher(GLOB);
    const reread = (uri: vscode.Uri) => void this.read(uri).then(() => this.touched());
    this.watcher.onDidCreate(reread);
    this.watcher.onDidChange(reread);
    this.watcher.onDidDelete((uri) => {
      this.infos?.delete(uri.path);
      this.touched();
    });
    this.saved = vscode.workspace.onDidSaveTextDocument((doc) => {
      if (isKustomizationFile(doc.uri.path)) reread(doc.uri);
    });
  }

  /**
   * What the kustomizations that include the file make of the image (none: it stays as written).
   * Empty until the workspace's kustomizations are read; onDidChange fires then.
   */
  rewrites(uri: vscode.Uri, image: string): ImageRewrite[] {
    if (this.infos === undefined) {
      this.load();
      return [];
    }
    if (this.infos.size === 0 || uri.scheme === 'untitled') return [];
    const key = `${uri.path}\n${image}`;
    let found = this.memo.get(key);
    if (found === undefined) {
      found = imageRewrites(uri.path, image, [...this.infos.values()]);
      this.memo.set(key, found);
    }
    return found;
  }

  private load(): void {
    if (this.loading || !vscode.workspace.workspaceFolders?.length) return;
    this.loading = true;
    void (async () => {
      const uris = await vscode.workspace.findFiles(GLOB, '**/node_modules/**', MAX_FILES);
      this.infos = new Map();
      await Promise.all(uris.map((uri) => this.read(uri)));
      if (uris.length > 0) this.log.info(`kustomize: ${uris.length} kustomization file(s) in the workspace`);
      this.touched();
    })()
      .catch((e: Error) => this.log.warn(`kustomize: the kustomization files could not be listed: ${e.message}`))
      .finally(() => (this.loading = false));
  }

  private async read(uri: vscode.Uri): Promise<void> {
    if (this.infos === undefined) return;
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      const decoded = bytes.byteLength <= MAX_BYTES ? decodeManifestBytes(bytes) : undefined;
      const info = decoded?.ok ? readKustomization(uri.path, parseManifest(decoded.text)) : undefined;
      this.uris.set(uri.path, uri);
      if (info) this.infos.set(uri.path, info);
      else this.infos.delete(uri.path);
    } catch {
      this.infos.delete(uri.path); // gone meanwhile
    }
  }

  /** The kustomization file a rewrite names, to open it. */
  uriOf(path: string): vscode.Uri {
    return this.uris.get(path) ?? vscode.Uri.file(path);
  }

  private touched(): void {
    this.memo.clear();
    this.changed.fire();
  }

  dispose(): void {
    this.watcher.dispose();
    this.saved.dispose();
    this.changed.dispose();
  }
}

function isKustomizationFile(path: string): boolean {
  return /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(path);
}

/** The lens on an image that kustomizations rewrite: what it becomes, and where (opens the kustomization). */
export function rewriteLens(range: vscode.Range, image: string, rewrites: readonly ImageRewrite[], index: Pick<KustomizeIndex, 'uriOf'>): vscode.CodeLens {
  const short = (img: string) => img.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+/, '@sha256:$1…');
  const where = (r: ImageRewrite) => vscode.workspace.asRelativePath(index.uriOf(r.kustomization));
  const first = rewrites[0];
  const more = rewrites.length > 1 ? ` · +${rewrites.length - 1} more` : '';
  return new vscode.CodeLens(range, {
    title: `$(references) kustomize: becomes ${short(first.image)} (${where(first)})${more}`,
    tooltip: [
      `${image} is a name that kustomize rewrites (kubectl apply -k):`,
      ...rewrites.map((r) => `• ${where(r)}: ${r.image}`),
      'Bump its tag in the kustomization (newTag). Apply on this file alone would send the name as written.',
    ].join('\n'),
    command: 'vscode.open',
    arguments: [index.uriOf(first.kustomization)],
  });
}
