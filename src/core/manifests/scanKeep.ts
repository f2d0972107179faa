import type { KeyBounds } from './scanTokens.ts';

/**
 * Which parts of a document to read: a key maps to what to keep below it, `'[]'` to what to
 * keep of each sequence item, `true` keeps everything. Unlisted keys are skipped by
 * indentation alone, which is what makes an outline (kind, name, images) cheap to scan.
 */
export type Keep = true | { readonly [key: string]: Keep };

/** Keeps nothing below. */
export const NOTHING: Keep = Object.freeze({});
const KEYS = new WeakMap<object, readonly string[]>();

export function keysOf(keep: Exclude<Keep, true>): readonly string[] {
  let keys = KEYS.get(keep);
  if (keys === undefined) {
    keys = Object.keys(keep).filter((k) => k !== '[]');
    KEYS.set(keep, keys);
  }
  return keys;
}

/** Which of `keys` the key at `bounds` is, compared in place (nothing copied); undefined for none. */
export function keptKey(text: string, keys: readonly string[], bounds: KeyBounds): string | undefined {
  const { start, end, quoted } = bounds;
  for (let n = 0; n < keys.length; n++) {
    const k = keys[n];
    if (quoted !== undefined ? k === quoted : k.length === end - start && sameAt(text, start, k)) {
      return k;
    }
  }
  return undefined;
}

/** `text.startsWith(k, at)` for a short key, a character at a time (the builtin's checks cost more). */
function sameAt(text: string, at: number, k: string): boolean {
  for (let i = 0; i < k.length; i++) {
    if (text.charCodeAt(at + i) !== k.charCodeAt(i)) {
      return false;
    }
  }
  return true;
}

/** What to keep below a pair's value (`key`) or a sequence's items (`key` undefined). */
export function keepBelow(keep: Keep, key: string | undefined): Keep {
  if (keep === true) {
    return true;
  }
  if (key === undefined) {
    return keep['[]'] ?? NOTHING;
  }
  return Object.hasOwn(keep, key) ? keep[key] : NOTHING;
}
