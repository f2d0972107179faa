import type { ManifestDocument, ManifestFile, MemoKey } from './documents.ts';
import { parseImageReference } from './imageReference.ts';
import type { ImageReference, InvalidImageReference } from './imageReference.ts';
import { CONTAINER_LISTS, podSpecPath } from './kinds.ts';
import { isKustomization, kustomizeImages, moveEntry } from './kustomize.ts';
import type { KustomizeEntry } from './kustomize.ts';
import type { ContainerList } from './kinds.ts';
import { getNode, getPair } from './node.ts';
import type { PathSegment, ScalarStyle, YNode, YScalar } from './node.ts';
import { moveSpan } from './text.ts';
import type { Mutable, Span } from './text.ts';

export {
  effectiveTag,
  formatImageReference,
  normalizeImageReference,
  parseImageReference,
  sameImage,
} from './imageReference.ts';
export type { ImageParts, ImageReference, InvalidImageReference } from './imageReference.ts';

/** One `image:` of a container, with everything a CodeLens, a diagnostic or an edit needs. */
export interface ContainerImage {
  readonly document: ManifestDocument;
  readonly containerList: ContainerList;
  readonly containerIndex: number;
  /** The container's `name`, which `kubectl set image` and the live object use. */
  readonly containerName?: string;
  /** Path of the image value: `['spec', 'template', 'spec', 'containers', 0, 'image']`. */
  readonly path: readonly PathSegment[];
  readonly image: string;
  readonly reference: ImageReference | InvalidImageReference;
  /** The value's source, quotes included. */
  readonly span: Span;
  readonly style: ScalarStyle;
  /**
   * Where the image string's characters are in the text (inside the quotes), when they are
   * there one for one; undefined for values with escapes or block scalars, whose tag cannot be
   * edited in place.
   */
  readonly valueSpan?: Span;
  /** Just the tag's characters, when there is a tag and `valueSpan` is known. */
  readonly tagSpan?: Span;
  /** Where `:tag` would be inserted (after the name), when `valueSpan` is known. */
  readonly tagInsertAt?: number;
  /** `@sha256:...`, the `@` included, when there is a digest and `valueSpan` is known. */
  readonly digestSpan?: Span;
  readonly pullPolicy?: PullPolicy;
  /** Where the container's `image` key is: its line is where a lens goes. */
  readonly keySpan: Span;
  /**
   * The image is shared with other places through a YAML anchor and alias: an edit here would
   * change them too (or could not be made here at all), so edits are refused with this reason.
   */
  readonly shared?: SharedImage;
  /**
   * Not a container but an `images[]` entry of a kustomization (`newTag`, `digest`): `image` is
   * what the entry makes of the image, and an edit changes `newTag` (kustomize.ts).
   */
  readonly kustomize?: KustomizeEntry;
}

export interface SharedImage {
  /** `alias`: reached through `*name`; `anchor`: under `&name`, which an alias repeats. */
  readonly kind: 'alias' | 'anchor';
  readonly name: string;
  /** Only the image's own value is shared (`image: *img`), not its container. */
  readonly valueOnly: boolean;
  /** Why an edit is refused, for the user. */
  readonly reason: string;
}

export interface PullPolicy {
  /** As written; may be invalid (validation says so). */
  readonly value: string;
  readonly span: Span;
  readonly keySpan: Span;
}

/** The images of a document that has none: one array for all of them. */
const NONE: readonly ContainerImage[] = Object.freeze([]);

/** A document's images, carried over to the next version of the file when an edit did not touch it. */
const IMAGES: MemoKey<readonly ContainerImage[]> = {
  move: (images, to, delta) => (images.length === 0 ? NONE : images.map((image) => moveImage(image, to, delta))),
};

/** The same image in `to`, the same document text `delta` further on in an edited file. */
function moveImage(image: ContainerImage, to: ManifestDocument, delta: number): ContainerImage {
  if (delta === 0) {
    return { ...image, document: to }; // spans are read-only: shared
  }
  // Only the fields it has: the object keeps its shape.
  const moved: Mutable<ContainerImage> = { ...image, document: to, span: moveSpan(image.span, delta), keySpan: moveSpan(image.keySpan, delta) };
  if (image.valueSpan !== undefined) {
    moved.valueSpan = moveSpan(image.valueSpan, delta);
  }
  if (image.tagSpan !== undefined) {
    moved.tagSpan = moveSpan(image.tagSpan, delta);
  }
  if (image.tagInsertAt !== undefined) {
    moved.tagInsertAt = image.tagInsertAt + delta;
  }
  if (image.digestSpan !== undefined) {
    moved.digestSpan = moveSpan(image.digestSpan, delta);
  }
  if (image.pullPolicy !== undefined) {
    moved.pullPolicy = { value: image.pullPolicy.value, span: moveSpan(image.pullPolicy.span, delta), keySpan: moveSpan(image.pullPolicy.keySpan, delta) };
  }
  if (image.kustomize !== undefined) {
    moved.kustomize = moveEntry(image.kustomize, delta);
  }
  return moved;
}

