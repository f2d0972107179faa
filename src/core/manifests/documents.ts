import { ManifestDocument } from './document.ts';
import { documentsAfterEdit } from './incremental.ts';
import { yamlTokenBudget } from './limits.ts';
import type { YNode } from './node.ts';
import { splitDocuments } from './split.ts';
import type { DocumentBounds } from './split.ts';
import { editWindow, LineIndex, lineIndexAfterEdit } from './text.ts';
import type { EditWindow, Range, Span } from './text.ts';

export { ManifestDocument } from './document.ts';
export type { MemoKey } from './document.ts';
export type { FullDocument } from './fullParse.ts';

/**
 * A YAML file as a list of documents with source positions.
 *
 * Splitting on `---` lines is exact (the YAML spec forbids a `---` or `...` line at column 0
 * inside any content, block scalars and quoted strings included) and costs a millisecond for
 * 5 MB, so it is done eagerly. Each document is read lazily: `tree` by the fast block-YAML
 * scanner (falling back to `yaml`), `full()` by `yaml` itself, which is what validation and
 * applying use because only it reports syntax errors.
 */
export class ManifestFile {
  readonly text: string;
  private split: readonly ManifestDocument[] | undefined;
  private lineIndex: LineIndex | undefined;
  private tokensLeft: number | undefined;
  /** The last outline the scanner read, and whose (see `ManifestDocument.outline`). */
  recentOutline: YNode | null = null;
  recentOutlineOf: ManifestDocument | undefined;

  /** False: every document is read by `yaml` alone (differential tests of the fast scanner). */
  readonly fastScanner: boolean;
  /** The version this text is an edit of, until its documents are carried over (then dropped). */
  private previous: ManifestFile | undefined;
  private edit: EditWindow | undefined;

  constructor(text: string, options: ParseOptions = {}) {
    this.text = text;
    this.fastScanner = options.fastScanner ?? true;
    const previous = options.previous;
    // Only a version whose documents were read has anything to give (and so never holds its own previous).
    if (previous?.split !== undefined && previous.lineIndex !== undefined && previous.fastScanner === this.fastScanner) {
      this.previous = previous;
    }
  }

  /** Where this text differs from the previous version's. */
  private editOf(previous: ManifestFile): EditWindow {
    this.edit ??= editWindow(previous.text, this.text);
    return this.edit;
  }

  /**
   * The `yaml` tokens the file's full parses may still use (limits.ts): one budget for the whole
   * file, so that thousands of tiny documents cost no more than one dense one.
   */
  get yamlTokensLeft(): number {
    this.tokensLeft ??= yamlTokenBudget(this.text.length);
    return this.tokensLeft;
  }

  /** Counts `tokens` against the budget. */
  spendYamlTokens(tokens: number): void {
    this.tokensLeft = Math.max(0, this.yamlTokensLeft - tokens);
  }

  /**
   * The non-empty documents, in file order; comment-only documents are left out, as kubectl
   * does. Split on first use, so that a file refused for its size costs nothing.
   */
  get documents(): readonly ManifestDocument[] {
    if (this.split === undefined) {
      const previous = this.previous;
      void this.lines; // from the previous version's, while it is at hand
      this.previous = undefined;
      this.split =
        (previous !== undefined ? documentsAfterEdit(this, previous.split as readonly ManifestDocument[], this.editOf(previous)) : undefined) ??
        splitDocuments(this).map((b, i) => this.documentOf(b, i));
    }
    return this.split;
  }

  /** A new document of this file (documentsAfterEdit makes the others from the previous version's). */
  documentOf(b: DocumentBounds, index: number): ManifestDocument {
    return new ManifestDocument(this, index, b.span, b.contentStart, b.scannable && this.fastScanner, b.preParsed);
  }

  get lines(): LineIndex {
    if (this.lineIndex === undefined) {
      const previous = this.previous?.lineIndex;
      this.lineIndex = previous !== undefined ? lineIndexAfterEdit(previous, this.text, this.editOf(this.previous as ManifestFile)) : new LineIndex(this.text);
    }
    return this.lineIndex;
  }

  rangeOf(s: Span): Range {
    return this.lines.rangeOf(s);
  }

  /** Kubernetes YAML: at least one document has a string apiVersion and kind. */
  get isKubernetes(): boolean {
    return this.documents.some((d) => d.isKubernetes);
  }

  /** The document that contains `offset` (a cursor position), if any. */
  documentAt(offset: number): ManifestDocument | undefined {
    return this.documents.find((d) => offset >= d.span.start && offset <= d.span.end);
  }
}

export interface ParseOptions {
  /**
   * Read documents with the fast scanner where it can (the default). False reads every document
   * with `yaml`, which must give the same lenses and diagnostics: the tests compare the two.
   */
  readonly fastScanner?: boolean;
  /**
   * The version of the same file this text is an edit of (the editor's previous version): the
   * documents the edit did not touch are carried over instead of read again.
   */
  readonly previous?: ManifestFile;
}

export function parseManifest(text: string, options?: ParseOptions): ManifestFile {
  return new ManifestFile(text, options);
}
