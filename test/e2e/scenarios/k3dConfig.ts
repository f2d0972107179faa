// k3d config files as a person meets them: the create wizard's answers saved as a k3d.io/v1alpha5 file, a wrong
// key shown as a schema Problem at its line, keys completed from the schema; and a file that differs from its
// running cluster saying how, with the port applied in place and a recreate that asks first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { k3dOk } from '../../../scripts/lib/k3dEnv.ts';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';

const TIMEOUT = 60_000;

async function answerStep(ctx: ScenarioContext, title: RegExp, value: string | undefined): Promise<void> {
  const { wb } = ctx;
  const step = await waitUntil(`the input ${title}`, () => wb.quickInputStep(), (s) => title.test(s.title));
  ctx.step(`input: ${step.title} | ${step.message} | ${step.placeholder} -> ${value ?? '(default)'}`);
  if (value === undefined) await wb.page.keyboard.press('Enter');
  else await wb.answerInput(value);
}

async function problemRows(ctx: ScenarioContext, what: string, match: (rows: string) => boolean): Promise<string> {
  await ctx.wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
  return waitUntil(what, () => ctx.page.locator('.markers-panel .monaco-list-row').allTextContents().then((t) => t.join(' | ')), match, 20_000);
}

scenario('k3d config: New Cluster Config File saves the wizard\'s answers; a wrong key is a schema Problem at its line; keys are completed', 'simulated', async (ctx) => {
  const { wb, page, workspace } = ctx;
  const rel = 'k3d-e2e-cfg.yaml';
  const file = path.join(workspace, rel);
  fs.rmSync(file, { force: true });
  // As a person starts: the k3d view with its cluster (the window's first scenario waits for the extension here).
  await wb.openViewContainer('k3d');
  await wb.treeItem('k3s-default', wb.viewPane('Clusters')).first().waitFor({ timeout: TIMEOUT });
  await wb.runCommand('View: Show Explorer');
  ctx.step('F1, k3d: New Cluster Config File...');
  await wb.runCommand('k3d: New Cluster Config File...');
  await answerStep(ctx, /\(1\/\d\)/, 'e2e-cfg');
  await answerStep(ctx, /\(2\/\d\)/, '2');
  await answerStep(ctx, /\(3\/\d\)/, '1');
  await answerStep(ctx, /\(4\/\d\)/, '8081:80@loadbalancer');
  await answerStep(ctx, /\(5\/\d\)/, '');
  // The registry step (6/6), where the wizard has one: none.
  const next = await waitUntil('the registry step or the file name', () => wb.quickInputStep(), (s) => /\(6\/6\)|Save k3d Config File/.test(s.title));
  if (/\(6\/6\)/.test(next.title)) {
    ctx.step(`pick: ${next.title} -> No registry`);
    await wb.quickPickRow('No registry').first().click();
  }
  const save = await waitUntil('the file name step', () => wb.quickInputStep(), (s) => /Save k3d Config File/.test(s.title));
  const suggested = await wb.quickInputBox().inputValue();
  check(suggested === rel, `the suggested file should be ${rel}: "${suggested}" (${save.message})`);
  await ctx.shot('the file name to save the answers as');
  await page.keyboard.press('Enter');
  await waitUntil(`${rel} in the editor`, () => wb.editorText(), (t) => t.includes('apiVersion: k3d.io/v1alpha5') && t.includes('switchCurrentContext'), TIMEOUT);
  const saved = await waitUntil(`${rel} on disk`, async () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''), (t) => t !== '');
  ctx.step(`saved:\n${saved}`);
  for (const line of ['apiVersion: k3d.io/v1alpha5', 'kind: Simple', '  name: e2e-cfg', 'servers: 1', 'agents: 2', '  - port: "8081:80"', '      - loadbalancer']) {
    check(saved.split('\n').includes(line), `the file should have the line ${JSON.stringify(line)}:\n${saved}`);
  }
  const noCluster = await waitUntil('the lens offering to create the cluster', () => wb.codeLensTexts().then((t) => t.join(' | ')), (t) => /No cluster 'e2e-cfg'/.test(t));
  ctx.step(`lenses: ${noCluster}`);
  check(/Create Cluster from this File/.test(noCluster), `the lens should offer to create the cluster: ${noCluster}`);
  await ctx.shot('the wizard\'s answers saved as a k3d config file', 'k3d-config-saved');

  ctx.step('type a wrong key at the end: agent: 3');
  const wrongLine = saved.split('\n').length; // the empty last line, 1-based
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('agent: 3');
  await page.keyboard.press('Escape');
  const problems = await problemRows(ctx, 'the schema Problem', (t) => /Additional property agent is not allowed/.test(t));
  ctx.step(`problems: ${problems}`);
  check(new RegExp(`Additional property agent is not allowed[^|]*\\[Ln ${wrongLine}, Col 1\\]`).test(problems), `the Problem should be at line ${wrongLine}: ${problems}`);
  await ctx.shot('a key k3d does not know, as a Problem at its line', 'k3d-config-schema-problem');

  ctx.step('completion: a new line, "reg", Ctrl+Space');
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Home');
  await page.keyboard.type('reg');
  await page.keyboard.press('Control+Space');
  const suggestions = await waitUntil('the suggestions', () => page.locator('.editor-widget.suggest-widget .monaco-list-row').allTextContents().then((t) => t.join(' | ')), (t) => /registries/.test(t));
  ctx.step(`suggestions: ${suggestions}`);
  await ctx.shot('keys completed from k3d\'s schema', 'k3d-config-completion');
  await page.keyboard.press('Escape');
  // The workspace saves after a delay (files.autoSave), but the last keys ("reg") may not be saved yet: put the
  // editor back to what is on disk and close it, so that no "save changes?" question is left for a later scenario
  // (a window reload asks it, modal). Deleting the file then takes its Problems away (its document lingers a while).
  await wb.runCommand('File: Revert File').catch(() => undefined);
  await wb.runCommand('View: Close Editor');
  if ((await wb.dialog().count()) > 0) await wb.clickDialogButton("Don't Save");
  await waitUntil(`${rel} closed`, () => page.locator('.tabs-container .tab', { hasText: rel }).count(), (n) => n === 0);
  fs.rmSync(file, { force: true });
  const gone = await problemRows(ctx, 'the Problems of the deleted file to go', (t) => !t.includes(rel));
  ctx.step(`problems after deleting ${rel}: ${gone || '(none)'}`);
}, 180_000);

