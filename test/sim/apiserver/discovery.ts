// API discovery: /version, legacy (/api, /apis, /api/v1, /apis/<g>/<v>) and aggregated (apidiscovery.k8s.io/v2) documents.
import { KINDS, groupVersions } from './kinds.ts';
import type { KindInfo } from './kinds.ts';
import type { Obj } from './util.ts';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The aggregated discovery type the client accepts, if any (kubectl 1.32 asks for v2, then v2beta1). */
export function wantsAggregated(accept: string | undefined): string | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s/g, '');
    if (p.includes('as=APIGroupDiscoveryList')) {
      if (p.includes('v=v2beta1')) return AGGREGATED_V2BETA1;
      if (p.includes('v=v2')) return AGGREGATED_V2;
    }
  }
  return undefined;
}

export function versionInfo(k3sVersion: string): Obj {
  const m = /^v(\d+)\.(\d+)/.exec(k3sVersion) ?? ['', '1', '31'];
  return {
    major: m[1],
    minor: m[2],
    gitVersion: k3sVersion,
    gitCommit: '6a1f6b4f6e1c8e0f0d4f1e5c0b1a5e2f3c4d5e6f',
    gitTreeState: 'clean',
    buildDate: '2025-01-16T18:00:00Z',
    goVersion: 'go1.22.10',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(): Obj {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '172.18.0.2:6443' }] };
}

function groupEntry(group: string): Obj {
  const versions = groupVersions().filter((g) => g.group === group).map((g) => ({ groupVersion: `${group}/${g.version}`, version: g.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): Obj {
  const groups = [...new Set(KINDS.filter((k) => k.group).map((k) => k.group))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupEntry) };
}

export function apiGroup(group: string): Obj | undefined {
  if (!KINDS.some((k) => k.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) };
}

export function apiResourceList(group: string, version: string): Obj | undefined {
  const kinds = KINDS.filter((k) => k.group === group && k.version === version);
  if (!kinds.length) return undefined;
  const resources: Obj[] = [];
  for (const k of kinds) {
    const r: Obj = { name: k.resource, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: k.verbs };
    if (k.shortNames.length) r.shortNames = k.shortNames;
    if (k.categories.length) r.categories = k.categories;
    resources.push(r);
    for (const s of k.subresources) {
      const sr: Obj = { name: `${k.resource}/${s.name}`, singularName: '', namespaced: k.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group) {
        sr.group = s.group;
        sr.version = s.version;
      }
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function aggregatedResource(k: KindInfo): Obj {
  const r: Obj = {
    resource: k.resource,
    responseKind: { group: k.group, version: k.version, kind: k.kind },
    scope: k.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: k.singular,
    verbs: k.verbs,
  };
  if (k.shortNames.length) r.shortNames = k.shortNames;
  if (k.categories.length) r.categories = k.categories;
  if (k.subresources.length) {
    r.subresources = k.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? k.group, version: s.version ?? k.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return r;
}

/** Aggregated discovery for /api (legacy = true) or /apis. */
export function aggregated(legacy: boolean, contentType: string): Obj {
  const version = contentType === AGGREGATED_V2BETA1 ? 'v2beta1' : 'v2';
  const groups = legacy ? [''] : [...new Set(KINDS.filter((k) => k.group).map((k) => k.group))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: g ? { name: g, creationTimestamp: null } : { creationTimestamp: null },
      versions: groupVersions().filter((gv) => gv.group === g).map((gv) => ({
        version: gv.version,
        resources: KINDS.filter((k) => k.group === g && k.version === gv.version).map(aggregatedResource),
        freshness: 'Current',
      })),
    })),
  };
}
