// The course's classic failure: a pod sits in ErrImagePull / ImagePullBackOff because its image
// was built on this machine and never reached the cluster. When the local Docker has the image,
// the fix is one step: `k3d image import IMAGE -c CLUSTER`, or a push to the cluster's registry.
import { effectiveTag, parseImageReference } from '../manifests/imageReference.ts';
import type { ImageReference } from '../manifests/imageReference.ts';
import type { V1Pod } from '@kubernetes/client-node';
import { k3dClusterOfContext } from './publish.ts';
import { hostSideImage, isOnClusterRegistry } from './registry.ts';
import type { ClusterRegistry } from './registry.ts';

export const IMPORT_INTO_CLUSTER = 'Import into Cluster';
export const PUSH_TO_CLUSTER_REGISTRY = 'Push to Cluster Registry';

export type ImagePullFix =
  | {
      readonly kind: 'import';
      readonly label: typeof IMPORT_INTO_CLUSTER;
      readonly image: string;
      readonly cluster: string;
      /**
       * Set when the container's pull policy makes the node ask a registry even after the
       * import (Always, or no policy with `:latest`): what the user must change as well.
       */
      readonly pullPolicyNote?: string;
    }
  | {
      readonly kind: 'push';
      readonly label: typeof PUSH_TO_CLUSTER_REGISTRY;
      /** The local image to push (tagged as `pushImage` first when the names differ). */
      readonly source: string;
      /** Its name on this machine's side of the registry: `localhost:5001/app:1`. */
      readonly pushImage: string;
    };

export interface ImagePullFailure {
  /** The container's waiting reason. */
  readonly reason: string;
  /** The container's image, as the pod spec says it. */
  readonly image: string;
  /** The container's imagePullPolicy (the API server fills it in). */
  readonly pullPolicy?: string;
  /** The k3d cluster of the context, when it is one. */
  readonly cluster?: string;
  readonly registry?: ClusterRegistry;
}

/** Reasons a local image cures: the node could not pull it, or was told never to pull. */
export function isImagePullFailure(reason: string): boolean {
  return /^(ErrImagePull|ImagePullBackOff|ErrImageNeverPull)$/.test(reason);
}

/** Does the node ask a registry whatever it has (Always, or Kubernetes' default for `:latest`)? */
export function alwaysPulls(ref: ImageReference, pullPolicy: string | undefined): boolean {
  if (pullPolicy) return pullPolicy === 'Always';
  return effectiveTag(ref) === 'latest';
}

/**
 * What can fix the failure, given which names the local Docker has (`hasLocalImage` runs
 * `docker image inspect`). Empty when the image is not local: then no import can help.
 */
export async function imagePullFixes(failure: ImagePullFailure, hasLocalImage: (image: string) => Promise<boolean>): Promise<ImagePullFix[]> {
  if (!isImagePullFailure(failure.reason)) return [];
  const ref = parseImageReference(failure.image);
  if (!ref.valid || ref.digest !== undefined) return [];
  const { registry, cluster } = failure;
  if (registry && isOnClusterRegistry(ref, registry)) {
    const pushImage = hostSideImage(ref, effectiveTag(ref), registry);
    for (const source of [...new Set([pushImage, failure.image])]) {
      if (await hasLocalImage(source)) return [{ kind: 'push', label: PUSH_TO_CLUSTER_REGISTRY, source, pushImage }];
    }
    return [];
  }
  if (!cluster || !(await hasLocalImage(failure.image))) return [];
  const pullPolicyNote = alwaysPulls(ref, failure.pullPolicy)
    ? `${failure.pullPolicy === 'Always' ? 'imagePullPolicy is Always' : `a :latest image without imagePullPolicy is always pulled`}, so the node still asks a registry after the import: set imagePullPolicy: IfNotPresent in the manifest (the Quick Fix on its image line) and apply again.`
    : undefined;
  return [{ kind: 'import', label: IMPORT_INTO_CLUSTER, image: failure.image, cluster, ...(pullPolicyNote ? { pullPolicyNote } : {}) }];
}

/** The one button that fixes several stuck rollouts at once. */
export const IMPORT_ALL_INTO_CLUSTER = 'Import All into Cluster';
export const PUSH_ALL_TO_CLUSTER_REGISTRY = 'Push All to Cluster Registry';

/**
 * One fix for several pods that cannot pull (each pod's fixes, in order), when every pod has a fix
 * and all are of one kind: those fixes, each image once (three deployments of one image need one
 * import), and the sentence that says what the button runs. Undefined when any pod has none, or when
 * they need different kinds of fix: then each is fixed on its own.
 */
