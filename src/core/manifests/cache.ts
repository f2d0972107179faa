import { ManifestFile } from './documents.ts';

/**
 * Parsed manifests by (uri, version), so that CodeLens, diagnostics and commands asking about
 * the same editor state share one parse. Only the newest version of each uri is kept (an edit
 * makes the old one useless), and at most `capacity` uris, least recently used dropped first.
 */
export class ManifestCache {
  private readonly capacity: number;
  private readonly entries = new Map<string, { version: number; file: ManifestFile }>();

  constructor(capacity = 20) {
    this.capacity = Math.max(1, capacity);
  }

  /**
   * `text` is called only on a miss: `document.getText()` copies the whole buffer. A miss for a
   * newer version of a uri is read as an edit of the version kept.
   */
  get(uri: string, version: number, text: () => string): ManifestFile {
    const hit = this.entries.get(uri);
    if (hit !== undefined && hit.version === version) {
      this.entries.delete(uri);
      this.entries.set(uri, hit);
      return hit.file;
    }
    // The uri's last version read: an edit of it re-reads only the documents the edit touched.
    const file = new ManifestFile(text(), { previous: hit?.file });
    this.entries.delete(uri);
    this.entries.set(uri, { version, file });
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    return file;
  }

  /** Forget a closed document. */
  delete(uri: string): void {
    this.entries.delete(uri);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
