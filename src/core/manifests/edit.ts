import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import type { ManifestFile } from './documents.ts';
import { treeFromYaml, withoutStacks } from './fromYaml.ts';
import type { ContainerImage } from './images.ts';
import { formatImageReference } from './imageReference.ts';
import type { KustomizeEntry } from './kustomize.ts';
import { aliasBudget } from './limits.ts';
import type { PathSegment } from './node.ts';
import { isSafePlainString } from './scalars.ts';
import type { Range, Span } from './text.ts';

/**
 * Minimal text edits on image lines. "An edit never corrupts the user's file": each edit
 * touches only the characters it must (the tag, or one inserted line), and before it is
 * returned the edited document is parsed again and compared with the original: it must differ
 * in exactly the intended field. Otherwise the result is an error, never an edit.
 */
export interface TextEdit {
  /** The text to replace (empty for an insertion), in the file the image was found in. */
  readonly span: Span;
  readonly range: Range;
  readonly newText: string;
}

export type EditResult =
  | { readonly ok: true; readonly edit: TextEdit; /** The whole file after the edit. */ readonly text: string }
  | { readonly ok: false; readonly reason: string };

const TAG = /^[\w][\w.-]{0,127}$/;

export interface SetTagOptions {
  /** An image pinned by digest (`app@sha256:...`): drop the digest so the tag counts. */
  readonly dropDigest?: boolean;
}

/** Changes (or adds) the image's tag, touching only the tag's characters. */
export function setImageTag(file: ManifestFile, image: ContainerImage, tag: string, options: SetTagOptions = {}): EditResult {
  if (!TAG.test(tag)) {
    return { ok: false, reason: `"${tag}" is not a valid tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'.` };
  }
  const ref = image.reference;
  if (!ref.valid) {
    return { ok: false, reason: `The image "${image.image}" is not a valid reference (${ref.message}); fix it by hand.` };
  }
  if (image.shared !== undefined) {
    return { ok: false, reason: image.shared.reason };
  }
  if (ref.digest !== undefined && !options.dropDigest) {
    return { ok: false, reason: 'The image is pinned by digest, which wins over any tag: switch it to a tag (drop the digest) to bump it.' };
  }
  if (image.kustomize !== undefined) {
    return setKustomizeTag(file, image, image.kustomize, tag);
  }
  if (image.valueSpan === undefined || image.tagInsertAt === undefined) {
    return { ok: false, reason: 'The image is written with escapes or as a block scalar; edit it by hand.' };
  }
  const newImage = formatImageReference({ registry: ref.registry, path: ref.path, tag });
  if (image.style === 'plain' && !isSafePlainString(newImage)) {
    return replaceWith(file, image, image.span, JSON.stringify(newImage), newImage);
  }
  let edit: Span;
  let newText: string;
  if (ref.digest !== undefined) {
    edit = { start: image.tagInsertAt, end: image.valueSpan.end };
    newText = `:${tag}`;
  } else if (image.tagSpan !== undefined) {
    edit = image.tagSpan;
    newText = tag;
  } else {
    edit = { start: image.tagInsertAt, end: image.tagInsertAt };
    newText = `:${tag}`;
  }
  return replaceWith(file, image, edit, newText, newImage);
}

/**
 * A kustomization's `images[i]`: `newTag` gets the tag (quoted when YAML would read it as a
 * number: `1.10`); a `digest:` is replaced by the `newTag:` (or its line removed when there is a
 * `newTag` already), since kustomize's digest wins over any tag.
 */
