// The course's build → import → deploy loop for real. The sample app (the hash
// generator, FROM the local base image) is built by the real Docker engine, delivered with
// `k3d image import`, the tag bumped, applied, and the new pod's real output streams into the
// Output panel. Then the classic failure: an image built only on the host sits in ErrImagePull
// until the notification's Import into Cluster puts it in the cluster. Also:
// Bump & Apply asks before saving another unsaved edit of the manifest.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { appDeployment } from '../lib/manifests.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';
import { docker, requireDocker } from '../../lib/docker.ts';
import { buildHashApp, copyHashApp, ensureBaseImage } from '../../lib/images.ts';

const APP = 'hashapp';
const MANIFEST = `${APP}/manifests/deployment.yaml`;
const LOCAL_MANIFEST = `${APP}/manifests/local-only.yaml`;

/** The visible lines of the Output panel. */
async function outputLines(ctx: ScenarioContext): Promise<string[]> {
  const lines = await ctx.page.locator('.part.panel .monaco-editor .view-lines .view-line').allTextContents();
  return lines.map((l) => l.replace(/\u00a0/g, ' ').trim());
}

/** A notification's button, once the toast with that text shows. */
async function notificationButton(ctx: ScenarioContext, text: RegExp, button: string, timeoutMs = 90_000) {
  const toast = ctx.wb.notification(text).first();
  await toast.waitFor({ timeout: timeoutMs });
  const b = toast.getByRole('button', { name: button, exact: true });
  await b.waitFor({ timeout: DEFAULT_TIMEOUT });
  return { toast, button: b };
}

/** Follow Logs from the palette, choosing the deployment: all its pods, prefixed. */
async function followDeploymentLogs(ctx: ScenarioContext, name: string): Promise<void> {
  const { wb, page } = ctx;
  await wb.runCommand('k3d: Follow Logs');
  const row = wb.quickPickRow(name);
  await row.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  await row.first().click();
  await page.locator('.part.panel .monaco-editor .view-lines').first().waitFor({ timeout: DEFAULT_TIMEOUT });
}

/**
 * VS Code in the browser saves edits after a second by default (files.autoSave afterDelay);
 * the desktop does not, and that is where an unsaved edit can ride along with a save. This
 * workspace behaves like the desktop while these scenarios run.
 */
