// Tags a registry lists for a repository (Registry HTTP API v2: GET /v2/<name>/tags/list), with
// the anonymous bearer-token flow Docker Hub, ghcr.io and most registries use. Only suggestions
// depend on it, so every failure (offline, private, slow) is a result, never an exception.
// semver's own precedence rules (pre-releases below their release, numeric identifiers by
// value) rather than a hand-written comparison: they are subtle and the package is the reference.
import compareSemver from 'semver/functions/compare.js';
import { classifyTag, versionOrder } from '../manifests/tags.ts';

export interface FetchResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/** The part of `fetch` this module uses; injected, so that tests need no network. */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<FetchResponse>;

export interface RegistryRepository {
  /** `docker.io`, `ghcr.io`, `localhost:5000` (ImageReference.domain). */
  readonly domain: string;
  /** `library/nginx`, `jakousa/dwk-app1` (ImageReference.repository). */
  readonly repository: string;
}

export interface ListTagsOptions {
  readonly fetch: FetchLike;
  /** For the whole exchange (token and pages): suggestions must come quickly or not at all. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly maxPages?: number;
}

export type ListTagsResult = { readonly ok: true; readonly tags: string[] } | { readonly ok: false; readonly reason: string };

/** Where a registry's API answers: Docker Hub's is registry-1.docker.io; local registries speak plain HTTP. */
export function registryApiBase(domain: string): string {
  if (domain === 'docker.io' || domain === 'index.docker.io') return 'https://registry-1.docker.io';
  const host = domain.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1';
  return `${local ? 'http' : 'https'}://${domain}`;
}

export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x:pull"`. */
export function parseAuthChallenge(header: string | null | undefined): AuthChallenge | undefined {
  const m = (header ?? '').match(/^\s*(\w+)\s*(.*)$/s);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** The next page's URL from a `Link: </v2/x/tags/list?last=y&n=100>; rel="next"` header. */
export function nextPageUrl(link: string | null, current: string): string | undefined {
  const m = link ? link.match(/<([^>]+)>\s*;\s*rel="?next"?/) : null;
  return m ? new URL(m[1], current).toString() : undefined;
}

export async function listRegistryTags(repo: RegistryRepository, options: ListTagsOptions): Promise<ListTagsResult> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  const base = registryApiBase(repo.domain);
  let url: string | undefined = `${base}/v2/${repo.repository}/tags/list`;
  const headers: Record<string, string> = { Accept: 'application/json' };
  const tags: string[] = [];
  try {
    for (let page = 0; url !== undefined && page < (options.maxPages ?? 5); page++) {
      let res = await options.fetch(url, { headers, signal });
      if (res.status === 401 && headers.Authorization === undefined) {
        const token = await anonymousToken(res.headers.get('www-authenticate'), repo, options.fetch, signal);
        if (!token.ok) return token;
        headers.Authorization = `Bearer ${token.token}`;
        res = await options.fetch(url, { headers, signal });
      }
      if (res.status !== 200) {
        return { ok: false, reason: `${url} answered ${res.status}` };
      }
      const body = (await res.json()) as { tags?: unknown };
      if (Array.isArray(body?.tags)) {
        tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      }
      url = nextPageUrl(res.headers.get('link'), url);
    }
    return { ok: true, tags };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.message);
    return { ok: false, reason: `${base}: ${why}` };
  }
}

async function anonymousToken(
  header: string | null,
  repo: RegistryRepository,
  fetch: FetchLike,
  signal: AbortSignal,
): Promise<{ ok: true; token: string } | { ok: false; reason: string }> {
  const challenge = parseAuthChallenge(header);
  if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
    return { ok: false, reason: `the registry wants ${challenge?.scheme ?? 'unknown'} authentication` };
  }
  const tokenUrl = new URL(challenge.params.realm);
  if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
  tokenUrl.searchParams.set('scope', challenge.params.scope ?? `repository:${repo.repository}:pull`);
  const res = await fetch(tokenUrl.toString(), { headers: { Accept: 'application/json' }, signal });
  if (res.status !== 200) return { ok: false, reason: `the token service answered ${res.status} (a private repository?)` };
  const body = (await res.json()) as { token?: unknown; access_token?: unknown };
  const token = typeof body?.token === 'string' ? body.token : typeof body?.access_token === 'string' ? body.access_token : undefined;
  return token ? { ok: true, token } : { ok: false, reason: 'the token service gave no token' };
}

/**
 * Tags worth suggesting instead of `current`: the same scheme first (newest versions first, by
 * semver precedence: `1.0.0` above `1.0.0-rc2`; the current tag's image variant before others),
 * then everything else newest-listed first; the current tag and `latest` left out.
 */
export function rankTagSuggestions(current: string | undefined, tags: readonly string[], limit = 30): string[] {
  const kind = classifyTag(current).kind;
  const unique = [...new Set(tags)].filter((t) => t !== current && t !== 'latest');
  const same = unique.filter((t) => classifyTag(t).kind === kind && kind !== 'none' && kind !== 'latest' && kind !== 'unknown' && kind !== 'id');
  const rest = unique.filter((t) => !same.includes(t));
  let sortedSame: string[];
  if (kind === 'semver' || kind === 'version') {
    const variant = versionOrder(current)?.variant;
    const keyed = same.map((tag) => ({ tag, order: versionOrder(tag) as { semver: string; variant?: string } }));
    keyed.sort(
      (a, b) =>
        Number(b.order.variant === variant) - Number(a.order.variant === variant) ||
        compareSemver(b.order.semver, a.order.semver) ||
        compareNatural(b.tag, a.tag),
    );
    sortedSame = keyed.map((k) => k.tag);
  } else if (kind === 'number' || kind === 'date') {
    sortedSame = [...same].sort((a, b) => compareNatural(b, a));
  } else {
    sortedSame = [...same].reverse();
  }
  return [...sortedSame, ...[...rest].reverse()].slice(0, limit);
}

/** Compares numbers inside strings by value: 1.10.0 > 1.9.3, build-12 > build-9. */
export function compareNatural(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return BigInt(x) > BigInt(y) ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return 0;
}
