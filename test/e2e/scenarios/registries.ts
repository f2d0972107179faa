// Registries and Import Image as a person uses them from the Clusters view: Create Registry (loopback only), a
// cluster created with it in the wizard (--registry-use), Build & Deploy pushing to 127.0.0.1:PORT while the
// manifest and the pod say k3d-NAME:PORT (and a manifest naming localhost:PORT refused with the name to use);
// Import Image from the cluster row with a check on every node, which reports an import k3d claimed but that
// missed a stopped agent; Delete Registry.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { k3d, k3dOk, listClusters } from '../../../scripts/lib/k3dEnv.ts';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';
import type { Workbench } from '../lib/workbench.ts';
import { docker, dockerOk, requireDocker } from '../../lib/docker.ts';
import { copyHashApp, ensureBaseImage } from '../../lib/images.ts';
import { appDeployment } from '../lib/manifests.ts';

const VIEW = 'Clusters';
const REG = 'e2e-reg';
const REG_NODE = `k3d-${REG}`;
const CLUSTER = 'e2e-regc';
const AGENT = `k3d-${CLUSTER}-agent-0`;
const APP = 'regapp';
const MANIFEST = `${APP}/manifests/deployment.yaml`;
const WRONG = `${APP}/manifests/localhost-name.yaml`;
const TIMEOUT = 90_000;

const row = (wb: Workbench, label: string) => wb.treeItem(label, wb.viewPane(VIEW));

async function openView(wb: Workbench): Promise<void> {
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.openViewContainer('k3d');
  await wb.viewPane(VIEW).first().waitFor({ timeout: DEFAULT_TIMEOUT });
}

const deployment = (image: string): string => appDeployment(APP, image);

/** The registry's host port, from `k3d registry list -o json`; undefined when it does not exist. */
async function registryPort(ctx: ScenarioContext): Promise<string | undefined> {
  const list = JSON.parse((await k3dOk(ctx.sim!, ['registry', 'list', '-o', 'json'])).trim() || '[]') as Array<{ name: string; portMappings?: Record<string, Array<{ HostPort: string }>> }>;
  const reg = list.find((r) => r.name === REG_NODE);
  return reg ? Object.values(reg.portMappings ?? {})[0]?.[0]?.HostPort : undefined;
}

async function notificationText(ctx: ScenarioContext, text: RegExp, timeoutMs = TIMEOUT): Promise<string> {
  const toast = ctx.wb.notification(text).first();
  await toast.waitFor({ timeout: timeoutMs });
  const message = ((await toast.locator('.notification-list-item-message').textContent()) ?? '').trim();
  ctx.step(`notification: ${message}`);
  // A long message shows one line until the toast is expanded (its chevron), as a person would for the screenshot.
  await toast.hover().catch(() => undefined);
  const expand = toast.locator('.codicon-notifications-expand');
  if ((await expand.count()) > 0) await expand.first().click().catch(() => undefined);
  return message;
}

/** Answers the Create Cluster wizard by each step's text; the registry step picks `registryRow`. */
async function answerCreateWizard(ctx: ScenarioContext, registryRow: string): Promise<void> {
  const { wb } = ctx;
  let previous = '';
  for (let i = 0; i < 10; i++) {
    const step = await waitUntil('the next wizard step', () => wb.quickInputStep(), (s) => /create/i.test(s.title) && `${s.title}|${s.message}|${s.placeholder}` !== previous, i === 0 ? DEFAULT_TIMEOUT : 4000).catch(() => undefined);
    if (!step) break;
    previous = `${step.title}|${step.message}|${step.placeholder}`;
    const text = `${step.title} | ${step.message} | ${step.placeholder}`;
    ctx.step(`wizard: ${text}`);
    if (step.isPick && /registry/i.test(text)) {
      const use = wb.quickPickRow(registryRow);
      await use.first().waitFor({ timeout: DEFAULT_TIMEOUT });
      await ctx.shot('the wizard offers no registry, a new one, or the running k3d-e2e-reg', 'registries-wizard-step');
      await use.first().click();
      break;
    } else if (step.isPick) await wb.quickPickRow('New cluster...').first().click();
    else if (/name/i.test(text)) await wb.answerInput(CLUSTER);
    else if (/agent/i.test(text)) await wb.answerInput('1');
    else if (/server/i.test(text)) await wb.answerInput('1');
    else if (/port/i.test(text) || /image/i.test(text)) await wb.answerInput('');
    else throw new Error(`unexpected wizard step: ${text}`);
  }
}

