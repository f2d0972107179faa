// Events and Describe (issue 19, items 3 and 5): a deployment whose image does not exist; its pod's row shows the
// warning (ImagePullBackOff: Failed to pull image …, a warning icon), the pod expands to its Events (Failed, BackOff, Pulling,
// Scheduled), and Describe shows what kubectl describe pod shows, events last.
import { spawnSync } from 'node:child_process';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';

const VIEW = 'Clusters';
const DEPLOYMENT = 'pull-fail';
const IMAGE = 'example/doesnotexist:1.0';
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${DEPLOYMENT}
spec:
  replicas: 1
  selector: { matchLabels: { app: ${DEPLOYMENT} } }
  template:
    metadata: { labels: { app: ${DEPLOYMENT} } }
    spec:
      containers:
      - name: web
        image: ${IMAGE}
        resources: { requests: { cpu: 50m } }
`;

function kubectl(ctx: ScenarioContext, args: string[], input?: string): { out: string; code: number } {
  check(ctx.sim, 'this scenario needs the simulated k3d');
  const r = spawnSync('kubectl', args, { env: ctx.sim.env, encoding: 'utf8', timeout: 120_000, input });
  return { out: `${r.stdout}${r.stderr}`, code: r.status ?? 1 };
}

/** The rendered lines of the active editor (Monaco renders only what is in view). */
async function editorLines(ctx: ScenarioContext): Promise<string[]> {
  const lines = await ctx.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').evaluateAll((els) =>
    els.map((el) => ({ top: parseFloat((el as unknown as { style: { top: string } }).style.top || '0'), text: (el.textContent ?? '').replace(/\u00a0/g, ' ') })).sort((a, b) => a.top - b.top).map((l) => l.text),
  );
  return lines;
}

scenario('events: a pod whose image does not exist shows ImagePullBackOff: <the pull error> on its row, its Events child lists the reasons, and Describe shows kubectl describe\'s text', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  kubectl(ctx, ['config', 'use-context', 'k3d-k3s-default']);
  kubectl(ctx, ['delete', 'deployment', DEPLOYMENT, '--ignore-not-found']);
  const applied = kubectl(ctx, ['apply', '-f', '-'], MANIFEST);
  check(applied.code === 0, `kubectl apply: ${applied.out}`);
  ctx.step(`applied deployment ${DEPLOYMENT} with image ${IMAGE} (does not exist)`);
  try {
    await wb.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
    await wb.openViewContainer('k3d');
    await wb.resizeSideBar(620);
    const pane = wb.viewPane(VIEW);
    await pane.first().waitFor({ timeout: DEFAULT_TIMEOUT });
    await wb.expand(wb.treeItem('k3s-default', pane).first());
    await waitUntil('the default namespace', () => wb.descendantLabels('k3s-default', pane), (l) => l.includes('default'), 30_000);
    await wb.expand(wb.treeItem('default', pane).first());
    const deployment = wb.treeItem(DEPLOYMENT, pane).first();
    await deployment.waitFor({ timeout: 30_000 });
    await wb.expand(deployment);
    const rsName = await waitUntil('its ReplicaSet', async () => (await wb.descendantLabels(DEPLOYMENT, pane)).find((l) => l.startsWith(`${DEPLOYMENT}-`)), (l) => !!l, 30_000);
    await wb.expand(wb.treeItem(rsName!, pane).first());
    const podName = await waitUntil('its pod', async () => (await wb.descendantLabels(rsName!, pane)).find((l) => l.startsWith(`${rsName}-`)), (l) => !!l, 30_000);
    const pod = wb.treeItem(podName!, pane).first();
    const warning = await waitUntil('the pod row\'s warning', () => wb.treeItemDescription(pod), (d) => /^ImagePullBackOff: Failed to pull image "example\/doesnotexist:1\.0"/.test(d), 60_000);
    ctx.step(`pod row: ${podName} — ${warning}`);
    const depDescription = await waitUntil('the deployment row\'s warning', () => wb.treeItemDescription(deployment), (d) => d.startsWith('0/1 · ⚠ ImagePullBackOff (1 pod) · '), 30_000);
    ctx.step(`deployment row: ${depDescription}`);
    await page.mouse.move(700, 500);
    await ctx.shot('the failing pod and its deployment show the warning on their rows');

    ctx.step(`expand ${podName} > Events`);
    await wb.expand(pod);
    // The pod's Events node comes before its deployment's (listed after the ReplicaSets).
    const events = wb.treeItem('Events', pane).first();
    await events.waitFor({ timeout: 30_000 });
    await wb.expand(events);
    const reasons = await waitUntil('the event rows', () => wb.descendantLabels('Events', pane), (l) => ['Failed', 'BackOff', 'Pulling', 'Scheduled'].every((r) => l.includes(r)), 30_000);
    ctx.step(`Events: ${reasons.join(', ')} (${await wb.treeItemDescription(events)})`);
    const failedRows = pane.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: /^Failed$/ }) });
    const failedTexts = await failedRows.locator('.label-description').allTextContents();
    check(failedTexts.some((t) => t.includes('Error: ImagePullBackOff')), `a Failed row says Error: ImagePullBackOff: ${failedTexts.join(' | ')}`);
    check(failedTexts.some((t) => t.includes(`Failed to pull image "${IMAGE}"`)), `a Failed row has the pull error: ${failedTexts.join(' | ')}`);
    await ctx.shot('the pod\'s Events child: Failed, BackOff, Pulling, Scheduled, newest first');

    ctx.step(`right-click ${podName} > Describe`);
    await wb.contextMenu(pod, 'Describe', { onAsked: (q) => ctx.step(`the row refreshed under the click; Describe asked "${q}", answered ${podName}`) });
    await waitUntil('the describe text', () => editorLines(ctx), (l) => l.some((x) => x.startsWith(`Name:`) && x.includes(podName!)), 30_000);
    // The whole document, a page at a time: with the Output panel open (earlier scenarios leave it so), the
    // container's Ready line is below what Monaco renders.
    await page.locator('.editor-group-container.active .monaco-editor').first().click();
    await page.keyboard.press('Control+Home');
    const top: string[] = [];
    for (let i = 0; i < 6; i++) {
      for (const l of await editorLines(ctx)) if (!top.includes(l)) top.push(l);
      if (top.some((l) => /^Events:/.test(l))) break;
      await page.keyboard.press('PageDown');
      await page.waitForTimeout(150);
    }
    await page.keyboard.press('Control+Home');
    for (const want of [/^Status: +Pending$/, /^Controlled By: +ReplicaSet\//, /^ +Image: +example\/doesnotexist:1\.0$/, /^ +State: +Waiting$/, /^ +Reason: +(ImagePullBackOff|ErrImagePull)$/, /^ +Ready: +False$/]) {
      check(top.some((l) => want.test(l)), `describe shows ${want}: ${top.join(' / ')}`);
    }
    await ctx.shot('Describe: the pod as kubectl describe shows it');
    await page.locator('.editor-group-container.active .monaco-editor').first().click();
    await page.keyboard.press('Control+End');
    const bottom = await waitUntil('the Events table', () => editorLines(ctx), (l) => l.some((x) => /^Events:/.test(x)), 15_000);
    check(bottom.some((l) => /^ +Warning +Failed +.* kubelet +Error: ImagePullBackOff$/.test(l)), `the Events table has the ImagePullBackOff row: ${bottom.join(' / ')}`);
    ctx.step(`Describe's events: ${bottom.filter((l) => /^ +(Normal|Warning) /.test(l)).map((l) => l.trim().split(/\s{2,}/).slice(0, 2).join(' ')).join(', ')}`);
    await ctx.shot('Describe: its Events, as kubectl describe lists them');
  } finally {
    kubectl(ctx, ['delete', 'deployment', DEPLOYMENT, '--ignore-not-found', '--wait=false']);
  }
}, 240_000);
