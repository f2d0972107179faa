// The registry of served kinds: what discovery, OpenAPI, routing and tables know about each resource.

export interface Subresource { name: string; kind: string; group?: string; version?: string; verbs: string[] }

export interface KindInfo {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: Subresource[];
  /** client-node model class that carries the schema, e.g. V1Pod. */
  model: string;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function k(p: Partial<KindInfo> & Pick<KindInfo, 'resource' | 'kind' | 'model'>): KindInfo {
  return {
    group: '',
    version: 'v1',
    singular: p.kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
    ...p,
  };
}

const status = (kind: string): Subresource => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const scale: Subresource = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

export const KINDS: KindInfo[] = [
  k({ resource: 'configmaps', kind: 'ConfigMap', model: 'V1ConfigMap', shortNames: ['cm'] }),
  k({ resource: 'endpoints', kind: 'Endpoints', singular: 'endpoints', model: 'V1Endpoints', shortNames: ['ep'] }),
  k({ resource: 'events', kind: 'Event', model: 'CoreV1Event', shortNames: ['ev'] }),
  k({
    resource: 'namespaces', kind: 'Namespace', model: 'V1Namespace', namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: [status('Namespace')],
  }),
  k({ resource: 'nodes', kind: 'Node', model: 'V1Node', namespaced: false, shortNames: ['no'], subresources: [status('Node')] }),
  k({
    resource: 'pods', kind: 'Pod', model: 'V1Pod', shortNames: ['po'], categories: ['all'],
    subresources: [{ name: 'log', kind: 'Pod', verbs: ['get'] }, status('Pod')],
  }),
  k({ resource: 'secrets', kind: 'Secret', model: 'V1Secret' }),
  k({ resource: 'serviceaccounts', kind: 'ServiceAccount', model: 'V1ServiceAccount', shortNames: ['sa'] }),
  k({ resource: 'services', kind: 'Service', model: 'V1Service', shortNames: ['svc'], categories: ['all'], subresources: [status('Service')] }),
  k({
    group: 'apps', resource: 'daemonsets', kind: 'DaemonSet', model: 'V1DaemonSet', shortNames: ['ds'], categories: ['all'],
    subresources: [status('DaemonSet')],
  }),
  k({
    group: 'apps', resource: 'deployments', kind: 'Deployment', model: 'V1Deployment', shortNames: ['deploy'], categories: ['all'],
    subresources: [scale, status('Deployment')],
  }),
  k({
    group: 'networking.k8s.io', resource: 'ingresses', kind: 'Ingress', model: 'V1Ingress', shortNames: ['ing'],
    subresources: [status('Ingress')],
  }),
  k({
    group: 'apps', resource: 'replicasets', kind: 'ReplicaSet', model: 'V1ReplicaSet', shortNames: ['rs'], categories: ['all'],
    subresources: [scale, status('ReplicaSet')],
  }),
];

export function apiVersionOf(info: KindInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

export function findKind(group: string, version: string, resource: string): KindInfo | undefined {
  return KINDS.find((x) => x.group === group && x.version === version && x.resource === resource);
}

export function kindByName(apiVersion: string, kind: string): KindInfo | undefined {
  return KINDS.find((x) => apiVersionOf(x) === apiVersion && x.kind === kind);
}

export function kindOf(kind: string): KindInfo {
  const info = KINDS.find((x) => x.kind === kind);
  if (!info) throw new Error(`unknown kind ${kind}`);
  return info;
}

export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const x of KINDS) seen.set(`${x.group}/${x.version}`, { group: x.group, version: x.version });
  return [...seen.values()];
}
