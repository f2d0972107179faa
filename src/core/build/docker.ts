// Docker's command lines and output for the release loop (WORKFLOW.md rows 7 and 18):
// `docker build -t IMAGE:TAG CONTEXT`, `docker push IMAGE:TAG`, `k3d image import IMAGE:TAG -c CLUSTER`.
import { imageImportArgs } from '../k3d/args.ts';
import { parseImageReference } from '../manifests/imageReference.ts';
import type { ImageReference } from '../manifests/imageReference.ts';

export const dockerVersionArgs = (): string[] => ['version', '--format', '{{.Server.Version}}'];

export function dockerBuildArgs(image: string, contextDir: string, dockerfile?: string): string[] {
  return ['build', '-t', image, ...(dockerfile ? ['-f', dockerfile] : []), contextDir];
}

export const dockerPushArgs = (image: string): string[] => ['push', image];

export const dockerImageListArgs = (): string[] => ['image', 'ls', '--format', 'json'];

// Built by k3d/args.ts, which refuses a cluster name k3d would read as a flag.
export const k3dImageImportArgs = (image: string, cluster: string): string[] => imageImportArgs(image, cluster);

/** One line of `docker image ls --format json`. */
export interface LocalImage {
  /** As Docker shows it: `jakousa/dwk-app1`, `nginx`, `localhost:5000/app`. */
  readonly repository: string;
  readonly tag: string;
  /** `sha256:...` when the image came from (or went to) a registry; undefined for a local build. */
  readonly digest?: string;
  readonly createdAt?: string;
  /** `docker.io/jakousa/dwk-app1`, to compare with a manifest's image. */
  readonly canonicalName?: string;
}

/** Parses `docker image ls --format json` (one JSON object per line); skips `<none>` entries. */
export function parseDockerImageList(stdout: string): LocalImage[] {
  const images: LocalImage[] = [];
  for (const line of stdout.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    const repository = typeof row.Repository === 'string' ? row.Repository : '';
    const tag = typeof row.Tag === 'string' ? row.Tag : '';
    if (repository === '' || repository === '<none>' || tag === '' || tag === '<none>') continue;
    const digest = typeof row.Digest === 'string' && row.Digest.startsWith('sha256:') ? row.Digest : undefined;
    const ref = parseImageReference(repository);
    images.push({
      repository,
      tag,
      digest,
      createdAt: typeof row.CreatedAt === 'string' ? row.CreatedAt : undefined,
      canonicalName: ref.valid ? ref.canonicalName : undefined,
    });
  }
  return images;
}

/** The local images of one repository, newest first (as Docker lists them). */
export function localTagsOf(images: readonly LocalImage[], ref: ImageReference): LocalImage[] {
  return images.filter((i) => i.canonicalName === ref.canonicalName);
}

/**
 * "Only on this machine": Docker has the image under this exact tag and no registry digest
 * (it was built here and never pushed or pulled). Cheap: one `docker image ls`, no network.
 */
export function isLocalOnly(images: readonly LocalImage[], ref: ImageReference): boolean {
  if (ref.tag === undefined && ref.digest !== undefined) return false;
  const tag = ref.tag ?? 'latest';
  return images.some((i) => i.canonicalName === ref.canonicalName && i.tag === tag && i.digest === undefined);
}

const DOCKER_DOWN = [
  /Cannot connect to the Docker daemon/i,
  /Is the docker daemon running/i,
  /error during connect/i,
  /permission denied while trying to connect to the Docker daemon/i,
  /docker daemon is not running/i,
];

/** Did Docker fail because its daemon does not answer (rather than the build failing)? */
export function isDockerDown(output: readonly string[] | string): boolean {
  const text = typeof output === 'string' ? output : output.join('\n');
  return DOCKER_DOWN.some((re) => re.test(text));
}
