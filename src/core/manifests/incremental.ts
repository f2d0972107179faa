import type { ManifestDocument, ManifestFile } from './documents.ts';
import { splitBetween } from './split.ts';
import type { EditWindow } from './text.ts';

/**
 * The documents of `file`, an edit of the file whose documents were `old`: those wholly before
 * and after the edited window are carried over (moved by the edit's length change), and only the
 * stretch between them is split and read again. A keystroke in a 5 MB manifest re-reads the one
 * document it is in, not 7,000. Undefined when the file must be split whole (directives).
 */
export function documentsAfterEdit(file: ManifestFile, old: readonly ManifestDocument[], edit: EditWindow): ManifestDocument[] | undefined {
  if (old.some((d) => d.splitByYaml)) {
    return undefined;
  }
  // Before: a document whose end and the `---` line there (4 characters) precede the edit. Its end
  // is then a marker the edit did not touch, and so is everything it holds.
  let before = 0;
  while (before < old.length && old[before].span.end + 4 <= edit.start) {
    before++;
  }
  // After: from the first document that starts with a `---` line after the edit, its preceding
  // newline included (a `...`-ended document starts where the `...` line ends, which may be edited).
  let after = before;
  while (after < old.length && !(old[after].contentStart !== old[after].span.start && old[after].span.start > edit.oldEnd)) {
    after++;
  }
  const from = before === 0 ? 0 : old[before - 1].span.end;
  const to = after < old.length ? old[after].span.start + edit.delta : file.text.length;
  const between = splitBetween(file, from, to);
  if (between === undefined) {
    return undefined;
  }
  const docs: ManifestDocument[] = [];
  for (let i = 0; i < before; i++) {
    docs.push(old[i].carriedTo(file, i, 0));
  }
  for (const bounds of between) {
    docs.push(file.documentOf(bounds, docs.length));
  }
  for (let i = after; i < old.length; i++) {
    docs.push(old[i].carriedTo(file, docs.length, edit.delta));
  }
  return docs;
}
