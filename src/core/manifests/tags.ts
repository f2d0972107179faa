import { ownString } from './text.ts';

/**
 * Image tag schemes and "the next tag" for each. The course tags images with the git
 * commit SHA; other projects use semver, build numbers or dates. Nothing here guesses when the
 * tag has no scheme (`latest`, `stable`) or is an opaque build ID (`7xzfeyk3`): the adapter
 * asks the user instead, offering the git HEAD.
 *
 * Schemes seen on real repositories, and what a bump does with them:
 * - `sha-666420`, `git-1a2b3c4`: a `sha-`/`git-`/`commit-` prefix means a git SHA, whatever its
 *   digits (a short SHA can be all digits): the next tag is HEAD, never 666421.
 * - `18-alpine3.24`, `14-alpine`: a one-part version with an image variant. The version is
 *   raised and the variant kept whole (`19-alpine3.24`, `15-alpine`): the variant's own numbers
 *   (Alpine 3.24) are the base image's, not this image's version.
 * - `7xzfeyk3`: letters and digits mixed with no separator is an ID, not a build number.
 */

export type TagKind = 'semver' | 'version' | 'sha' | 'number' | 'date' | 'id' | 'latest' | 'none' | 'unknown';
export type BumpPart = 'major' | 'minor' | 'patch' | 'prerelease';

export interface TagClass {
  readonly kind: TagKind;
  /** For the lens or picker: "semantic version", "git commit SHA (7 characters)". */
  readonly description: string;
}

export interface BumpOptions {
  /** Which part of a version to raise; `patch` by default (the last part of `1.25`). */
  readonly part?: BumpPart;
  /** The workspace's HEAD commit, full 40 hex digits: the next tag of a SHA-tagged image. */
  readonly headSha?: string;
  /** The clock for date tags; the local calendar date is used. */
  readonly now?: Date;
  /** The image is pinned by digest (`app@sha256:...`): no tag does not mean `latest` then. */
  readonly pinned?: boolean;
}

export type BumpResult =
  | { readonly ok: true; readonly tag: string; readonly kind: TagKind }
  | { readonly ok: false; readonly kind: TagKind; readonly reason: string };

// Pre-release identifiers as people write them; any other suffix (`-alpine`, `-slim`) is an
// image variant, which a bump keeps: 3.19.1-alpine -> 3.19.2-alpine, not 3.19.1.
const PRERELEASE = /^(?:alpha|beta|rc|pre|preview|dev|snapshot|canary|next|nightly|insiders|b|a|m|milestone|\d+)(?:[.-]?\d+)*(?:\.[0-9A-Za-z-]+)*$/i;
const VERSION = /^(v?)(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z.-]+))?$/;
const DATE = /^((?:19|20)\d{2})([.-]?)(\d{2})\2(\d{2})(?:([.-])(\d+))?$/;
const SHA = /^([A-Za-z][A-Za-z0-9_.-]*[-_.])?([0-9a-f]{7,40})$/;
/** A prefix that says "git commit": what follows is a SHA even when it is all digits. */
const SHA_PREFIXED = /^((?:[A-Za-z][A-Za-z0-9]*[-_.])*?(?:sha|SHA|git|commit)[-_.])([0-9a-f]{4,40})$/;
/** `18-alpine3.24`, `14-alpine`: one number (no leading zero, at most 4 digits) and a variant. */
const MAJOR_VARIANT = /^(v?)([1-9]\d{0,3}|0)-([A-Za-z][0-9A-Za-z.-]*)$/;
/** Build numbers: digits alone, after parts ending in a separator (`build-17`, `1.2.3.4`), or after a short word (`v17`, `r5`). */
const NUMBER = /^((?:[A-Za-z0-9]+[-_.])*|[A-Za-z]{1,8})(\d+)$/;

interface Version {
  readonly prefix: string;
  readonly parts: number[];
  readonly prerelease?: string;
  readonly variant?: string;
}

interface DateTag {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly separator: string;
  readonly suffixSeparator?: string;
  readonly suffix?: number;
}

export function classifyTag(tag: string | undefined, options: { readonly pinned?: boolean } = {}): TagClass {
  if (tag === undefined || tag === '') {
    return options.pinned
      ? { kind: 'none', description: 'no tag (pinned by digest: the digest names the image)' }
      : { kind: 'none', description: 'no tag (Kubernetes pulls latest)' };
  }
  let known = TAG_CLASSES.get(tag);
  if (known === undefined) {
    if (TAG_CLASSES.size >= TAG_CLASSES_MAX) {
      TAG_CLASSES.clear();
    }
    known = Object.freeze(readTagClass(tag));
    TAG_CLASSES.set(ownString(tag), known);
  }
  return known;
}

