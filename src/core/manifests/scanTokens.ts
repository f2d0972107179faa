import type { YScalar } from './node.ts';

/**
 * One-line tokens of block YAML for the fast scanner (scan.ts): quoted scalars, the end of a
 * plain scalar, keys, indicator characters, and the signal to give up on a document.
 */

export class GiveUp extends Error {}
/** Thrown, never created per use: an Error's stack trace costs more than the scan it ends. */
export const GIVE_UP = new GiveUp();

export const SPACE = 32;
export const TAB = 9;
export const HASH = 35;
export const DASH = 45;
export const COLON = 58;
export const DQUOTE = 34;
export const SQUOTE = 39;

/** Where a key is on its line; filled in place by `keyBounds`, so that no key allocates. */
export interface KeyBounds {
  start: number;
  /** The end of the key's text (after the closing quote of a quoted key). */
  end: number;
  /** Just after the colon. */
  after: number;
  /** A quoted key's value; undefined for a plain key, which is `text.slice(start, end)`. */
  quoted: string | undefined;
}

/**
 * Finds a key at `i` (`name:`, `"a.b/c":`) and writes where it is to `out`; false when the line
 * holds no key there. Gives up on complex keys (`? `), and on empty and merge keys (`<<`) written plain.
 */
export function keyBounds(text: string, i: number, le: number, out: KeyBounds): boolean {
  const c = text.charCodeAt(i);
  if (c === DQUOTE || c === SQUOTE) {
    const q = readQuoted(text, i, le);
    if (q === undefined) {
      return false;
    }
    let j = q.end;
    while (j < le && text.charCodeAt(j) === SPACE) {
      j++;
    }
    if (text.charCodeAt(j) === COLON && (j + 1 === le || isBlank(text.charCodeAt(j + 1)))) {
      out.start = i;
      out.end = q.end;
      out.after = j + 1;
      out.quoted = q.value;
      return true;
    }
    return false;
  }
  if (c === 63 && (i + 1 === le || isBlank(text.charCodeAt(i + 1)))) {
    throw GIVE_UP; // `? complex key`
  }
  if (c === 91 || c === 123 || c === 124 || c === 62) {
    return false;
  }
  for (let j = i; j < le; j++) {
    const d = text.charCodeAt(j);
    if (d === COLON && (j + 1 === le || isBlank(text.charCodeAt(j + 1)))) {
      if (isIndicatorStart(text, i, le)) {
        throw GIVE_UP;
      }
      let k = j;
      while (k > i && isBlank(text.charCodeAt(k - 1))) {
        k--;
      }
      if (k === i || (k - i === 2 && c === 60 && text.charCodeAt(i + 1) === 60)) {
        throw GIVE_UP; // empty keys and merge keys: leave them to the full parse
      }
      out.start = i;
      out.end = k;
      out.after = j + 1;
      out.quoted = undefined;
      return true;
    }
    if (d === HASH && j > i && isBlank(text.charCodeAt(j - 1))) {
      return false;
    }
  }
  return false;
}

/** Gives up unless only blanks or a comment follow `j` on the line. */
export function expectLineEnd(text: string, j: number, le: number): void {
  let k = j;
  while (k < le && isBlank(text.charCodeAt(k))) {
    k++;
  }
  if (k < le && !(text.charCodeAt(k) === HASH && k > j)) {
    throw GIVE_UP;
  }
}

export function readQuoted(text: string, i: number, le: number): { value: string; end: number } | undefined {
  const q = text.charCodeAt(i);
  if (q === SQUOTE) {
    for (let j = i + 1; j < le; j++) {
      if (text.charCodeAt(j) === SQUOTE) {
        if (text.charCodeAt(j + 1) === SQUOTE && j + 1 < le) {
          j++;
          continue;
        }
        return { value: text.slice(i + 1, j).replaceAll("''", "'"), end: j + 1 };
      }
    }
    return undefined;
  }
  let escaped = false;
  for (let j = i + 1; j < le; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) {
      escaped = true;
      j++;
      continue;
    }
    if (c === DQUOTE) {
      const raw = text.slice(i + 1, j);
      if (!escaped) {
        return { value: raw, end: j + 1 };
      }
      // YAML's escapes are a superset of JSON's; the common ones (\" \\ \n \t \uXXXX) agree.
      try {
        return { value: JSON.parse(`"${raw}"`) as string, end: j + 1 };
      } catch {
        throw GIVE_UP;
      }
    }
  }
  return undefined;
}

/** The end of a plain scalar in block context: before a ` #` comment or trailing blanks. */
export function plainEnd(text: string, i: number, le: number): number {
  let end = le;
  for (let j = i + 1; j < le; j++) {
    if (text.charCodeAt(j) === HASH && isBlank(text.charCodeAt(j - 1))) {
      end = j;
      break;
    }
  }
  while (end > i && isBlank(text.charCodeAt(end - 1))) {
    end--;
  }
  return end;
}

/** Anchors, aliases, tags, directives, reserved characters: the scanner does not read them. */
export function isIndicatorStart(text: string, i: number, le: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 38 || c === 42 || c === 33 || c === 37 || c === 64 || c === 96) {
    return true;
  }
  // `-`, `?` and `:` start a plain scalar only when a non-blank follows.
  if (c === DASH || c === 63 || c === COLON) {
    return i + 1 >= le || isBlank(text.charCodeAt(i + 1));
  }
  return c === 44 || c === 93 || c === 125;
}

export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** Stands for a value about to be assigned; never left in a finished tree. */
export const NO_VALUE: YScalar = { kind: 'scalar', span: { start: 0, end: 0 }, value: null, style: 'plain' };

export function nullAt(offset: number): YScalar {
  return { kind: 'scalar', span: { start: offset, end: offset }, value: null, style: 'plain' };
}

/** A `-` that starts a sequence item (followed by a blank or the line's end). */
export function isDash(text: string, i: number, le: number): boolean {
  return text.charCodeAt(i) === DASH && (i + 1 === le || isBlank(text.charCodeAt(i + 1)));
}

/** Is `text[i, le)` blank up to its end or a comment? */
export function restIsBlank(text: string, i: number, le: number): boolean {
  for (let k = i; k < le; k++) {
    const c = text.charCodeAt(k);
    if (c === HASH) {
      return true;
    }
    if (!isBlank(c) && c !== 13) {
      return false;
    }
  }
  return true;
}
