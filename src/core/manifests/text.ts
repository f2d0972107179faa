/**
 * Positions in a manifest's text. Offsets are indexes into the JavaScript string (UTF-16 code
 * units), not UTF-8 bytes: that is what `vscode.TextDocument.positionAt/offsetAt` take, so an
 * adapter converts without re-encoding.
 */

/** A half-open range of offsets `[start, end)` into the whole file's text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Zero-based line and character (UTF-16 units), like `vscode.Position`. */
export interface Position {
  readonly line: number;
  readonly character: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export function span(start: number, end: number): Span {
  return { start, end };
}

/** A span `delta` further on (an edit before it changed the text's length). */
export function moveSpan(s: Span, delta: number): Span {
  return { start: s.start + delta, end: s.end + delta };
}

/** A copy of a read-only shape that is being filled in. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Line starts of a text, built once (one indexOf pass) and binary-searched for each lookup.
 * They are kept in a typed array: pushing 150,000 numbers onto a plain array (a 5 MB file)
 * cost 20 ms of copying and garbage, a third of the file's lenses.
 */
export class LineIndex {
  /** The offset where each line starts (the fast scanner walks a document's lines with it). */
  readonly starts: Uint32Array;
  private readonly length: number;

  /** `starts` and `length`: a text's line starts already known (`lineIndexAfterEdit`). */
  constructor(text: string, known?: { readonly starts: Uint32Array; readonly length: number }) {
    if (known !== undefined) {
      this.length = known.length;
      this.starts = known.starts;
      return;
    }
    this.length = text.length;
    // Room for lines of 16 characters on average (manifests' are longer): growing copies the
    // array, and only the part written is ever touched (fresh memory costs a page fault per 4 KB).
    let starts = new Uint32Array(Math.max(16, text.length >> 4));
    let n = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      if (n === starts.length) {
        const grown = new Uint32Array(n * 2);
        grown.set(starts);
        starts = grown;
      }
      starts[n++] = i + 1;
    }
    this.starts = starts.subarray(0, n);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.length));
    const lo = this.lineOf(clamped);
    return { line: lo, character: clamped - this.starts[lo] };
  }

  /** The line that holds `offset` (from 0). */
  lineOf(offset: number): number {
    const clamped = Math.max(0, Math.min(offset, this.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= clamped) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  offsetAt(position: Position): number {
    if (position.line >= this.starts.length) {
      return this.length;
    }
    const start = this.starts[Math.max(0, position.line)];
    const next = position.line + 1 < this.starts.length ? this.starts[position.line + 1] : this.length + 1;
    return Math.min(start + Math.max(0, position.character), next - 1);
  }

  rangeOf(s: Span): Range {
    return { start: this.positionAt(s.start), end: this.positionAt(s.end) };
  }
}

/**
 * Where two versions of a text differ: `[start, oldEnd)` of the old text became `[start, newEnd)`
 * of the new one; what is before and after is the same in both (after moved by `delta`).
 */
export interface EditWindow {
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
  readonly delta: number;
}

/** Compared in chunks: string equality of two slices is a memory compare, a loop of charCodeAt is not. */
const CHUNK = 4096;

/**
 * The one window an edit changed (a keystroke, a paste, a replace-all is one window from its
 * first change to its last). About a millisecond for two 5 MB versions.
 */
export function editWindow(before: string, after: string): EditWindow {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start + CHUNK <= max && before.slice(start, start + CHUNK) === after.slice(start, start + CHUNK)) {
    start += CHUNK;
  }
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) {
    start++;
  }
  // The common suffix may not overlap the common prefix in either text.
  const limit = max - start;
  let same = 0;
  const b = before.length;
  const a = after.length;
  while (same + CHUNK <= limit && before.slice(b - same - CHUNK, b - same) === after.slice(a - same - CHUNK, a - same)) {
    same += CHUNK;
  }
  while (same < limit && before.charCodeAt(b - same - 1) === after.charCodeAt(a - same - 1)) {
    same++;
  }
  return { start, oldEnd: b - same, newEnd: a - same, delta: a - b };
}

/**
 * The line starts of `text`, an edit of the text `before` indexes: the starts before the edit
 * are kept, the ones after it moved, and only the edited window is searched for newlines.
 */
export function lineIndexAfterEdit(before: LineIndex, text: string, edit: EditWindow): LineIndex {
  const old = before.starts;
  // A line start s follows a newline at s - 1: those before the edit's start are unchanged.
  const keep = before.lineOf(edit.start) + 1; // starts <= edit.start
  const firstAfter = before.lineOf(edit.oldEnd) + 1; // the starts after it had their newline in the unchanged rest
  const inside: number[] = [];
  for (let i = text.indexOf('\n', edit.start); i !== -1 && i < edit.newEnd; i = text.indexOf('\n', i + 1)) {
    inside.push(i + 1);
  }
  const starts = new Uint32Array(keep + inside.length + (old.length - firstAfter));
  starts.set(old.subarray(0, keep));
  for (let i = 0; i < inside.length; i++) {
    starts[keep + i] = inside[i];
  }
  let n = keep + inside.length;
  for (let i = firstAfter; i < old.length; i++) {
    starts[n++] = old[i] + edit.delta;
  }
  return new LineIndex(text, { starts, length: text.length });
}

/**
 * A copy of `s` that does not keep a larger string alive. V8 makes substrings of 13 characters or
 * more views into their parent (the 5 MB text); a concatenation, once read, is a string of its own.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

const INTERNED = new Map<string, string>();

/**
 * One copy of a string that thousands of documents repeat (`apps/v1`, `Deployment`, a namespace):
 * a 5 MB file's documents kept 7,000 copies of each. Not for names, which differ.
 */
export function intern(s: string | undefined): string | undefined {
  if (s === undefined || s.length > 64) {
    return s;
  }
  let one = INTERNED.get(s);
  if (one === undefined) {
    if (INTERNED.size >= 10_000) {
      INTERNED.clear();
    }
    one = ownString(s);
    INTERNED.set(one, one);
  }
  return one;
}
