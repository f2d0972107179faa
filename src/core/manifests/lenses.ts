// What the image-tag CodeLenses say, computed from the outline (findImages), without vscode:
// one row per container image, on the line of its `image:` key.
import type { ManifestFile } from './documents.ts';
import { documentImages, findImages } from './images.ts';
import type { ContainerImage } from './images.ts';
import { formatSize, IMAGES_FULL_PARSE_LIMIT } from './limits.ts';
import { documentHeadSpan } from './paths.ts';
import { templateSummary } from './imageReference.ts';
import type { ImageReference } from './imageReference.ts';
import { classifyTag } from './tags.ts';
import type { TagKind } from './tags.ts';

/** Names one container image across versions of a file (offsets move, this does not). */
export interface ImageTarget {
  readonly uri: string;
  readonly documentIndex: number;
  /** `spec.template.spec.containers.0.image` */
  readonly path: string;
}

export function targetOf(uri: string, image: ContainerImage): ImageTarget {
  return { uri, documentIndex: image.document.index, path: image.path.join('.') };
}

/** The image a target names in (another version of) the file, if it is still there. */
export function findTarget(file: ManifestFile, target: ImageTarget): ContainerImage | undefined {
  const doc = file.documents[target.documentIndex];
  return doc ? documentImages(doc).find((i) => i.path.join('.') === target.path) : undefined;
}

export function isImageTarget(value: unknown): value is ImageTarget {
  const t = value as ImageTarget | undefined;
  return typeof t?.uri === 'string' && typeof t.documentIndex === 'number' && typeof t.path === 'string';
}

export interface LensRow {
  readonly image: ContainerImage;
  /** Offset of the `image:` key: the row's line. */
  readonly at: number;
  /** `$(tag) b7fc18d · git commit SHA`. */
  readonly summary: string;
  readonly tooltip: string;
  readonly tagKind: TagKind | 'digest' | 'invalid';
  /** False for references that cannot be edited in place (invalid, escapes, block scalars). */
  readonly editable: boolean;
}

export function lensRows(file: ManifestFile): LensRow[] {
  return findImages(file).map(lensRow);
}

/** A lens with no command, saying why lenses are missing: `k3d: lenses off: ...`. */
export interface LensNotice {
  /** Offset of the line it goes on. */
  readonly at: number;
  readonly title: string;
  readonly tooltip: string;
}

/**
 * Notices for the documents whose images are not read (an alias bomb, a parser limit, too
 * large for the full parse), at each document's first line. Costs nothing after `lensRows`.
 */
export function lensNotices(file: ManifestFile): LensNotice[] {
  let overBudget = false;
  return file.documents.flatMap((doc) => {
    const refusal = overBudget ? undefined : doc.imagesRefusal;
    if (refusal === undefined) {
      return [];
    }
    const length = doc.span.end - doc.span.start;
    const code = length > IMAGES_FULL_PARSE_LIMIT ? undefined : doc.full().problems.find((p) => p.severity === 'error')?.code;
    const why =
      length > IMAGES_FULL_PARSE_LIMIT
        ? `${formatSize(length)} that only the full YAML parser reads`
        : code === 'yaml.aliasBudget'
          ? 'its YAML aliases expand too far (an alias bomb?)'
          : code === 'yaml.tokenBudget'
            ? "the file's YAML is too dense to read quickly"
            : code === 'yaml.depthLimit'
              ? 'its brackets nest too deep'
              : 'its YAML could not be read';
    // The file's token budget is spent: later documents only the full parse reads are refused
    // alike, and this notice says why.
    overBudget = code === 'yaml.tokenBudget';
    return [{ at: documentHeadSpan(doc).start, title: `k3d: lenses off for this document: ${why}`, tooltip: refusal }];
  });
}

export function lensRow(image: ContainerImage): LensRow {
  const ref = image.reference;
  const at = image.keySpan.start;
  if (!ref.valid) {
    if (ref.template !== undefined) {
      return { image, at, summary: templateSummary(ref.template), tooltip: ref.message, tagKind: 'invalid', editable: false };
    }
    return { image, at, summary: '$(error) invalid image', tooltip: ref.message, tagKind: 'invalid', editable: false };
  }
  const editable = image.valueSpan !== undefined && image.shared === undefined;
  const where = image.containerName ? `${image.document.label} · ${image.containerName}` : image.document.label;
  const shared = image.shared ? `\n${image.shared.reason}` : '';
  const said = whatTheTagSays(ref);
  return { image, at, summary: said.summary, tooltip: `${where}: ${image.image}\n${said.tooltip}${shared}`, tagKind: said.tagKind, editable };
}

/** What a lens says of a reference's tag, whatever the image: the summary and the tooltip's last line. */
interface TagSaying {
  readonly summary: string;
  readonly tooltip: string;
  readonly tagKind: TagKind | 'digest';
}

/**
 * By reference (references are shared per string: imageReference.ts): a 5 MB file's thousands of
 * lenses built the same strings again for each image.
 */
// copy-safe: a memo of a pure function of the reference; every bundle's copy gives the same answers.
const SAYINGS = new Map<ImageReference, TagSaying>();

function whatTheTagSays(ref: ImageReference): TagSaying {
  let said = SAYINGS.get(ref);
  if (said === undefined) {
    if (SAYINGS.size >= 20_000) {
      SAYINGS.clear();
    }
    said = readTagSaying(ref);
    SAYINGS.set(ref, said);
  }
  return said;
}

function readTagSaying(ref: ImageReference): TagSaying {
  if (ref.digest !== undefined) {
    return {
      summary: `$(pin) pinned by digest${ref.tag ? ` (tag ${shortTag(ref.tag)} ignored)` : ''}`,
      tooltip: 'A digest wins over any tag. Bump or Set tag offers to switch to a tag.',
      tagKind: 'digest',
    };
  }
  const tagClass = classifyTag(ref.tag);
  const icon = tagClass.kind === 'none' || tagClass.kind === 'latest' ? '$(warning)' : '$(tag)';
  const label = ref.tag === undefined ? 'no tag' : shortTag(ref.tag);
  return {
    summary: `${icon} ${label} · ${shortKind(tagClass.kind)}`,
    tooltip: `Tag: ${ref.tag ?? '(none: Kubernetes pulls latest)'} (${tagClass.description})`,
    tagKind: tagClass.kind,
  };
}

/** A 40-character SHA is shown as git shows commits: its first 7 characters and an ellipsis. */
export function shortTag(tag: string): string {
  return tag.length > 20 ? `${tag.slice(0, /^[0-9a-f]{40}$/.test(tag) ? 7 : 16)}…` : tag;
}

function shortKind(kind: TagKind): string {
  switch (kind) {
    case 'semver':
      return 'semver';
    case 'version':
      return 'version';
    case 'sha':
      return 'git SHA';
    case 'number':
      return 'build number';
    case 'id':
      return 'build ID';
    case 'date':
      return 'date';
    case 'latest':
      return 'not a version';
    case 'none':
      return 'means latest';
    case 'unknown':
      return 'a name';
  }
}