/**
 * Every container image of every document, in file order. Cheap: reads documents' outlines, once
 * per version of a file (lenses, diagnostics and commands ask about the same version in turn).
 */
export function findImages(file: ManifestFile): readonly ContainerImage[] {
  let all = FILE_IMAGES.get(file);
  if (all === undefined) {
    all = readFileImages(file);
    FILE_IMAGES.set(file, all);
  }
  return all;
}

// copy-safe: a memo of a file's images by the file, which never changes; a copy of it reads again.
const FILE_IMAGES = new WeakMap<ManifestFile, readonly ContainerImage[]>();

function readFileImages(file: ManifestFile): readonly ContainerImage[] {
  const docs = file.documents;
  const all: ContainerImage[] = [];
  for (let d = 0; d < docs.length; d++) {
    const images = documentImages(docs[d]);
    for (let i = 0; i < images.length; i++) {
      all.push(images[i]);
    }
  }
  return all;
}

export function documentImages(doc: ManifestDocument): readonly ContainerImage[] {
  return doc.memo(IMAGES, readImages);
}

/** The image at a cursor offset (anywhere on the `image:` line's key or value). */
export function imageAt(file: ManifestFile, offset: number): ContainerImage | undefined {
  const doc = file.documentAt(offset);
  return doc ? documentImages(doc).find((i) => offset >= i.keySpan.start && offset <= i.span.end) : undefined;
}

/**
 * The path of a container's image, `[...specPath, list, index, 'image']`: one array per place, shared
 * by every image there (a 5 MB file has thousands of images at the same few places). Read-only.
 */
const IMAGE_PATHS = new Map<readonly PathSegment[], Map<ContainerList, (readonly PathSegment[])[]>>();

function imagePath(specPath: readonly PathSegment[], list: ContainerList, index: number): readonly PathSegment[] {
  let byList = IMAGE_PATHS.get(specPath);
  if (byList === undefined) {
    byList = new Map();
    IMAGE_PATHS.set(specPath, byList);
  }
  let byIndex = byList.get(list);
  if (byIndex === undefined) {
    byIndex = [];
    byList.set(list, byIndex);
  }
  if (index >= 64) {
    return [...specPath, list, index, 'image']; // an unusual pod: not worth keeping
  }
  return (byIndex[index] ??= Object.freeze([...specPath, list, index, 'image']));
}

function readImages(doc: ManifestDocument): readonly ContainerImage[] {
  if (!doc.mayHoldImages || doc.imagesRefusal !== undefined) {
    return NONE; // no image written in it, or lensNotices says why it is not read
  }
  const root = doc.outline;
  const specPath = podSpecPath(doc.kind, doc.apiVersion, root);
  if (specPath === undefined || root === null) {
    if (specPath === undefined && isKustomization(doc)) {
      const entries = kustomizeImages(doc);
      return entries.length === 0 ? NONE : entries;
    }
    return NONE;
  }
  // Only `yaml`'s trees carry anchors and aliases: the scanner gives up on documents with them.
  const byYaml = !doc.outlineScanned;
  const specChain = byYaml ? chainOf(root, specPath) : undefined;
  const podSpec = specChain !== undefined ? specChain[specChain.length - 1] : deepest(root, specPath);
  const from = collected.count;
  try {
    containerImages(doc, specPath, specChain, podSpec);
    // Kept as long as the document: an array of its own size (one grown from empty has 17 slots).
    return collected.count === from ? NONE : collected.images.slice(from, collected.count);
  } finally {
    collected.images.fill(NO_IMAGE, from, collected.count); // they point into the text
    collected.count = from;
  }
}

