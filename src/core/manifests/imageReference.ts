import { ownString } from './text.ts';

/**
 * Container image references, following the grammar of distribution/reference (the parser
 * Docker, containerd and the kubelet use):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain "/"] path-component ["/" path-component]*
 *   domain    := host [":" port]      -- the first component, when it has "." or ":" or is "localhost"
 *
 * Offsets (`tagStart`...) index the reference string, so that callers can map the tag back onto
 * the manifest's text.
 */
export interface ImageReference {
  readonly valid: true;
  /** The reference exactly as written. */
  readonly raw: string;
  /** The registry as written (`localhost:5000`, `ghcr.io`), undefined when omitted (Docker Hub). */
  readonly registry?: string;
  /** The repository path as written: `nginx`, `jakousa/dwk-app1`, `tools/init`. */
  readonly path: string;
  readonly tag?: string;
  /** `sha256:...` */
  readonly digest?: string;
  /** The registry Docker pulls from: `docker.io` when omitted (and for `index.docker.io`). */
  readonly domain: string;
  /** The repository on that registry: `library/nginx` for Docker Hub's official images. */
  readonly repository: string;
  /** Fully qualified name without tag or digest: `docker.io/library/nginx`. */
  readonly canonicalName: string;
  /** Where the name ends in `raw`: a tag would be inserted here. */
  readonly nameEnd: number;
  /** Offsets of the tag's characters in `raw` (after the `:`), when there is a tag. */
  readonly tagStart?: number;
  readonly tagEnd?: number;
  /** Offset of the `@` in `raw`, when there is a digest. */
  readonly digestAt?: number;
}

export interface InvalidImageReference {
  readonly valid: false;
  readonly raw: string;
  readonly message: string;
  /**
   * The value is a template, not a reference: Helm's `{{ .Values.image }}`, envsubst's
   * `${TAG}`, `$(VAR)`. What it becomes is known only when rendered, so it is not "invalid".
   */
  readonly template?: 'helm' | 'variable' | 'encrypted';
}

/** What a lens says about a templated image: neutral, since nothing is wrong with it. */
export function templateSummary(template: NonNullable<InvalidImageReference['template']>): string {
  return template === 'helm' ? '$(symbol-variable) Helm template' : template === 'variable' ? '$(symbol-variable) variable' : '$(lock) encrypted (SOPS)';
}