async function createRegistryFromTree(ctx: ScenarioContext): Promise<string> {
  const { wb } = ctx;
  const group = row(wb, 'Registries');
  await group.waitFor({ timeout: TIMEOUT });
  ctx.step('right-click Registries, Create Registry...');
  await wb.contextMenu(group, 'Create Registry...');
  const nameStep = await waitUntil('the name input', () => wb.quickInputStep(), (s) => /Create Registry: name/.test(s.title));
  ctx.step(`input: ${nameStep.title} | ${nameStep.message}`);
  await wb.answerInput(REG);
  const portStep = await waitUntil('the port input', () => wb.quickInputStep(), (s) => /Create Registry: host port/.test(s.title));
  ctx.step(`input: ${portStep.title} | ${portStep.message}`);
  check(/127\.0\.0\.1 only/.test(portStep.message) && /proxy-remote-url/.test(portStep.message), `the port step should say loopback only and why there is no pull-through cache: "${portStep.message}"`);
  const port = (await wb.quickInputBox().inputValue()).trim();
  check(/^\d+$/.test(port), `a free port should be suggested: "${port}"`);
  await ctx.shot('Create Registry suggests a free port on 127.0.0.1');
  await wb.page.keyboard.press('Enter');
  const message = await notificationText(ctx, new RegExp(`Registry ${REG_NODE} runs`));
  check(message.includes(`127.0.0.1:${port}/app:tag`) && message.includes(`${REG_NODE}:${port}/app:tag`), `the notification should give the push and the pull name: "${message}"`);
  const description = await waitUntil(`${REG_NODE} in the Registries group`, async () => ((await row(wb, REG_NODE).count()) ? wb.treeItemDescription(row(wb, REG_NODE)) : ''), (d) => /running/.test(d), TIMEOUT);
  ctx.step(`${REG_NODE}: "${description}"`);
  check(description === `push 127.0.0.1:${port} · pull ${REG_NODE}:${port} · running`, `the row should show both names: "${description}"`);
  await wb.page.mouse.move(900, 400);
  await ctx.shot('the new registry in the Registries group, with its push and pull names', 'registries-created');
  return port;
}