/** Adds the images of the pod spec's containers to `collected`. */
function containerImages(doc: ManifestDocument, specPath: readonly PathSegment[], specChain: YNode[] | undefined, podSpec: YNode): void {
  const text = doc.file.text;
  for (const containerList of CONTAINER_LISTS) {
    const list = getPair(podSpec, containerList)?.value;
    if (list?.kind !== 'seq') {
      continue;
    }
    const items = list.items;
    for (let containerIndex = 0; containerIndex < items.length; containerIndex++) {
      const container = items[containerIndex];
      const imagePair = getPair(container, 'image');
      if (imagePair === undefined || imagePair.value.kind !== 'scalar' || typeof imagePair.value.value !== 'string') {
        continue; // no image, or not a string: validation reports it
      }
      const scalar = imagePair.value;
      const image = scalar.value as string;
      const name = getPair(container, 'name')?.value;
      const policy = getPair(container, 'imagePullPolicy');
      const reference = parseImageReference(image);
      const found = specChain !== undefined ? sharedOn(doc, [...specChain, list, container, scalar]) : undefined;
      // Below an alias, spans point at the anchor's text: the alias is where this image is.
      const at = found?.alias !== undefined && found.node !== scalar ? found.node.span : undefined;
      const valueSpan = found?.alias !== undefined ? undefined : valueSpanOf(text, scalar);
      const spanned = reference.valid && valueSpan !== undefined ? reference : undefined;
      const base = valueSpan === undefined ? 0 : valueSpan.start;
      const entry: ContainerImage = {
        document: doc,
        containerList,
        containerIndex,
        containerName: name?.kind === 'scalar' && name.value !== null ? String(name.value) : undefined,
        path: imagePath(specPath, containerList, containerIndex),
        image,
        reference,
        span: at ?? scalar.span,
        style: scalar.style,
        valueSpan,
        tagSpan: spanned?.tagStart !== undefined ? { start: base + spanned.tagStart, end: base + (spanned.tagEnd as number) } : undefined,
        tagInsertAt: spanned !== undefined ? base + spanned.nameEnd : undefined,
        digestSpan: spanned?.digestAt !== undefined ? { start: base + spanned.digestAt, end: (valueSpan as Span).end } : undefined,
        pullPolicy:
          policy?.value.kind === 'scalar' && policy.value.value !== null
            ? { value: String(policy.value.value), span: at ?? policy.value.span, keySpan: at ?? policy.keySpan }
            : undefined,
        keySpan: at ?? imagePair.keySpan,
        ...(found && { shared: found.shared }),
      };
      collected.images[collected.count++] = entry;
    }
  }
}

/**
 * The images being found, from where a call started (a nested call would start after). The array
 * never shrinks: `length = 0` would drop its storage, and every document grow it again.
 */
const collected = { images: [] as ContainerImage[], count: 0 };
const NO_IMAGE = {} as ContainerImage;

/** The last node of `chainOf(root, path)`, without the array. */
function deepest(root: YNode, path: readonly PathSegment[]): YNode {
  let node = root;
  for (const segment of path) {
    const next = typeof segment === 'number' ? (node.kind === 'seq' ? node.items[segment] : undefined) : getPair(node, segment)?.value;
    if (next === undefined) {
      break;
    }
    node = next;
  }
  return node;
}

/** The nodes from `root` down `path` (fewer when the path stops early). */
function chainOf(root: YNode, path: readonly PathSegment[]): YNode[] {
  const chain = [root];
  let node: YNode | undefined = root;
  for (const segment of path) {
    node = getNode(node, [segment]);
    if (node === undefined) {
      break;
    }
    chain.push(node);
  }
  return chain;
}

/**
 * The first node of `chain` (root first) that an alias reached, or that carries an anchor some
 * alias repeats. Only full-parse trees carry either: the scanner gives up on them.
 */
function sharedOn(doc: ManifestDocument, chain: readonly YNode[]): { node: YNode; alias?: string; shared: SharedImage } | undefined {
  for (const node of chain) {
    const valueOnly = node === chain[chain.length - 1];
    if (node.alias !== undefined) {
      const name = node.alias;
      const reason = `The image is reached through the YAML alias *${name}: its text is where &${name} defines it, and a change there would change every copy. Edit it by hand.`;
      return { node, alias: name, shared: { kind: 'alias', name, valueOnly, reason } };
    }
    if (node.anchor !== undefined && doc.full().aliased.has(node.anchor)) {
      const name = node.anchor;
      const reason = `The image is inside the YAML anchor &${name}, which *${name} repeats elsewhere: a change here would change every copy. Edit it by hand.`;
      return { node, shared: { kind: 'anchor', name, valueOnly, reason } };
    }
  }
  return undefined;
}

/** The span of the value's characters, if the source holds them one for one. */
export function valueSpanOf(text: string, scalar: YScalar): Span | undefined {
  if (scalar.style === 'block' || typeof scalar.value !== 'string') {
    return undefined;
  }
  const quoted = scalar.style !== 'plain';
  const start = scalar.span.start + (quoted ? 1 : 0);
  const end = scalar.span.end - (quoted ? 1 : 0);
  // Compared in place: slicing the text for each image was a string per image.
  return end - start === scalar.value.length && text.startsWith(scalar.value, start) ? { start, end } : undefined;
}
