import type { ManifestDocument, ManifestFile } from './documents.ts';
import { documentImages, findImages } from './images.ts';
import type { ContainerImage } from './images.ts';
import { effectiveTag, normalizeImageReference, parseImageReference, sameImage } from './imageReference.ts';
import type { ImageReference } from './imageReference.ts';
import type { ContainerList } from './kinds.ts';
import type { ManifestProblem } from './problems.ts';
import type { Span } from './text.ts';

/**
 * The course's lessons as checks: a new version needs a new tag; local
 * images need a pull policy other than Always; applying an unchanged tag rolls out nothing.
 * Pure functions over the found images; the adapter shows them as diagnostics with quick fixes.
 */
export interface LessonFinding extends ManifestProblem {
  readonly image: ContainerImage;
  readonly fix?: LessonFix;
}

export type LessonFix =
  | { readonly kind: 'setTag'; readonly title: string }
  | { readonly kind: 'setPullPolicy'; readonly title: string; readonly policy: 'IfNotPresent' | 'Never' };

export interface CheckImageTagsOptions {
  /**
   * Does a kustomization that includes the file rewrite this image (kustomize.ts imageRewrites)?
   * Then the image as written (often a placeholder, `PROJECT/IMAGE`) is not what runs: no lesson.
   */
  readonly rewritten?: (image: ContainerImage) => boolean;
}

/** `:latest` or no tag at all, and references that the kubelet will refuse. */
export function checkImageTags(file: ManifestFile, options: CheckImageTagsOptions = {}): LessonFinding[] {
  const findings: LessonFinding[] = [];
  for (const image of findImages(file)) {
    const ref = image.reference;
    if (options.rewritten?.(image)) {
      continue;
    }
    if (!ref.valid) {
      if (ref.template !== undefined) {
        continue; // a template is filled in when rendered: nothing to say about it here
      }
      findings.push(finding(image, 'warning', 'image.invalidReference', `${ref.message} Kubernetes accepts the object, but its pods will fail with InvalidImageName.`, image.span));
      continue;
    }
    if (ref.digest !== undefined) {
      continue; // pinned: every change of the digest is a new version
    }
    if (ref.tag === undefined) {
      findings.push(
        finding(image, 'warning', 'lesson.noTag', 'No tag means :latest. A new version needs a new tag: applying the same name again rolls out nothing.', image.span, {
          kind: 'setTag',
          title: 'Set a tag...',
        }),
      );
    } else if (ref.tag === 'latest') {
      findings.push(
        finding(image, 'warning', 'lesson.latestTag', ':latest is not a version. A new version needs a new tag: applying :latest again rolls out nothing.', image.tagSpan ?? image.span, {
          kind: 'setTag',
          title: 'Set a tag...',
        }),
      );
    }
  }
  return findings;
}

/**
 * Images that exist only on this machine (the caller knows: `docker image ls`, `k3d image
 * import`) must not be pulled: `Always` fails with ErrImagePull. Unset is the same as Always for
 * `:latest` or no tag (Kubernetes' default); for other tags it defaults to IfNotPresent, which is
 * fine, and the finding is only 'info'.
 */
export function checkLocalImagePullPolicy(file: ManifestFile, isLocalOnly: (ref: ImageReference, image: ContainerImage) => boolean): LessonFinding[] {
  const findings: LessonFinding[] = [];
  for (const image of findImages(file)) {
    const ref = image.reference;
    if (!ref.valid || image.kustomize !== undefined || !isLocalOnly(ref, image)) {
      continue;
    }
    const fix: LessonFix = { kind: 'setPullPolicy', title: 'Set imagePullPolicy: IfNotPresent', policy: 'IfNotPresent' };
    const policy = image.pullPolicy?.value;
    if (policy === 'Always') {
      findings.push(
        finding(image, 'warning', 'lesson.localImageAlwaysPulled', `${image.image} exists only locally, but imagePullPolicy: Always makes the node pull it from a registry (ErrImagePull). Import it with k3d image import and use IfNotPresent.`, image.pullPolicy?.span ?? image.span, fix),
      );
    } else if (policy === undefined) {
      const defaultsToAlways = ref.digest === undefined && effectiveTag(ref) === 'latest';
      findings.push(
        defaultsToAlways
          ? finding(image, 'warning', 'lesson.localImageDefaultAlways', `${image.image} exists only locally; without imagePullPolicy, a :latest image is always pulled from a registry (ErrImagePull). Set imagePullPolicy: IfNotPresent.`, image.span, fix)
          : finding(image, 'info', 'lesson.localImagePolicyUnset', `${image.image} exists only locally; with a tag other than latest the pull policy defaults to IfNotPresent, so it runs once imported (k3d image import). Saying so explicitly helps readers.`, image.keySpan, fix),
      );
    }
  }
  return findings;
}

/** A container of the live object (from the cluster). */
export interface LiveContainer {
  readonly list?: ContainerList; // 'containers' when omitted
  readonly name: string;
  readonly image: string;
}

export interface ContainerComparison {
  readonly image: ContainerImage;
  /** The image the cluster runs in the container of the same name, if it has one. */
  readonly liveImage?: string;
  /** Would applying change this container's image? */
  readonly changes: boolean;
}

/** Per container of the document: does applying change its image, compared with the live object? */
export function compareWithLive(doc: ManifestDocument, live: readonly LiveContainer[]): ContainerComparison[] {
  return documentImages(doc).map((image) => {
    const match = live.find((c) => (c.list ?? 'containers') === image.containerList && c.name === image.containerName);
    return { image, liveImage: match?.image, changes: match === undefined || !sameImage(match.image, image.image) };
  });
}

/**
 * "Re-applying an unchanged tag rolls out nothing": findings for containers whose image equals
 * the live one, and for live images that differ from the file (changed imperatively, e.g.
 * with kubectl set image).
 */
export function rolloutFindings(doc: ManifestDocument, live: readonly LiveContainer[]): LessonFinding[] {
  const findings: LessonFinding[] = [];
  for (const c of compareWithLive(doc, live)) {
    if (c.liveImage === undefined) {
      continue;
    }
    if (!c.changes) {
      findings.push(
        finding(
          c.image,
          'info',
          'lesson.unchangedImage',
          `The cluster already runs ${c.image.image}: applying changes nothing for ${c.image.containerName ?? 'this container'} (no new pods, even if you rebuilt the image under the same tag). Build under a new tag and set it here.`,
          c.image.span,
          { kind: 'setTag', title: 'Bump the tag' },
        ),
      );
    } else {
      findings.push(
        finding(
          c.image,
          'info',
          'lesson.liveImageDiffers',
          `The cluster runs ${c.liveImage} in ${c.image.containerName ?? 'this container'}, not what this file says (changed with kubectl set image?). Applying the file rolls out ${c.image.image}.`,
          c.image.span,
        ),
      );
    }
  }
  return findings;
}

/** A short explanation of the image for a lens tooltip: `docker.io/jakousa/dwk-app1:b7fc18d...`. */
export function describeImage(image: ContainerImage): string {
  const ref = parseImageReference(image.image);
  return ref.valid ? normalizeImageReference(ref) : image.image;
}

function finding(image: ContainerImage, severity: LessonFinding['severity'], code: string, message: string, span: Span, fix?: LessonFix): LessonFinding {
  return {
    severity,
    code,
    message,
    span,
    range: image.document.file.rangeOf(span),
    documentIndex: image.document.index,
    path: image.path,
    image,
    fix,
  };
}
