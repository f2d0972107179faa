// The host's Docker images, as Import Image offers them: `docker image ls --no-trunc --format '{{json .}}'`
// (one JSON object per line), read into name:tag, full image ID, size and age.

export interface HostImage {
  /** `app:v1`, `localhost:5001/team/app:2`: what `k3d image import` is given. */
  readonly ref: string;
  readonly repository: string;
  readonly tag: string;
  /** The full image ID, `sha256:...` (what every node must hold afterwards). */
  readonly id: string;
  /** As Docker prints it: `5.1MB`. */
  readonly size: string;
  /** As Docker prints it: `2 hours ago`. */
  readonly createdSince: string;
  readonly createdAt?: string;
}

/** `docker image ls` with full IDs, one JSON object per image and tag. */
export const dockerImageLsArgs = (): string[] => ['image', 'ls', '--no-trunc', '--format', '{{json .}}'];

/** One tagged row of `docker image ls` JSON lines: its string fields ('' when absent), Repository and Tag set. */
export interface DockerImageRow {
  readonly repository: string;
  readonly tag: string;
  field(name: string): string;
}

/**
 * The rows of `docker image ls --format json` / `'{{json .}}'` (one JSON object per line) that have a repository and
 * a tag: untagged (`<none>`) rows and lines that are not JSON objects are skipped. Both readers below use it.
 */
export function taggedImageRows(stdout: string): DockerImageRow[] {
  const rows: DockerImageRow[] = [];
  for (const line of stdout.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    const field = (k: string) => (typeof row[k] === 'string' ? (row[k] as string) : '');
    const repository = field('Repository');
    const tag = field('Tag');
    if (repository === '' || repository === '<none>' || tag === '' || tag === '<none>') continue;
    rows.push({ repository, tag, field });
  }
  return rows;
}

/**
 * Parses `docker image ls --no-trunc --format '{{json .}}'`. Skips untagged (`<none>`) rows, which
 * `k3d image import` cannot be given by name, and lines that are not JSON objects.
 */
export function parseHostImages(stdout: string): HostImage[] {
  const images: HostImage[] = [];
  const seen = new Set<string>();
  for (const { repository, tag, field: str } of taggedImageRows(stdout)) {
    const ref = `${repository}:${tag}`;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const rawId = str('ID');
    const id = rawId === '' ? '' : rawId.startsWith('sha256:') ? rawId : `sha256:${rawId}`;
    images.push({ ref, repository, tag, id, size: str('Size') || str('VirtualSize'), createdSince: str('CreatedSince'), createdAt: str('CreatedAt') || undefined });
  }
  return images;
}

/** The images worth offering first: the user's own (not k3d's and k3s's), then the rest, newest first within each. */
export function sortForImport(images: readonly HostImage[]): HostImage[] {
  const infra = (i: HostImage) => /^(docker\.io\/)?(rancher\/k3s|rancher\/mirrored-|ghcr\.io\/k3d-io\/|k3d-io\/|registry$)/.test(i.repository) || i.repository === 'registry';
  const time = (i: HostImage) => {
    const t = i.createdAt ? Date.parse(i.createdAt.replace(/ \+0000 UTC$/, 'Z').replace(' ', 'T')) : NaN;
    return Number.isNaN(t) ? 0 : t;
  };
  return [...images].sort((a, b) => Number(infra(a)) - Number(infra(b)) || time(b) - time(a) || a.ref.localeCompare(b.ref));
}
