// A deployment's rollout history and its undo, as kubectl computes them
// (k8s.io/kubectl/pkg/polymorphichelpers/history.go and rollback.go): the revisions are its
// ReplicaSets' `deployment.kubernetes.io/revision` annotations; rolling back to one puts that
// ReplicaSet's pod template (without its pod-template-hash label) back into the deployment,
// with the ReplicaSet's annotations, in one JSON patch.
import { isDeepStrictEqual } from 'node:util';
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import type { ManifestFile } from '../manifests/documents.ts';
import { setImage, setImageTag, type TextEdit } from '../manifests/edit.ts';
import { parseImageReference, sameImage } from '../manifests/imageReference.ts';
import { findImages } from '../manifests/images.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const HASH_LABEL = 'pod-template-hash';

/** The deployment's own annotations that a rollback keeps instead of taking the ReplicaSet's (rollback.go annotationsToSkip). */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface RevisionImage {
  readonly container: string;
  readonly image: string;
}

export interface Revision {
  readonly revision: number;
  readonly replicaSet: V1ReplicaSet;
  /** The regular containers' images, in order (init containers are left out: they are rarely what changed). */
  readonly images: readonly RevisionImage[];
  readonly changeCause?: string;
  /** When the ReplicaSet was created (a revision that was rolled back to keeps its ReplicaSet, and its age). */
  readonly created?: Date;
  /** The deployment's template is this revision's: what runs, or is rolling out, now. */
  readonly current: boolean;
  /** The ReplicaSet's desired and ready pods. */
  readonly replicas: number;
  readonly readyReplicas: number;
}

/** The ReplicaSets the deployment controls (its controller owner reference), as kubectl's GetAllReplicaSets finds them. */
export function controlledReplicaSets(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): V1ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  return replicaSets.filter((rs) => uid !== undefined && (rs.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.uid === uid));
}

/** deploymentutil.Revision: a missing annotation is revision 0; one that is not a number leaves the ReplicaSet out. */
function revisionOf(rs: V1ReplicaSet): number | undefined {
  const raw = rs.metadata?.annotations?.[REVISION_ANNOTATION];
  if (raw === undefined) return 0;
  return /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
}

/** Empty maps and lists are their absence (apimachinery's semantic equality treats nil and empty alike). */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(normalized);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const n = normalized(v);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value ?? undefined;
}

function withoutHash(template: V1PodTemplateSpec | undefined): V1PodTemplateSpec {
  const copy = structuredClone(template ?? {}) as V1PodTemplateSpec;
  if (copy.metadata?.labels) delete copy.metadata.labels[HASH_LABEL];
  return copy;
}

/** rollback.go equalIgnoreHash: two pod templates are the same but for the pod-template-hash label. */
export function equalIgnoreHash(a: V1PodTemplateSpec | undefined, b: V1PodTemplateSpec | undefined): boolean {
  return isDeepStrictEqual(normalized(withoutHash(a)), normalized(withoutHash(b)));
}

/**
 * The revisions of `kubectl rollout history deployment/NAME`, newest first, from the deployment's
 * ReplicaSets (any list: those it does not control are left out). Two ReplicaSets with one
 * revision (a race kubectl also meets) keep the last one listed, as kubectl's map does.
 */
export function deploymentRevisions(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): Revision[] {
  const byRevision = new Map<number, V1ReplicaSet>();
  for (const rs of controlledReplicaSets(deployment, replicaSets)) {
    const v = revisionOf(rs);
    if (v !== undefined) byRevision.set(v, rs);
  }
  const all = [...byRevision.entries()].sort((a, b) => b[0] - a[0]);
  // The current one: the ReplicaSet whose template is the deployment's (FindNewReplicaSet); before the
  // controller has made it, the one the deployment's revision annotation names.
  const matching = all.filter(([, rs]) => equalIgnoreHash(rs.spec?.template, deployment.spec?.template));
  const named = Number(deployment.metadata?.annotations?.[REVISION_ANNOTATION] ?? NaN);
  const current = matching.length > 0 ? matching[matching.length - 1][0] : all.some(([v]) => v === named) ? named : undefined;
  return all.map(([revision, rs]) => {
    const created = rs.metadata?.creationTimestamp;
    const cause = rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION];
    return {
      revision,
      replicaSet: rs,
      images: (rs.spec?.template?.spec?.containers ?? []).map((c) => ({ container: c.name, image: c.image ?? '' })),
      changeCause: cause ? cause : undefined,
      created: created ? new Date(created) : undefined,
      current: revision === current,
      replicas: rs.spec?.replicas ?? 0,
      readyReplicas: rs.status?.readyReplicas ?? 0,
    };
  });
}