async function withoutAutoSave(ctx: ScenarioContext, body: () => Promise<void>): Promise<void> {
  const file = path.join(ctx.workspace, '.vscode', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ 'files.autoSave': 'off' }, null, 2));
  await ctx.page.waitForTimeout(1500); // the settings file is watched
  try {
    await body();
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/**
 * Leaves the fixture as the other scenarios expect it: no log stream, no editor, no deployment
 * and no file of this scenario (Quick Open's "deployment.yaml" must find only the course's).
 */
async function cleanUp(ctx: ScenarioContext, deployments: string[], files: string[]): Promise<void> {
  const { wb } = ctx;
  await wb.dismissQuickInput();
  if ((await wb.dialog().count()) > 0) await wb.clickDialogButton('Cancel').catch(() => undefined);
  await wb.runCommand('k3d: Stop Following Logs').catch(() => undefined);
  await wb.dismissQuickInput();
  await wb.runCommand('File: Revert File').catch(() => undefined);
  await wb.runCommand('View: Close All Editors').catch(() => undefined);
  if ((await wb.dialog().count()) > 0) await wb.clickDialogButton("Don't Save").catch(() => undefined);
  await wb.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  if (ctx.sim) {
    for (const d of deployments) spawnSync('kubectl', ['delete', 'deployment', d, '--ignore-not-found', '--wait=false'], { env: ctx.sim.env, encoding: 'utf8' });
  }
  for (const f of files) fs.rmSync(path.join(ctx.workspace, f), { recursive: true, force: true });
}

async function setup(ctx: ScenarioContext, stamp: string): Promise<void> {
  await requireDocker();
  await ensureBaseImage();
  const dir = path.join(ctx.workspace, APP);
  fs.rmSync(dir, { recursive: true, force: true });
  copyHashApp(dir, `Hello from version one ${stamp}`);
  fs.mkdirSync(path.join(dir, 'manifests'), { recursive: true });
  fs.writeFileSync(path.join(ctx.workspace, MANIFEST), appDeployment(APP, `${APP}:1`));
  // No earlier run's image may stand in for the one this scenario builds.
  for (const tag of ['1', '2', '3']) await docker(['image', 'rm', '--force', `${APP}:${tag}`]);
}

scenario('build and deploy: change the app\'s message, Build & Deploy builds it with Docker, imports it with k3d, and the new pod prints it', 'simulated', (ctx) => withoutAutoSave(ctx, async () => {
  try {
    await changeMessageAndBuild(ctx);
  } finally {
    await cleanUp(ctx, [`${APP}-dep`], [APP]);
  }
}), 420_000);

async function changeMessageAndBuild(ctx: ScenarioContext): Promise<void> {
  const { wb, page } = ctx;
  const stamp = Date.now().toString(36);
  const second = `Hello from Build & Deploy ${stamp}`;
  await setup(ctx, stamp);
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.runCommand('View: Close Primary Side Bar').catch(() => wb.dismissQuickInput());

  ctx.step(`open ${MANIFEST}; click Build & Deploy (hashapp:1 -> 2)`);
  await wb.quickOpenFile(MANIFEST, `image: ${APP}:1`);
  await wb.codeLens('Build & Deploy').first().waitFor({ timeout: 60_000 }); // the first YAML loads the feature
  await ctx.shot('the sample app manifest with its Build and Deploy lens');
  await wb.codeLens('Build & Deploy').first().click();
  await waitUntil('the Build & Deploy progress', () => wb.notification(/Build & Deploy hashapp:2|Building hashapp:2|Importing hashapp:2/).count(), (n) => n > 0, 60_000)
    .then(() => ctx.shot('Build and Deploy building and importing hashapp 2'))
    .catch(() => undefined); // a fast build may be done before the toast is seen
  await wb.notification(/deployment "hashapp-dep" successfully rolled out/).first().waitFor({ timeout: 180_000 });
  check((await wb.editorText()).includes(`image: ${APP}:2`), 'the manifest should say hashapp:2');
  await ctx.shot('hashapp 2 built, imported into k3s-default, applied and rolled out');

  ctx.step('follow the deployment\'s logs: version one');
  await followDeploymentLogs(ctx, `${APP}-dep`);
  await waitUntil('version one\'s lines in the Output panel', () => outputLines(ctx), (l) => l.some((x) => x.includes(`Hello from version one ${stamp}`)), 60_000);
  await ctx.shot('the pod prints the message of version one');

  ctx.step('edit message.txt in the editor (unsaved)');
  await wb.quickOpenFile(`${APP}/message.txt`, 'Hello from version one');
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(second);
  await waitUntil('the new message in the editor', () => wb.editorText(), (t) => t.includes(second));
  await ctx.shot('the app\'s message changed in the editor, not saved');

  ctx.step('Bump & Apply with another unsaved edit in the manifest asks first; Cancel changes nothing');
  await wb.quickOpenFile(MANIFEST, `image: ${APP}:2`);
  await page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: 'replicas: 1' }).first().click();
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('2');
  await wb.codeLens('Bump & Apply').first().click();
  await wb.dialog().waitFor({ timeout: DEFAULT_TIMEOUT });
  const question = await wb.dialogMessage();
  ctx.step(`dialog: ${question}`);
  check(question === `${MANIFEST} has unsaved changes. Save them and apply them too?`, `the question: "${question}"`);
  await ctx.shot('Bump and Apply asks before saving the other unsaved edit');
  await wb.clickDialogButton('Cancel');
  await wb.dialog().waitFor({ state: 'hidden' });
  const afterCancel = await wb.editorText();
  check(afterCancel.includes(`image: ${APP}:2`) && afterCancel.includes('replicas: 2'), 'Cancel should leave the tag and the unsaved edit as they were');
  check(fs.readFileSync(path.join(ctx.workspace, MANIFEST), 'utf8').includes('replicas: 1'), 'Cancel should save nothing');
  await wb.runCommand('File: Revert File');
  await waitUntil('the manifest reverted', () => wb.editorText(), (t) => t.includes('replicas: 1'));

  ctx.step('Build & Deploy: the unsaved message.txt is saved first (asked), hashapp:3 built and imported');
  await wb.codeLens('Build & Deploy').first().click();
  await wb.dialog().waitFor({ timeout: DEFAULT_TIMEOUT });
  const saveFirst = await wb.dialogMessage();
  check(/hashapp\/message\.txt has unsaved changes, and docker build reads the saved files/.test(saveFirst), `the build-context question: "${saveFirst}"`);
  await ctx.shot('Build and Deploy offers to save the edited message before building');
  await wb.clickDialogButton('Save and Build');
  await waitUntil('the tag to become 3', () => wb.editorText(), (t) => t.includes(`image: ${APP}:3`), 180_000);
  check(fs.readFileSync(path.join(ctx.workspace, APP, 'message.txt'), 'utf8').includes(second), 'message.txt should have been saved before the build');
  const built = await docker(['image', 'inspect', '--format', '{{.Id}}', `${APP}:3`]);
  check(built.code === 0, `docker should have built hashapp:3: ${built.stderr}`);

  ctx.step('the new pod prints the new message in the Output panel');
  await followDeploymentLogs(ctx, `${APP}-dep`);
  const lines = await waitUntil('the new message in the Output panel', () => outputLines(ctx), (l) => l.some((x) => x.includes(second)), 120_000);
  ctx.step(`output: ${lines.slice(-4).join(' / ')}`);
  await wb.runCommand('Notifications: Clear All Notifications'); // the toasts would cover the lines
  await waitUntil('the new message in the Output panel', () => outputLines(ctx), (l) => l.some((x) => x.includes(second)));
  await ctx.shot('after Build and Deploy the new pod prints the new message', 'build-deploy-new-message');
}