scenario('k3d config: a file that differs from its cluster says how, adds the missing port and agent in place, deletes an agent the file no longer has, and Recreate asks first', 'simulated', async (ctx) => {
  const { wb, sim, workspace } = ctx;
  check(sim, 'this scenario needs the simulated k3d');
  const cluster = 'k3s-default';
  const agentsOf = async () => (JSON.parse(await k3dOk(sim, ['cluster', 'list', cluster, '-o', 'json'])) as Array<{ agentsCount: number }>)[0]!.agentsCount;
  const agents = await agentsOf();
  const port = '18093:80';
  const rel = 'k3d-k3s-default.yaml';
  const file = path.join(workspace, rel);
  fs.writeFileSync(file, [
    'apiVersion: k3d.io/v1alpha5',
    'kind: Simple',
    'metadata:',
    `  name: ${cluster}`,
    'servers: 1',
    `agents: ${agents + 1}`,
    'ports:',
    `  - port: "${port}"`,
    '    nodeFilters:',
    '      - loadbalancer',
    '',
  ].join('\n'));
  ctx.step(`the cluster has ${agents} agents; the file says ${agents + 1} and lists ${port}@loadbalancer`);
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.quickOpenFile(rel, 'apiVersion: k3d.io/v1alpha5');
  const lenses = await waitUntil('the lens saying how the cluster differs', () => wb.codeLensTexts().then((t) => t.join(' | ')), (t) => /differs/.test(t), TIMEOUT);
  ctx.step(`lenses: ${lenses}`);
  check(lenses.includes(`cluster has ${agents} agents, file says ${agents + 1}`), `the lens should name the agents: ${lenses}`);
  check(lenses.includes(`cluster does not publish ${port}@loadbalancer`), `the lens should name the port: ${lenses}`);
  check(/Add 1 agent/.test(lenses) && lenses.includes(`Add port ${port}@loadbalancer`) && /Recreate from File/.test(lenses), `the lens should offer the fixes and a recreate: ${lenses}`);
  const problems = await problemRows(ctx, 'the differences in Problems', (t) => /file says/.test(t));
  ctx.step(`problems: ${problems}`);
  check(new RegExp(`cluster has ${agents} agents, file says ${agents + 1}[^|]*\\[Ln 6, Col 1\\]`).test(problems), `the agents difference should be at the agents: line (6): ${problems}`);
  await wb.page.mouse.move(900, 420); // no tooltip over the editor's tab
  await ctx.shot('the file says more agents and a port the cluster does not have', 'k3d-config-differs');

  ctx.step(`click "Add port ${port}@loadbalancer"`);
  await wb.codeLens(`Add port ${port}@loadbalancer`).first().click();
  await wb.dialog().waitFor({ timeout: DEFAULT_TIMEOUT });
  const question = await wb.dialogMessage();
  ctx.step(`dialog: ${question}`);
  check(question.includes(`${port}@loadbalancer`), `the dialog should name the port: ${question}`);
  await ctx.shot('adding the port warns that k3d re-creates the load balancer');
  await wb.clickDialogButton('Add Port');
  const after = await waitUntil('the lens without the port', () => wb.codeLensTexts().then((t) => t.join(' | ')), (t) => /differs/.test(t) && !t.includes('does not publish'), TIMEOUT);
  ctx.step(`lenses: ${after}`);
  const lb = JSON.parse(await k3dOk(sim, ['node', 'list', `k3d-${cluster}-serverlb`, '-o', 'json'])) as Array<{ portMappings?: Record<string, Array<{ HostPort: string }>> }>;
  check((lb[0]?.portMappings?.['80/tcp'] ?? []).some((b) => b.HostPort === '18093'), `k3d should publish 18093 -> 80: ${JSON.stringify(lb[0]?.portMappings)}`);
  await ctx.shot('the port applied in place; the agents still differ', 'k3d-config-port-applied');

  ctx.step('click "Recreate from File…", then cancel');
  await wb.codeLens(/Recreate from File/).first().click();
  await wb.dialog().waitFor({ timeout: DEFAULT_TIMEOUT });
  const detail = ((await wb.dialog().textContent()) ?? '').replace(/\s+/g, ' ');
  ctx.step(`dialog: ${detail}`);
  check(detail.includes(`k3d cluster delete ${cluster}`) && detail.includes(`--config ${rel}`) && /lost/.test(detail), `the recreate should say what it runs and what is lost: ${detail}`);
  await ctx.shot('Recreate from File asks first', 'k3d-config-recreate');
  await wb.page.keyboard.press('Escape');
  await waitUntil('the dialog to close', () => wb.dialog().count(), (n) => n === 0);
  check((await agentsOf()) === agents, 'cancelling the recreate should change nothing');

  // The agents in place: Add 1 agent runs Add Agent's own steps; then the file says one fewer and Delete NODE
  // runs Delete Node, which asks first. The cluster ends as it began.
  ctx.step('click "Add 1 agent"; Add Agent\'s steps with their defaults');
  await wb.codeLens('Add 1 agent').first().click();
  await answerStep(ctx, /\(1\/3\)/, undefined);
  await answerStep(ctx, /\(2\/3\)/, undefined);
  await answerStep(ctx, /\(3\/3\)/, undefined);
  const added = await waitUntil('k3d to list one agent more', agentsOf, (n) => n === agents + 1, TIMEOUT);
  ctx.step(`k3d cluster list: ${added} agents`);
  const matches = await waitUntil('the lens to say the cluster matches', () => wb.codeLensTexts().then((t) => t.join(' | ')), (t) => /matches this file/.test(t), TIMEOUT);
  ctx.step(`lenses: ${matches}`);
  await wb.page.mouse.move(900, 420);
  await ctx.shot('Add 1 agent applied in place: the cluster matches the file', 'k3d-config-agent-added');

  ctx.step(`the file says ${agents} agents again (written on disk, as a git checkout would)`);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`agents: ${agents + 1}`, `agents: ${agents}`));
  const fewer = await waitUntil('the lens offering to delete the extra agent', () => wb.codeLensTexts().then((t) => t.join(' | ')), (t) => /Delete k3d-/.test(t), TIMEOUT);
  ctx.step(`lenses: ${fewer}`);
  check(fewer.includes(`cluster has ${agents + 1} agents, file says ${agents}`), `the lens should name the agents: ${fewer}`);
  const node = /Delete (k3d-[^ |]+)/.exec(fewer)![1];
  await wb.codeLens(`Delete ${node}`).first().click();
  await wb.dialog().waitFor({ timeout: DEFAULT_TIMEOUT });
  const ask = await wb.dialogMessage();
  ctx.step(`dialog: ${ask}`);
  check(ask.includes(node), `Delete Node should name ${node}: ${ask}`);
  await ctx.shot(`Delete ${node} asks first`, 'k3d-config-agent-delete');
  await wb.clickDialogButton('Delete');
  await waitUntil('k3d to list the agents the file says', agentsOf, (n) => n === agents, TIMEOUT);
  const back = await waitUntil('the lens to say the cluster matches again', () => wb.codeLensTexts().then((t) => t.join(' | ')), (t) => /matches this file/.test(t), TIMEOUT);
  ctx.step(`lenses: ${back}`);
  await wb.page.mouse.move(900, 420);
  await ctx.shot('the extra agent deleted: the cluster matches the file again', 'k3d-config-agent-deleted');
  await wb.runCommand('View: Close Editor');
  fs.rmSync(file, { force: true });
}, 240_000);
