// The inner loop, as a person lives it: Deploy on Save turned on for the sample app's image;
// edit the app's message and save — the real Docker engine builds it, the simulated k3d imports
// it, the tag is bumped, applied and rolled out, and the Output panel shows the new pod printing
// the new message while the status bar shows each phase's time. Then the two failures a learner
// meets: a build error (at its Dockerfile line, the manifest unchanged) and a crash loop (the
// previous container's last lines), each with its reason and fix.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { waitUntil } from '../lib/workbench.ts';
import { docker, dockerOk, requireDocker } from '../../lib/docker.ts';
import { copyHashApp, ensureBaseImage } from '../../lib/images.ts';
import { appDeployment } from '../lib/manifests.ts';

const APP = 'loopapp';
const MANIFEST = `${APP}/manifests/deployment.yaml`;

const deployment = (image: string): string => appDeployment(APP, image);

async function outputLines(ctx: ScenarioContext): Promise<string[]> {
  const lines = await ctx.page.locator('.part.panel .monaco-editor .view-lines .view-line').allTextContents();
  return lines.map((l) => l.replace(/\u00a0/g, ' ').trim());
}

/** The status bar entry of the loop ("k3d: building loopapp:2…", "k3d: built 3.1 s · ..."). */
async function loopStatus(ctx: ScenarioContext): Promise<string> {
  return (await ctx.wb.statusBarTexts()).find((t) => /^\S*\s*k3d: (built|build|building|planning|importing|applying|rolling|waiting|setting|Deploy on Save|rollout|deliver|first log|cancelled|.* is up to date)/.test(t.replace(/^\$\([^)]*\)\s*/, ''))) ?? '';
}

/** Replaces the active editor's whole text (plain text) and saves it (Ctrl+S), as a person does. */
async function typeAndSave(ctx: ScenarioContext, relative: string, shows: string, text: string): Promise<void> {
  const { wb, page } = ctx;
  await wb.quickOpenFile(relative, shows);
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await waitUntil(`the new text of ${relative}`, () => wb.editorText(), (t) => t.includes(text.trim()));
  await save(ctx, relative, text.trim());
}

/** Ctrl+S, then waits until the file on disk holds `expected`. */
async function save(ctx: ScenarioContext, relative: string, expected: string): Promise<void> {
  await ctx.page.keyboard.press('ControlOrMeta+S');
  await waitUntil(`${relative} saved`, async () => fs.readFileSync(path.join(ctx.workspace, relative), 'utf8'), (t) => t.includes(expected));
}

/** Replaces one line of `relative` (found by its text) by typing, as a person does, and saves. */
async function replaceLineAndSave(ctx: ScenarioContext, relative: string, line: string, typed: string, expected: string): Promise<void> {
  const { wb, page } = ctx;
  await wb.quickOpenFile(relative, line);
  await page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: line }).first().click();
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type(typed);
  await waitUntil(`the edit of ${relative}`, () => wb.editorText(), (t) => t.includes(expected));
  await save(ctx, relative, expected);
}

function manifestOnDisk(ctx: ScenarioContext): string {
  return fs.readFileSync(path.join(ctx.workspace, MANIFEST), 'utf8');
}

scenario('inner loop: Deploy on Save builds, imports, applies and rolls out the saved change; the new pod\'s output and the phase times show; a build error and a crash loop stop it with their reasons', 'simulated', async (ctx) => {
  const settings = path.join(ctx.workspace, '.vscode', 'settings.json');
  try {
    await innerLoop(ctx, settings);
  } finally {
    const { wb } = ctx;
    await wb.dismissQuickInput();
    await wb.runCommand('View: Close All Editors').catch(() => undefined);
    if ((await wb.dialog().count()) > 0) await wb.clickDialogButton("Don't Save").catch(() => undefined);
    // Turn it off (the workspace state would otherwise restore the watch in the next scenario).
    await wb.quickOpenFile(MANIFEST, `image: ${APP}:`).catch(() => undefined);
    await ctx.page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: `image: ${APP}:` }).first().click().catch(() => undefined);
    await wb.runCommand('k3d: Toggle Deploy on Save').catch(() => undefined);
    await wb.runCommand('k3d: Stop Following Logs').catch(() => undefined);
    await wb.dismissQuickInput();
    await wb.runCommand('View: Close All Editors').catch(() => undefined);
    await wb.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
    if (ctx.sim) spawnSync('kubectl', ['delete', 'deployment', `${APP}-dep`, '--ignore-not-found', '--wait=false'], { env: ctx.sim.env, encoding: 'utf8' });
    fs.rmSync(path.join(ctx.workspace, APP), { recursive: true, force: true });
    fs.rmSync(path.dirname(settings), { recursive: true, force: true });
  }
}, 600_000);