scenario('build and deploy: an image built only on the host fails with ErrImagePull; Import into Cluster makes the pod Running', 'simulated', async (ctx) => {
  try {
    await hostOnlyImageFixed(ctx);
  } finally {
    await cleanUp(ctx, ['hashlocal-dep'], [APP]);
  }
}, 300_000);

scenario('build and deploy: three deployments of an image built only on the host fail together: one notification, Import All into Cluster, all three roll out', 'simulated', async (ctx) => {
  const names = ['trio-a', 'trio-b', 'trio-c'];
  try {
    await threeStuckFixedAtOnce(ctx, names);
  } finally {
    await cleanUp(ctx, names.map((n) => `${n}-dep`), [APP]);
  }
}, 300_000);

/**
 * Builds hashapp-NAME:<this run's tag> on the host only (an earlier run's import must not be in the cluster
 * already), writes `deployments(image)` to APP/manifests/NAME.yaml, opens it and runs Apply to Cluster. The image.
 */
async function applyWithHostOnlyImage(ctx: ScenarioContext, name: string, message: string, deployments: (image: string) => string[]): Promise<string> {
  const { wb } = ctx;
  await requireDocker();
  const image = `hashapp-${name}:${Date.now().toString(36)}`;
  await buildHashApp({ tag: image, message });
  const file = `${APP}/manifests/${name}.yaml`;
  fs.mkdirSync(path.join(ctx.workspace, APP, 'manifests'), { recursive: true });
  fs.writeFileSync(path.join(ctx.workspace, file), deployments(image).join('---\n'));
  await wb.runCommand('Notifications: Clear All Notifications');
  ctx.step(`open ${file} (${image} is built on the host only); Apply to Cluster`);
  await wb.quickOpenFile(file, `image: ${image}`);
  await wb.runCommand('k3d: Apply to Cluster');
  return image;
}

/**
 * VS Code shows a toast that comes when three others came in the last 800 ms only in its bell: three
 * rollouts failing at once had one notification each, and one or two of them (with their fix) were hidden.
 */
