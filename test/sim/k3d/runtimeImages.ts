// What `k3d image import` finds in the container runtime (pkg/client/tools.go findImages): the real
// Docker engine's tagged images, matched by k3d's rules (exact, `:latest` added, `docker.io/`,
// `docker.io/library/` and `library/` stripped). A file argument is an image archive (`docker save`).

import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { docker } from '../../lib/docker.ts';

export interface FoundImage {
  /** What the user asked for. */
  requested: string;
  /** The runtime's tag it matched (what k3d saves), or the archive's first tag. */
  name: string;
  /** Docker's image ID, `sha256:...`. */
  id: string;
  /** Set for an archive: every tag it holds. */
  archiveTags?: string[];
}

export interface ImageSearch {
  fromRuntime: FoundImage[];
  fromArchives: FoundImage[];
  missing: string[];
}

/** k3d's canonicalImageName: `:latest` when the part after the first slash has no tag. */
function canonicalImageName(image: string): string {
  const slash = image.indexOf('/');
  const hasTag = slash < 0 ? image.includes(':') : image.slice(slash).includes(':');
  return hasTag ? image : `${image}:latest`;
}

function imageNamesEqual(requested: string, runtime: string): boolean {
  return requested === runtime || canonicalImageName(requested) === runtime;
}

function findRuntimeImage(requested: string, runtimeImages: string[]): string | undefined {
  const exact = runtimeImages.find((r) => imageNamesEqual(requested, r));
  if (exact) return exact;
  for (const prefix of ['docker.io/library/', 'docker.io/', 'library/']) {
    if (requested.startsWith(prefix)) return runtimeImages.find((r) => imageNamesEqual(requested.slice(prefix.length), r));
  }
  return undefined;
}

/** The tags and image ID of a `docker save` archive (its manifest.json). */
function readArchive(file: string): { tags: string[]; id: string } | undefined {
  const listed = spawnSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (listed.status !== 0) return undefined;
  try {
    const manifest = JSON.parse(listed.stdout) as { Config?: string; RepoTags?: string[] | null }[];
    const first = manifest[0];
    if (!first?.Config) return undefined;
    const digest = first.Config.replace(/^blobs\/sha256\//, '').replace(/\.json$/, '');
    return { tags: manifest.flatMap((m) => m.RepoTags ?? []), id: `sha256:${digest}` };
  } catch {
    return undefined;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export class RuntimeListError extends Error {}

/**
 * Looks the requested images up in the real engine (DOCKER_HOST honoured). Throws RuntimeListError
 * with the docker CLI's words when the engine cannot list its images.
 */
export async function findImages(requested: readonly string[], env: NodeJS.ProcessEnv): Promise<ImageSearch> {
  const listed = await docker(['image', 'ls', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'], { env, timeoutMs: 60_000 });
  if (listed.code !== 0) {
    throw new RuntimeListError(`docker failed to list images: ${listed.stderr.trim().split('\n').find((l) => l.trim()) ?? `exit ${listed.code}`}`);
  }
  const ids = new Map<string, string>();
  for (const line of listed.stdout.split('\n')) {
    const [tag, id] = line.trim().split(' ');
    if (tag && id && !tag.includes('<none>')) ids.set(tag, id);
  }
  const runtimeImages = [...ids.keys()];
  const search: ImageSearch = { fromRuntime: [], fromArchives: [], missing: [] };
  for (const image of requested) {
    if (isFile(image)) {
      const archive = readArchive(image);
      if (archive) search.fromArchives.push({ requested: image, name: archive.tags[0] ?? image, id: archive.id, archiveTags: archive.tags });
      else search.missing.push(image);
      continue;
    }
    const found = findRuntimeImage(image, runtimeImages);
    if (found) search.fromRuntime.push({ requested: image, name: found, id: ids.get(found) ?? '' });
    else search.missing.push(image);
  }
  return search;
}