/** `{{ … }}` (Helm, Go templates), `${VAR}` (envsubst, CI), `$(VAR)` (Kubernetes and kustomize variables). */
const TEMPLATE = /\{\{|\$\{|\$\(/;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A whole path (components joined by `/`) and a whole host (joined by `.`), tested without splitting. */
const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const HOST = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const NAME_MAX = 255;

/**
 * Parsed references by string. A 5 MB manifest has thousands of images, and the next version of
 * the file (an edit) has the same ones: parsing each again, and keeping a new object per image,
 * was a tenth of the lenses' time and memory. Entries are frozen (shared by every caller) and
 * keyed by a copy of the string: a slice of the file's text would keep the whole text alive.
 */
const REFERENCES = new Map<string, ImageReference | InvalidImageReference>();
/** Dropped all at once when full: a workspace has far fewer distinct images. */
const REFERENCES_MAX = 20_000;

export function parseImageReference(raw: string): ImageReference | InvalidImageReference {
  let ref = REFERENCES.get(raw);
  if (ref === undefined) {
    if (REFERENCES.size >= REFERENCES_MAX) {
      REFERENCES.clear();
    }
    ref = Object.freeze(readImageReference(ownString(raw)));
    REFERENCES.set(ref.raw, ref);
  }
  return ref;
}

function readImageReference(raw: string): ImageReference | InvalidImageReference {
  const invalid = (message: string): InvalidImageReference => ({ valid: false, raw, message });
  if (raw === '') {
    return invalid('The image is empty.');
  }
  if (/^ENC\[[A-Z0-9_]+,/.test(raw)) {
    return { valid: false, raw, template: 'encrypted', message: 'Encrypted with SOPS: the image is known once the document is decrypted (sops -d).' };
  }
  const template = raw.match(TEMPLATE);
  if (template) {
    const helm = template[0] === '{{';
    return {
      valid: false,
      raw,
      template: helm ? 'helm' : 'variable',
      message: helm
        ? 'A Helm (Go) template: the image is known only when the chart is rendered (helm template).'
        : `A variable (${template[0]}…): the image is known only once it is substituted.`,
    };
  }
  if (raw !== raw.trim()) {
    return invalid('The image has leading or trailing spaces.');
  }
  let rest = raw;
  let digest: string | undefined;
  let digestAt: number | undefined;
  const at = raw.indexOf('@');
  if (at !== -1) {
    digest = raw.slice(at + 1);
    digestAt = at;
    rest = raw.slice(0, at);
    if (!DIGEST.test(digest)) {
      return invalid(`'${digest}' is not a digest (expected sha256: and at least 32 hex digits).`);
    }
  }
  let tag: string | undefined;
  let nameEnd = rest.length;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1 && colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    nameEnd = colon;
    if (!TAG.test(tag)) {
      return invalid(`'${tag}' is not a valid tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-').`);
    }
  }
  const name = rest.slice(0, nameEnd);
  if (name === '') {
    return invalid('The image has no name.');
  }
  if (name.length > NAME_MAX) {
    return invalid(`The image name is longer than ${NAME_MAX} characters.`);
  }
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  // Docker's rule: the first component is a registry when it looks like a host.
  const hasRegistry = slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  const registry = hasRegistry ? first : undefined;
  const path = hasRegistry ? name.slice(slash + 1) : name;
  if (registry !== undefined) {
    const problem = registryProblem(registry);
    if (problem) {
      return invalid(problem);
    }
  }
  // The message names the first bad component; most paths are fine, and one test says so.
  for (const component of PATH.test(path) ? [] : path.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      return invalid(
        component !== component.toLowerCase()
          ? `Repository names must be lowercase: '${path}'.`
          : `'${component}' is not a valid repository name component in '${path}'.`,
      );
    }
  }
  let domain = registry ?? 'docker.io';
  if (domain === 'index.docker.io') {
    domain = 'docker.io';
  }
  const repository = domain === 'docker.io' && !path.includes('/') ? `library/${path}` : path;
  return {
    valid: true,
    raw,
    registry,
    path,
    tag,
    digest,
    domain,
    repository,
    canonicalName: `${domain}/${repository}`,
    nameEnd,
    tagStart: tag !== undefined ? nameEnd + 1 : undefined,
    tagEnd: tag !== undefined ? nameEnd + 1 + tag.length : undefined,
    digestAt,
  };
}

function registryProblem(registry: string): string | undefined {
  let host = registry;
  const ipv6 = registry.match(/^\[[0-9A-Fa-f:.]+\](?::(\d+))?$/);
  if (ipv6) {
    return undefined;
  }
  const colon = registry.lastIndexOf(':');
  if (colon !== -1) {
    const port = registry.slice(colon + 1);
    host = registry.slice(0, colon);
    if (!/^\d+$/.test(port)) {
      return `'${port}' is not a port number in the registry '${registry}'.`;
    }
  }
  if (!HOST.test(host)) {
    return `'${registry}' is not a valid registry host.`;
  }
  return undefined;
}

export interface ImageParts {
  readonly registry?: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Writes a reference back in the user's own form (no `docker.io/library/` added). */
export function formatImageReference(parts: ImageParts): string {
  const name = parts.registry ? `${parts.registry}/${parts.path}` : parts.path;
  return `${name}${parts.tag !== undefined ? `:${parts.tag}` : ''}${parts.digest !== undefined ? `@${parts.digest}` : ''}`;
}

/** The fully qualified form Docker and the kubelet use: `docker.io/library/nginx:latest`. */
export function normalizeImageReference(ref: ImageReference): string {
  const tag = ref.tag ?? (ref.digest === undefined ? 'latest' : undefined);
  return formatImageReference({ registry: ref.domain, path: ref.repository, tag, digest: ref.digest });
}

/** The tag Kubernetes will pull: the written tag, or `latest` when there is neither tag nor digest. */
export function effectiveTag(ref: ImageReference): string | undefined {
  return ref.tag ?? (ref.digest === undefined ? 'latest' : undefined);
}

/** Do two references name the same image (same registry, repository, tag and digest)? */
export function sameImage(a: string, b: string): boolean {
  const ra = parseImageReference(a);
  const rb = parseImageReference(b);
  if (!ra.valid || !rb.valid) {
    return a === b;
  }
  return normalizeImageReference(ra) === normalizeImageReference(rb);
}
