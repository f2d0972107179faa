import * as path from 'node:path';
import type { ManifestDocument, ManifestFile } from './documents.ts';
import { parseImageReference, valueSpanOf } from './images.ts';
import type { ContainerImage } from './images.ts';
import { getPair, getString } from './node.ts';
import type { ScalarStyle, YNode, YScalar } from './node.ts';
import { documentHeadSpan } from './paths.ts';
import type { ManifestProblem } from './problems.ts';
import type { Span } from './text.ts';

/**
 * Kustomize, as the course's later repositories use it: `kustomization.yaml` lists the
 * resources and rewrites their images (`images: [{name, newName, newTag, digest}]`), and the
 * deployments hold a placeholder (`image: PROJECT/IMAGE`) that only the build replaces.
 *
 * Here: which documents are kustomizations; their `images[]` entries as images with a lens and a
 * bump (the tag lives in `newTag`); and, given the workspace's kustomizations, what an image of a
 * resource becomes once the kustomizations that include it have rewritten it. Pure: the adapter
 * finds and reads the files.
 */

/** The file names `kustomize build DIR` (and `kubectl apply -k DIR`) looks for, in its order. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

const KUSTOMIZE_API = /^kustomize\.config\.k8s\.io\//;
/** Keys only a kustomization has at its top level; one of them (as a list) marks a kind-less file. */
const KIND_LESS_MARKERS = ['images:', 'resources:', 'bases:', 'components:', 'patchesStrategicMerge:'];

