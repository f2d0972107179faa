import type { Document } from 'yaml';
import { parseWithin } from './fromYaml.ts';
import { YAML_DOCUMENT_TOKENS, YAML_FLOW_DEPTH_MAX } from './limits.ts';
import type { LineIndex, Span } from './text.ts';

/**
 * Splitting a file into its documents. On `---` lines this is exact (the YAML spec forbids a
 * `---` or `...` line at column 0 inside any content, block scalars and quoted strings included)
 * and costs a millisecond for 5 MB; files with directives (`%YAML`) are split by `yaml` itself.
 */

/** Where a document is; documents.ts makes a ManifestDocument (document.ts) of it. */
export interface DocumentBounds {
  /** From the start of its `---` line (or of the file) to the start of the next one. */
  readonly span: Span;
  /** After the `---` line. */
  readonly contentStart: number;
  /** Can the fast scanner read it (no `--- value` on the marker line, no directives)? */
  readonly scannable: boolean;
  /** `yaml`'s parse, when `yaml` split the file. */
  readonly preParsed?: Document.Parsed;
}

/** What splitting needs of the file: its text and its `yaml` token budget. */
export interface SplitFile {
  readonly text: string;
  readonly lines: Pick<LineIndex, 'starts' | 'lineOf'>;
  readonly yamlTokensLeft: number;
  spendYamlTokens(tokens: number): void;
}

/**
 * The non-empty documents, in file order; comment-only documents are left out, as kubectl does.
 */
export function splitDocuments(file: SplitFile): DocumentBounds[] {
  return splitBetween(file, 0, file.text.length) ?? splitWithYaml(file); // directives (`%YAML 1.2`) belong to the next document: let `yaml` group them
}

/**
 * The documents of `text[from, to)`, where `from` is the file's start or a marker line's and `to`
 * the file's end or a `---` line's: the part of a file an edit changed. Undefined when a line
 * there starts with `%` (a directive), which only `yaml` splits.
 */
export function splitBetween(file: SplitFile, from: number, to: number): DocumentBounds[] | undefined {
  const { text } = file;
  const starts = file.lines.starts;
  let start = from === 0 && text.charCodeAt(0) === 0xfeff ? 1 : from;
  let firstLine = 0;
  let endLine = starts.length;
  if (from > 0 || to < text.length) {
    firstLine = file.lines.lineOf(from);
    endLine = to >= text.length ? starts.length : file.lines.lineOf(to);
  }
  const markers = markerLines(text, starts, start, firstLine, endLine);
  if (markers === undefined) {
    return undefined;
  }
  const docs: DocumentBounds[] = [];
  let contentStart = start;
  let scannable = true;
  const close = (end: number) => {
    if (hasContent(text, contentStart, end) || !scannable) {
      docs.push({ span: { start, end }, contentStart, scannable });
    }
  };
  for (const at of markers) {
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
  close(to);
  return docs;
}

/**
 * Offsets of `---` and `...` lines (followed by a blank or the line's end), in order, from the
 * file's line starts (which the lenses need anyway): one look at each line's first characters
 * instead of searching the text for each marker. Undefined when a line starts with `%` (a directive).
 */
function markerLines(text: string, starts: Uint32Array, from: number, firstLine: number, endLine: number): number[] | undefined {
  const found: number[] = [];
  const length = text.length;
  for (let line = firstLine; line < endLine; line++) {
    const s = line === 0 ? from : starts[line];
    const c = text.charCodeAt(line === 0 ? 0 : s);
    if (c === 37) {
      return undefined;
    }
    const m = text.charCodeAt(s);
    if ((m === 45 || m === 46) && text.charCodeAt(s + 1) === m && text.charCodeAt(s + 2) === m) {
      const after = text.charCodeAt(s + 3);
      if (s + 3 === length || after === 32 || after === 9 || after === 10 || after === 13) {
        found.push(s);
      }
    }
  }
  return found;
}

function splitWithYaml(file: SplitFile): DocumentBounds[] {
  const docs: DocumentBounds[] = [];
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
    return [{ span: { start: 0, end: file.text.length }, contentStart: 0, scannable: false }];
  }
  for (const yaml of all) {
    if (!('contents' in yaml)) {
      continue; // an EmptyStream
    }
    if (yaml.contents === null && yaml.errors.length === 0) {
      continue;
    }
    const [start, , end] = yaml.range;
    docs.push({ span: { start, end }, contentStart: start, scannable: false, preParsed: yaml });
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
