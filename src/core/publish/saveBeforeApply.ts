// Bump & Apply and Build & Deploy write the tag, save the file and apply it. Saving also saves
// whatever else the user had typed and not saved, and applying sends it to the cluster: that
// must never happen silently. These decide when to ask, and what to say.

export type UnsavedDecision =
  /** Nothing but our own edit will be saved: go on. */
  | 'clean'
  /** The user already agreed to save exactly this text. */
  | 'confirmed'
  /** Other edits would be saved and applied: ask first. */
  | 'ask';

export interface UnsavedInput {
  /** The editor's dirty flag, before our edit. */
  readonly isDirty: boolean;
  /** The editor's text, before our edit. */
  readonly bufferText: string;
  /** The file on disk; undefined when it cannot be read (deleted, or never saved). */
  readonly diskText: string | undefined;
  /** The text the user agreed to save and apply, when asked before. */
  readonly confirmedText?: string;
}

/** Line endings and a byte-order mark do not make an edit (VS Code may normalise both on load). */
function normalise(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

export function unsavedEditsDecision(input: UnsavedInput): UnsavedDecision {
  if (!input.isDirty) return 'clean';
  if (input.diskText !== undefined && normalise(input.diskText) === normalise(input.bufferText)) return 'clean';
  if (input.confirmedText !== undefined && input.confirmedText === input.bufferText) return 'confirmed';
  return 'ask';
}

/** The question, as the modal asks it. */
export function unsavedEditsQuestion(label: string, during?: string): string {
  return during
    ? `${label} changed during ${during} and has unsaved changes. Save them and apply them too?`
    : `${label} has unsaved changes. Save them and apply them too?`;
}

/**
 * Where the editor differs from the saved file, for the modal's detail: "Line 7 differs from
 * the saved file." Compares whole lines from both ends.
 */
export function describeUnsavedEdits(diskText: string | undefined, bufferText: string): string {
  if (diskText === undefined) return 'The file on disk cannot be read: saving writes the whole editor text.';
  const a = normalise(diskText).split('\n');
  const b = normalise(bufferText).split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  if (endB < start) {
    const removed = endA - start + 1;
    return removed > 0 ? `${removed} line${removed === 1 ? ' was' : 's were'} removed after line ${start} and not saved.` : 'Only whitespace at the end differs from the saved file.';
  }
  const first = start + 1;
  const last = endB + 1;
  // Line numbers only: the text itself may be an env value or a token.
  return `${first === last ? `Line ${first} differs` : `Lines ${first}–${last} differ`} from the saved file.`;
}
