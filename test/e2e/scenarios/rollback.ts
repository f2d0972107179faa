// Rollout history and undo (issue 19): the course app is bumped to a tag that does not exist and its
// pod sits in ImagePullBackOff; Rollout History… lists the revisions, Roll Back to This Revision brings
// the Running pod back, the tree marks the deployment as differing from its file, and the file is
// offered the old tag (accepted: the editor shows it, the marker goes).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAMPLE_DEPLOYMENT } from '../../../scripts/lib/workspace.ts';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';

const VIEW = 'Clusters';
const DEPLOYMENT = 'hashgenerator-dep';
const GOOD = 'jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64';
const BAD = 'jakousa/dwk-app1:doesnotexist';

function kubectl(ctx: ScenarioContext, ...args: string[]): { out: string; code: number } {
  check(ctx.sim, 'this scenario needs the simulated k3d');
  const r = spawnSync('kubectl', args, { env: ctx.sim.env, encoding: 'utf8', timeout: 120_000 });
  return { out: `${r.stdout}${r.stderr}`, code: r.status ?? 1 };
}

/** Pod rows of the deployment's ReplicaSet listed first (the newest revision), with their descriptions. */
async function podRows(ctx: ScenarioContext): Promise<Array<{ label: string; description: string }>> {
  const { wb } = ctx;
  const pane = wb.viewPane(VIEW);
  const replicaSets = (await wb.descendantLabels(DEPLOYMENT, pane)).filter((l) => l.startsWith(`${DEPLOYMENT}-`));
  if (replicaSets.length === 0) return [];
  const newest = wb.treeItem(replicaSets[0], pane).first();
  if ((await newest.getAttribute('aria-expanded')) === 'false') await newest.locator('.monaco-tl-twistie').click();
  const pods = (await wb.descendantLabels(replicaSets[0], pane)).filter((l) => l.startsWith(`${DEPLOYMENT}-`));
  const out: Array<{ label: string; description: string }> = [];
  for (const label of pods) out.push({ label, description: await wb.treeItemDescription(wb.treeItem(label, pane).first()) });
  return out;
}

