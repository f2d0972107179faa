// The first-deploy walkthrough's steps and what marks each done: pure functions of what the
// cluster store, the shared watch caches and the features report. A step is done by what really
// happened (in VS Code or in a terminal), never by a click on its button.
import type { KubeObject } from '../kube/reflector.ts';
import { inUserNamespace } from '../kube/namespaces.ts';

export const WALKTHROUGH_ID = 'firstDeploy';

/** Each key is a context key `k3dDeploy.walkthrough.<key>`, in the walkthrough's order. */
export const WALKTHROUGH_KEYS = [
  'toolsReady',
  'clusterRunning',
  'nodesReady',
  'deployed',
  'manifestWritten',
  'applied',
  'podsRunning',
  'logsFollowed',
  'imageBuilt',
  'imageDelivered',
  'tagRolledOut',
  'deletedFromFile',
  'appliedFromUrl',
] as const;

export type WalkthroughKey = (typeof WALKTHROUGH_KEYS)[number];

export const contextKeyOf = (key: WalkthroughKey): string => `k3dDeploy.walkthrough.${key}`;

/** The keys only the live cluster can set: while any is open, the caches are watched. */
export const CLUSTER_KEYS: readonly WalkthroughKey[] = ['nodesReady', 'deployed', 'applied', 'podsRunning', 'imageBuilt', 'imageDelivered', 'tagRolledOut', 'deletedFromFile'];

/** The titles (as package.json's walkthrough has them) of the steps that lessons open. */
export const LESSON_STEP_TITLES: Readonly<Record<string, string>> = { newTag: 'Bump the tag and apply again', importImage: 'Import or push the image' };

/** The walkthrough step that explains a lesson's diagnostic code, if one does. */
export function stepForLesson(code: string): string | undefined {
  if (code === 'lesson.latestTag' || code === 'lesson.noTag') return 'newTag';
  if (code.startsWith('lesson.localImage')) return 'importImage';
  return undefined;
}

interface Container {
  name?: string;
  image?: string;
}
interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ kind?: string; uid?: string; controller?: boolean }>;
}
type Obj = KubeObject & { metadata?: Meta };
type PodTemplateOwner = Obj & { spec?: { template?: { spec?: { containers?: Container[] } } } };

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const REVISION = 'deployment.kubernetes.io/revision';

