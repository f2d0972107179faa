import type { ManifestDocument, ManifestFile } from './documents.ts';
import { parseImageReference, valueSpanOf } from './images.ts';
import type { ContainerImage } from './images.ts';
import { getPair, getString } from './node.ts';
import type { ScalarStyle, YNode, YScalar } from './node.ts';
import { documentHeadSpan } from './paths.ts';
import type { ManifestProblem } from './problems.ts';
import { moveSpan } from './text.ts';
import type { Mutable, Span } from './text.ts';

/**
 * Kustomize, as the course's later repositories use it: `kustomization.yaml` lists the
 * resources and rewrites their images (`images: [{name, newName, newTag, digest}]`), and the
 * deployments hold a placeholder (`image: PROJECT/IMAGE`) that only the build replaces.
 *
 * Here: which documents are kustomizations; their `images[]` entries as images with a lens and a
 * bump (the tag lives in `newTag`); what Apply says of them. What an image of a resource becomes
 * once the kustomizations that include it have rewritten it is kustomizeRewrites.ts.
 */

/** The file names `kustomize build DIR` (and `kubectl apply -k DIR`) looks for, in its order. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

const KUSTOMIZE_API = /^kustomize\.config\.k8s\.io\//;
/** Keys only a kustomization has at its top level; one of them (as a list) marks a kind-less file. */
const KIND_LESS_MARKERS = ['images:', 'resources:', 'bases:', 'components:', 'patchesStrategicMerge:'];

/**
 * A marker key at the start of a line in `text[start, end)`, found without copying the text. Line
 * by line: searching the text for each marker went on to the end of the file when the document
 * had none, which made a file of kind-less documents quadratic.
 */
function hasMarkerLine(text: string, start: number, end: number): boolean {
  for (let line = start; line < end; ) {
    if (KIND_LESS_MARKERS.some((marker) => text.startsWith(marker, line))) {
      return true;
    }
    const eol = text.indexOf('\n', line);
    if (eol === -1) {
      return false;
    }
    line = eol + 1;
  }
  return false;
}

/**
 * `kind: Kustomization` (or `Component`) of kustomize's own API, or a document without apiVersion
 * and kind whose top level has kustomize's lists (`resources:`, `images:`...), as hand-written
 * kustomization.yaml files often are. Flux's `Kustomization` (kustomize.toolkit.fluxcd.io) is a
 * cluster object, not this.
 */
export function isKustomization(doc: ManifestDocument, parsed?: YNode | null): boolean {
  // Validation passes the full parse it has; lenses read the outline.
  const kind = parsed !== undefined ? getString(parsed ?? undefined, ['kind']) : doc.kind;
  const apiVersion = parsed !== undefined ? getString(parsed ?? undefined, ['apiVersion']) : doc.apiVersion;
  if (kind === 'Kustomization' || kind === 'Component') {
    return apiVersion === undefined || KUSTOMIZE_API.test(apiVersion);
  }
  if (kind !== undefined || apiVersion !== undefined) {
    return false;
  }
  if (!hasMarkerLine(doc.file.text, doc.contentStart, doc.span.end)) {
    return false;
  }
  const root = parsed !== undefined ? parsed : doc.tree;
  return root?.kind === 'map' && ['images', 'resources', 'bases', 'components', 'patchesStrategicMerge'].some((k) => getPair(root, k)?.value.kind === 'seq');
}

/** Does the file hold a kustomization (its lenses and lessons are read even without apiVersion)? */
export function hasKustomization(file: ManifestFile): boolean {
  return file.documents.some((doc) => isKustomization(doc));
}

