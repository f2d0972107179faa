// Image tags on the image line of the course manifest, as a learner uses it: the CodeLens, Bump tag to
// the new commit, Set tag..., the `:latest` lesson with its Quick Fix, and Bump & Apply rolling out.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAMPLE_DEPLOYMENT } from '../../../scripts/lib/workspace.ts';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, escapeRegExp, waitUntil } from '../lib/workbench.ts';
import type { Workbench } from '../lib/workbench.ts';

const OLD_SHA = 'b7fc18de2376da80ff0cfc72cf581a9f94d10e64';

function git(workspace: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=learner@example.invalid', '-c', 'user.name=learner', ...args], { cwd: workspace, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A commit in the workspace, as the course makes before building: its SHA is the next tag. */
function commit(workspace: string, message: string): string {
  if (!fs.existsSync(path.join(workspace, '.git'))) git(workspace, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(workspace, 'app.txt'), `${message} ${Date.now()}\n`);
  git(workspace, 'add', '-A');
  git(workspace, 'commit', '-q', '-m', message);
  return git(workspace, 'rev-parse', 'HEAD');
}

/** The editor's text (Monaco renders spaces as U+00A0). */
async function editorText(wb: Workbench): Promise<string> {
  return ((await wb.page.locator('.monaco-editor .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
}

function lens(wb: Workbench, title: string | RegExp) {
  return wb.page.locator('.monaco-editor .codelens-decoration a', { hasText: typeof title === 'string' ? new RegExp(`^${escapeRegExp(title)}$`) : title });
}

function lensText(wb: Workbench) {
  return wb.page.locator('.monaco-editor .codelens-decoration').first().textContent().then((t) => (t ?? '').replace(/\u00a0/g, ' '));
}

/** Puts the course manifest back on disk and opens it (Quick Open), with its lenses showing. */
async function openCourseManifest(ctx: ScenarioContext, content = SAMPLE_DEPLOYMENT): Promise<void> {
  const { wb, page } = ctx;
  await wb.dismissQuickInput();
  await wb.runCommand('View: Revert File').catch(() => undefined); // an unsaved edit from an earlier scenario
  await wb.dismissQuickInput();
  fs.writeFileSync(path.join(ctx.workspace, 'manifests', 'deployment.yaml'), content);
  // The whole lens row fits beside the code without the side bar.
  await wb.runCommand('View: Close Primary Side Bar').catch(() => wb.dismissQuickInput());
  await wb.runCommand('Notifications: Clear All Notifications');
  ctx.step('Ctrl+P deployment.yaml');
  await page.keyboard.press('ControlOrMeta+P');
  await wb.quickInputBox().waitFor({ state: 'visible' });
  await page.keyboard.type('manifests/deployment.yaml');
  // The row of this file, not whichever row is first while the filter is still typing (a recently opened editor,
  // such as an earlier scenario's Describe document) nor another folder's deployment.yaml.
  const row = wb.quickInput().locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: /^deployment\.yaml$/ }) })
    .filter({ has: page.locator('.label-description', { hasText: /^\s*manifests\s*$/ }) });
  await row.first().waitFor();
  await row.first().click();
  await waitUntil('the manifest in the editor', () => editorText(wb), (t) => t.includes('hashgenerator-dep'));
  await waitUntil('the editor to show the file as written on disk', () => editorText(wb), (t) => t.includes(content.split('image: ')[1].split('\n')[0]));
  await lens(wb, 'Bump tag').first().waitFor({ timeout: DEFAULT_TIMEOUT });
  const tag = /:([\w.-]+)\s*$/m.exec(content)?.[1] ?? '';
  await waitUntil('the lens to describe the tag on disk', () => lensText(wb), (t) => t.includes(tag.slice(0, 7)));
}

scenario('image tags: the lens on the course manifest, Bump tag to the new commit SHA', 'simulated', async (ctx) => {
  const { wb } = ctx;
  await wb.runCommand('Notifications: Clear All Notifications');
  await openCourseManifest(ctx);
  const summary = await lensText(wb);
  ctx.step(`lens: ${summary}`);
  check(/b7fc18d/.test(summary) && /git SHA/.test(summary), `the lens should show the SHA tag: "${summary}"`);
  for (const title of ['Set tag...', 'Bump & Apply', 'Build & Deploy']) {
    check((await lens(wb, title).count()) > 0, `the lens row should offer ${title}: "${summary}"`);
  }
  await ctx.shot('lenses on the image line of the course manifest');

  const head = commit(ctx.workspace, 'a new version of app1');
  ctx.step(`git HEAD is ${head}; click Bump tag`);
  await lens(wb, 'Bump tag').first().click();
  const text = await waitUntil('the tag to become the new HEAD', () => editorText(wb), (t) => t.includes(`jakousa/dwk-app1:${head}`));
  check(!text.includes(OLD_SHA), 'the old SHA should be gone');
  await waitUntil('the lens to show the new tag', () => lensText(wb), (t) => t.includes(head.slice(0, 7)));
  await ctx.shot('Bump tag wrote the new commit SHA');
  // The edit is one undoable step that changed the tag characters only.
  await wb.page.keyboard.press('ControlOrMeta+Z');
  await waitUntil('undo to restore the old tag', () => editorText(wb), (t) => t.includes(`jakousa/dwk-app1:${OLD_SHA}`));
  await wb.page.keyboard.press('ControlOrMeta+Shift+Z');
  await waitUntil('redo', () => editorText(wb), (t) => t.includes(`jakousa/dwk-app1:${head}`));
});