async function innerLoop(ctx: ScenarioContext, settings: string): Promise<void> {
  const { wb, page } = ctx;
  const stamp = Date.now().toString(36);
  await requireDocker();
  await ensureBaseImage();
  const dir = path.join(ctx.workspace, APP);
  fs.rmSync(dir, { recursive: true, force: true });
  copyHashApp(dir, `version one ${stamp}`);
  fs.mkdirSync(path.join(dir, 'manifests'), { recursive: true });
  fs.writeFileSync(path.join(ctx.workspace, MANIFEST), deployment(`${APP}:1`));
  for (const tag of ['1', '2', '3', '4']) await docker(['image', 'rm', '--force', `${APP}:${tag}`]);
  // Saves only on Ctrl+S (the desktop's default), and a short quiet time.
  fs.mkdirSync(path.dirname(settings), { recursive: true });
  fs.writeFileSync(settings, JSON.stringify({ 'files.autoSave': 'off', 'k3d.deployOnSave.delay': 300 }, null, 2));
  await page.waitForTimeout(1500);
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.runCommand('View: Close Primary Side Bar').catch(() => wb.dismissQuickInput());

  ctx.step(`open ${MANIFEST}; Toggle Deploy on Save on its image line`);
  await wb.quickOpenFile(MANIFEST, `image: ${APP}:1`);
  await page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: `image: ${APP}:1` }).first().click();
  await wb.runCommand('k3d: Toggle Deploy on Save');
  await wb.notification(/Deploy on Save is on for loopapp/).first().waitFor({ timeout: 60_000 });
  await waitUntil('the Deploy on Save status bar entry', () => loopStatus(ctx), (t) => /Deploy on Save/.test(t));
  await ctx.shot('Deploy on Save turned on for the sample app');
  await wb.runCommand('Notifications: Clear All Notifications');

  const second = `Hello from Deploy on Save ${stamp}`;
  ctx.step('edit message.txt and save: the loop runs');
  await typeAndSave(ctx, `${APP}/message.txt`, `version one ${stamp}`, `${second}\n`);
  const running = await waitUntil('a running phase in the status bar', () => loopStatus(ctx), (t) => /planning|building|importing|applying|rolling out|waiting|built/.test(t), 60_000);
  ctx.step(`status bar: ${running}`);
  await ctx.shot('the loop is running, its phase in the status bar');
  const done = await waitUntil(
    'the phase times in the status bar',
    () => loopStatus(ctx),
    (t) => /built [\d.]+ s · imported [\d.]+ s · applied [\d.]+ s · rolled out [\d.]+ s · first log [\d.]+ s/.test(t) || /failed|stopped/.test(t),
    240_000,
  );
  ctx.step(`status bar: ${done}`);
  check(/built [\d.]+ s · imported [\d.]+ s · applied [\d.]+ s · rolled out [\d.]+ s · first log [\d.]+ s/.test(done), `the result line: "${done}"`);
  check(manifestOnDisk(ctx).includes(`image: ${APP}:2`), 'the manifest on disk should say loopapp:2');
  await waitUntil('the new message in the Output panel', () => outputLines(ctx), (l) => l.some((x) => x.includes(second)), 120_000);
  await wb.runCommand('Notifications: Clear All Notifications');
  await ctx.shot('saved: the new pod prints the new message, the status bar shows each phase time', 'inner-loop-deploy-on-save');

  ctx.step('break the Dockerfile (COPY a file that does not exist) and save: the build fails at its line');
  const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  check(dockerfile.includes('COPY message.txt app.sh /app/'), 'the Dockerfile should have its COPY line');
  await replaceLineAndSave(ctx, `${APP}/Dockerfile`, 'COPY message.txt app.sh /app/', 'COPY message.txt app.sh missing.txt /app/', 'COPY message.txt app.sh missing.txt /app/');
  const failed = wb.notification(/Deploy on Save stopped: docker build failed at Dockerfile line \d+: COPY failed: .*missing\.txt/).first();
  await failed.waitFor({ timeout: 180_000 });
  const failedText = (await failed.locator('.notification-list-item-message').textContent()) ?? '';
  ctx.step(`notification: ${failedText}`);
  check(/The manifest is unchanged/.test(failedText), `the notification should say the manifest is unchanged: "${failedText}"`);
  check(manifestOnDisk(ctx).includes(`image: ${APP}:2`), 'a failed build leaves the manifest at loopapp:2');
  await wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
  const problem = await waitUntil(
    'the build error in Problems',
    async () => ((await page.locator('.part.panel .markers-panel .monaco-list-row').allTextContents()) ?? []).join(' | '),
    (t) => /COPY failed/.test(t),
  );
  ctx.step(`problems: ${problem}`);
  await ctx.shot('the failed build in a notification and in Problems at its Dockerfile line', 'inner-loop-build-error');
  await wb.runCommand('Notifications: Clear All Notifications');

  ctx.step('restore the Dockerfile; make the app exit at start and save: a crash loop with its last lines');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  await wb.runCommand('File: Revert File').catch(() => undefined);
  // The first line after the comment header: the app now prints a fatal error and exits.
  await replaceLineAndSave(ctx, `${APP}/app.sh`, 'message=$(cat /app/message.txt)', 'echo fatal: no database configured; exit 3', 'echo fatal: no database configured; exit 3');
  const crash = wb.notification(/Deploy on Save stopped: pod loopapp-dep-\S+ (is CrashLoopBackOff|exited)/).first();
  await crash.waitFor({ timeout: 240_000 });
  const crashText = (await crash.locator('.notification-list-item-message').textContent()) ?? '';
  ctx.step(`notification: ${crashText}`);
  check(/fatal: no database configured/.test(crashText), `the notification should carry the previous container's last lines: "${crashText}"`);
  check(/kubectl logs --previous/.test(crashText), `the notification should say what to do: "${crashText}"`);
  await crash.hover();
  await ctx.shot('a crash loop stops the loop with the last lines the container printed', 'inner-loop-crash-loop');
  await wb.runCommand('Notifications: Clear All Notifications');

  ctx.step('make the app print nothing for a minute and save; Cancel while the loop waits for the first log line: the tag edit is undone');
  const tagBefore = manifestOnDisk(ctx).match(/image: (\S+)/)?.[1] ?? '';
  await replaceLineAndSave(ctx, `${APP}/app.sh`, 'echo fatal: no database configured; exit 3', 'sleep 60', 'sleep 60');
  await waitUntil('the first-log phase in the status bar', () => loopStatus(ctx), (t) => /waiting for the first log line/.test(t), 240_000);
  const tagDuring = manifestOnDisk(ctx).match(/image: (\S+)/)?.[1] ?? '';
  ctx.step(`the manifest says ${tagDuring} while the loop waits (it said ${tagBefore})`);
  check(tagDuring !== tagBefore, 'the tag edit is made before the apply');
  const progress = wb.notificationToasts().filter({ hasText: 'Deploy on Save' }).filter({ has: page.getByRole('button', { name: 'Cancel' }) });
  await progress.first().hover();
  await ctx.shot('the loop waits for the new pod\'s first line, the new tag saved; Cancel in its notification');
  await progress.first().getByRole('button', { name: 'Cancel' }).click();
  const cancelled = await waitUntil('the cancel in the status bar', () => loopStatus(ctx), (t) => /cancelled while waiting for the first log line/.test(t), 60_000);
  ctx.step(`status bar: ${cancelled}`);
  await waitUntil('the manifest back as it was', async () => manifestOnDisk(ctx), (t) => t.includes(`image: ${tagBefore}\n`));
  check(manifestOnDisk(ctx) === deployment(tagBefore), 'the manifest on disk is byte for byte as it was before the run');
  await ctx.shot('Cancel after the tag edit: the manifest is as it was', 'inner-loop-cancel-undoes-tag');
}