/** A marker key at the start of a line in `text[start, end)`, found without copying the text. */
function hasMarkerLine(text: string, start: number, end: number): boolean {
  return KIND_LESS_MARKERS.some((marker) => {
    for (let i = text.indexOf(marker, start); i !== -1 && i < end; i = text.indexOf(marker, i + marker.length)) {
      if (i === start || text.charCodeAt(i - 1) === 10) {
        return true;
      }
    }
    return false;
  });
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

function readEntry(text: string, item: YNode, index: number): KustomizeEntry | undefined {
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

// --- what the workspace's kustomizations make of an image -------------------------------

/** An image rule of a kustomization (`images[]` entry). */
export interface ImageRule {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

/** A kustomization file as far as image rewriting is concerned. */
export interface KustomizationInfo {
  /** The file's path (POSIX, absolute or workspace-relative, the same form for all). */
  readonly file: string;
  /**
   * `resources`, `bases` and `components` entries and the files of `patches` and
   * `patchesStrategicMerge`, resolved against the file's folder; remote ones left out.
   */
  readonly includes: readonly string[];
  readonly images: readonly ImageRule[];
}

/** Reads a kustomization's text (its first kustomization document); undefined when it is none. */
export function readKustomization(file: string, manifest: ManifestFile): KustomizationInfo | undefined {
  const doc = manifest.documents.find((d) => isKustomization(d) || (d.kind === undefined && d.apiVersion === undefined));
  const root = doc?.tree;
  if (doc === undefined || root?.kind !== 'map') {
    return undefined;
  }
  const dir = path.posix.dirname(file);
  const includes: string[] = [];
  for (const key of ['resources', 'bases', 'components']) {
    const list = getPair(root, key)?.value;
    if (list?.kind !== 'seq') {
      continue;
    }
    for (const item of list.items) {
      if (item.kind === 'scalar' && typeof item.value === 'string' && !isRemote(item.value)) {
        includes.push(path.posix.normalize(path.posix.join(dir, item.value)).replace(/\/$/, ''));
      }
    }
  }
  // Patches are merged into the resources before the image rules run: their images are rewritten too.
  const patchPaths: string[] = [];
  for (const key of ['patchesStrategicMerge', 'patches']) {
    const list = getPair(root, key)?.value;
    if (list?.kind !== 'seq') {
      continue;
    }
    for (const item of list.items) {
      const entry = item.kind === 'scalar' ? item.value : getString(item, ['path']);
      if (typeof entry === 'string' && !entry.includes('\n') && !isRemote(entry)) {
        patchPaths.push(path.posix.normalize(path.posix.join(dir, entry)));
      }
    }
  }
  includes.push(...patchPaths);
  const images: ImageRule[] = [];
  const list = getPair(root, 'images')?.value;
  if (list?.kind === 'seq') {
    list.items.forEach((item, index) => {
      const entry = readEntry(doc.file.text, item, index);
      if (entry) {
        images.push({ name: entry.name, newName: entry.newName, newTag: entry.newTag?.value, digest: entry.digest?.value });
      }
    });
  }
  return { file, includes, images };
}

function isRemote(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(?:github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) || entry.startsWith('git@');
}

/**
 * What one rule makes of an image, as kustomize's image transformer does: the rule applies when
 * the image's name (before `:tag` and `@digest`) is the rule's name; a digest replaces the tag.
 * Undefined when the rule does not apply.
 */
export function applyImageRule(image: string, rule: ImageRule): string | undefined {
  const at = image.indexOf('@');
  const beforeDigest = at === -1 ? image : image.slice(0, at);
  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon > beforeDigest.lastIndexOf('/');
  const name = hasTag ? beforeDigest.slice(0, colon) : beforeDigest;
  if (name !== rule.name) {
    return undefined;
  }
  const tag = hasTag ? beforeDigest.slice(colon + 1) : undefined;
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const newName = rule.newName ?? name;
  if (rule.digest !== undefined) {
    return `${newName}@${rule.digest}`;
  }
  if (rule.newTag !== undefined) {
    return `${newName}:${rule.newTag}`;
  }
  return `${newName}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
}

/** What a kustomization (one not included by another) builds an image of the file into. */
export interface ImageRewrite {
  /** The outermost kustomization file: where `kubectl apply -k` is run. */
  readonly kustomization: string;
  /** The image it builds. */
  readonly image: string;
}

/**
 * For an image of `file`: what each kustomization that includes the file (directly, or through
 * the folders of other kustomizations) turns it into, applying the innermost rules first as
 * kustomize does. Only kustomizations that change the image are listed; none means the image is
 * what the file says.
 */
export function imageRewrites(file: string, image: string, kustomizations: readonly KustomizationInfo[]): ImageRewrite[] {
  const byDir = new Map<string, KustomizationInfo>();
  for (const k of kustomizations) {
    const dir = path.posix.dirname(k.file);
    if (!byDir.has(dir)) {
      byDir.set(dir, k);
    }
  }
  // What `k` outputs for the image, one result per path from `k` down to the file.
  const through = (k: KustomizationInfo, depth: number, seen: ReadonlySet<string>): string[] => {
    if (depth > 20 || seen.has(k.file)) {
      return [];
    }
    const inner = new Set([...seen, k.file]);
    const results: string[] = [];
    for (const include of k.includes) {
      if (include === file) {
        results.push(image);
      } else {
        const child = byDir.get(include);
        if (child) {
          results.push(...through(child, depth + 1, inner));
        }
      }
    }
    return results.map((r) => k.images.reduce((img, rule) => applyImageRule(img, rule) ?? img, r));
  };
  const including = kustomizations.filter((k) => through(k, 0, new Set()).length > 0);
  const includedDirs = new Set(including.flatMap((k) => k.includes));
  const top = including.filter((k) => !includedDirs.has(path.posix.dirname(k.file)));
  const outermost = top.length > 0 ? top : including.slice(0, 1); // a cycle (kustomize refuses it) has no outermost one
  const rewrites: ImageRewrite[] = [];
  for (const k of outermost) {
    for (const result of new Set(through(k, 0, new Set()))) {
      if (result !== image) {
        rewrites.push({ kustomization: k.file, image: result });
      }
    }
  }
  return rewrites;
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