async function threeStuckFixedAtOnce(ctx: ScenarioContext, apps: string[]): Promise<void> {
  const { wb } = ctx;
  const image = await applyWithHostOnlyImage(ctx, 'trio', 'three deployments, one image', (img) => apps.map((app) => appDeployment(app, img)));
  const seen = new Set<string>();
  const together = /3 rollouts are stuck: /;
  await waitUntil('one notification for the three stuck rollouts', async () => {
    const texts = await wb.notificationToasts().locator('.notification-list-item-message').allTextContents();
    for (const t of texts) seen.add(t.replace(/\s+/g, ' ').trim());
    return [...seen];
  }, (all) => all.some((t) => together.test(t)), 120_000);
  // The failures' own notifications would come within the same second: give them the time to show.
  await ctx.page.waitForTimeout(1500);
  for (const t of await wb.notificationToasts().locator('.notification-list-item-message').allTextContents()) seen.add(t.replace(/\s+/g, ' ').trim());
  const message = [...seen].find((t) => together.test(t)) ?? '';
  ctx.step(`notification: ${message}`);
  for (const app of apps) check(new RegExp(`${app}-dep \\(pod ${app}-dep-[a-z0-9]+-[a-z0-9]{5} is (ErrImagePull|ImagePullBackOff)\\)`).test(message), `the notification should name ${app}-dep and its pod's reason: "${message}"`);
  check(message.split(`k3d image import ${image} -c k3s-default`).length === 2, `the one image should be imported once: "${message}"`);
  check(![...seen].some((t) => /^The rollout of trio-[abc]-dep is stuck/.test(t)), `no notification per deployment: ${[...seen].join(' || ')}`);
  const { toast, button } = await notificationButton(ctx, together, 'Import All into Cluster', DEFAULT_TIMEOUT);
  await toast.getByRole('button', { name: 'Choose Deployment…', exact: true }).waitFor({ timeout: DEFAULT_TIMEOUT });
  await toast.hover();
  await ctx.page.waitForTimeout(500);
  await ctx.shot('three rollouts stuck on an image only on the host: one notification, Import All into Cluster', 'build-deploy-three-stuck');

  ctx.step('click Import All into Cluster');
  await button.click();
  const rolledOut = await waitUntil('one message naming the three', async () => (await wb.notificationToasts().locator('.notification-list-item-message').allTextContents()).join(' | '), (t) => apps.every((app) => new RegExp(`deployments [^|]*"${app}-dep"[^|]* successfully rolled out in k3d-k3s-default`).test(t)), 180_000);
  ctx.step(`after the import: ${rolledOut}`);
  // The import's, the pull waits' and the rollout's progress notifications close as the message comes.
  await waitUntil('the progress notifications to close', () => wb.progressNotification().count(), (n) => n === 0, 30_000);
  await ctx.shot('after Import All into Cluster the three rollouts complete');
  await docker(['image', 'rm', '--force', image]);
}

scenario('build and deploy: two rollouts stuck for different reasons: one notification without a fix for all; Choose Deployment… fixes one, and the other comes back on its own', 'simulated', async (ctx) => {
  try {
    await twoStuckChosen(ctx);
  } finally {
    await cleanUp(ctx, ['mixed-local-dep', 'mixed-typo-dep'], [APP]);
  }
}, 300_000);

async function twoStuckChosen(ctx: ScenarioContext): Promise<void> {
  const { wb } = ctx;
  // One image only on the host (Import into Cluster fixes it), one that no registry has (a typo: no fix to offer).
  const image = await applyWithHostOnlyImage(ctx, 'mixed', 'one of two', (img) => [appDeployment('mixed-local', img), appDeployment('mixed-typo', 'hashapp-typo-doesnotexist:1')]);
  const together = /2 rollouts are stuck: /;
  const { toast, button } = await notificationButton(ctx, together, 'Choose Deployment…', 120_000);
  const message = ((await toast.locator('.notification-list-item-message').textContent()) ?? '').replace(/\s+/g, ' ');
  ctx.step(`notification: ${message}`);
  check(/mixed-local-dep \(pod mixed-local-dep-\S+ is \w+\)/.test(message) && /mixed-typo-dep \(pod mixed-typo-dep-\S+ is \w+\)/.test(message), `the notification should name both with their pods' reasons: "${message}"`);
  check((await toast.getByRole('button', { name: 'Import All into Cluster', exact: true }).count()) === 0, 'no fix for all: the typo has none');
  await toast.hover();
  await ctx.page.waitForTimeout(500);
  await ctx.shot('two rollouts stuck for different reasons: Choose Deployment…', 'build-deploy-two-stuck-choose');

  ctx.step('Choose Deployment…, then mixed-local-dep: its own notification, with Import into Cluster');
  await button.click();
  const pick = await waitUntil('the stuck rollouts pick', () => wb.quickInputStep(), (s) => s.isPick && /Stuck rollouts/.test(s.title));
  const rows = await wb.quickInput().locator('.quick-input-list .monaco-list-row').allTextContents();
  ctx.step(`${pick.title}: ${rows.join(' | ')}`);
  check(rows.some((r) => r.includes('mixed-local-dep') && r.includes(`k3d image import ${image}`)), `the local one's row should say its fix: ${rows.join(' | ')}`);
  check(rows.some((r) => r.includes('mixed-typo-dep') && /Is the image name and tag right\?/.test(r)), `the typo's row should say what to check: ${rows.join(' | ')}`);
  await ctx.shot('the stuck rollouts, each with its reason and fix');
  await wb.pickRow('mixed-local-dep');
  const own = await notificationButton(ctx, /The rollout of mixed-local-dep is stuck/, 'Import into Cluster', DEFAULT_TIMEOUT);
  await own.button.click();
  await wb.notification(/deployment "mixed-local-dep" successfully rolled out/).first().waitFor({ timeout: 180_000 });
  ctx.step('mixed-local-dep rolled out after the import');

  ctx.step('the other stuck rollout comes back on its own, with what to check');
  const rest = wb.notification(/The rollout of mixed-typo-dep is stuck: .*Is the image name and tag right\?/).first();
  await rest.waitFor({ timeout: DEFAULT_TIMEOUT });
  await ctx.shot('after the chosen one is fixed, the other stuck rollout shows again');
  await docker(['image', 'rm', '--force', image]);
}

