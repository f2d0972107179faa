// The tag Deploy on Save gives a build, without asking: the tag's own scheme (tags.ts) — the
// next patch for semver, +1 for a number, today for a date, the commit for a git SHA — and for a
// SHA tag whose commit has not moved (the change is not committed yet) the commit with a
// `-dirty-<content hash>` suffix, so each saved state of the context gets its own tag.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { bumpTag, classifyTag } from '../manifests/tags.ts';

export type NextTag = { readonly ok: true; readonly tag: string } | { readonly ok: false; readonly reason: string };

const DIRTY = /-dirty-[0-9a-f]{8,}$/;

export function nextLoopTag(current: string | undefined, options: { headSha?: string; now?: Date; contentHash?: string }): NextTag {
  const base = current?.replace(DIRTY, '');
  const bumped = bumpTag(base, { headSha: options.headSha, now: options.now });
  if (bumped.ok) return { ok: true, tag: bumped.tag };
  if (classifyTag(base).kind === 'sha' && options.headSha && options.contentHash) {
    const next = `${base}-dirty-${options.contentHash.slice(0, 12)}`;
    if (next !== current) return { ok: true, tag: next };
    return { ok: false, reason: 'The build context is the same as for the current tag.' };
  }
  return { ok: false, reason: `${bumped.reason} Deploy on Save needs a tag it can raise (a version, a number, a date or a git SHA).` };
}

const SKIP = new Set(['.git', 'node_modules']);

/**
 * A hash of the build context's files (names and contents), bounded: 5000 files, 100 MB.
 * `exclude`: files left out (the manifest the loop edits, when it lives in the context).
 */
export async function contextHash(dir: string, exclude: readonly string[] = []): Promise<string | undefined> {
  const skipped = new Set(exclude.map((f) => path.resolve(f)));
  const hash = createHash('sha256');
  let files = 0;
  let bytes = 0;
  const walk = async (rel: string): Promise<boolean> => {
    const entries = (await fs.readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (SKIP.has(e.name)) continue;
      const child = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (!(await walk(child))) return false;
      } else if (e.isFile() && !skipped.has(path.resolve(dir, child))) {
        const data = await fs.readFile(path.join(dir, child));
        if (++files > 5000 || (bytes += data.length) > 100 * 1024 * 1024) return false;
        hash.update(child).update('\0').update(data).update('\0');
      }
    }
    return true;
  };
  return (await walk('').catch(() => false)) ? hash.digest('hex') : undefined;
}
