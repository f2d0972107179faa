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

/**
 * Line starts of a text, built once (one indexOf pass) and binary-searched for each lookup.
 * They are kept in a typed array: pushing 150,000 numbers onto a plain array (a 5 MB file)
 * cost 20 ms of copying and garbage, a third of the file's lenses.
 */
export class LineIndex {
  /** The offset where each line starts (the fast scanner walks a document's lines with it). */
  readonly starts: Uint32Array;
  private readonly length: number;

  constructor(text: string) {
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