/** Classes by tag (a lens per image asks, and the next version of the file has the same tags); frozen, shared. */
// copy-safe: a memo of classifyTag, a pure function of the tag; every bundle's copy gives the same answers.
const TAG_CLASSES = new Map<string, TagClass>();
const TAG_CLASSES_MAX = 20_000;

function readTagClass(tag: string): TagClass {
  if (tag === 'latest') {
    return { kind: 'latest', description: 'latest (not a version: a new build does not roll out)' };
  }
  if (parseDate(tag)) {
    return { kind: 'date', description: 'date stamp' };
  }
  const version = SHA_PREFIXED.test(tag) ? undefined : parseVersion(tag);
  if (version) {
    return version.parts.length === 3
      ? { kind: 'semver', description: `semantic version${version.prerelease ? ' (pre-release)' : ''}` }
      : { kind: 'version', description: version.variant !== undefined ? `version number, variant ${version.variant}` : 'version number' };
  }
  const sha = matchSha(tag);
  if (sha) {
    return { kind: 'sha', description: `git commit SHA (${sha.hex.length === 40 ? 'full' : `${sha.hex.length} characters`})` };
  }
  if (NUMBER.test(tag)) {
    return { kind: 'number', description: 'build number' };
  }
  const last = tag.slice(Math.max(tag.lastIndexOf('-'), tag.lastIndexOf('_'), tag.lastIndexOf('.')) + 1);
  if (/\d/.test(last) && /[A-Za-z]/.test(last)) {
    return { kind: 'id', description: 'a build ID (letters and digits): not a number to raise' };
  }
  return { kind: 'unknown', description: 'a name, not a version' };
}

/** A git SHA tag: a `sha-` (`git-`, `commit-`) prefix and hex digits, or 7-40 hex digits with a letter. */
function matchSha(tag: string): { prefix: string; hex: string } | undefined {
  const prefixed = tag.match(SHA_PREFIXED);
  if (prefixed) {
    return { prefix: prefixed[1], hex: prefixed[2] };
  }
  const sha = tag.match(SHA);
  return sha && /[a-f]/.test(sha[2]) ? { prefix: sha[1] ?? '', hex: sha[2] } : undefined;
}

export function bumpTag(tag: string | undefined, options: BumpOptions = {}): BumpResult {
  const { kind } = classifyTag(tag, options);
  const fail = (reason: string): BumpResult => ({ ok: false, kind, reason });
  const done = (next: string): BumpResult => ({ ok: true, tag: next, kind });
  switch (kind) {
    case 'none':
      return fail(
        options.pinned
          ? 'The image is pinned by digest and has no tag to raise: choose the tag to switch to, e.g. the commit SHA you built.'
          : 'The image has no version tag to raise (it means "latest"): choose a tag, e.g. the commit SHA you built.',
      );
    case 'latest':
      return fail('The image has no version tag to raise (it means "latest"): choose a tag, e.g. the commit SHA you built.');
    case 'unknown':
      return fail(`"${tag}" is a name, not a version: choose the new tag.`);
    case 'id':
      return fail(`"${tag}" is a build ID, not a number to raise: choose the new tag, e.g. the commit SHA you built.`);
    case 'date':
      return done(bumpDate(parseDate(tag as string) as DateTag, options.now ?? new Date()));
    case 'semver':
    case 'version':
      return done(bumpVersion(parseVersion(tag as string) as Version, options.part ?? 'patch'));
    case 'sha': {
      const { prefix, hex: old } = matchSha(tag as string) as { prefix: string; hex: string };
      const head = options.headSha?.trim().toLowerCase();
      if (!head || !/^[0-9a-f]{7,40}$/.test(head)) {
        return fail('The tag is a commit SHA: the next one is the commit you build, and no git HEAD is known.');
      }
      const next = head.slice(0, Math.min(old.length, head.length));
      if (next === old) {
        return fail('The tag already is the current commit: commit your change first, so the new image gets a new tag.');
      }
      return done(`${prefix}${next}`);
    }
    case 'number': {
      const [, prefix, digits] = (tag as string).match(NUMBER) as RegExpExecArray;
      const next = (BigInt(digits) + 1n).toString();
      return done(`${prefix}${next.padStart(digits.length, '0')}`);
    }
  }
}

/** The choices a picker offers for a version tag, each with the tag it would give. */
export function bumpChoices(tag: string | undefined, options: BumpOptions = {}): { part: BumpPart; tag: string }[] {
  const { kind } = classifyTag(tag);
  if (kind !== 'semver' && kind !== 'version') {
    return [];
  }
  const single = kind === 'version' && parseVersion(tag as string)?.parts.length === 1;
  const parts: BumpPart[] = kind === 'semver' ? ['patch', 'minor', 'major', 'prerelease'] : single ? ['major'] : ['minor', 'major'];
  return parts.flatMap((part) => {
    const r = bumpTag(tag, { ...options, part });
    return r.ok ? [{ part, tag: r.tag }] : [];
  });
}