function setKustomizeTag(file: ManifestFile, image: ContainerImage, entry: KustomizeEntry, tag: string): EditResult {
  const text = file.text;
  const quoteIfNeeded = (style: string) => (style === 'plain' && !isSafePlainString(tag) ? JSON.stringify(tag) : tag);
  const parts: { span: Span; newText: string }[] = [];
  const { newTag, digest } = entry;
  if (newTag !== undefined) {
    if (newTag.valueSpan === undefined) {
      return { ok: false, reason: 'The newTag is written with escapes; edit it by hand.' };
    }
    const quoted = quoteIfNeeded(newTag.style);
    parts.push(quoted === tag ? { span: newTag.valueSpan, newText: tag } : { span: newTag.span, newText: quoted });
  }
  if (digest !== undefined) {
    if (newTag === undefined) {
      parts.push({ span: { start: digest.keySpan.start, end: digest.span.end }, newText: `newTag: ${quoteIfNeeded('plain')}` });
    } else {
      const lineStart = text.lastIndexOf('\n', digest.keySpan.start - 1) + 1;
      const next = text.indexOf('\n', digest.span.end);
      if (entry.flow || text.slice(lineStart, digest.keySpan.start).trim() !== '' || (next !== -1 && text.slice(digest.span.end, next).trim().replace(/^#.*/, '') !== '')) {
        return { ok: false, reason: 'The entry has both newTag and digest on shared lines; remove the digest by hand.' };
      }
      parts.push({ span: { start: lineStart, end: next === -1 ? text.length : next + 1 }, newText: '' });
    }
  }
  parts.sort((a, b) => a.span.start - b.span.start);
  // One edit covering all parts, with the text between them unchanged.
  const start = parts[0].span.start;
  const end = parts[parts.length - 1].span.end;
  let newText = '';
  let at = start;
  for (const part of parts) {
    newText += text.slice(at, part.span.start) + part.newText;
    at = part.span.end;
  }
  const span = { start, end };
  return verified(file, image, { span, range: file.rangeOf(span), newText }, (object) => {
    const item = (object as { images?: Record<string, unknown>[] } | undefined)?.images?.[entry.index];
    if (item !== null && typeof item === 'object') {
      delete item.digest;
      item.newTag = tag;
    }
  });
}

/** Replaces the whole image string (for "Set image..."), keeping its quotes. */
export function setImage(file: ManifestFile, image: ContainerImage, newImage: string): EditResult {
  if (newImage.trim() === '' || /[\r\n]/.test(newImage)) {
    return { ok: false, reason: 'The image must be one non-empty line.' };
  }
  if (image.shared !== undefined) {
    return { ok: false, reason: image.shared.reason };
  }
  if (image.valueSpan !== undefined && (image.style !== 'plain' || isSafePlainString(newImage))) {
    const escaped = image.style === 'single' ? newImage.replaceAll("'", "''") : image.style === 'double' ? JSON.stringify(newImage).slice(1, -1) : newImage;
    return replaceWith(file, image, image.valueSpan, escaped, newImage);
  }
  return replaceWith(file, image, image.span, JSON.stringify(newImage), newImage);
}

export type PullPolicyValue = 'Always' | 'IfNotPresent' | 'Never';

/** Sets the container's imagePullPolicy: its value if present, else a new line under `image:`. */
export function setImagePullPolicy(file: ManifestFile, image: ContainerImage, policy: PullPolicyValue): EditResult {
  const containerPath = image.path.slice(0, -1);
  const expected = [...containerPath, 'imagePullPolicy'];
  if (image.shared !== undefined && !image.shared.valueOnly) {
    return { ok: false, reason: image.shared.reason.replace('The image is', 'The container is') };
  }
  if (image.pullPolicy !== undefined) {
    return verified(file, image, { span: image.pullPolicy.span, range: file.rangeOf(image.pullPolicy.span), newText: policy }, expected, policy);
  }
  const text = file.text;
  const lineStart = text.lastIndexOf('\n', image.keySpan.start - 1) + 1;
  const column = image.keySpan.start - lineStart;
  let lineEnd = text.indexOf('\n', image.span.end);
  let crlf: boolean;
  let at: number;
  if (lineEnd === -1) {
    // The last line, without a line break of its own: break it as the file's other lines are.
    lineEnd = text.length;
    at = lineEnd;
    crlf = text.charCodeAt(text.lastIndexOf('\n') - 1) === 13;
  } else {
    crlf = text.charCodeAt(lineEnd - 1) === 13;
    at = crlf ? lineEnd - 1 : lineEnd;
  }
  const newText = `${crlf ? '\r\n' : '\n'}${' '.repeat(column)}imagePullPolicy: ${policy}`;
  const span = { start: at, end: at };
  return verified(file, image, { span, range: file.rangeOf(span), newText }, expected, policy);
}

function replaceWith(file: ManifestFile, image: ContainerImage, span: Span, newText: string, newImage: string): EditResult {
  return verified(file, image, { span, range: file.rangeOf(span), newText }, image.path, newImage);
}

/**
 * Applies the edit to a copy and checks that the document now differs in `path` only (or, given
 * a function, exactly as that function changes the original object).
 */
function verified(file: ManifestFile, image: ContainerImage, edit: TextEdit, path: readonly PathSegment[] | ((object: unknown) => void), value?: string): EditResult {
  const doc = image.document;
  if (doc.file !== file || edit.span.start < doc.span.start || edit.span.end > doc.span.end) {
    return { ok: false, reason: 'The image does not belong to this version of the file; try again.' };
  }
  const refusal = doc.full().refusal;
  if (refusal !== undefined) {
    return { ok: false, reason: refusal };
  }
  const before = doc.toObject();
  if (before === undefined) {
    return { ok: false, reason: 'The document has YAML errors; fix them first, so the edit can be checked.' };
  }
  const text = file.text.slice(0, edit.span.start) + edit.newText + file.text.slice(edit.span.end);
  const delta = edit.newText.length - (edit.span.end - edit.span.start);
  const docText = text.slice(doc.span.start, doc.span.end + delta);
  let after: unknown;
  try {
    const reparsed = withoutStacks(() => parseDocument(docText, { prettyErrors: false, uniqueKeys: false }));
    if (reparsed.errors.length > 0) {
      return { ok: false, reason: `The edit would break the YAML (${reparsed.errors[0].code}); nothing was changed.` };
    }
    const check = treeFromYaml(reparsed, docText, 0, aliasBudget(docText.length));
    if (check.overBudget) {
      return { ok: false, reason: 'The edit would make the YAML aliases expand too far; nothing was changed.' };
    }
    if (check.duplicateKeys.length > 0) {
      return { ok: false, reason: 'The edit would break the YAML (DUPLICATE_KEY); nothing was changed.' };
    }
    after = reparsed.toJS({ maxAliasCount: -1 });
  } catch (e) {
    return { ok: false, reason: `The edit could not be checked (${(e as Error).message}); nothing was changed.` };
  }
  // A copy without shared objects: an alias's object is the anchor's own in `toJS`, and setting
  // the field in one would set it in every copy, hiding an edit that changes them all.
  const expected = unshared(before);
  if (typeof path === 'function') {
    path(expected);
  } else {
    setIn(expected, path, value);
  }
  if (!isDeepStrictEqual(unshared(after), expected)) {
    return { ok: false, reason: 'The edit would change more than intended (anchors or an unusual layout?); nothing was changed.' };
  }
  return { ok: true, edit, text };
}

/** A deep copy in which no object appears twice (the alias budget bounds its size). */
function unshared(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(unshared);
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: unshared(v), enumerable: true, writable: true, configurable: true }); // `__proto__` is a key too
    }
    return out;
  }
  return value;
}

function setIn(root: unknown, path: readonly PathSegment[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) {
    const next = node?.[segment];
    if (next === null || typeof next !== 'object') {
      return; // not there in the object (`yaml` and the tree disagree): the comparison refuses
    }
    node = next as Record<string | number, unknown>;
  }
  if (node !== null && typeof node === 'object') {
    node[path[path.length - 1]] = value;
  }
}

/** Applies edits (non-overlapping, any order) to a text: for tests and for previews. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start)) {
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  }
  return out;
}
