// One document of a manifest file (documents.ts splits the file): its identity and outline read by the
// fast scanner, its full parse by `yaml` when asked, memos of what is derived from it, and how it is
// carried over to the next version of the file when an edit did not touch it (incremental.ts).
import type { Document } from 'yaml';
import type { ManifestFile } from './documents.ts';
import { readFullDocument } from './fullParse.ts';
import type { FullDocument } from './fullParse.ts';
import { OUTLINE_KEEP } from './kinds.ts';
import { formatSize, IMAGES_FULL_PARSE_LIMIT } from './limits.ts';
import { getString } from './node.ts';
import type { YNode } from './node.ts';
import { scanDocument } from './scan.ts';
import { intern, moveSpan } from './text.ts';
import type { Range, Span } from './text.ts';

/** How a document's outline is read: not yet, by the fast scanner, by `yaml` (the scanner gave up). */
const NOT_READ = 0;
const BY_SCANNER = 1;
const BY_YAML = 2;

const API_VERSION = ['apiVersion'];
const KIND = ['kind'];
const NAME = ['metadata', 'name'];
const NAMESPACE = ['metadata', 'namespace'];

export class ManifestDocument {
  readonly file: ManifestFile;
  /** Position among the file's non-empty documents, from 0. */
  readonly index: number;
  /** From the start of its `---` line (or of the file) to the start of the next one. */
  readonly span: Span;
  /** Where the document's own content starts: after its `---` line. */
  readonly contentStart: number;
  private readonly scannable: boolean;
  private readonly preParsed: Document.Parsed | undefined;
  private scanned: YNode | null | undefined | false = false;
  private outlineRead = NOT_READ;
  /** apiVersion, kind, name and namespace, when the scanner read the outline (fields: an object per document was 7,000 objects). */
  private scannedApiVersion: string | undefined;
  private scannedKind: string | undefined;
  private scannedName: string | undefined;
  private scannedNamespace: string | undefined;
  private parsed: FullDocument | undefined;
  private labelText: string | undefined;
  private memoKey: MemoKey<unknown> | undefined;
  private memoValue: unknown;
  private memos: Map<MemoKey<unknown>, unknown> | undefined;
  private carriedOver = false;
  private imageWord: boolean | undefined;

  constructor(file: ManifestFile, index: number, span: Span, contentStart: number, scannable: boolean, preParsed?: Document.Parsed) {
    this.file = file;
    this.index = index;
    this.span = span;
    this.contentStart = contentStart;
    this.scannable = scannable;
    this.preParsed = preParsed;
  }

  /** The document's tree, from the fast scanner when it can read the document. */
  get tree(): YNode | null {
    if (this.scanned === false) {
      this.scanned = this.scannable ? scanDocument(this.file.text, this.contentStart, this.span.end, true, this.file.lines) : undefined;
    }
    return this.scanned === undefined ? this.full().tree : this.scanned;
  }

  /**
   * A pruned tree with only what lenses need: apiVersion, kind, metadata.name/namespace and the
   * name, image and imagePullPolicy of every container (kinds.ts OUTLINE_KEEP). Everything else
   * is skipped by indentation, which makes it several times cheaper than `tree`.
   *
   * Not kept by the document: its identity (kind, name...) is, and the file keeps the last
   * outline read (`ManifestFile.recentOutline`), so that reading a document's identity and then
   * its images scans it once. A 5 MB file's outlines are 20 MB of small objects: kept, every
   * garbage collection copied them, which cost more than scanning again when asked.
   */
  get outline(): YNode | null {
    if (this.file.recentOutlineOf === this) {
      return this.file.recentOutline;
    }
    if (this.outlineRead === BY_YAML || !this.scannable) {
      this.outlineRead = BY_YAML;
      return this.full().tree;
    }
    const tree = scanDocument(this.file.text, this.contentStart, this.span.end, OUTLINE_KEEP, this.file.lines);
    if (tree === undefined) {
      this.outlineRead = BY_YAML;
      return this.full().tree;
    }
    if (this.outlineRead === NOT_READ) {
      this.outlineRead = BY_SCANNER;
      const root = tree ?? undefined;
      this.scannedApiVersion = intern(getString(root, API_VERSION));
      this.scannedKind = intern(getString(root, KIND));
      this.scannedName = getString(root, NAME);
      this.scannedNamespace = intern(getString(root, NAMESPACE));
    }
    this.file.recentOutline = tree;
    this.file.recentOutlineOf = this;
    return tree;
  }

  /** Did the fast scanner read `outline` (rather than `yaml`)? For tests and the benchmark. */
  get outlineScanned(): boolean {
    this.readOutline();
    return this.outlineRead === BY_SCANNER;
  }

  /** Did the fast scanner read `tree`? */
  get treeScanned(): boolean {
    void this.tree;
    return this.scanned !== undefined && this.scanned !== false;
  }

  /** Did the scanner read the outline (then the identity fields hold it), rather than `yaml`? */
  private readOutline(): boolean {
    if (this.outlineRead === NOT_READ) {
      void this.outline;
    }
    return this.outlineRead === BY_SCANNER;
  }

  get apiVersion(): string | undefined {
    return this.readOutline() ? this.scannedApiVersion : getString(this.outline ?? undefined, API_VERSION);
  }

  get kind(): string | undefined {
    return this.readOutline() ? this.scannedKind : getString(this.outline ?? undefined, KIND);
  }

  get name(): string | undefined {
    return this.readOutline() ? this.scannedName : getString(this.outline ?? undefined, NAME);
  }

  get namespace(): string | undefined {
    return this.readOutline() ? this.scannedNamespace : getString(this.outline ?? undefined, NAMESPACE);
  }

