import type { ManifestDocument, ManifestFile } from './documents.ts';
import { parseImageReference } from './imageReference.ts';
import type { ImageReference, InvalidImageReference } from './imageReference.ts';
import { CONTAINER_LISTS, podSpecPath } from './kinds.ts';
import { isKustomization, kustomizeImages } from './kustomize.ts';
import type { KustomizeEntry } from './kustomize.ts';
import type { ContainerList } from './kinds.ts';
import { getNode, getPair } from './node.ts';
import type { PathSegment, ScalarStyle, YNode, YScalar } from './node.ts';
import type { Span } from './text.ts';

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

const IMAGES = {};

/** Every container image of every document, in file order. Cheap: reads documents' outlines. */
export function findImages(file: ManifestFile): ContainerImage[] {
  return file.documents.flatMap((doc) => documentImages(doc));
}

export function documentImages(doc: ManifestDocument): readonly ContainerImage[] {
  return doc.memo(IMAGES, readImages);
}

/** The image at a cursor offset (anywhere on the `image:` line's key or value). */
export function imageAt(file: ManifestFile, offset: number): ContainerImage | undefined {
  const doc = file.documentAt(offset);
  return doc ? documentImages(doc).find((i) => offset >= i.keySpan.start && offset <= i.span.end) : undefined;
}

function readImages(doc: ManifestDocument): ContainerImage[] {
  if (doc.imagesRefusal !== undefined) {
    return []; // lensNotices says why
  }
  const specPath = podSpecPath(doc.kind, doc.apiVersion, doc.outline);
  const root = doc.outline;
  if (specPath === undefined || root === null) {
    return specPath === undefined && isKustomization(doc) ? kustomizeImages(doc) : [];
  }
  // Only `yaml`'s trees carry anchors and aliases: the scanner gives up on documents with them.
  const byYaml = !doc.outlineScanned;
  const specChain = chainOf(root, specPath);
  const podSpec = specChain[specChain.length - 1];
  const text = doc.file.text;
  const images: ContainerImage[] = [];
  for (const containerList of CONTAINER_LISTS) {
    const list = getNode(podSpec, [containerList]);
    if (list?.kind !== 'seq') {
      continue;
    }
    list.items.forEach((container, containerIndex) => {
      const imagePair = getPair(container, 'image');
      if (imagePair === undefined || imagePair.value.kind !== 'scalar' || typeof imagePair.value.value !== 'string') {
        return; // no image, or not a string: validation reports it
      }
      const scalar = imagePair.value;
      const image = scalar.value as string;
      const name = getNode(container, ['name']);
      const policy = getPair(container, 'imagePullPolicy');
      const reference = parseImageReference(image);
      const found = byYaml ? sharedOn(doc, [...specChain, list, container, scalar]) : undefined;
      // Below an alias, spans point at the anchor's text: the alias is where this image is.
      const at = found?.alias !== undefined && found.node !== scalar ? found.node.span : undefined;
      const valueSpan = found?.alias !== undefined ? undefined : valueSpanOf(text, scalar);
      const spans = referenceSpans(reference, valueSpan);
      images.push({
        document: doc,
        containerList,
        containerIndex,
        containerName: name?.kind === 'scalar' && name.value !== null ? String(name.value) : undefined,
        path: [...specPath, containerList, containerIndex, 'image'],
        image,
        reference,
        span: at ?? scalar.span,
        style: scalar.style,
        valueSpan,
        tagSpan: spans?.tagSpan,
        tagInsertAt: spans?.tagInsertAt,
        digestSpan: spans?.digestSpan,
        pullPolicy:
          policy?.value.kind === 'scalar' && policy.value.value !== null
            ? { value: String(policy.value.value), span: at ?? policy.value.span, keySpan: at ?? policy.keySpan }
            : undefined,
        keySpan: at ?? imagePair.keySpan,
        ...(found && { shared: found.shared }),
      });
    });
  }
  return images;
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
  return text.slice(start, end) === scalar.value ? { start, end } : undefined;
}

function referenceSpans(reference: ImageReference | InvalidImageReference, valueSpan: Span | undefined) {
  if (!reference.valid || valueSpan === undefined) {
    return undefined;
  }
  const base = valueSpan.start;
  return {
    tagSpan: reference.tagStart !== undefined ? { start: base + reference.tagStart, end: base + (reference.tagEnd as number) } : undefined,
    tagInsertAt: base + reference.nameEnd,
    digestSpan: reference.digestAt !== undefined ? { start: base + reference.digestAt, end: valueSpan.end } : undefined,
  };
}
