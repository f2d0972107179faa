// Docker's command lines and output for the release loop (build a new tag, deliver it, apply):
// `docker build -t IMAGE:TAG CONTEXT`, `docker push IMAGE:TAG`, `k3d image import IMAGE:TAG -c CLUSTER`.
import { taggedImageRows } from '../docker/images.ts';
import { imageImportArgs } from '../k3d/args.ts';
import { parseImageReference } from '../manifests/imageReference.ts';
import type { ImageReference } from '../manifests/imageReference.ts';

export const dockerVersionArgs = (): string[] => ['version', '--format', '{{.Server.Version}}'];

export function dockerBuildArgs(image: string, contextDir: string, dockerfile?: string): string[] {
  return ['build', '-t', image, ...(dockerfile ? ['-f', dockerfile] : []), contextDir];
}

export const dockerPushArgs = (image: string): string[] => ['push', image];

export const dockerTagArgs = (source: string, target: string): string[] => ['tag', source, target];

/** `docker image inspect`: exit 0 and the image ID when the engine has the image, exit 1 when not. */
export const dockerImageInspectArgs = (image: string, ...more: string[]): string[] => ['image', 'inspect', '--format', '{{.Id}}', image, ...more];

/** `docker image rm IMAGE` without --force: removes this name only while another tag keeps the image. */
export const dockerUntagArgs = (image: string): string[] => ['image', 'rm', image];

export const dockerImageListArgs = (): string[] => ['image', 'ls', '--format', 'json'];

/**
 * `docker events` for images, one line per event as it happens (tag, untag, delete, import, load, pull, and
 * the tag a build makes), until stopped: how an image built or tagged in a terminal is noticed at once.
 */
export const dockerImageEventsArgs = (): string[] => ['events', '--filter', 'type=image', '--format', '{{.Action}} {{.Actor.ID}}'];

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
  for (const { repository, tag, field } of taggedImageRows(stdout)) {
    const digest = field('Digest').startsWith('sha256:') ? field('Digest') : undefined;
    const ref = parseImageReference(repository);
    images.push({
      repository,
      tag,
      digest,
      createdAt: field('CreatedAt') || undefined,
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

/**
 * What a failed docker command said, for a message: its stderr without the classic builder's
 * deprecation notice (Docker 23+ prints it on every `docker build` without buildx, also on
 * success), colour codes and blank lines. The last line that names an error, else the last line.
 */
export function dockerFailureReason(stderr: readonly string[]): string | undefined {
  const lines = withoutDeprecationNotice(stderr.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())).filter((l) => l !== '');
  return [...lines].reverse().find((l) => /\berror\b|denied|failed|not found|no such|refused|returned a non-zero code|unauthorized|cannot|can't/i.test(l)) ?? lines[lines.length - 1];
}

/** Drops `DEPRECATED: The legacy builder is deprecated...` and its indented continuation lines. */
export function withoutDeprecationNotice(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inNotice = false;
  for (const line of lines) {
    if (/^DEPRECATED:/.test(line.trim())) {
      inNotice = true;
      continue;
    }
    if (inNotice && (/^\s+\S/.test(line) || /docs\.docker\.com\/go\/buildx|BuildKit|buildx component/i.test(line))) continue;
    inNotice = false;
    out.push(line);
  }
  return out;
}

/**
 * A hint for a failed docker step, beyond what Docker said: the few failures a learner meets
 * in the build → push loop, each with what to do.
 */
export function dockerFailureHint(reason: string, step: 'build' | 'push' | 'tag'): string | undefined {
  if (step === 'build') {
    if (/registry-1\.docker\.io|pull access denied|manifest unknown|not found: manifest|lookup .*(no such host|server misbehaving)|dial tcp/i.test(reason)) {
      return 'The Dockerfile\'s FROM image is not on this machine and Docker could not pull it: pull or build it first (docker pull, or a reachable registry).';
    }
    if (/COPY failed|ADD failed|file not found in build context|excluded by \.dockerignore/i.test(reason)) return 'A file the Dockerfile copies is not in the build context (k3d.build.contextPath, or the folder above the manifest).';
    if (/returned a non-zero code/i.test(reason)) return 'A RUN step of the Dockerfile failed: its output is in the k3d Build channel.';
    if (/Cannot locate specified Dockerfile|unable to prepare context|no such file or directory/i.test(reason)) return 'Docker cannot read the Dockerfile or the build context.';
  }
  if (step === 'push') {
    if (/connection refused|dial tcp|no such host|i\/o timeout/i.test(reason)) return 'The registry does not answer: is it running (k3d registry list)?';
    if (/denied|unauthorized|authentication required/i.test(reason)) return 'The registry refused the push: log in with docker login, or push to a registry you own.';
    if (/server gave HTTP response to HTTPS client/i.test(reason)) return 'The registry speaks plain HTTP: Docker allows that for localhost only, or with "insecure-registries" in its daemon.json.';
  }
  if (/An image does not exist locally|No such image/i.test(reason)) return 'The image is not in the local Docker.';
  return undefined;
}

/** A hint for a failed `k3d image import`: the usual cause is an image Docker does not have. */
export function importFailureHint(reason: string): string | undefined {
  return /No such image|does not exist|not found|failed to save image|reference does not exist|no valid images/i.test(reason)
    ? "The image is not in this machine's Docker: build it first (docker build -t IMAGE .)."
    : undefined;
}