scenario('rollback: a bad tag sits in ImagePullBackOff; Rollout History… rolls back to the previous revision, the pod runs again, and the file is offered the old tag', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  const file = path.join(ctx.workspace, 'manifests', 'deployment.yaml');
  kubectl(ctx, 'config', 'use-context', 'k3d-k3s-default');
  kubectl(ctx, 'delete', 'deployment', DEPLOYMENT, '--ignore-not-found');
  // Revision 1: the course app as the file says; revision 2: the file bumped to a tag that does not exist.
  await wb.dismissQuickInput();
  await wb.runCommand('View: Revert File').catch(() => undefined);
  await wb.dismissQuickInput();
  fs.writeFileSync(file, SAMPLE_DEPLOYMENT);
  let r = kubectl(ctx, 'apply', '-f', file);
  check(r.code === 0, `kubectl apply: ${r.out}`);
  r = kubectl(ctx, 'rollout', 'status', `deployment/${DEPLOYMENT}`, '--timeout=90s');
  check(r.code === 0, `rollout status: ${r.out}`);
  fs.writeFileSync(file, SAMPLE_DEPLOYMENT.replace(GOOD, BAD));
  r = kubectl(ctx, 'apply', '-f', file);
  check(r.code === 0, `kubectl apply (bad tag): ${r.out}`);
  ctx.step(`applied ${BAD} with kubectl`);

  await wb.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  await wb.quickOpenFile('manifests/deployment.yaml', BAD);
  await wb.openViewContainer('k3d');
  await wb.resizeSideBar(620);
  const pane = wb.viewPane(VIEW);
  await pane.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  await wb.expand(wb.treeItem('k3s-default', pane).first());
  await waitUntil('the default namespace', () => wb.descendantLabels('k3s-default', pane), (l) => l.includes('default'), 30_000);
  await wb.expand(wb.treeItem('default', pane).first());
  const row = wb.treeItem(DEPLOYMENT, pane).first();
  await row.waitFor({ timeout: 30_000 });
  await wb.expand(row);
  const bad = await waitUntil('the new pod in ImagePullBackOff', () => podRows(ctx), (p) => p.some((x) => /ImagePullBackOff|ErrImagePull/.test(x.description)), 60_000);
  ctx.step(`pods of the bad revision: ${bad.map((p) => p.description).join(' / ')}`);
  await ctx.shot('the bumped tag does not exist: ImagePullBackOff');

  ctx.step(`right-click ${DEPLOYMENT} > Rollout History…`);
  await wb.contextMenu(row, 'Rollout History…');
  await waitUntil('the revisions', () => wb.quickInputStep(), (s) => s.isPick && s.title.startsWith(`Rollout History of ${DEPLOYMENT}`));
  const rows = await wb.quickInput().locator('.quick-input-list .monaco-list-row').allTextContents();
  ctx.step(`revisions: ${rows.join(' | ')}`);
  check(rows.length === 2, `two revisions listed: ${rows.join(' | ')}`);
  check(/Revision 2/.test(rows[0]) && rows[0].includes(BAD) && /current/.test(rows[0]), `revision 2 first, current, with the bad tag: ${rows[0]}`);
  check(/Revision 1/.test(rows[1]) && rows[1].includes(GOOD) && !/current/.test(rows[1]), `revision 1 with the good tag: ${rows[1]}`);
  await ctx.shot('Rollout History: revision 2 (current, the bad tag) and revision 1', 'rollout-history');
  await wb.pickRow('Revision 1');
  await waitUntil('the revision\'s actions', () => wb.quickInputStep(), (s) => s.isPick && s.title.startsWith('Revision 1 of'));
  await ctx.shot('revision 1: Roll Back to This Revision');
  ctx.step('Roll Back to This Revision');
  await wb.pickRow('Roll Back to This Revision');

  const running = await waitUntil('a Running pod of the rolled-back revision', () => podRows(ctx), (p) => p.length > 0 && p.every((x) => /^Running/.test(x.description)), 60_000);
  ctx.step(`pods after the rollback: ${running.map((p) => p.description).join(' / ')}`);
  const offer = wb.notification(/Write .* into manifests\/deployment\.yaml\?/);
  await offer.first().waitFor({ timeout: 30_000 });
  const offerText = (await offer.first().locator('.notification-list-item-message').textContent()) ?? '';
  ctx.step(`notification: ${offerText}`);
  check(offerText.startsWith(`Write ${GOOD} into manifests/deployment.yaml?`), `the offer names the old image: ${offerText}`);
  const drift = await waitUntil('the drift marker', () => wb.treeItemDescription(row), (d) => d.startsWith('≠ manifests/deployment.yaml'), 20_000);
  ctx.step(`deployment row: ${drift}`);
  await ctx.shot('rolled back: the pod runs, the tree marks the drift, the file is offered the old tag', 'rollback-offer');

  const history = kubectl(ctx, 'rollout', 'history', `deployment/${DEPLOYMENT}`).out;
  ctx.step(`kubectl rollout history: ${history.replace(/\s+/g, ' ')}`);
  check(/\n2\s+<none>\n3\s+<none>/.test(history) && !/\n1\s/.test(history), `kubectl lists revisions 2 and 3 (1 became 3): ${history}`);

  ctx.step('click "Write to File"');
  await offer.first().getByRole('button', { name: 'Write to File', exact: true }).click();
  await waitUntil('the editor shows the old tag', () => wb.editorText(), (t) => t.includes(GOOD) && !t.includes(BAD), 20_000);
  await waitUntil('the file on disk has the old tag', async () => fs.readFileSync(file, 'utf8'), (t) => t === SAMPLE_DEPLOYMENT, 10_000);
  const clean = await waitUntil('the drift marker gone', () => wb.treeItemDescription(row), (d) => !d.startsWith('≠'), 20_000);
  ctx.step(`deployment row: ${clean}`);
  const lensLine = await waitUntil('the image lens to follow the edit', async () => (await wb.codeLensTexts()).join(' | '), (t) => t.includes('b7fc18d') && !t.includes('doesnotexist'), 20_000);
  ctx.step(`lens: ${lensLine}`);
  await ctx.shot('the file has the old tag again; the deployment matches it', 'rollback-written');
  // One edit: Undo puts the bad tag back in the editor (then the file is left as the rollback wrote it).
  await page.keyboard.press('ControlOrMeta+Z');
  await waitUntil('Undo reverts the edit', () => wb.editorText(), (t) => t.includes(BAD), 10_000);
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await waitUntil('Redo writes it again', () => wb.editorText(), (t) => t.includes(GOOD), 10_000);
  await wb.runCommand('File: Save').catch(() => undefined);
});
