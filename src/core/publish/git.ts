// The workspace's HEAD commit: the course tags images with it. Read from .git itself (HEAD,
// loose refs, packed-refs, worktrees' `gitdir:` files), which costs no process; `git rev-parse
// HEAD` (spawned with an argument array, never a shell) is the fallback for other layouts.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runTool } from '../process.ts';

const SHA = /^[0-9a-f]{40}$/;

/** Reads HEAD under `dir` or the nearest parent with a `.git`; undefined when there is none. */
export async function readGitHeadFiles(dir: string): Promise<string | undefined> {
  const gitDir = await findGitDir(path.resolve(dir));
  if (!gitDir) return undefined;
  const head = (await readText(path.join(gitDir, 'HEAD')))?.trim();
  if (!head) return undefined;
  if (SHA.test(head)) return head; // detached
  const ref = head.match(/^ref:\s*(\S+)$/)?.[1];
  if (!ref) return undefined;
  // A linked worktree keeps its own HEAD but shares refs with the main repository (commondir).
  const common = (await readText(path.join(gitDir, 'commondir')))?.trim();
  const dirs = common ? [gitDir, path.resolve(gitDir, common)] : [gitDir];
  for (const d of dirs) {
    const loose = (await readText(path.join(d, ref)))?.trim();
    if (loose && SHA.test(loose)) return loose;
  }
  for (const d of dirs) {
    const packed = await readText(path.join(d, 'packed-refs'));
    const sha = packed && packedRef(packed, ref);
    if (sha) return sha;
  }
  return undefined; // an unborn branch (no commit yet), or refs in a format we do not read
}

/** `git rev-parse HEAD` in `dir`; undefined when git is missing or it is not a repository. */
export async function gitRevParseHead(dir: string, git = 'git', timeoutMs = 5000): Promise<string | undefined> {
  try {
    const { stdout } = await runTool(git, ['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd: dir, timeoutMs });
    const sha = stdout.trim();
    return SHA.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

export async function readGitHead(dir: string): Promise<string | undefined> {
  return (await readGitHeadFiles(dir)) ?? (await gitRevParseHead(dir));
}

export function packedRef(packed: string, ref: string): string | undefined {
  for (const line of packed.split('\n')) {
    const m = line.trim().match(/^([0-9a-f]{40}) (\S+)$/);
    if (m && m[2] === ref) return m[1];
  }
  return undefined;
}

async function findGitDir(start: string): Promise<string | undefined> {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, '.git');
    const stat = await fs.stat(candidate).catch(() => undefined);
    if (stat?.isDirectory()) return candidate;
    if (stat?.isFile()) {
      const pointer = ((await readText(candidate)) ?? '').match(/^gitdir:\s*(.+)$/m)?.[1]?.trim();
      if (pointer) return path.resolve(dir, pointer);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function readText(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').catch(() => undefined);
}
