// Cancel leaves the manifest as it was: the loop remembers the characters its tag edit replaced,
// and puts them back only where the file still holds exactly what the loop wrote.
import type { Span } from '../manifests/text.ts';

/** One replacement the loop made: at `start`, `oldText` became `newText`. */
export interface MadeEdit {
  readonly start: number;
  readonly oldText: string;
  readonly newText: string;
}

/** The made edit, from the text before it, the replaced span and its new text. */
export function madeEdit(textBefore: string, span: Span, newText: string): MadeEdit {
  return { start: span.start, oldText: textBefore.slice(span.start, span.end), newText };
}

/**
 * The replacement that undoes `made` in `text` (the file now), or undefined when the file no
 * longer holds what the loop wrote at that place (edited since): then nothing is put back.
 */
export function undoEdit(text: string, made: MadeEdit): { readonly span: Span; readonly newText: string } | undefined {
  const end = made.start + made.newText.length;
  if (end > text.length || text.slice(made.start, end) !== made.newText) return undefined;
  return { span: { start: made.start, end }, newText: made.oldText };
}