const PULLFIX = 'pullfix/deployment.yaml';

scenario('inner loop: a local :latest image\'s pull policy Quick Fix shows its diff first; Cancel changes nothing, Apply Change adds one line', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  const dir = path.join(ctx.workspace, 'pullfix');
  try {
    await requireDocker();
    const base = await ensureBaseImage();
    await docker(['image', 'rm', 'pullfix:latest']).catch(() => undefined);
    fs.mkdirSync(dir, { recursive: true });
    const text = deployment('pullfix:latest').replaceAll(APP, 'pullfix');
    fs.writeFileSync(path.join(ctx.workspace, PULLFIX), text);
    await wb.runCommand('Notifications: Clear All Notifications');
    ctx.step(`open ${PULLFIX} while Docker has no pullfix:latest: only the :latest lesson`);
    await wb.quickOpenFile(PULLFIX, 'image: pullfix:latest');
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 90_000 });
    // Built on this machine, never pushed: a :latest image the node would try to pull. Tagged as in a terminal,
    // with the file open and untouched: Docker's image events bring the local-image lesson without an edit.
    ctx.step('docker tag BASE pullfix:latest, as in a terminal: the local-image lesson appears on its own');
    await dockerOk(['tag', base, 'pullfix:latest']);
    await page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: 'image: pullfix:latest' }).first().click({ force: true }); // the cursor layer can lie over the line
    await page.keyboard.press('End');
    const openFix = async () => {
      const fix = page.locator('.action-widget .action-list-item, .action-widget .monaco-list-row', { hasText: 'Set imagePullPolicy: IfNotPresent (shows the diff first)' });
      await waitUntil('the pull policy Quick Fix', async () => {
        if ((await fix.count()) === 0) {
          await page.keyboard.press('Escape');
          await page.keyboard.press('ControlOrMeta+Period');
          await page.waitForTimeout(1000);
        }
        return fix.count();
      }, (n) => n > 0, 30_000); // within seconds of the tag: nothing else re-reads Docker's images for the open file
      await ctx.shot('the Quick Fix menu offers the pull policy fix, saying it shows the diff first');
      await fix.first().click();
      await wb.dialog().waitFor({ timeout: 30_000 });
    };

    ctx.step('choose the Quick Fix: the diff opens beside, and a question names the line');
    await openFix();
    const question = await wb.dialogMessage();
    ctx.step(`dialog: ${question}`);
    check(/Set imagePullPolicy: IfNotPresent in pullfix\/deployment\.yaml\? The diff shows the change/.test(question), `the question: "${question}"`);
    const detail = ((await wb.dialog().locator('.dialog-message-detail').textContent()) ?? '').trim();
    check(/line 18: \+ imagePullPolicy: IfNotPresent/.test(detail), `the detail names the added line: "${detail}"`);
    const diffTab = page.locator('.tabs-container .tab', { hasText: 'imagePullPolicy: IfNotPresent (proposed)' });
    await diffTab.first().waitFor({ timeout: 30_000 });
    const added = page.locator('.monaco-diff-editor .editor.modified .view-line', { hasText: 'imagePullPolicy: IfNotPresent' });
    await added.first().waitFor({ timeout: 30_000 });
    check(!fs.readFileSync(path.join(ctx.workspace, PULLFIX), 'utf8').includes('imagePullPolicy'), 'nothing is written before the answer');
    await ctx.shot('the pull policy change as a diff beside the file, before anything is changed', 'inner-loop-pull-policy-diff');

    ctx.step('Cancel: the diff closes, the file is as it was');
    await wb.clickDialogButton('Cancel');
    await waitUntil('the diff to close', () => diffTab.count(), (n) => n === 0);
    await wb.quickOpenFile(PULLFIX, 'image: pullfix:latest');
    check(!(await wb.editorText()).includes('imagePullPolicy'), 'Cancel leaves the editor\'s text as it was');

    ctx.step('the Quick Fix again, Apply Change: one line under image:, one undoable edit');
    await page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: 'image: pullfix:latest' }).first().click({ force: true }); // the cursor layer can lie over the line
    await page.keyboard.press('End');
    await openFix();
    await wb.clickDialogButton('Apply Change');
    await waitUntil('the new line in the editor', () => wb.editorText(), (t) => t.includes('imagePullPolicy'));
    // Saved, the file is the old one plus exactly one line, right under image: (the editor's DOM order is not the line order).
    await save(ctx, PULLFIX, 'imagePullPolicy');
    const onDisk = fs.readFileSync(path.join(ctx.workspace, PULLFIX), 'utf8');
    check(onDisk === text.replace('image: pullfix:latest\n', 'image: pullfix:latest\n          imagePullPolicy: IfNotPresent\n'), `the line goes right under image:, nothing else changes: ${JSON.stringify(onDisk)}`);
    await waitUntil('the diff to close', () => diffTab.count(), (n) => n === 0);
    await waitUntil('the lesson to go', () => page.locator('.monaco-editor .squiggly-warning').count(), (n) => n <= 1); // the :latest tag lesson stays
    await ctx.shot('Apply Change added imagePullPolicy: IfNotPresent under the image line', 'inner-loop-pull-policy-applied');
    await page.keyboard.press('ControlOrMeta+Z');
    await waitUntil('undo removes the line', () => wb.editorText(), (t) => !t.includes('imagePullPolicy'));
  } finally {
    await wb.dismissQuickInput();
    if ((await wb.dialog().count()) > 0) await wb.clickDialogButton('Cancel').catch(() => undefined);
    await wb.runCommand('View: Close All Editors').catch(() => undefined);
    if ((await wb.dialog().count()) > 0) await wb.clickDialogButton("Don't Save").catch(() => undefined);
    await wb.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    await docker(['image', 'rm', 'pullfix:latest']).catch(() => undefined);
  }
}, 300_000);