export const keyOfObject = (o: Obj): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** Kubernetes Nodes: at least a server and an agent, every one Ready (`kubectl get nodes`). */
export function nodesReady(nodes: readonly Obj[]): boolean {
  const ready = (n: Obj) => ((n as { status?: { conditions?: Array<{ type?: string; status?: string }> } }).status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return nodes.length >= 2 && nodes.every(ready);
}

/** A deployment outside the system namespaces, however it was made. */
export function userDeployments(deployments: readonly Obj[]): Obj[] {
  return deployments.filter(inUserNamespace);
}

/** `kubectl apply` (client-side) leaves its last-applied annotation; `kubectl create` and `set image` alone do not. */
export function appliedWithKubectl(d: Obj): boolean {
  return d.metadata?.annotations?.[LAST_APPLIED] !== undefined;
}

/** A pod a ReplicaSet owns, Running, every container ready: what `kubectl get pods` shows as 1/1 Running. */
export function podsRunning(pods: readonly Obj[]): boolean {
  return pods.filter(inUserNamespace).some((p) => {
    const pod = p as Obj & { status?: { phase?: string; containerStatuses?: Array<{ ready?: boolean }> } };
    const owned = (p.metadata?.ownerReferences ?? []).some((o) => o.kind === 'ReplicaSet');
    const statuses = pod.status?.containerStatuses ?? [];
    return owned && pod.status?.phase === 'Running' && statuses.length > 0 && statuses.every((c) => c.ready);
  });
}

function images(o: PodTemplateOwner): Map<string, string> {
  return new Map((o.spec?.template?.spec?.containers ?? []).map((c) => [c.name ?? '', c.image ?? '']));
}

/** `repo:tag` → repo (a registry port is not a tag; a digest is dropped). */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** The deployment's ReplicaSets, newest revision first. */
export function ownedReplicaSets(d: Obj, replicasets: readonly Obj[]): PodTemplateOwner[] {
  const uid = d.metadata?.uid;
  const revision = (rs: Obj) => Number(rs.metadata?.annotations?.[REVISION] ?? 0);
  return replicasets
    .filter((rs) => rs.metadata?.namespace === d.metadata?.namespace && (rs.metadata?.ownerReferences ?? []).some((o) => o.kind === 'Deployment' && o.uid === uid))
    .sort((a, b) => revision(b) - revision(a)) as PodTemplateOwner[];
}

/**
 * The deployment rolled out a new tag of the same image: its newest ReplicaSet runs a container
 * whose image is an older ReplicaSet's with another tag. Which image it is comes back, or undefined.
 */
export function newTagRolledOut(d: Obj, replicasets: readonly Obj[]): string | undefined {
  const [newest, ...older] = ownedReplicaSets(d, replicasets);
  if (!newest) return undefined;
  for (const [container, image] of images(newest)) {
    for (const rs of older) {
      const before = images(rs).get(container);
      if (before !== undefined && before !== image && imageRepository(before) === imageRepository(image)) return image;
    }
  }
  return undefined;
}

/** The images of a pod template (a Deployment as applied). */
export function templateImages(o: Obj): Set<string> {
  return new Set(images(o as PodTemplateOwner).values());
}

/** The image the last `kubectl apply` declared for the container, from its annotation. */
function lastAppliedImages(d: Obj): Set<string> {
  try {
    const applied = JSON.parse(d.metadata?.annotations?.[LAST_APPLIED] ?? '{}') as PodTemplateOwner;
    return new Set(images(applied).values());
  } catch {
    return new Set();
  }
}

export interface ObservedCluster {
  nodes: readonly Obj[];
  deployments: readonly Obj[];
  replicasets: readonly Obj[];
  pods: readonly Obj[];
}

/** What the extension itself saw happen since activation (applies, by deployment key). */
export interface ExtensionEvents {
  /** namespace/name of deployments an Apply of ours created or configured → the images it applied. */
  appliedByUs: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The keys the live cluster proves. A new tag that rolled out counts as built and delivered too:
 * the nodes run it, so it was built and pushed or imported (in a terminal, `docker build`/`push`
 * leave nothing in the cluster to see before that).
 */
export function observe(cluster: ObservedCluster, events: ExtensionEvents): Set<WalkthroughKey> {
  const done = new Set<WalkthroughKey>();
  if (nodesReady(cluster.nodes)) done.add('nodesReady');
  const deployments = userDeployments(cluster.deployments);
  if (deployments.length > 0) done.add('deployed');
  if (deployments.some((d) => appliedWithKubectl(d) || events.appliedByUs.has(keyOfObject(d)))) done.add('applied');
  if (podsRunning(cluster.pods)) done.add('podsRunning');
  for (const d of deployments) {
    const image = newTagRolledOut(d, cluster.replicasets);
    if (!image) continue;
    // Applied, not `kubectl set image`: the file said so (kubectl's annotation, or our apply).
    if (lastAppliedImages(d).has(image) || events.appliedByUs.get(keyOfObject(d))?.has(image)) {
      done.add('tagRolledOut');
      done.add('imageBuilt');
      done.add('imageDelivered');
    }
  }
  return done;
}

/**
 * `kubectl delete -f` seen from the cluster: a deployment that a file had declared (applied
 * with kubectl, or by our Apply) is gone.
 */
export function deletedDeclared(before: readonly Obj[], after: readonly Obj[], appliedByUs: ReadonlyMap<string, unknown>): boolean {
  const still = new Set(after.map(keyOfObject));
  return userDeployments(before).some((d) => !still.has(keyOfObject(d)) && (appliedWithKubectl(d) || appliedByUs.has(keyOfObject(d))));
}
