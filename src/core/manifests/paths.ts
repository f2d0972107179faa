import type { ManifestDocument } from './documents.ts';
import type { PathSegment, YNode } from './node.ts';
import type { Span } from './text.ts';

/**
 * Field paths as Kubernetes writes them (`spec.template.spec.containers[0].image`, with a
 * leading dot in server-side apply messages), and where such a field is in the text.
 */
export function parseFieldPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /\[([^\]]*)\]|\.?([^.[\]]+)/g;
  for (const m of path.trim().matchAll(re)) {
    if (m[1] !== undefined) {
      const inner = m[1].replace(/^["']|["']$/g, '');
      segments.push(/^\d+$/.test(inner) ? Number(inner) : inner);
    } else {
      segments.push(m[2]);
    }
  }
  return segments;
}

export function formatFieldPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') {
      out += `[${s}]`;
    } else if (/^[A-Za-z_$][\w$-]*$/.test(s)) {
      out += out === '' ? s : `.${s}`;
    } else {
      out += `[${s}]`;
    }
  }
  return out;
}

export interface FieldLocation {
  /** Where to point: the last key found (or the item, for an index). */
  readonly span: Span;
  /** The value of the deepest node found. */
  readonly valueSpan?: Span;
  /** True when the whole path was found; otherwise `span` is its deepest existing ancestor. */
  readonly exact: boolean;
  /** How much of the path was found. */
  readonly found: readonly PathSegment[];
}

/**
 * Where a field is in a document, for placing the cluster's complaints (`unknown field
 * "spec.replicass"`) on the text. Always answers: when the path is not there (a required field
 * that is missing), it points at the deepest part that is, down to the document's first key.
 */
export function locateField(doc: ManifestDocument, path: readonly PathSegment[] | string): FieldLocation {
  const segments = typeof path === 'string' ? parseFieldPath(path) : path;
  const root = doc.tree;
  let span: Span = documentHeadSpan(doc);
  let node: YNode | undefined = root ?? undefined;
  const found: PathSegment[] = [];
  for (const segment of segments) {
    let next: { span: Span; node: YNode } | undefined;
    if (typeof segment === 'number') {
      const item = node?.kind === 'seq' ? node.items[segment] : undefined;
      next = item ? { span: item.span, node: item } : undefined;
    } else if (node?.kind === 'map') {
      const pair = node.pairs.findLast((p) => p.key === segment);
      next = pair ? { span: pair.keySpan, node: pair.value } : undefined;
    }
    if (next === undefined) {
      return { span, valueSpan: found.length > 0 ? node?.span : undefined, exact: false, found };
    }
    span = next.span;
    node = next.node;
    found.push(segment);
  }
  return { span, valueSpan: node?.span, exact: true, found };
}

export interface ServerFieldError {
  readonly path: PathSegment[];
  readonly message: string;
}

/**
 * Field paths in an API server's error message: strict decoding (`unknown field "spec.x"`,
 * `duplicate field "replicas"`), server-side apply (`.spec.x: field not declared in schema`)
 * and validation (`spec.replicas: Invalid value: -1: ...`). When the error body has
 * `details.causes[].field`, prefer those with `parseFieldPath`.
 */
export function fieldErrorsFromServer(message: string): ServerFieldError[] {
  const errors: ServerFieldError[] = [];
  for (const m of message.matchAll(/(unknown|duplicate) field "([^"]+)"/g)) {
    errors.push({ path: parseFieldPath(m[2]), message: `${m[1] === 'unknown' ? 'Unknown' : 'Duplicate'} field "${m[2]}"` });
  }
  const field = String.raw`\.?[A-Za-z_$][\w$-]*(?:\[[^\]]*\]|\.[A-Za-z_$][\w$/-]*)*`;
  const reasons = 'field not declared in schema|Invalid value|Required value|Unsupported value|Forbidden|Duplicate value|Too many|Too long|Not found';
  const re = new RegExp(`(?:^|[\\s\\[,(;])(${field}): ((?:${reasons})[^,\\]]*)`, 'g');
  for (const m of message.matchAll(re)) {
    if (!errors.some((e) => formatFieldPath(e.path) === formatFieldPath(parseFieldPath(m[1])))) {
      errors.push({ path: parseFieldPath(m[1]), message: m[2].trim() });
    }
  }
  return errors;
}

function firstContent(doc: ManifestDocument): number {
  const text = doc.file.text;
  let i = doc.contentStart;
  while (i < doc.span.end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
    } else if (c === 35) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? doc.span.end : eol + 1;
    } else {
      return i;
    }
  }
  return doc.span.start;
}

function lineEnd(text: string, offset: number): number {
  const eol = text.indexOf('\n', offset);
  const end = eol === -1 ? text.length : eol;
  return end > offset && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

/** The span of the document's first content line: where document-level problems go. */
export function documentHeadSpan(doc: ManifestDocument): Span {
  const start = firstContent(doc);
  return { start, end: lineEnd(doc.file.text, start) };
}