  get isKubernetes(): boolean {
    return this.apiVersion !== undefined && this.kind !== undefined;
  }

  /** `deployment/hashgenerator-dep`, as kubectl names objects in messages. */
  get label(): string {
    // Kept: every lens of the document's images says it.
    this.labelText ??= `${(this.kind ?? 'document').toLowerCase()}/${this.name ?? `#${this.index + 1}`}`;
    return this.labelText;
  }

  get range(): Range {
    return this.file.rangeOf(this.span);
  }

  /** The document's text, its `---` line included. */
  get text(): string {
    return this.file.text.slice(this.span.start, this.span.end);
  }

  /**
   * Remembers something derived from this document (its images, say) for as long as the
   * document lives. A plain map on the document: a WeakMap with thousands of entries per file
   * made every garbage collection slow.
   */
  memo<T>(key: MemoKey<T>, compute: (doc: ManifestDocument) => T): T {
    const k = key as MemoKey<unknown>;
    // The first key (the images, on the lens path) in two fields: a Map per document is 7,000 Maps for 5 MB.
    if (this.memoKey === k) {
      return this.memoValue as T;
    }
    if (this.memoKey === undefined) {
      const value = compute(this);
      this.memoKey = k;
      this.memoValue = value;
      return value;
    }
    this.memos ??= new Map();
    if (!this.memos.has(k)) {
      this.memos.set(k, compute(this));
    }
    return this.memos.get(k) as T;
  }

  /** Was the document carried over from the previous version of its file (`carriedTo`), not split again? */
  get carried(): boolean {
    return this.carriedOver;
  }

  /** Was the document split by `yaml` (a file with directives)? Such files are not carried over. */
  get splitByYaml(): boolean {
    return this.preParsed !== undefined;
  }

  /**
   * This document, unchanged, as document `index` of `file`, an edit of its file that moved it by
   * `delta`: what the scanner read of it (identity, memos that can move) comes along, so that a
   * keystroke re-reads only the documents it touched. What `yaml` read is read again: the file's
   * token budget then counts it as for a fresh file.
   */
  carriedTo(file: ManifestFile, index: number, delta: number): ManifestDocument {
    const span = delta === 0 ? this.span : moveSpan(this.span, delta);
    const doc = new ManifestDocument(file, index, span, this.contentStart + delta, this.scannable);
    doc.carriedOver = true;
    doc.imageWord = this.imageWord;
    if (this.outlineRead !== BY_SCANNER) {
      return doc;
    }
    doc.outlineRead = BY_SCANNER;
    doc.scannedApiVersion = this.scannedApiVersion;
    doc.scannedKind = this.scannedKind;
    doc.scannedName = this.scannedName;
    doc.scannedNamespace = this.scannedNamespace;
    if (this.scannedName !== undefined || index === this.index) {
      doc.labelText = this.labelText;
    }
    const carry = (key: MemoKey<unknown>, value: unknown) => {
      if (key.move === undefined) {
        return;
      }
      const moved = key.move(value, doc, delta);
      if (doc.memoKey === undefined) {
        doc.memoKey = key;
        doc.memoValue = moved;
      } else {
        (doc.memos ??= new Map()).set(key, moved);
      }
    };
    if (this.memoKey !== undefined) {
      carry(this.memoKey, this.memoValue);
    }
    this.memos?.forEach((value, key) => carry(key, value));
    return doc;
  }

  full(): FullDocument {
    this.parsed ??= readFullDocument(this, this.preParsed);
    return this.parsed;
  }

  /**
   * False when the document cannot hold a container image or a kustomization's `images:`: the word
   * `image` is nowhere in it, or neither is a container list (`containers`, `initContainers`...) nor
   * `images` (and no backslash, which could spell either in a quoted key). Then neither
   * lenses nor lessons read it at all: Services, ConfigMaps, Secrets... (a fifth of a real file's
   * text), and a large flow-style one no longer gets a notice that its images are not read.
   */
  get mayHoldImages(): boolean {
    if (this.imageWord === undefined) {
      // A view of the text, not a copy: the search stops at the document's end.
      const own = this.file.text.slice(this.span.start, this.span.end);
      this.imageWord = (own.includes('image') && (own.includes('ontainers') || own.includes('images'))) || own.includes('\\');
    }
    return this.imageWord;
  }

  /**
   * Why the document's images are not read (lenses, lessons, edits), or undefined: the full
   * parse it needs would be too costly, or it refused the document (an alias bomb).
   */
  get imagesRefusal(): string | undefined {
    if (!this.mayHoldImages || this.readOutline()) {
      return undefined;
    }
    const length = this.span.end - this.span.start;
    if (length > IMAGES_FULL_PARSE_LIMIT) {
      return `This document is ${formatSize(length)} of YAML that only the full parser reads (flow style, anchors or multi-line scalars), over the ${formatSize(IMAGES_FULL_PARSE_LIMIT)} limit for image lenses and checks. Validation and Apply still read it.`;
    }
    return this.full().refusal;
  }


  /** The plain object to send to the cluster (full parse), or undefined when it has errors. */
  toObject(): unknown {
    const { yaml, problems } = this.full();
    if (problems.some((p) => p.severity === 'error')) {
      return undefined;
    }
    try {
      // The alias budget already bounds the expansion; `yaml`'s own count would refuse some
      // documents within it (1001 aliases of one scalar) with an exception.
      return yaml.toJS({ maxAliasCount: -1 });
    } catch {
      return undefined;
    }
  }
}

/**
 * What a document's memo is kept under. `move` makes the value over for the same document text at
 * another place (an edit before it moved it by `delta`); without it the value is computed again.
 */
export interface MemoKey<T> {
  readonly move?: (value: T, to: ManifestDocument, delta: number) => T;
}
