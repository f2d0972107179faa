import { getNode } from './node.ts';
import type { PathSegment, YNode } from './node.ts';
import type { Keep } from './scanKeep.ts';

/** Where each built-in workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly PathSegment[]>> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Where custom resources keep a pod template, when they have one (see `podSpecPath`). */
const POD_TEMPLATE_SHAPES: readonly (readonly PathSegment[])[] = [
  ['spec', 'template', 'spec'],
  ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
];

/**
 * Is `apiVersion` one of Kubernetes' own APIs (`v1`, `apps/v1`, `batch/v1`,
 * `networking.k8s.io/v1`)? A custom resource's group always holds a dot (the API server
 * refuses a CRD whose group has none), and is not under k8s.io.
 */
export function isBuiltinApi(apiVersion: string | undefined): boolean {
  if (apiVersion === undefined || !apiVersion.includes('/')) {
    return true;
  }
  const group = apiVersion.slice(0, apiVersion.indexOf('/'));
  return !group.includes('.') || group === 'k8s.io' || group.endsWith('.k8s.io');
}

/** A built-in workload: its pod spec must be there, with named containers. */
export function isBuiltinWorkload(kind: string | undefined, apiVersion: string | undefined): boolean {
  return kind !== undefined && POD_SPEC_PATHS[kind] !== undefined && isBuiltinApi(apiVersion);
}

/**
 * Where a document keeps its pod spec, if it has one. Built-in workloads by their kind;
 * custom resources by shape: a pod spec with a `containers` list at `spec.template.spec`
 * (Argo Rollouts' Rollout, Knative's Service, OpenKruise's CloneSet...) or at
 * `spec.jobTemplate.spec.template.spec` (CronJob-like resources). A built-in kind that is no
 * workload (a core Service, whatever it holds) has none.
 */
export function podSpecPath(kind: string | undefined, apiVersion?: string, root?: YNode | null): readonly PathSegment[] | undefined {
  if (kind === undefined) {
    return undefined;
  }
  if (isBuiltinApi(apiVersion)) {
    return POD_SPEC_PATHS[kind];
  }
  return POD_TEMPLATE_SHAPES.find((path) => getNode(root ?? undefined, [...path, 'containers'])?.kind === 'seq');
}

export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

const CONTAINER: Keep = { name: true, image: true, imagePullPolicy: true };
const POD_SPEC: Keep = { initContainers: { '[]': CONTAINER }, containers: { '[]': CONTAINER }, ephemeralContainers: { '[]': CONTAINER } };

/**
 * The parts of a document that CodeLenses, image diagnostics and the manifest index read:
 * identity, containers and replicas.
 * Scanning only these is what keeps a 5 MB file's lenses fast (see bench/manifests.ts).
 */
export const OUTLINE_KEEP: Keep = {
  apiVersion: true,
  kind: true,
  metadata: { name: true, namespace: true },
  // replicas: the manifest index compares it with the cluster (declared.ts) without a full parse.
  spec: { ...POD_SPEC, replicas: true, template: { spec: POD_SPEC }, jobTemplate: { spec: { template: { spec: POD_SPEC } } } },
  template: { spec: POD_SPEC },
};

/**
 * Apply order by kind: namespaces, then CRDs, then what workloads refer to (quotas, service
 * accounts, secrets, config maps, storage, RBAC), services, workloads, then what refers to them.
 * Within groups this is Helm's install order (pkg/release/util/kind_sorter.go), with CRDs moved
 * up because custom resources in the same file need them. Unknown kinds (custom resources) go last.
 */
const APPLY_ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'PriorityClass',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];
const RANK = new Map(APPLY_ORDER.map((kind, i) => [kind, i]));

export function applyRank(kind: string | undefined): number {
  return (kind !== undefined ? RANK.get(kind) : undefined) ?? APPLY_ORDER.length;
}

/** Sorts for applying; a stable sort, so documents of one kind keep their file order. */
export function sortForApply<T extends { readonly kind?: string }>(docs: readonly T[]): T[] {
  return docs
    .map((doc, i) => ({ doc, i, rank: applyRank(doc.kind) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.doc);
}

/** The reverse: workloads go before the namespace, config and CRDs they live in or use. */
export function sortForDelete<T extends { readonly kind?: string }>(docs: readonly T[]): T[] {
  return docs
    .map((doc, i) => ({ doc, i, rank: applyRank(doc.kind) }))
    .sort((a, b) => b.rank - a.rank || a.i - b.i)
    .map((x) => x.doc);
}