export interface JsonPatchOperation {
  readonly op: 'replace';
  readonly path: string;
  readonly value: unknown;
}

export type RollbackPlan =
  /** Send `patch` as application/json-patch+json to the deployment. */
  | { readonly kind: 'patch'; readonly revision: Revision; readonly patch: JsonPatchOperation[]; readonly template: V1PodTemplateSpec }
  /** Nothing to do; `message` is what kubectl prints. */
  | { readonly kind: 'skip'; readonly revision: Revision; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

/**
 * What `kubectl rollout undo deployment/NAME --to-revision=N` does (N = 0: the previous revision):
 * the revision's template without the pod-template-hash label replaces the deployment's, and its
 * ReplicaSet's annotations replace the deployment's, except those the deployment keeps.
 */
export function rollbackPlan(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[], toRevision = 0): RollbackPlan {
  const name = deployment.metadata?.name ?? '';
  if (!Number.isInteger(toRevision) || toRevision < 0) return { kind: 'error', message: `unable to find specified revision ${toRevision} in history` };
  const revisions = deploymentRevisions(deployment, replicaSets);
  // deploymentRevision(): the named revision, or the second newest for 0.
  const target = toRevision === 0 ? revisions[1] : revisions.find((r) => r.revision === toRevision);
  if (!target) {
    return { kind: 'error', message: toRevision === 0 ? `no rollout history found for deployment "${name}"` : `unable to find specified revision ${toRevision} in history` };
  }
  if (deployment.spec?.paused) {
    return { kind: 'error', message: `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${name}' and try again` };
  }
  if (equalIgnoreHash(target.replicaSet.spec?.template, deployment.spec?.template)) {
    return { kind: 'skip', revision: target, message: `skipped rollback (current template already matches revision ${target.revision})` };
  }
  const template = withoutHash(target.replicaSet.spec?.template);
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployment.metadata?.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(target.replicaSet.metadata?.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  return {
    kind: 'patch',
    revision: target,
    template,
    patch: [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
  };
}

/** The containers whose image the rollback changes: what the manifest is offered. */
export function imageChanges(deployment: V1Deployment, template: V1PodTemplateSpec): Array<{ container: string; from: string; to: string }> {
  const now = new Map((deployment.spec?.template?.spec?.containers ?? []).map((c) => [c.name, c.image ?? '']));
  return (template.spec?.containers ?? [])
    .filter((c) => now.has(c.name) && now.get(c.name) !== (c.image ?? ''))
    .map((c) => ({ container: c.name, from: now.get(c.name) ?? '', to: c.image ?? '' }));
}

export interface ManifestImageEdits {
  /** One edit per image to change, all against the same text (they never overlap). */
  readonly edits: TextEdit[];
  /** What is written: "nginx:1.2" (one per container). */
  readonly images: string[];
  /** Images that differ but cannot be written (an anchor shared with others, an escape): the reason. */
  readonly refused: string[];
}

/**
 * The edits that write the rolled-back images into the deployment's manifest: the tag's
 * characters only when the repository is the same (the byte-exact tag edit of the image-tag
 * lenses), else the whole image string. Containers whose image the file already has are left alone.
 */
export function manifestImageEdits(file: ManifestFile, namespace: string, name: string, images: readonly RevisionImage[]): ManifestImageEdits {
  const edits: TextEdit[] = [];
  const written: string[] = [];
  const refused: string[] = [];
  const want = new Map(images.map((i) => [i.container, i.image]));
  for (const image of findImages(file)) {
    const doc = image.document;
    if (doc.kind !== 'Deployment' || doc.name !== name || (doc.namespace ?? 'default') !== namespace) continue;
    if (image.containerList !== 'containers' || image.containerName === undefined) continue;
    const to = want.get(image.containerName);
    if (to === undefined || sameImage(image.image, to)) continue;
    const from = image.reference;
    const target = parseImageReference(to);
    const tagOnly = from.valid && target.valid && from.canonicalName === target.canonicalName && target.tag !== undefined && target.digest === undefined && from.digest === undefined;
    const result = tagOnly && target.valid ? setImageTag(file, image, target.tag!) : setImage(file, image, to);
    if (result.ok) {
      edits.push(result.edit);
      written.push(to);
    } else {
      refused.push(`${image.containerName}: ${result.reason}`);
    }
  }
  return { edits, images: written, refused };
}
