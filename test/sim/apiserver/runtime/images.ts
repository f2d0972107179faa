// Where an image comes from, decided from facts as k3s's containerd would: imported into the cluster
// (`k3d image import`, with the Docker image ID), on a cluster registry (a real local registry), only in the
// host's Docker (not in the cluster: Docker Hub refuses it), on a registry host that does not resolve, or one
// of the course's public images (no public registry is reachable here: today's scripted behaviour).
import { normalizeImage } from '../cluster.ts';
import { inspectImage } from './docker.ts';

export interface ClusterRegistry { name: string; host?: string; hostPort: string | number; port?: number }

export interface ImageFacts {
  importedImageIds?: Record<string, string>;
  registries?: ClusterRegistry[];
}

export type ImageSource =
  /** A public image: the simulator's scripted program, pulled or refused by name (images.ts). */
  | { kind: 'scripted' }
  /** Imported with `k3d image import`: present in the cluster, run from this Docker image ID. */
  | { kind: 'imported'; id: string }
  /** On a cluster registry, reached on the host at 127.0.0.1:hostPort (tag: a tag or a digest). */
  | { kind: 'registry'; hostPort: number; repo: string; tag: string }
  /** Only in the host's Docker: the cluster would ask Docker Hub, which refuses it. */
  | { kind: 'hostOnly' }
  /** A registry host that does not resolve in the cluster. */
  | { kind: 'unresolvable'; host: string; repo: string; tag: string }
  /** A registry on the node's own loopback where nothing listens. */
  | { kind: 'refused'; host: string; repo: string; tag: string };

/** Splits a canonical reference (docker.io/library/nginx:latest) into host, repository path and tag. */
export function splitRef(canonical: string): { host: string; repo: string; tag: string } {
  const at = canonical.indexOf('@');
  const ref = at >= 0 ? canonical.slice(0, at) : canonical;
  const slash = ref.indexOf('/');
  const host = ref.slice(0, slash);
  let rest = ref.slice(slash + 1);
  let tag = at >= 0 ? canonical.slice(at + 1) : 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    if (at < 0) tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { host, repo: rest, tag };
}

function registryFor(host: string, registries: ClusterRegistry[]): ClusterRegistry | undefined {
  // A registry's name is its container's name, which the nodes resolve on the cluster's network:
  // k3d-NAME for `k3d registry create NAME`, NAME as given for `cluster create --registry-create NAME`.
  // Only the two mirrors k3d writes into registries.yaml (RegistryGenerateK3sConfig: NAME:PORT and
  // NAME:HOSTPORT); `localhost:HOSTPORT` is the node's own loopback, where no registry listens.
  return registries.find((r) => {
    const name = r.name;
    const hostPort = String(r.hostPort);
    return host === `${name}:${r.port ?? 5000}` || host === `${name}:${hostPort}`;
  });
}

/**
 * Hosts that cannot resolve from a k3d node: the reserved .invalid domain, and single-label names (a
 * registry container's name) that no registry of this cluster has.
 */
function unresolvable(hostname: string): boolean {
  return /(^|\.)invalid$/.test(hostname) || (!hostname.includes('.') && hostname !== 'localhost');
}

/**
 * Decides where `image` comes from. `hostHas` says whether the host's Docker has the reference (asked only for
 * Docker Hub images that were not imported); it is `docker image inspect` unless a test passes its own.
 */
export async function resolveImage(image: string, facts: ImageFacts, hostHas: (ref: string) => Promise<boolean> = hostDockerHas): Promise<ImageSource> {
  const canonical = normalizeImage(image);
  const { host, repo, tag } = splitRef(canonical);
  // The simulated k3d writes k3d's short names (app:v1); compare as containerd names them.
  const id = Object.entries(facts.importedImageIds ?? {}).find(([name]) => normalizeImage(name) === canonical)?.[1];
  if (id) return { kind: 'imported', id };
  const reg = registryFor(host, facts.registries ?? []);
  if (reg) {
    return { kind: 'registry', hostPort: Number(reg.hostPort), repo, tag };
  }
  const hostname = host.replace(/:\d+$/, '');
  if (unresolvable(hostname)) return { kind: 'unresolvable', host, repo, tag };
  if (hostname === 'localhost' || hostname === '127.0.0.1') return { kind: 'refused', host, repo, tag };
  if (host === 'docker.io' && await hostHas(image)) return { kind: 'hostOnly' };
  return { kind: 'scripted' };
}

/** True when the host's Docker has the image; false when it does not or cannot be asked (Docker down). */
export async function hostDockerHas(ref: string): Promise<boolean> {
  const r = await inspectImage(ref);
  return 'id' in r;
}

/** containerd's "pull access denied" for a Docker Hub repository that does not exist (or is private). */
export function pullAccessDenied(canonical: string): string {
  return `failed to pull and unpack image "${canonical}": failed to resolve reference "${canonical}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
}

export function tagNotFound(canonical: string): string {
  return `failed to pull and unpack image "${canonical}": failed to resolve reference "${canonical}": ${canonical}: not found`;
}

function manifestUrl(scheme: string, host: string, repo: string, tag: string): string {
  return `${scheme}://${host}/v2/${repo}/manifests/${tag}`;
}

export function noSuchHost(canonical: string, host: string, repo: string, tag: string): string {
  const hostname = host.replace(/:\d+$/, '');
  return `failed to pull and unpack image "${canonical}": failed to resolve reference "${canonical}": failed to do request: Head "${manifestUrl('https', host, repo, tag)}": dial tcp: lookup ${hostname}: no such host`;
}

export function connectionRefused(canonical: string, host: string, repo: string, tag: string, addr: string): string {
  return `failed to pull and unpack image "${canonical}": failed to resolve reference "${canonical}": failed to do request: Head "${manifestUrl('http', host, repo, tag)}": dial tcp ${addr}: connect: connection refused`;
}
