// The parse cache shared by the lenses, the lessons and the commands: one parse per (document, version),
// and the size limit over which the file is not read at all.
import type * as vscode from 'vscode';
import { ManifestCache } from '../../core/manifests/cache.ts';
import type { ManifestFile } from '../../core/manifests/documents.ts';
import { lensSizeNotice } from '../../core/manifests/limits.ts';

/** What the parts read documents through (the lenses, lessons, tag edits, the pull-policy fix). */
export interface ManifestReading {
  /** One parse per (document, version), shared by everything that asks. */
  parse(document: vscode.TextDocument): ManifestFile;
  /** Over the lens limit: `k3d: lenses off: file is 50 MB, over the 2 MB limit`; undefined when it is read. */
  sizeNotice(document: vscode.TextDocument): string | undefined;
}

export class ManifestReader implements ManifestReading {
  private readonly cache = new ManifestCache(20);

  parse(document: vscode.TextDocument): ManifestFile {
    return this.cache.get(document.uri.toString(), document.version, () => document.getText());
  }

  /** Costs no copy of the text. */
  sizeNotice(document: vscode.TextDocument): string | undefined {
    const last = document.lineAt(document.lineCount - 1);
    return lensSizeNotice(document.offsetAt(last.range.end));
  }

  forget(document: vscode.TextDocument): void {
    this.cache.delete(document.uri.toString());
  }
}