async function hostOnlyImageFixed(ctx: ScenarioContext): Promise<void> {
  const { wb, page } = ctx;
  const stamp = Date.now().toString(36);
  await requireDocker();
  const image = 'hashapp-local:1';
  await docker(['image', 'rm', '--force', image]);
  await buildHashApp({ tag: image, message: `built on the host only ${stamp}` });
  fs.mkdirSync(path.join(ctx.workspace, APP, 'manifests'), { recursive: true });
  fs.writeFileSync(path.join(ctx.workspace, LOCAL_MANIFEST), appDeployment('hashlocal', image));
  await wb.runCommand('Notifications: Clear All Notifications');

  ctx.step(`open ${LOCAL_MANIFEST}; Apply to Cluster without importing ${image}`);
  await wb.quickOpenFile(LOCAL_MANIFEST, `image: ${image}`);
  await wb.runCommand('k3d: Apply to Cluster');
  const stuck = /The rollout of hashlocal-dep is stuck: .*(ErrImagePull|ImagePullBackOff)/;
  const { toast, button } = await notificationButton(ctx, stuck, 'Import into Cluster', 120_000);
  const message = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
  ctx.step(`notification: ${message}`);
  check(/k3d image import hashapp-local:1 -c k3s-default/.test(message), `the notification should say what the fix runs: "${message}"`);
  await toast.hover();
  await page.waitForTimeout(500);
  await ctx.shot('ErrImagePull for an image only on the host, with Import into Cluster offered', 'build-deploy-errimagepull-fix');

  ctx.step('click Import into Cluster');
  await button.click();
  await wb.notification(/deployment "hashlocal-dep" successfully rolled out/).first().waitFor({ timeout: 180_000 });
  await ctx.shot('after Import into Cluster the rollout completes');

  ctx.step('the pod is Running and prints what the host build put in it');
  await followDeploymentLogs(ctx, 'hashlocal-dep');
  // Joined: a narrow Output panel wraps the line at a space.
  await waitUntil('the host build\'s message in the Output panel', () => outputLines(ctx), (l) => l.join(' ').includes(`built on the host only ${stamp}`), 60_000);
  await wb.openViewContainer('k3d');
  const podRow = page.locator('.part.sidebar .monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: /^hashlocal-dep-[a-z0-9]+-[a-z0-9]{5}$/ }) });
  // Cluster > namespace > deployment > ReplicaSet > pod.
  for (const label of ['k3s-default', 'default', 'hashlocal-dep', /^hashlocal-dep-[a-z0-9]+$/]) {
    const row = typeof label === 'string' ? wb.treeItem(label).first() : page.locator('.part.sidebar .monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: label }) }).first();
    await row.waitFor({ timeout: DEFAULT_TIMEOUT });
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    await page.waitForTimeout(400);
  }
  const description = await waitUntil('the pod row to say Running', async () => ((await podRow.first().locator('.label-description').textContent().catch(() => '')) ?? '').trim(), (d) => /^Running/.test(d), 60_000);
  ctx.step(`pod: ${description}`);
  await ctx.shot('the pod of the imported image is Running');
}
