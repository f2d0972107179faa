import { parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { parseWithin, treeFromYaml } from './fromYaml.ts';
import { OUTLINE_KEEP } from './kinds.ts';
import { aliasBudget, formatSize, IMAGES_FULL_PARSE_LIMIT, YAML_DOCUMENT_TOKENS, YAML_FLOW_DEPTH_MAX, yamlTokenBudget } from './limits.ts';
import { getString } from './node.ts';
import type { YNode } from './node.ts';
import type { ManifestProblem } from './problems.ts';
import { scanDocument } from './scan.ts';
import { LineIndex } from './text.ts';
import type { Range, Span } from './text.ts';

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

  constructor(text: string) {
    this.text = text;
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
    this.split ??= splitDocuments(this);
    return this.split;
  }

  get lines(): LineIndex {
    this.lineIndex ??= new LineIndex(this.text);
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

/** The result of `yaml`'s full parse of one document. */
export interface FullDocument {
  readonly yaml: Document.Parsed;
  readonly tree: YNode | null;
  /** YAML syntax errors and warnings, at their positions in the whole file. */
  readonly problems: readonly ManifestProblem[];
  /** Anchor names that an alias of the document repeats (`*name`). */
  readonly aliased: ReadonlySet<string>;
  /** Why the document was not read (an alias bomb, say); also among `problems`, as an error. */
  readonly refusal?: string;
}

/** What a refused document holds instead of a parse: one, shared (nothing reads it but toObject). */
let emptyDocument: Document.Parsed | undefined;

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
  private outlined: YNode | null | undefined | false = false;
  private parsed: FullDocument | undefined;
  private memos: Map<object, unknown> | undefined;

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
      this.scanned = this.scannable ? scanDocument(this.file.text, this.contentStart, this.span.end) : undefined;
    }
    return this.scanned === undefined ? this.full().tree : this.scanned;
  }

  /**
   * A pruned tree with only what lenses need: apiVersion, kind, metadata.name/namespace and the
   * name, image and imagePullPolicy of every container (kinds.ts OUTLINE_KEEP). Everything else
   * is skipped by indentation, which makes it several times cheaper than `tree`.
   */
  get outline(): YNode | null {
    if (this.outlined === false) {
      this.outlined = this.scannable ? scanDocument(this.file.text, this.contentStart, this.span.end, OUTLINE_KEEP) : undefined;
    }
    return this.outlined === undefined ? this.full().tree : this.outlined;
  }

  /** Did the fast scanner read `outline` (rather than `yaml`)? For tests and the benchmark. */
  get outlineScanned(): boolean {
    void this.outline;
    return this.outlined !== undefined && this.outlined !== false;
  }

  /** Did the fast scanner read `tree`? */
  get treeScanned(): boolean {
    void this.tree;
    return this.scanned !== undefined && this.scanned !== false;
  }

  get apiVersion(): string | undefined {
    return getString(this.outline ?? undefined, ['apiVersion']);
  }

  get kind(): string | undefined {
    return getString(this.outline ?? undefined, ['kind']);
  }

  get name(): string | undefined {
    return getString(this.outline ?? undefined, ['metadata', 'name']);
  }

  get namespace(): string | undefined {
    return getString(this.outline ?? undefined, ['metadata', 'namespace']);
  }

  get isKubernetes(): boolean {
    return this.apiVersion !== undefined && this.kind !== undefined;
  }

  /** `deployment/hashgenerator-dep`, as kubectl names objects in messages. */
  get label(): string {
    return `${(this.kind ?? 'document').toLowerCase()}/${this.name ?? `#${this.index + 1}`}`;
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
  memo<T>(key: object, compute: (doc: ManifestDocument) => T): T {
    this.memos ??= new Map();
    if (!this.memos.has(key)) {
      this.memos.set(key, compute(this));
    }
    return this.memos.get(key) as T;
  }

  full(): FullDocument {
    this.parsed ??= this.readFull();
    return this.parsed;
  }

  /**
   * Why the document's images are not read (lenses, lessons, edits), or undefined: the full
   * parse it needs would be too costly, or it refused the document (an alias bomb).
   */
  get imagesRefusal(): string | undefined {
    if (this.outlined === false) {
      this.outlined = this.scannable ? scanDocument(this.file.text, this.contentStart, this.span.end, OUTLINE_KEEP) : undefined;
    }
    if (this.outlined !== undefined) {
      return undefined;
    }
    const length = this.span.end - this.span.start;
    if (length > IMAGES_FULL_PARSE_LIMIT) {
      return `This document is ${formatSize(length)} of YAML that only the full parser reads (flow style, anchors or multi-line scalars), over the ${formatSize(IMAGES_FULL_PARSE_LIMIT)} limit for image lenses and checks. Validation and Apply still read it.`;
    }
    return this.full().refusal;
  }

  private readFull(): FullDocument {
    const base = this.preParsed ? 0 : this.span.start;
    const problems: ManifestProblem[] = [];
    const refuse = (code: string, refusal: string): FullDocument => {
      const s = documentStart(this);
      problems.push({ severity: 'error', code, message: refusal, span: s, range: this.file.rangeOf(s), documentIndex: this.index });
      emptyDocument ??= parseDocument('');
      return { yaml: emptyDocument, tree: null, problems, aliased: new Set(), refusal };
    };
    try {
      let yaml = this.preParsed;
      if (yaml === undefined) {
        const left = this.file.yamlTokensLeft;
        const parsed = parseWithin(this.text, { tokens: left - YAML_DOCUMENT_TOKENS, depth: YAML_FLOW_DEPTH_MAX });
        this.file.spendYamlTokens(parsed.tokens + YAML_DOCUMENT_TOKENS);
        if (!parsed.ok) {
          return parsed.limit === 'depth'
            ? refuse('yaml.depthLimit', depthRefusal())
            : refuse('yaml.tokenBudget', tokenRefusal(this.file.text.length, yamlTokenBudget(this.file.text.length)));
        }
        yaml = parsed.value;
      }
      for (const [severity, list] of [['error', yaml.errors], ['warning', yaml.warnings]] as const) {
        for (const e of list) {
          const s = { start: base + e.pos[0], end: base + Math.max(e.pos[0], e.pos[1]) };
          problems.push({ severity, code: `yaml.${e.code}`, message: yamlMessage(e.message), span: s, range: this.file.rangeOf(s), documentIndex: this.index });
        }
      }
      const budget = aliasBudget(this.span.end - this.span.start);
      const { tree, overBudget, aliased, duplicateKeys } = treeFromYaml(yaml, this.file.text, base, budget);
      for (const s of duplicateKeys) {
        problems.push({ severity: 'error', code: 'yaml.DUPLICATE_KEY', message: 'Map keys must be unique', span: s, range: this.file.rangeOf(s), documentIndex: this.index });
      }
      if (overBudget) {
        return refuse(
          'yaml.aliasBudget',
          `The YAML aliases (*name) of this document expand to more than ${budget} nodes, which looks like an "alias bomb" (kubectl refuses excessive aliasing too): the document was not read.`,
        );
      }
      return { yaml, tree, problems, aliased };
    } catch (e) {
      // The parser's own limits (a stack overflow on absurd nesting): a refusal, never an exception.
      return refuse('yaml.unreadable', `The YAML of this document could not be read (${(e as Error).message}).`);
    }
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

export function parseManifest(text: string): ManifestFile {
  return new ManifestFile(text);
}

function splitDocuments(file: ManifestFile): ManifestDocument[] {
  const { text } = file;
  if (text.startsWith('%') || text.includes('\n%')) {
    return splitWithYaml(file); // directives (`%YAML 1.2`) belong to the next document: let `yaml` group them
  }
  const docs: ManifestDocument[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let contentStart = start;
  let scannable = true;
  const close = (end: number) => {
    if (hasContent(text, contentStart, end) || !scannable) {
      docs.push(new ManifestDocument(file, docs.length, { start, end }, contentStart, scannable));
    }
  };
  for (const at of markerLines(text, start)) {
    close(at);
    const lineEnd = text.indexOf('\n', at);
    const next = lineEnd === -1 ? text.length : lineEnd + 1;
    if (text.charCodeAt(at) === 46) {
      // `...` ends a document: the following lines, up to the next `---`, are a bare document.
      start = next;
      contentStart = next;
      scannable = true;
    } else {
      start = at;
      contentStart = next;
      // `--- value` on the marker line itself: unusual, leave it to `yaml`.
      scannable = !hasContent(text, at + 3, lineEnd === -1 ? text.length : lineEnd);
    }
  }
  close(text.length);
  return docs;
}

/**
 * Offsets of `---` and `...` lines (followed by a blank or the line's end), in order. Two
 * indexOf scans are several times faster than a multiline regex over megabytes.
 */
function markerLines(text: string, from: number): number[] {
  const found: number[] = [];
  let ends = 0;
  for (const marker of ['---', '...']) {
    for (let i = text.indexOf(marker, from); i !== -1; i = text.indexOf(marker, i + 3)) {
      if (i !== from && text.charCodeAt(i - 1) !== 10) {
        continue;
      }
      const c = text.charCodeAt(i + 3);
      if (i + 3 === text.length || c === 32 || c === 9 || c === 10 || c === 13) {
        found.push(i);
        ends += marker === '...' ? 1 : 0;
      }
    }
  }
  return ends > 0 ? found.sort((a, b) => a - b) : found;
}

function splitWithYaml(file: ManifestFile): ManifestDocument[] {
  const docs: ManifestDocument[] = [];
  let all;
  try {
    const parsed = parseWithin(file.text, { tokens: file.yamlTokensLeft, depth: YAML_FLOW_DEPTH_MAX }, true);
    if (!parsed.ok) {
      throw new Error(parsed.limit);
    }
    file.spendYamlTokens(parsed.tokens + parsed.value.length * YAML_DOCUMENT_TOKENS);
    all = parsed.value;
  } catch {
    // One document that the full parse will refuse with the reason.
    return [new ManifestDocument(file, 0, { start: 0, end: file.text.length }, 0, false)];
  }
  for (const yaml of all) {
    if (!('contents' in yaml)) {
      continue; // an EmptyStream
    }
    if (yaml.contents === null && yaml.errors.length === 0) {
      continue;
    }
    const [start, , end] = yaml.range;
    docs.push(new ManifestDocument(file, docs.length, { start, end }, start, false, yaml));
  }
  return docs;
}

/** Is there anything but blank lines and comments in `text[start, end)`? */
function hasContent(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
    } else if (c === 35) {
      const eol = text.indexOf('\n', i);
      if (eol === -1 || eol >= end) {
        return false;
      }
      i = eol + 1;
    } else {
      return true;
    }
  }
  return false;
}

/** The document's first line, where a document-wide refusal is shown. */
function documentStart(doc: ManifestDocument): Span {
  const text = doc.file.text;
  const eol = text.indexOf('\n', doc.span.start);
  const end = eol === -1 || eol > doc.span.end ? doc.span.end : eol;
  return { start: doc.span.start, end: end > doc.span.start && text.charCodeAt(end - 1) === 13 ? end - 1 : end };
}

function depthRefusal(): string {
  return `This document nests brackets ([ or {) more than ${YAML_FLOW_DEPTH_MAX} deep, which no manifest does (kubectl stops at 10000): it was not read.`;
}

function tokenRefusal(length: number, budget: number): string {
  return `The YAML of this file is too dense to read quickly: it takes more than ${budget} parser tokens for ${formatSize(length)} (manifests take about one per 3 characters; this looks like thousands of one-character items, documents or brackets), so it is not read from this document on.`;
}

/** `yaml`'s messages end with "at line L, column C" and a code frame; positions travel separately. */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0];
  return first.replace(/ at line \d+, column \d+:?$/, '').trim();
}
