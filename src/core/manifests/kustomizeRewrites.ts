import * as path from 'node:path';
import type { ManifestFile } from './documents.ts';
import { isKustomization, readEntry } from './kustomize.ts';
import { getPair, getString } from './node.ts';

/**
 * What the workspace's kustomizations make of an image: each kustomization's includes and image
 * rules (`readKustomization`), one rule applied as kustomize's image transformer does
 * (`applyImageRule`), and what the kustomizations that include a file, directly or through other
 * kustomizations' folders, build an image of it into (`imageRewrites`). Pure: the adapter finds
 * and reads the files.
 */

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