/**
 * A version tag as a semver string for ordering (`1.25` -> `1.25.0`, `18-alpine3.24` ->
 * `18.0.0`, `v1.0.0-rc2` -> `1.0.0-rc2`) and its image variant, which is not a pre-release
 * (`3.19.1-alpine` is a release). Undefined for tags that are no version.
 */
export function versionOrder(tag: string | undefined): { readonly semver: string; readonly variant?: string } | undefined {
  const kind = classifyTag(tag).kind;
  const v = kind === 'semver' || kind === 'version' ? parseVersion(tag as string) : undefined;
  if (!v) {
    return undefined;
  }
  const [major, minor = 0, patch = 0] = v.parts;
  return { semver: `${major}.${minor}.${patch}${v.prerelease !== undefined ? `-${v.prerelease}` : ''}`, variant: v.variant };
}

function parseVersion(tag: string): Version | undefined {
  const m = tag.match(VERSION);
  if (!m) {
    const single = tag.match(MAJOR_VARIANT);
    return single && !PRERELEASE.test(single[3]) ? { prefix: single[1], parts: [Number(single[2])], variant: single[3] } : undefined;
  }
  const parts = [Number(m[2]), Number(m[3])];
  if (m[4] !== undefined) {
    parts.push(Number(m[4]));
  }
  const suffix = m[5];
  if (suffix === undefined) {
    return { prefix: m[1], parts };
  }
  return parts.length === 3 && PRERELEASE.test(suffix) ? { prefix: m[1], parts, prerelease: suffix } : { prefix: m[1], parts, variant: suffix };
}

/** The rules of `npm version` (semver.inc): a pre-release bumps to its own release first. */
function bumpVersion(v: Version, part: BumpPart): string {
  if (v.parts.length === 1) {
    return `${v.prefix}${v.parts[0] + 1}-${v.variant}`; // 18-alpine3.24 -> 19-alpine3.24: its only number
  }
  let [major, minor, patch = -1] = v.parts;
  const two = v.parts.length === 2;
  let prerelease: string | undefined;
  const pre = v.prerelease !== undefined;
  switch (part) {
    case 'major':
      if (!(pre && minor === 0 && patch === 0)) {
        major++;
      }
      minor = 0;
      patch = two ? -1 : 0;
      break;
    case 'minor':
      if (!(pre && patch === 0) || two) {
        minor++;
      }
      patch = two ? -1 : 0;
      break;
    case 'patch':
      if (two) {
        minor++;
      } else if (!pre) {
        patch++;
      }
      break;
    case 'prerelease':
      if (two) {
        minor++;
      } else if (pre) {
        prerelease = nextPrerelease(v.prerelease as string);
      } else {
        patch++;
        prerelease = '0';
      }
      break;
  }
  const core = patch === -1 ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
  return `${v.prefix}${core}${prerelease !== undefined ? `-${prerelease}` : ''}${v.variant !== undefined ? `-${v.variant}` : ''}`;
}

/** rc.1 -> rc.2, rc -> rc.0, 0 -> 1 (semver.inc('prerelease')). */
function nextPrerelease(pre: string): string {
  const ids = pre.split('.');
  for (let i = ids.length - 1; i >= 0; i--) {
    if (/^\d+$/.test(ids[i])) {
      ids[i] = String(Number(ids[i]) + 1);
      return ids.join('.');
    }
  }
  return `${pre}.0`;
}

function parseDate(tag: string): DateTag | undefined {
  const m = tag.match(DATE);
  if (!m) {
    return undefined;
  }
  const [year, month, day] = [Number(m[1]), Number(m[3]), Number(m[4])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return undefined; // 20241399 is a number, not a date
  }
  if (m[2] === '' && m[5] === '.') {
    return undefined; // 20240115.3 reads as a version-ish number; leave it to other schemes
  }
  return { year, month, day, separator: m[2], suffixSeparator: m[5], suffix: m[6] !== undefined ? Number(m[6]) : undefined };
}

/** Today in the old tag's format; a second build on the same day gets (or raises) a `-N` suffix. */
function bumpDate(old: DateTag, now: Date): string {
  const sep = old.separator;
  const fmt = (y: number, m: number, d: number) => `${y}${sep}${String(m).padStart(2, '0')}${sep}${String(d).padStart(2, '0')}`;
  const today = fmt(now.getFullYear(), now.getMonth() + 1, now.getDate());
  const previous = fmt(old.year, old.month, old.day);
  const suffixSep = old.suffixSeparator ?? '-';
  if (today > previous) {
    return old.suffix !== undefined ? `${today}${suffixSep}1` : today;
  }
  // Same day (or a clock behind the tag): keep the date, count the builds.
  return `${previous}${suffixSep}${(old.suffix ?? 0) + 1}`;
}