scenario('registries: Create Registry from the tree, a cluster using it from the wizard, Build & Deploy pushes to 127.0.0.1:PORT and the pod pulls k3d-e2e-reg:PORT', 'simulated', async (ctx) => {
  const { wb, sim } = ctx;
  check(sim, 'this scenario needs the simulated k3d');
  await requireDocker();
  await ensureBaseImage();
  // A run that failed half-way leaves them: start from nothing.
  await k3d(sim, ['cluster', 'delete', CLUSTER]);
  await k3d(sim, ['registry', 'delete', REG_NODE]);
  await openView(wb);
  await wb.runCommand('k3d: Refresh');
  const port = await createRegistryFromTree(ctx);

  ctx.step('F1, k3d: Create Cluster..., using the registry');
  await wb.runCommand('k3d: Create Cluster...');
  await answerCreateWizard(ctx, `Use ${REG_NODE}`);
  await waitUntil(`${CLUSTER} running`, async () => ((await row(wb, CLUSTER).count()) ? wb.treeItemDescription(row(wb, CLUSTER)) : ''), (d) => /\brunning\b/.test(d), 180_000);
  const hosting = spawnSync('/usr/bin/kubectl', ['--context', `k3d-${CLUSTER}`, 'get', 'configmap', '-n', 'kube-public', 'local-registry-hosting', '-o', 'jsonpath={.data.localRegistryHosting\\.v1}'], { env: sim.env, encoding: 'utf8' });
  ctx.step(`kubectl get configmap local-registry-hosting: ${hosting.stdout.replace(/\n/g, ' | ')}`);
  check(hosting.stdout.includes(`host: 127.0.0.1:${port}`) && hosting.stdout.includes(`hostFromContainerRuntime: ${REG_NODE}:${port}`), `k3d should announce the registry in kube-public: ${hosting.stdout} ${hosting.stderr}`);

  const stamp = Date.now().toString(36);
  const dir = path.join(ctx.workspace, APP);
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    copyHashApp(dir, `Hello through the registry ${stamp}`);
    fs.mkdirSync(path.join(dir, 'manifests'), { recursive: true });
    fs.writeFileSync(path.join(ctx.workspace, MANIFEST), deployment(`${REG_NODE}:${port}/${APP}:1`));
    fs.writeFileSync(path.join(ctx.workspace, WRONG), deployment(`localhost:${port}/${APP}:1`));
    await docker(['image', 'rm', '--force', `127.0.0.1:${port}/${APP}:2`]);
    await wb.runCommand('View: Close Primary Side Bar').catch(() => wb.dismissQuickInput());

    ctx.step(`open ${WRONG} (image localhost:${port}/${APP}:1); Build & Deploy is refused with the name the nodes pull by`);
    await wb.quickOpenFile(WRONG, `image: localhost:${port}`);
    await wb.codeLens('Build & Deploy').first().waitFor({ timeout: 60_000 });
    await wb.codeLens('Build & Deploy').first().click();
    const refused = await notificationText(ctx, /nodes would pull from their own/);
    check(refused.includes(`Change the image to ${REG_NODE}:${port}/${APP}`), `the message should name the image to use: "${refused}"`);
    check((await wb.editorText()).includes(`image: localhost:${port}/${APP}:1`), 'the refused manifest should be unchanged');
    await ctx.shot('a manifest naming the registry localhost:PORT is refused with the name the nodes pull by', 'registries-localhost-refused');
    await wb.runCommand('Notifications: Clear All Notifications');
    fs.rmSync(path.join(ctx.workspace, WRONG), { force: true });

    ctx.step(`open ${MANIFEST} (image ${REG_NODE}:${port}/${APP}:1); Build & Deploy`);
    await wb.runCommand('View: Close All Editors').catch(() => undefined);
    await wb.quickOpenFile(MANIFEST, `image: ${REG_NODE}`);
    await wb.codeLens('Build & Deploy').first().waitFor({ timeout: 60_000 });
    await wb.codeLens('Build & Deploy').first().click();
    await waitUntil('the push', () => wb.notification(/Pushing 127\.0\.0\.1/).count(), (n) => n > 0, 120_000)
      .then(() => ctx.shot('Build and Deploy pushes to 127.0.0.1:PORT'))
      .catch(() => undefined); // a fast push may be over before the toast is seen
    await notificationText(ctx, new RegExp(`deployment "${APP}-dep" successfully rolled out`), 240_000);
    check((await wb.editorText()).includes(`image: ${REG_NODE}:${port}/${APP}:2`), `the manifest should keep the nodes' name: ${await wb.editorText()}`);
    const tags = await (await fetch(`http://127.0.0.1:${port}/v2/${APP}/tags/list`)).json() as { tags?: string[] };
    ctx.step(`GET /v2/${APP}/tags/list: ${JSON.stringify(tags)}`);
    check(tags.tags?.includes('2') === true, `the registry should hold ${APP}:2: ${JSON.stringify(tags)}`);
    const pods = spawnSync('/usr/bin/kubectl', ['--context', `k3d-${CLUSTER}`, 'get', 'pods', '-l', `app=${APP}`, '-o', 'jsonpath={range .items[*]}{.status.phase} {.status.containerStatuses[0].imageID}{"\\n"}{end}'], { env: sim.env, encoding: 'utf8' });
    ctx.step(`kubectl get pods: ${pods.stdout.trim()}`);
    check(new RegExp(`Running ${REG_NODE}:${port}/${APP}@sha256:`).test(pods.stdout), `the pod should run the image pulled from ${REG_NODE}:${port}: ${pods.stdout} ${pods.stderr}`);
    await ctx.shot(`built, pushed to 127.0.0.1:${port}, pulled by the nodes as ${REG_NODE}:${port}, rolled out`, 'registries-build-deploy');
  } finally {
    await wb.runCommand('View: Close All Editors').catch(() => undefined);
    if ((await wb.dialog().count()) > 0) await wb.clickDialogButton("Don't Save").catch(() => undefined);
    spawnSync('/usr/bin/kubectl', ['--context', `k3d-${CLUSTER}`, 'delete', 'deployment', `${APP}-dep`, '--ignore-not-found', '--wait=false'], { env: sim.env });
    fs.rmSync(dir, { recursive: true, force: true });
    await docker(['image', 'rm', '--force', `127.0.0.1:${port}/${APP}:2`]);
  }
}, 480_000);

