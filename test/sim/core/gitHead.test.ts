import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { gitRevParseHead, packedRef, readGitHead, readGitHeadFiles } from '../../../src/core/publish/git.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'k3d-git-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const A = 'b7fc18de2376da80ff0cfc72cf581a9f94d10e64';
const B = '0f1e2d3c4b5a69788796a5b4c3d2e1f001234567';

function fakeRepo(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

test('HEAD on a branch, from a loose ref, read from a subfolder', async () => {
  const dir = fakeRepo('loose', { '.git/HEAD': 'ref: refs/heads/main\n', [`.git/refs/heads/main`]: `${A}\n`, 'app1/manifests/x': '' });
  assert.equal(await readGitHeadFiles(path.join(dir, 'app1', 'manifests')), A);
});

test('packed refs, a detached HEAD, an unborn branch', async () => {
  const packed = `# pack-refs with: peeled fully-peeled sorted\n${B} refs/heads/main\n^${A}\n${A} refs/tags/v1\n`;
  assert.equal(packedRef(packed, 'refs/heads/main'), B);
  assert.equal(await readGitHeadFiles(fakeRepo('packed', { '.git/HEAD': 'ref: refs/heads/main\n', '.git/packed-refs': packed })), B);
  assert.equal(await readGitHeadFiles(fakeRepo('detached', { '.git/HEAD': `${A}\n` })), A);
  assert.equal(await readGitHeadFiles(fakeRepo('unborn', { '.git/HEAD': 'ref: refs/heads/main\n' })), undefined);
});

test('a linked worktree: .git is a file pointing at its gitdir, refs are in the common dir', async () => {
  const main = fakeRepo('main', { '.git/refs/heads/feature': `${B}\n`, '.git/HEAD': 'ref: refs/heads/main\n' });
  const wtGit = path.join(main, '.git', 'worktrees', 'wt');
  mkdirSync(wtGit, { recursive: true });
  writeFileSync(path.join(wtGit, 'HEAD'), 'ref: refs/heads/feature\n');
  writeFileSync(path.join(wtGit, 'commondir'), '../..\n');
  const wt = fakeRepo('wt', { '.git': `gitdir: ${wtGit}\n` });
  assert.equal(await readGitHeadFiles(wt), B);
});

test('the real git agrees', async () => {
  // git is on every machine this project runs on (the e2e suite needs it too).
  assert.equal(spawnSync('git', ['--version']).status, 0, 'git must be installed');
  const dir = path.join(tmp, 'real');
  mkdirSync(dir);
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, 'f'), 'x');
  git('add', 'f');
  git('commit', '-q', '-m', 'first');
  const head = git('rev-parse', 'HEAD').stdout.trim();
  assert.match(head, /^[0-9a-f]{40}$/);
  assert.equal(await readGitHeadFiles(dir), head);
  assert.equal(await gitRevParseHead(dir), head);
  git('pack-refs', '--all');
  assert.equal(await readGitHead(dir), head);
  assert.equal(await gitRevParseHead(path.join(tmp)), undefined);
});