scenario('image tags: Set tag... to latest shows the lesson as a warning with its Quick Fix', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  await wb.runCommand('Notifications: Clear All Notifications');
  await openCourseManifest(ctx);
  ctx.step('click Set tag...');
  await lens(wb, 'Set tag...').first().click();
  await wb.quickInputBox().waitFor({ state: 'visible' });
  // The suggestions: the workspace's HEAD (when it is a git repository); offline, no registry tags.
  await page.waitForTimeout(800);
  await ctx.shot('Set tag suggestions');
  await page.keyboard.type('latest');
  await wb.quickPickRow('latest').first().waitFor();
  await page.keyboard.press('Enter');
  await waitUntil('the tag to become latest', () => editorText(wb), (t) => t.includes('jakousa/dwk-app1:latest'));
  await waitUntil('the lens to say latest is not a version', () => lensText(wb), (t) => /latest · not a version/.test(t));
  ctx.step('wait for the warning squiggle');
  const squiggle = page.locator('.monaco-editor .squiggly-warning');
  await squiggle.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  await page.locator('.monaco-editor .view-line', { hasText: 'dwk-app1:latest' }).first().click();
  await page.keyboard.press('End');
  await page.keyboard.press('ControlOrMeta+Period');
  const fix = page.locator('.action-widget .action-list-item, .action-widget .monaco-list-row', { hasText: 'Set a tag...' });
  await fix.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  await ctx.shot('latest warning with the Set a tag quick fix');
  ctx.step('choose the quick fix, answer 1.0.0');
  await fix.first().click();
  await wb.quickInputBox().waitFor({ state: 'visible' });
  await page.keyboard.type('1.0.0');
  await wb.quickPickRow('1.0.0').first().waitFor();
  await page.keyboard.press('Enter');
  await waitUntil('the tag to become 1.0.0', () => editorText(wb), (t) => t.includes('jakousa/dwk-app1:1.0.0'));
  await waitUntil('the warning to go', () => squiggle.count(), (n) => n === 0);
  await waitUntil('the lens to show the semver tag', () => lensText(wb), (t) => /1\.0\.0 · semver/.test(t));
  await ctx.shot('the quick fix set a version tag');
});

scenario('image tags: Bump & Apply rolls out a second ReplicaSet', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  await wb.runCommand('Notifications: Clear All Notifications');
  await openCourseManifest(ctx);
  const first = commit(ctx.workspace, 'version one');
  ctx.step(`HEAD ${first}; Bump & Apply creates the deployment`);
  await lens(wb, 'Bump & Apply').first().click();
  await waitUntil('the first new tag', () => editorText(wb), (t) => t.includes(`dwk-app1:${first}`));
  await waitUntil('the lens to say the cluster has it', () => lensText(wb), (t) => /deployed/.test(t), 60_000);
  const second = commit(ctx.workspace, 'version two');
  ctx.step(`HEAD ${second}; Bump & Apply rolls out`);
  await lens(wb, 'Bump & Apply').first().click();
  await waitUntil('the second new tag', () => editorText(wb), (t) => t.includes(`dwk-app1:${second}`));
  await waitUntil('the lens to say the cluster has the second version', () => lensText(wb), (t) => /deployed/.test(t) && t.includes(second.slice(0, 7)), 90_000);
  await ctx.shot('after Bump and Apply the lens says the new tag is deployed');

  ctx.step('open the k3d view: two ReplicaSets under hashgenerator-dep');
  await wb.openViewContainer('k3d');
  const labels = () => page.locator('.part.sidebar .monaco-list-row[role="treeitem"] .label-name').evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
  // Expanded again on each look, as a person clicks again: a click that lands while the view re-renders
  // (a refresh of the cluster list or the registries group) opens nothing.
  const expandAndRead = async (): Promise<string[]> => {
    for (const label of ['k3s-default', 'default', 'hashgenerator-dep']) {
      const row = wb.treeItem(label).first();
      if ((await row.count()) > 0 && (await row.getAttribute('aria-expanded')) === 'false') {
        await row.locator('.monaco-tl-twistie').click().catch(() => undefined);
        await page.waitForTimeout(400);
      }
    }
    return labels();
  };
  const replicaSets = (l: string[]) => l.filter((t) => /^hashgenerator-dep-[a-z0-9]{6,10}$/.test(t));
  const seen = await waitUntil('two hashgenerator-dep ReplicaSets in the tree', expandAndRead, (l) => replicaSets(l).length >= 2, 30_000).catch(() => labels());
  ctx.step(`tree: ${seen.join(' | ').slice(0, 600)}`);
  await ctx.shot('two ReplicaSets in the tree after the rollout');
  check(replicaSets(seen).length === 2, `expected two ReplicaSets of hashgenerator-dep in the tree: ${seen.join(' | ')}`);
}, 200_000);

scenario('image tags: Build & Deploy says clearly when Docker is not running', 'dockerDown', async (ctx) => {
  const { wb, page } = ctx;
  await openCourseManifest(ctx);
  fs.writeFileSync(path.join(ctx.workspace, 'Dockerfile'), 'FROM node:22-alpine\nCOPY app.txt /app/\n');
  ctx.step('click Build & Deploy');
  await lens(wb, 'Build & Deploy').first().click();
  const toast = wb.notification(/Docker is not running/);
  await toast.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  await page.waitForTimeout(600); // the toast slides in
  check((await toast.first().getByRole('button', { name: 'Show Output' }).count()) > 0, 'the error should offer Show Output');
  await ctx.shot('Build and Deploy stops with a clear message when Docker is down');
  check((await editorText(wb)).includes(`dwk-app1:${OLD_SHA}`), 'the manifest should be unchanged');
  await toast.first().getByRole('button', { name: 'Show Output' }).click();
  await waitUntil('the k3d Build output', async () => ((await page.locator('.part.panel .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' '), (t) => /docker version/.test(t) && /Cannot connect to the Docker daemon/i.test(t));
  await ctx.shot('the k3d Build output shows what docker said');
});