/** Import Image from the cluster row: picks `image`, the mode; returns the notification's text. */
async function importFromTree(ctx: ScenarioContext, image: string, mode: string, expect: RegExp, shot: string, name: string): Promise<string> {
  const { wb } = ctx;
  await wb.runCommand('Notifications: Clear All Notifications');
  ctx.step(`right-click ${CLUSTER}, Import Image...; ${image}, -m ${mode}`);
  await wb.contextMenu(row(wb, CLUSTER), 'Import Image...');
  await waitUntil('the image pick', () => wb.quickInputStep(), (s) => /Import Image into/.test(s.title));
  if (shot === 'first') {
    await wb.quickInput().locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: DEFAULT_TIMEOUT });
    await ctx.shot('Import Image lists the host\'s Docker images with size and age', 'registries-import-pick');
  }
  await wb.typeInput(image);
  const pick = wb.quickPickRow(image);
  await pick.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  const rowText = ((await pick.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
  ctx.step(`image row: ${rowText}`);
  check(/\d(\.\d+)?\s?[kMG]?B/.test(rowText) && /ago/.test(rowText), `the row should show the size and the age: "${rowText}"`);
  await wb.pickRow(image);
  await waitUntil('the mode pick', () => wb.quickInputStep(), (s) => /mode/.test(s.title));
  if (shot === 'first') await ctx.shot('the import mode: auto, direct or tools-node');
  await wb.pickRow(mode);
  // The simulated import takes about a second: look for the per-node progress until the result shows.
  const progress = wb.progressNotification();
  const streamed = await waitUntil('per-node progress or the result', async () => {
    if ((await wb.notification(expect).count()) > 0) return 'done';
    return (await progress.count()) > 0 ? ((await progress.first().textContent().catch(() => '')) ?? '').trim() : '';
  }, (t) => t === 'done' || /into k3d-|checking/.test(t), 60_000).catch(() => '');
  ctx.step(`progress: ${streamed}`);
  const message = await notificationText(ctx, expect);
  await wb.page.mouse.move(900, 400);
  await ctx.shot(shot === 'first' ? 'imported: on every node' : 'an import k3d called successful that missed a stopped agent', name);
  return message;
}

scenario('registries: Import Image from the cluster row checks every node; a stopped agent the import missed is reported', 'simulated', async (ctx) => {
  const { wb, sim } = ctx;
  check(sim, 'this scenario needs the simulated k3d');
  await requireDocker();
  const base = await ensureBaseImage();
  if (!(await listClusters(sim)).some((c) => c.name === CLUSTER)) {
    ctx.step(`setup: ${CLUSTER} missing, creating it with the simulated k3d CLI`);
    await k3dOk(sim, ['cluster', 'create', CLUSTER, '-a', '1', '--kubeconfig-switch-context=false'], 180_000);
  }
  const first = `e2e-import-${Date.now().toString(36)}:1`;
  const second = first.replace(/:1$/, ':2');
  await dockerOk(['tag', base, first]);
  await dockerOk(['tag', base, second]);
  try {
    await openView(wb);
    await wb.runCommand('k3d: Refresh');
    await waitUntil(`${CLUSTER} running`, async () => ((await row(wb, CLUSTER).count()) ? wb.treeItemDescription(row(wb, CLUSTER)) : ''), (d) => /\brunning\b/.test(d), TIMEOUT);
    const ok = await importFromTree(ctx, first, 'tools-node', new RegExp(`Imported ${first.replace(/[.]/g, '\\.')}`), 'first', 'registries-import-landed');
    check(/on every node \(server-0, agent-0\)/.test(ok), `the notification should say every node has it: "${ok}"`);

    ctx.step(`stop ${AGENT} with the k3d CLI, then import ${second} with -m tools-node`);
    await k3dOk(sim, ['node', 'stop', AGENT]);
    await wb.runCommand('k3d: Refresh');
    await waitUntil(`${CLUSTER} partly running`, () => wb.treeItemDescription(row(wb, CLUSTER)), (d) => /partly running/.test(d), TIMEOUT);
    const missed = await importFromTree(ctx, second, 'tools-node', /Import did not land/, 'second', 'registries-import-not-landed');
    check(new RegExp(`${AGENT} does not have it`).test(missed), `the warning should name the agent: "${missed}"`);
    check(/k3d logged: .*failed to import images in node/.test(missed) || new RegExp(`k3d logged: ${AGENT}`).test(missed), `the warning should quote k3d's node error: "${missed}"`);
  } finally {
    await k3d(sim, ['node', 'start', AGENT]);
    await docker(['image', 'rm', '--force', first, second]);
  }
}, 300_000);

scenario('registries: Delete Registry asks first, then the registry leaves the tree', 'simulated', async (ctx) => {
  const { wb, sim } = ctx;
  check(sim, 'this scenario needs the simulated k3d');
  try {
    await k3d(sim, ['cluster', 'delete', CLUSTER]);
    if ((await registryPort(ctx)) === undefined) {
      ctx.step(`setup: ${REG_NODE} missing, creating it with the simulated k3d CLI`);
      await k3dOk(sim, ['registry', 'create', REG, '--port', '127.0.0.1:5099', '--no-help']);
    }
    await openView(wb);
    await wb.runCommand('k3d: Refresh');
    const reg = row(wb, REG_NODE);
    await reg.waitFor({ timeout: TIMEOUT });
    ctx.step(`right-click ${REG_NODE}, Delete Registry...`);
    await wb.contextMenu(reg, 'Delete Registry...');
    await wb.dialog().waitFor({ timeout: DEFAULT_TIMEOUT });
    const question = await wb.dialogMessage();
    const detail = ((await wb.dialog().textContent()) ?? '').replace(/\s+/g, ' ');
    ctx.step(`dialog: ${question} / ${detail}`);
    check(question === `Delete registry ${REG_NODE}?` && /every image pushed to it/.test(detail), `the confirmation should say what goes: "${detail}"`);
    await ctx.shot('Delete Registry asks first', 'registries-delete-confirm');
    await wb.clickDialogButton('Delete');
    await waitUntil(`${REG_NODE} to leave the tree`, () => reg.count(), (n) => n === 0, TIMEOUT);
    check((await registryPort(ctx)) === undefined, 'k3d registry list should not list it any more');
    await wb.page.mouse.move(900, 400);
    await ctx.shot('the registry deleted', 'registries-deleted');
  } finally {
    // The scenarios after this one expect the course's cluster to be the current context.
    spawnSync('/usr/bin/kubectl', ['config', 'use-context', 'k3d-k3s-default'], { env: sim!.env });
  }
}, 180_000);