export function commonImagePullFix(fixes: readonly (readonly ImagePullFix[])[]): { label: string; fixes: ImagePullFix[]; runs: string } | undefined {
  if (fixes.length === 0 || fixes.some((f) => f.length === 0)) return undefined;
  const firsts = fixes.map((f) => f[0]);
  const kind = firsts[0].kind;
  if (firsts.some((f) => f.kind !== kind)) return undefined;
  const seen = new Map<string, ImagePullFix>();
  for (const fix of firsts) {
    if (!seen.has(imagePullFixKey(fix))) seen.set(imagePullFixKey(fix), fix);
  }
  const unique = [...seen.values()];
  const runs = unique
    .map((f) => (f.kind === 'import' ? `k3d image import ${f.image} -c ${f.cluster}` : `${f.source === f.pushImage ? '' : `docker tag ${f.source} ${f.pushImage}, `}docker push ${f.pushImage}`))
    .join('; ');
  return { label: kind === 'import' ? IMPORT_ALL_INTO_CLUSTER : PUSH_ALL_TO_CLUSTER_REGISTRY, fixes: unique, runs };
}

/** The key that names what a fix does (the same import for two pods is one). */
export function imagePullFixKey(fix: ImagePullFix): string {
  return fix.kind === 'import' ? `import ${fix.image} ${fix.cluster}` : `push ${fix.source} ${fix.pushImage}`;
}

/** One sentence for the failure notification: what the offered fix does. */
export function describeImagePullFix(fix: ImagePullFix): string {
  if (fix.kind === 'import') {
    return `${fix.image} is in this machine's Docker but not in cluster '${fix.cluster}': ${IMPORT_INTO_CLUSTER} runs k3d image import ${fix.image} -c ${fix.cluster}${fix.pullPolicyNote ? `, but ${fix.pullPolicyNote}` : ', and the pod starts at its next pull attempt.'}`;
  }
  return `${fix.source} is in this machine's Docker but not in the cluster's registry: ${PUSH_TO_CLUSTER_REGISTRY} runs ${fix.source === fix.pushImage ? '' : `docker tag ${fix.source} ${fix.pushImage}, then `}docker push ${fix.pushImage}, and the pod starts at its next pull attempt.`;
}

/** A text edit as lines, for the question shown beside its diff: what the file says there before and after. */
export interface LineChange {
  /** 0-based line of the first line shown. */
  readonly line: number;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/**
 * The lines an edit (`span` replaced by `newText`) touches, before and after, without line
 * breaks: `+ imagePullPolicy: IfNotPresent` under its `image:` line, or the changed policy line.
 */
export function lineChange(text: string, edit: { readonly span: { readonly start: number; readonly end: number }; readonly newText: string }): LineChange {
  const from = text.lastIndexOf('\n', edit.span.start - 1) + 1;
  const next = text.indexOf('\n', edit.span.end);
  const to = next === -1 ? text.length : next;
  const after = text.slice(from, edit.span.start) + edit.newText + text.slice(edit.span.end, to);
  const split = (s: string) => s.split('\n').map((l) => l.replace(/\r$/, ''));
  const line = text.slice(0, from).split('\n').length - 1;
  return { line, before: split(text.slice(from, to)), after: split(after) };
}

/** "line 21: - old / + new" as the modal's detail shows it. */
export function formatLineChange(change: LineChange): string {
  const kept = new Set(change.before);
  const removed = change.before.filter((l) => !change.after.includes(l)).map((l) => `- ${l.trim()}`);
  const added = change.after.filter((l) => !kept.has(l)).map((l) => `+ ${l.trim()}`);
  return `line ${change.line + 1 + (removed.length === 0 ? change.after.findIndex((l) => !kept.has(l)) : 0)}: ${[...removed, ...added].join('  ')}`;
}

/** The waiting container of a failing pod: its image and pull policy as the pod spec says them. */
export function pullFailureOf(pod: V1Pod): { reason: string; image: string; pullPolicy?: string } | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const s of statuses) {
    const reason = s.state?.waiting?.reason;
    if (!reason || !/ImagePull|ErrImageNeverPull/.test(reason)) continue;
    const spec = specs.find((c) => c.name === s.name);
    const image = spec?.image ?? s.image;
    if (image) return { reason, image, pullPolicy: spec?.imagePullPolicy };
  }
  return undefined;
}

/**
 * The fixes for a pod of `context` that cannot pull its image, when this machine's Docker has it;
 * `registry` is asked only for a k3d context.
 */
export async function podImagePullFixes(
  pod: V1Pod,
  context: string,
  registry: () => Promise<ClusterRegistry | undefined>,
  hasLocalImage: (image: string) => Promise<boolean>,
): Promise<ImagePullFix[]> {
  const failure = pullFailureOf(pod);
  const cluster = k3dClusterOfContext(context);
  if (!failure || !cluster) return [];
  return imagePullFixes({ ...failure, cluster, registry: await registry() }, hasLocalImage);
}
