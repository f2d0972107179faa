// Apply, live workloads and logs as a learner meets them: apply the course manifest from the editor, watch
// the deployment appear live in the k3d view, scale it (the tree says the file no longer
// matches), follow its pod's logs in the Output panel, and see a broken manifest apply nothing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAMPLE_DEPLOYMENT } from '../../../scripts/lib/workspace.ts';
import { check, scenario } from '../lib/harness.ts';
import { appDeployment } from '../lib/manifests.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';
import type { Workbench } from '../lib/workbench.ts';

const VIEW = 'Clusters';
const DEPLOYMENT = 'hashgenerator-dep';

/** The editor's text (Monaco renders spaces as U+00A0). */
async function editorText(wb: Workbench): Promise<string> {
  return ((await wb.page.locator('.monaco-editor .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/** Writes `content` as manifests/<file> and opens it with Quick Open. */
async function openManifest(ctx: ScenarioContext, file: string, content: string): Promise<void> {
  const { wb, page } = ctx;
  await wb.dismissQuickInput();
  await wb.runCommand('View: Revert File').catch(() => undefined);
  await wb.dismissQuickInput();
  fs.writeFileSync(path.join(ctx.workspace, 'manifests', file), content);
  await wb.runCommand('Notifications: Clear All Notifications');
  ctx.step(`Ctrl+P ${file}`);
  // A file written a moment ago may not be in Quick Open's index yet: wait until it is listed.
  await waitUntil(`${file} listed by Quick Open`, async () => {
    await wb.dismissQuickInput();
    await page.keyboard.press('ControlOrMeta+P');
    await wb.quickInputBox().waitFor({ state: 'visible' });
    await page.keyboard.type(file);
    const row = wb.quickInput().locator('.quick-input-list .monaco-list-row').first();
    await row.waitFor({ timeout: 3000 });
    await page.waitForTimeout(300);
    return (await row.getAttribute('aria-label')) ?? '';
  }, (label) => label.startsWith(file), 20_000);
  await page.keyboard.press('Enter');
  await waitUntil(`${file} in the editor`, () => editorText(wb), (t) => t.includes(content.split('\n').find((l) => l.includes('name:'))!.trim()));
}

/** Clicks the editor title's "Apply to Cluster" button. */
async function clickApply(ctx: ScenarioContext): Promise<void> {
  const button = ctx.page.locator('.editor-actions a.action-label[aria-label^="Apply to Cluster"]').first();
  await button.waitFor({ timeout: DEFAULT_TIMEOUT });
  ctx.step('click "Apply to Cluster" in the editor title');
  await button.click();
}

/** The k3d view with k3s-default > default > hashgenerator-dep expanded; returns the pane. */
async function showDeployment(ctx: ScenarioContext) {
  const { wb } = ctx;
  await wb.openViewContainer('k3d');
  await wb.resizeSideBar(620);
  const pane = wb.viewPane(VIEW);
  await pane.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  await wb.expand(wb.treeItem('k3s-default', pane).first());
  await waitUntil('the default namespace under k3s-default', () => wb.descendantLabels('k3s-default', pane), (l) => l.includes('default'), 30_000);
  await wb.expand(wb.treeItem('default', pane).first());
  const row = wb.treeItem(DEPLOYMENT, pane).first();
  await row.waitFor({ timeout: 30_000 });
  await wb.expand(row);
  return pane;
}

/** Pod rows of the deployment's newest ReplicaSet (expanded), with their descriptions. */
async function podRows(ctx: ScenarioContext): Promise<Array<{ label: string; description: string }>> {
  const { wb } = ctx;
  const pane = wb.viewPane(VIEW);
  const replicaSets = (await wb.descendantLabels(DEPLOYMENT, pane)).filter((l) => l.startsWith(`${DEPLOYMENT}-`));
  if (replicaSets.length === 0) return [];
  const newest = wb.treeItem(replicaSets[0], pane).first();
  await wb.expand(newest);
  const pods = (await wb.descendantLabels(replicaSets[0], pane)).filter((l) => l.startsWith(`${DEPLOYMENT}-`));
  const out: Array<{ label: string; description: string }> = [];
  for (const label of pods) out.push({ label, description: await wb.treeItemDescription(wb.treeItem(label, pane).first()) });
  return out;
}

function kubectl(ctx: ScenarioContext, ...args: string[]): string {
  check(ctx.sim, 'this scenario needs the simulated k3d');
  const r = spawnSync('kubectl', args, { env: ctx.sim.env, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

scenario('apply: the course manifest from the editor, then the deployment appears live in the tree, Running', 'simulated', async (ctx) => {
  const { wb } = ctx;
  check(ctx.sim, 'needs the simulated k3d');
  // The course cluster is the current context (an earlier scenario may have switched it).
  kubectl(ctx, 'config', 'use-context', 'k3d-k3s-default');
  kubectl(ctx, 'delete', 'deployment', DEPLOYMENT, '--ignore-not-found', '--wait=false');
  await openManifest(ctx, 'deployment.yaml', SAMPLE_DEPLOYMENT);
  await clickApply(ctx);
  // What was applied shows in the status bar (a rollout's notification follows at once).
  const applied = await waitUntil('the apply summary in the status bar', () => wb.statusBarTexts().then((t) => t.join(' | ')), (t) => /Applied manifests\/deployment\.yaml to k3d-k3s-default: deployment\.apps\/hashgenerator-dep (created|configured)/.test(t), 30_000);
  ctx.step(`status bar: ${applied}`);
  await ctx.shot('applied from the editor title button');
  const rolled = await waitUntil('the rollout to complete', () => wb.notificationToasts().allTextContents().then((t) => t.join(' | ')), (t) => /successfully rolled out/.test(t), 30_000);
  ctx.step(`notification: ${rolled}`);
  await showDeployment(ctx);
  const pods = await waitUntil('a Running pod under the new ReplicaSet', () => podRows(ctx), (p) => p.some((x) => /^Running · 1\/1/.test(x.description)), 30_000);
  ctx.step(`pods: ${JSON.stringify(pods)}`);
  const description = await wb.treeItemDescription(wb.treeItem(DEPLOYMENT, wb.viewPane(VIEW)).first());
  check(/^1\/1 · up-to-date 1 · available 1 · jakousa\/dwk-app1:b7fc18de/.test(description), `deployment row: "${description}"`);
  await ctx.shot('the deployment, its ReplicaSet and its Running pod in the k3d view');
});

scenario('workloads: Scale from the tree to 4 gives 4 pods, and the deployment is marked as differing from its manifest', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  const pane = await showDeployment(ctx);
  ctx.step('right-click hashgenerator-dep > Scale Deployment...');
  await wb.contextMenu(wb.treeItem(DEPLOYMENT, pane).first(), 'Scale Deployment...');
  await wb.quickInputBox().waitFor({ state: 'visible' });
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('4');
  await page.keyboard.press('Enter');
  const pods = await waitUntil('4 Running pods', () => podRows(ctx), (p) => p.filter((x) => /^Running/.test(x.description)).length === 4, 30_000);
  ctx.step(`pods: ${pods.map((p) => p.description).join(' / ')}`);
  const description = await waitUntil(
    'the drift marker and 4/4',
    () => wb.treeItemDescription(wb.treeItem(DEPLOYMENT, pane).first()),
    (d) => d.startsWith('≠ manifests/deployment.yaml') && / 4\/4 /.test(d),
    20_000,
  );
  ctx.step(`deployment row: ${description}`);
  await ctx.shot('scaled to 4 from the tree; the deployment differs from manifests/deployment.yaml');
});

scenario('workloads: Create Deployment with an image that cannot be pulled shows ImagePullBackOff in warning colour, the reason in the tooltip', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  await showDeployment(ctx);
  const pane = wb.viewPane(VIEW);
  ctx.step('right-click default > Create Deployment...');
  await wb.contextMenu(wb.treeItem('default', pane).first(), 'Create Deployment...');
  await wb.quickInputBox().waitFor({ state: 'visible' });
  await page.keyboard.type('nginx:doesnotexist');
  await page.keyboard.press('Enter');
  await waitUntil('the name step', () => wb.quickInputStep(), (s) => /2\/2/.test(s.title));
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('broken-image');
  await page.keyboard.press('Enter');
  const row = wb.treeItem('broken-image', pane).first();
  await row.waitFor({ timeout: 30_000 });
  await wb.expand(row);
  // Expanded before its ReplicaSet exists, the row had no children, and VS Code shows it collapsed again
  // once the ReplicaSet arrives (seen on a loaded machine): a person clicks it open again, and so do we.
  const rs = await waitUntil('its ReplicaSet', async () => {
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    return wb.descendantLabels('broken-image', pane);
  }, (l) => l.some((x) => x.startsWith('broken-image-')), 20_000);
  const rsName = rs.find((x) => x.startsWith('broken-image-'))!;
  const rsRow = wb.treeItem(rsName, pane).first();
  await wb.expand(rsRow);
  // The same for the ReplicaSet: expanded before its pod exists, it shows collapsed once the pod arrives.
  const podLabel = await waitUntil('its pod', async () => {
    if ((await rsRow.getAttribute('aria-expanded')) === 'false') await rsRow.locator('.monaco-tl-twistie').click();
    return wb.descendantLabels(rsName, pane);
  }, (l) => l.length > 0, 20_000);
  const podRow = wb.treeItem(podLabel[0], pane).first();
  const description = await waitUntil('ImagePullBackOff', () => wb.treeItemDescription(podRow), (d) => d.startsWith('ImagePullBackOff'), 45_000);
  ctx.step(`pod: ${description}`);
  // A pod with events expands (to its Events): the row's first codicon is then its twistie, not its icon.
  const iconColour = await podRow.locator('.custom-view-tree-node-item-icon, .codicon:not(.monaco-tl-twistie)').first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
  ctx.step(`icon colour: ${iconColour}`);
  const [r, g] = (iconColour.match(/\d+/g) ?? []).map(Number);
  check(r > g + 50, `the failing pod's icon should be red/orange (charts.red), not ${iconColour}`);
  // Hover the row's label as a hand does: away, then onto it, until the tooltip shows.
  const tooltip = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'ImagePullBackOff' }).first();
  const tip = await waitUntil('the pod tooltip', async () => {
    await page.mouse.move(0, 0);
    await page.waitForTimeout(200);
    await podRow.locator('.label-name').first().hover();
    await tooltip.waitFor({ timeout: 4000 });
    return (await tooltip.textContent()) ?? '';
  }, (t) => t.length > 0, 30_000);
  ctx.step(`tooltip: ${tip.slice(0, 200)}`);
  check(/doesnotexist/.test(tip), `the tooltip should give the reason: "${tip}"`);
  await ctx.shot('ImagePullBackOff in warning colour, the reason in the tooltip');
  await page.mouse.move(0, 0);
});

scenario('logs: Follow Logs on a pod shows the app\'s hashes, coloured, in the Output panel', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  await showDeployment(ctx);
  // With timestamps, as `kubectl logs --timestamps`: the grammar colours them apart from the text.
  await wb.runCommand('k3d: Toggle Log Timestamps');
  const pods = await waitUntil('a Running pod', () => podRows(ctx), (p) => p.some((x) => /^Running/.test(x.description)), 30_000);
  const pod = pods.find((p) => /^Running/.test(p.description))!.label;
  ctx.step(`right-click ${pod} > Follow Logs`);
  await wb.contextMenu(wb.treeItem(pod, wb.viewPane(VIEW)).first(), 'Follow Logs', { onAsked: (q) => ctx.step(`the row refreshed under the click; Follow Logs asked "${q}", answered ${pod}`) });
  const output = page.locator('.part.panel .monaco-editor .view-lines').first();
  await output.waitFor({ timeout: DEFAULT_TIMEOUT });
  const hashLine = /^\d{4}-\d\d-\d\dT[\d:.]+Z [a-z0-9]{6}$/;
  const lines = await waitUntil(
    'timestamped hash lines in the Output panel',
    () => output.locator('.view-line').allTextContents().then((all) => all.map((l) => l.replace(/\u00a0/g, ' ').trim())),
    (all) => all.filter((l) => hashLine.test(l)).length >= 3,
    30_000,
  );
  ctx.step(`output: ${lines.slice(-4).join(' / ')}`);
  const channel = await page.locator('.part.panel select.monaco-select-box').first().evaluate((el) => (el as unknown as { value: string }).value).catch(() => '');
  ctx.step(`output channel: ${channel}`);
  const colours = await output.locator('.view-line span span').evaluateAll((spans) => {
    const style = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle;
    return new Set(spans.map((s) => style(s).color)).size;
  });
  check(colours >= 2, `the log should be coloured by the k3d-logs grammar (saw ${colours} colour)`);
  await ctx.shot('Follow Logs: the pod\'s hashes streaming into the Output panel, timestamps coloured');
  await wb.runCommand('k3d: Stop Following Logs');
  await wb.runCommand('k3d: Toggle Log Timestamps');
});

scenario('apply: a manifest with a bad document applies nothing and shows the problem where it is', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  const broken = `apiVersion: v1
kind: ConfigMap
metadata:
  name: e2e-should-not-exist
data:
  a: "1"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: e2e-broken
spec:
  replicas: two
  selector:
    matchLabels: {app: e2e-broken}
  template:
    metadata:
      labels: {app: e2e-broken}
    spec:
      containers:
        - name: app
          image: nginx:1.27
`;
  await openManifest(ctx, 'broken.yaml', broken);
  await clickApply(ctx);
  const toast = await waitUntil('the "nothing was applied" message', () => wb.notificationToasts().allTextContents().then((t) => t.join(' | ')), (t) => /Nothing was applied/.test(t), 20_000);
  ctx.step(`notification: ${toast}`);
  check(/broken\.yaml:13/.test(toast), `the message should point at line 13: "${toast}"`);
  await wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
  const problems = await waitUntil('the problem in the Problems panel', () => page.locator('.markers-panel .monaco-list-row').allTextContents().then((t) => t.join(' | ')), (t) => /replicas/.test(t), 10_000);
  ctx.step(`problems: ${problems}`);
  await ctx.shot('nothing applied: the bad replicas value in Problems, at its line');
  const cm = kubectl(ctx, 'get', 'configmap', 'e2e-should-not-exist');
  check(/NotFound|not found/.test(cm), `the valid ConfigMap in the same file must not have been applied: ${cm}`);
  fs.rmSync(path.join(ctx.workspace, 'manifests', 'broken.yaml'), { force: true });
});

scenario('apply: a file that creates its namespace and a deployment in it applies in one go and rolls out', 'simulated', async (ctx) => {
  const { wb } = ctx;
  const ns = 'e2e-shop';
  // The namespace is not in the cluster until this apply creates it: a server-side dry run of the deployment in it
  // fails (kubectl apply --dry-run=server does), and the check before applying must not.
  const deployment = appDeployment('e2e-shop', 'jakousa/dwk-app1:b7fc18de').replace('  name: e2e-shop-dep\n', `  name: e2e-shop-dep\n  namespace: ${ns}\n`);
  try {
    check(!/e2e-shop/.test(kubectl(ctx, 'get', 'namespaces')), 'the namespace is not there before');
    await openManifest(ctx, 'shop.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n---\n${deployment}`);
    await clickApply(ctx);
    const done = await waitUntil('the rollout message', () => wb.notificationToasts().locator('.notification-list-item-message').allTextContents().then((t) => t.join(' | ')), (t) => /"e2e-shop-dep" successfully rolled out/.test(t) || /Nothing was applied|failed/.test(t), 60_000);
    ctx.step(`notification: ${done}`);
    check(/"e2e-shop-dep" successfully rolled out/.test(done), `the deployment should roll out: ${done}`);
    const status = (await wb.statusBarTexts()).find((t) => /Applied manifests\/shop\.yaml/.test(t)) ?? '';
    ctx.step(`status bar: ${status}`);
    check(/namespace\/e2e-shop created/.test(status) && /deployment\.apps\/e2e-shop-dep created/.test(status), `the status bar should name both: "${status}"`);
    check(/e2e-shop-dep\s+1\/1/.test(kubectl(ctx, 'get', 'deployments', '-n', ns)), 'kubectl get deployments -n e2e-shop shows it ready');
    await ctx.shot('a namespace and a deployment in it, applied from one file: created and rolled out', 'apply-new-namespace');
  } finally {
    kubectl(ctx, 'delete', 'namespace', ns, '--ignore-not-found', '--wait=false');
    fs.rmSync(path.join(ctx.workspace, 'manifests', 'shop.yaml'), { force: true });
  }
});

scenario('apply: a file with two deployments rolls both out under one notification, and one message says both rolled out', 'simulated', async (ctx) => {
  const { wb } = ctx;
  const apps = ['e2e-pair-api', 'e2e-pair-web'];
  const names = apps.map((app) => `${app}-dep`);
  const two = apps.map((app) => appDeployment(app, 'jakousa/dwk-app1:b7fc18de')).join('---\n');
  try {
    await openManifest(ctx, 'pair.yaml', two);
    await clickApply(ctx);
    // Notifications seen while it runs: one "Rolling out 2 deployments", no "Applied …" toast (the status bar has it).
    const seen = new Set<string>();
    const done = await waitUntil('the message naming both', async () => {
      const texts = await wb.notificationToasts().locator('.notification-list-item-message').allTextContents();
      for (const t of texts) seen.add(t.replace(/\s+/g, ' ').trim().slice(0, 120));
      return texts.join(' | ');
    }, (t) => /deployments "e2e-pair-api-dep", "e2e-pair-web-dep" successfully rolled out in k3d-k3s-default/.test(t), 60_000);
    ctx.step(`notifications seen: ${[...seen].join(' || ')}`);
    check(!/deployment "e2e-pair-(api|web)-dep" successfully rolled out in/.test(done), `no message per deployment: ${done}`);
    check(![...seen].some((t) => /Rolling out deployment\//.test(t)), `no notification per deployment: ${[...seen].join(' || ')}`);
    check(![...seen].some((t) => /^Applied /.test(t)), `what was applied is in the status bar, not a toast: ${[...seen].join(' || ')}`);
    const status = (await wb.statusBarTexts()).find((t) => /Applied manifests\/pair\.yaml/.test(t)) ?? '';
    ctx.step(`status bar: ${status}`);
    check(/deployment\.apps\/e2e-pair-api-dep created/.test(status), `the status bar should say what was applied: "${status}"`);
    await ctx.shot('two deployments applied: one message for both rollouts, what was applied in the status bar', 'apply-two-deployments');
  } finally {
    kubectl(ctx, 'delete', 'deployment', ...names, '--ignore-not-found', '--wait=false');
    fs.rmSync(path.join(ctx.workspace, 'manifests', 'pair.yaml'), { force: true });
  }
});
