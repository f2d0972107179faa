// Did `k3d image import` really land? k3d has reported success for imports that never reached
// the nodes, so after an import the loop looks at what every node's container runtime holds
// and compares the image ID with the one Docker built. One function answers "which images does
// each node of this cluster have": real k3d asks each node's containerd (`docker exec NODE crictl
// images -o json`); the project's simulated k3d records what it imported in its cluster.json.
import { promises as fs } from 'node:fs'; // fs.promises is read when used: requiring node:fs/promises at load cost ~3 ms of activation
import * as path from 'node:path';
import { parseImageReference } from '../manifests/imageReference.ts';

/** Per node: image name (canonical, `docker.io/library/app:2`) -> image ID (`sha256:...`). */
export type NodeImages = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface NodeImageSource {
  /**
   * `$K3D_SIM_HOME` (or `~/.k3d-sim`) when the k3d on the PATH is the project's simulated one
   * (`k3d version` says "simulated"); undefined for real k3d.
   */
  readonly simHome?: string;
  /** Runs `docker ARGS` and returns its stdout; throws when docker fails. */
  docker(args: readonly string[], signal?: AbortSignal): Promise<string>;
  /** Real k3d: the cluster's server and agent node containers (`k3d-dev-server-0`, ...). */
  nodes(cluster: string, signal?: AbortSignal): Promise<readonly string[]>;
}

/** `docker.io/library/app:2` for `app:2`, `app`, `docker.io/app:2`...: one spelling per image. */
export function canonicalImage(image: string): string | undefined {
  const ref = parseImageReference(image.trim());
  if (!ref.valid) return undefined;
  return ref.digest !== undefined && ref.tag === undefined ? `${ref.canonicalName}@${ref.digest}` : `${ref.canonicalName}:${ref.tag ?? 'latest'}`;
}

export const crictlImagesArgs = (node: string): string[] => ['exec', node, 'crictl', 'images', '-o', 'json'];

/** `crictl images -o json`: `{"images":[{"id":"sha256:..","repoTags":["docker.io/library/app:2"]}]}`. */
export function parseCrictlImages(stdout: string): Map<string, string> {
  const images = new Map<string, string>();
  let parsed: { images?: Array<{ id?: unknown; repoTags?: unknown }> };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    return images;
  }
  for (const image of parsed.images ?? []) {
    if (typeof image.id !== 'string' || !Array.isArray(image.repoTags)) continue;
    for (const tag of image.repoTags) {
      const name = typeof tag === 'string' ? canonicalImage(tag) : undefined;
      if (name) images.set(name, image.id);
    }
  }
  return images;
}

/**
 * The simulated k3d's cluster.json: `nodeImageIds` (node -> name -> ID: what each import reached, so a node that
 * was stopped during a tools-node import lacks it), else `importedImageIds` (name -> ID) as the same on every node.
 */
export function parseSimulatedCluster(text: string): Map<string, Map<string, string>> {
  const state = JSON.parse(text) as { importedImageIds?: Record<string, unknown>; nodeImageIds?: Record<string, Record<string, unknown>>; nodes?: Array<{ name?: unknown; role?: unknown }> };
  if (state.nodeImageIds && typeof state.nodeImageIds === 'object') {
    const workers = (state.nodes ?? []).filter((n) => (n.role === 'server' || n.role === 'agent') && typeof n.name === 'string').map((n) => n.name as string);
    return new Map(workers.map((node) => {
      const images = new Map<string, string>();
      for (const [name, id] of Object.entries(state.nodeImageIds?.[node] ?? {})) {
        const canonical = canonicalImage(name);
        if (canonical && typeof id === 'string') images.set(canonical, id);
      }
      return [node, images];
    }));
  }
  const images = new Map<string, string>();
  for (const [name, id] of Object.entries(state.importedImageIds ?? {})) {
    const canonical = canonicalImage(name);
    if (canonical && typeof id === 'string') images.set(canonical, id);
  }
  const nodes = (state.nodes ?? []).filter((n) => (n.role === 'server' || n.role === 'agent') && typeof n.name === 'string').map((n) => n.name as string);
  // k3d imports into every server and agent node, running or not; the simulator keeps one list.
  return new Map((nodes.length > 0 ? nodes : ['all nodes']).map((n) => [n, images]));
}

/** The one place that knows how to ask a cluster's nodes what images they hold. */
export async function imagesOnNodes(cluster: string, source: NodeImageSource, signal?: AbortSignal): Promise<NodeImages> {
  if (source.simHome !== undefined) {
    return parseSimulatedCluster(await fs.readFile(path.join(source.simHome, 'clusters', cluster, 'cluster.json'), 'utf8'));
  }
  const nodes = await source.nodes(cluster, signal);
  const entries = await Promise.all(nodes.map(async (node) => [node, parseCrictlImages(await source.docker(crictlImagesArgs(node), signal))] as const));
  return new Map(entries);
}

export type LandedCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Does every node hold `image` as `imageId`? Otherwise which node has what, in words. */
export function importLanded(image: string, imageId: string, nodes: NodeImages, cluster = 'CLUSTER'): LandedCheck {
  const name = canonicalImage(image);
  const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
  if (!name) return { ok: false, reason: `${image} is not a valid image name.` };
  if (nodes.size === 0) return { ok: false, reason: `the cluster has no running server or agent node to hold ${image}.` };
  const wrong: string[] = [];
  for (const [node, images] of nodes) {
    const id = images.get(name);
    if (id !== imageId) wrong.push(id === undefined ? `${node} does not have it` : `${node} has ${short(id)}`);
  }
  if (wrong.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `k3d image import said it succeeded, but the built image ${short(imageId)} of ${image} is not on every node (${wrong.join('; ')}). Run the import again (k3d image import ${image} -c ${cluster}); if it keeps failing, check \`docker exec NODE crictl images\`.`,
  };
}
