// A cluster's own registry, as k3d announces it (KEP-1755): the `local-registry-hosting`
// ConfigMap in kube-public, key `localRegistryHosting.v1`, written by `k3d cluster create
// --registry-use/--registry-create`. `host` is the name on this machine (`localhost:5001`, where
// `docker push` goes); `hostFromContainerRuntime` is the name the nodes pull by (`k3d-reg:5000`,
// what a manifest says).
import type { ImageReference } from '../manifests/imageReference.ts';
import { formatImageReference } from '../manifests/imageReference.ts';

export interface ClusterRegistry {
  /** For `docker push` from this machine: `localhost:5001`. */
  readonly host: string;
  /** How the cluster's container runtime names it: `k3d-reg:5000`. */
  readonly hostFromContainerRuntime?: string;
  /** How pods name it: `k3d-reg:5000`. */
  readonly hostFromClusterNetwork?: string;
}

export const LOCAL_REGISTRY_HOSTING = { namespace: 'kube-public', name: 'local-registry-hosting', key: 'localRegistryHosting.v1' } as const;

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * The ConfigMap's `data` (k3d writes flat YAML: `host: localhost:5001`, quoted or not), or
 * undefined when there is no usable `host`.
 */
export function parseLocalRegistryHosting(data: Readonly<Record<string, unknown>> | undefined): ClusterRegistry | undefined {
  const text = data?.[LOCAL_REGISTRY_HOSTING.key];
  if (typeof text !== 'string') return undefined;
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^\s*(host|hostFromContainerRuntime|hostFromClusterNetwork)\s*:\s*(?:"([^"]*)"|'([^']*)'|(\S+))\s*(#.*)?$/);
    if (m) fields[m[1]] = (m[2] ?? m[3] ?? m[4] ?? '').trim();
  }
  const host = fields.host;
  if (!host || !HOST.test(host)) return undefined;
  const valid = (h: string | undefined) => (h && HOST.test(h) ? h : undefined);
  return { host, hostFromContainerRuntime: valid(fields.hostFromContainerRuntime), hostFromClusterNetwork: valid(fields.hostFromClusterNetwork) };
}

/** Every name the registry goes by; `127.0.0.1:P` and `localhost:P` are the same registry. */
function namesOf(registry: ClusterRegistry): string[] {
  const names = [registry.host, registry.hostFromContainerRuntime, registry.hostFromClusterNetwork].filter((h): h is string => !!h);
  const port = registry.host.match(/:(\d+)$/)?.[1];
  if (port && /^(localhost|127\.0\.0\.1|0\.0\.0\.0)$/.test(registry.host.replace(/:\d+$/, ''))) names.push(`localhost:${port}`, `127.0.0.1:${port}`);
  return names.map((n) => n.toLowerCase());
}

/** Does the image name the cluster's registry (by any of its names)? */
export function isOnClusterRegistry(ref: ImageReference, registry: ClusterRegistry): boolean {
  return ref.registry !== undefined && namesOf(registry).includes(ref.registry.toLowerCase());
}

/** The same repository and tag under the registry's name on this machine: where `docker push` goes. */
export function hostSideImage(ref: ImageReference, tag: string | undefined, registry: ClusterRegistry): string {
  return formatImageReference({ registry: registry.host, path: ref.path, tag });
}

/**
 * The name the cluster's nodes pull by, for the manifest: `hostFromContainerRuntime` (KEP-1755: the name the
 * container runtime uses, which is what pulls an image), else `hostFromClusterNetwork`. A manifest that says
 * `localhost:5001/app` pulls from the node's own loopback, where no registry listens: ImagePullBackOff.
 */
export function clusterSideHost(registry: ClusterRegistry): string | undefined {
  return registry.hostFromContainerRuntime ?? registry.hostFromClusterNetwork;
}

/** A name only the cluster's nodes resolve (`k3d-reg:5000`): this machine cannot push to it. */
export function isK3dRegistryName(registryHost: string | undefined): boolean {
  return registryHost !== undefined && /^k3d-[^:/]+(:\d+)?$/i.test(registryHost);
}