export function isKustomizationFileName(fileName: string): boolean {
  return (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(fileName);
}

/** One field of an `images[]` entry, as written. */
export interface KustomizeField {
  /** The value as written (`1.10` stays `1.10`, although YAML reads a plain 1.10 as a number). */
  readonly value: string;
  readonly keySpan: Span;
  readonly span: Span;
  readonly style: ScalarStyle;
  /** The value's characters, when the source holds them one for one. */
  readonly valueSpan?: Span;
}

/** An `images[]` entry of a kustomization. */
export interface KustomizeEntry {
  readonly index: number;
  /** The image name it rewrites (`PROJECT/IMAGE`, `nginx`). */
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: KustomizeField;
  readonly digest?: KustomizeField;
  /** The entry's mapping: `{ ... }` on one line, or a block. */
  readonly flow: boolean;
}

/**
 * The `images[]` entries that set a tag or a digest, as ContainerImages: `image` is what the
 * entry makes of the image (`newName:newTag`), the lens goes on the `newTag:` (or `digest:`) line,
 * and the path names `images[i].newTag`, the field a bump sets.
 */
export function kustomizeImages(doc: ManifestDocument): ContainerImage[] {
  const root = doc.tree;
  const images = getPair(root ?? undefined, 'images')?.value;
  if (images?.kind !== 'seq') {
    return [];
  }
  const text = doc.file.text;
  const out: ContainerImage[] = [];
  images.items.forEach((item, index) => {
    const entry = readEntry(text, item, index);
    if (entry === undefined || (entry.newTag === undefined && entry.digest === undefined)) {
      return; // newName alone keeps the resource's tag: nothing to bump here
    }
    const field = (entry.newTag ?? entry.digest) as KustomizeField;
    const name = entry.newName ?? entry.name;
    const image = `${name}${entry.newTag ? `:${entry.newTag.value}` : ''}${entry.digest ? `@${entry.digest.value}` : ''}`;
    const valueSpan = entry.newTag?.valueSpan ?? entry.digest?.valueSpan;
    const anchor = item.anchor !== undefined && doc.full().aliased.has(item.anchor) ? item.anchor : undefined;
    out.push({
      document: doc,
      containerList: 'containers',
      containerIndex: index,
      containerName: entry.name,
      path: ['images', index, 'newTag'],
      image,
      reference: parseImageReference(image),
      span: field.span,
      style: field.style,
      valueSpan,
      tagSpan: entry.newTag?.valueSpan,
      tagInsertAt: valueSpan?.start,
      digestSpan: entry.digest?.valueSpan,
      keySpan: field.keySpan,
      kustomize: entry,
      ...(anchor !== undefined && {
        shared: {
          kind: 'anchor' as const,
          name: anchor,
          valueOnly: false,
          reason: `The entry is the YAML anchor &${anchor}, which *${anchor} repeats elsewhere: a change here would change every copy. Edit it by hand.`,
        },
      }),
    });
  });
  return out;
}

/** The same entry `delta` further on in an edited file. */
export function moveEntry(entry: KustomizeEntry, delta: number): KustomizeEntry {
  const field = (f: KustomizeField): KustomizeField => {
    const moved: Mutable<KustomizeField> = { ...f, keySpan: moveSpan(f.keySpan, delta), span: moveSpan(f.span, delta) };
    if (f.valueSpan !== undefined) {
      moved.valueSpan = moveSpan(f.valueSpan, delta);
    }
    return moved;
  };
  const moved: Mutable<KustomizeEntry> = { ...entry };
  if (entry.newTag !== undefined) {
    moved.newTag = field(entry.newTag);
  }
  if (entry.digest !== undefined) {
    moved.digest = field(entry.digest);
  }
  return moved;
}

/** An `images[]` entry as written; undefined when it has no name or is not a plain mapping. */
export function readEntry(text: string, item: YNode, index: number): KustomizeEntry | undefined {
  if (item.kind !== 'map' || item.alias !== undefined) {
    return undefined;
  }
  const name = stringField(text, item, 'name');
  if (name === undefined) {
    return undefined;
  }
  return {
    index,
    name: name.value,
    newName: stringField(text, item, 'newName')?.value,
    newTag: stringField(text, item, 'newTag'),
    digest: stringField(text, item, 'digest'),
    flow: text.charCodeAt(item.span.start) === 123,
  };
}

function stringField(text: string, map: YNode, key: string): KustomizeField | undefined {
  const pair = getPair(map, key);
  const node = pair?.value;
  if (pair === undefined || node?.kind !== 'scalar' || node.value === null || node.style === 'block' || node.alias !== undefined) {
    return undefined;
  }
  const scalar = node as YScalar;
  // A plain 1.10 is the number 1.1 to YAML, but kustomize reads the tag as written.
  const value = scalar.style === 'plain' ? text.slice(scalar.span.start, scalar.span.end) : String(scalar.value);
  const valueSpan = scalar.style === 'plain' ? { ...scalar.span } : valueSpanOf(text, { ...scalar, value });
  return { value, keySpan: pair.keySpan, span: scalar.span, style: scalar.style, valueSpan };
}

/**
 * What Apply says about a kustomization document instead of checking it as an object (it has no
 * metadata.name because it is not one): it is kustomize's build file, which no cluster serves.
 */
export function kustomizationProblem(doc: ManifestDocument): ManifestProblem | undefined {
  const root = doc.full().tree;
  if (!isKustomization(doc, root)) {
    return undefined;
  }
  const span = (root?.kind === 'map' ? getPair(root, 'kind')?.keySpan : undefined) ?? documentHeadSpan(doc);
  return {
    severity: 'error',
    code: 'kustomize.notAnObject',
    message:
      "A Kustomization is kustomize's build file, not an object for the cluster (so it has no metadata.name). Apply does not run kustomize: kubectl apply -k on its folder applies what it builds. Nothing was applied.",
    span,
    range: doc.file.rangeOf(span),
    documentIndex: doc.index,
  };
}

/** Apply on a folder that holds a kustomization: why it refuses, and what to run instead. */
export function kustomizeFolderRefusal(folderLabel: string, fileName: string): string {
  return `${folderLabel} holds ${fileName}, and Apply does not run kustomize: the folder's files as they are (placeholder images, no overlays, the kustomization itself) are not what kustomize builds. Run kubectl apply -k ${folderLabel} in a terminal instead.`;
}
