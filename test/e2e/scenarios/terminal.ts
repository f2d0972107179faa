// Inside a pod (issue 19): right-click a pod that runs as a real container > Open Terminal, type a command in the
// VS Code terminal and see its output; then Run Command… shows a command's output and exit code.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireDocker } from '../../lib/docker.ts';
import { ensureBaseImage } from '../../lib/images.ts';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';

const VIEW = 'Clusters';
const POD = 'shell-box';

function run(ctx: ScenarioContext, cmd: string, ...args: string[]): { out: string; code: number } {
  check(ctx.sim, 'this scenario needs the simulated k3d');
  const r = spawnSync(cmd, args, { env: ctx.sim.env, encoding: 'utf8', timeout: 120_000 });
  return { out: `${r.stdout}${r.stderr}`, code: r.status ?? 1 };
}

/** What the terminal shows, row by row: with GPU acceleration off (see below) xterm draws its rows as DOM text. */
async function terminalText(ctx: ScenarioContext): Promise<string> {
  const rows = await ctx.page.locator('.part.panel .xterm-rows > div').allTextContents();
  return rows.map((r) => r.replace(/\u00a0/g, ' ')).join('\n');
}

/** Sets workspace settings for the scenario's length: returns what puts the file back. */
function withWorkspaceSettings(ctx: ScenarioContext, settings: Record<string, unknown>): () => void {
  const file = path.join(ctx.workspace, '.vscode', 'settings.json');
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...(before ? JSON.parse(before) : {}), ...settings }, null, 2));
  return () => (before === undefined ? fs.rmSync(file, { force: true }) : fs.writeFileSync(file, before));
}

scenario('terminal: Open Terminal on a pod running as a real container, type a command, see its output; Run Command… shows output and exit code', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  await requireDocker();
  const image = await ensureBaseImage();
  run(ctx, 'kubectl', 'config', 'use-context', 'k3d-k3s-default');
  const imported = run(ctx, 'k3d', 'image', 'import', image, '-c', 'k3s-default');
  check(imported.code === 0, `k3d image import: ${imported.out}`);
  run(ctx, 'kubectl', 'delete', 'pod', POD, '--ignore-not-found', '--grace-period=0');
  const created = run(ctx, 'kubectl', 'run', POD, `--image=${image}`, '--image-pull-policy=IfNotPresent', '--command', '--', 'sleep', '3600');
  check(created.code === 0, `kubectl run: ${created.out}`);
  // The terminal's text is drawn on a canvas unless GPU acceleration is off.
  const restoreSettings = withWorkspaceSettings(ctx, { 'terminal.integrated.gpuAcceleration': 'off' });
  try {
    await wb.runCommand('Terminal: Kill All Terminals').catch(() => wb.dismissQuickInput());
    await wb.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
    await wb.openViewContainer('k3d');
    await wb.resizeSideBar(620);
    const pane = wb.viewPane(VIEW);
    await pane.first().waitFor({ timeout: DEFAULT_TIMEOUT });
    await wb.expand(wb.treeItem('k3s-default', pane).first());
    await waitUntil('the default namespace', () => wb.descendantLabels('k3s-default', pane), (l) => l.includes('default'), 30_000);
    await wb.expand(wb.treeItem('default', pane).first());
    const row = wb.treeItem(POD, pane).first();
    await row.waitFor({ timeout: 30_000 });
    await waitUntil(`${POD} Running`, () => wb.treeItemDescription(row), (d) => /^Running/.test(d), 60_000);

    ctx.step(`right-click ${POD} > Open Terminal`);
    await wb.contextMenu(row, 'Open Terminal', { onAsked: (q) => ctx.step(`the row refreshed under the click; Open Terminal asked "${q}", answered ${POD}`) });
    const terminal = page.locator('.part.panel .xterm').filter({ visible: true }).first();
    await terminal.waitFor({ timeout: DEFAULT_TIMEOUT });
    const stamp = Date.now().toString(36);
    await page.waitForTimeout(2000); // the shell's banner and prompt
    await terminal.click();
    ctx.step(`type: echo hello-$((6*7))-${stamp} | tee /tmp/typed; stty size`);
    await page.keyboard.type(`echo hello-$((6*7))-${stamp} | tee /tmp/typed; stty size`);
    await page.keyboard.press('Enter');
    // What the shell ran, read back from the container: the keystrokes reached it.
    await waitUntil('the typed command to run in the pod', async () => run(ctx, 'kubectl', 'exec', POD, '--', 'cat', '/tmp/typed').out, (o: string) => o.trim() === `hello-42-${stamp}`, 30_000);
    const shown = await waitUntil('its output in the terminal', () => terminalText(ctx), (t) => t.includes(`\nhello-42-${stamp}`), 20_000);
    ctx.step(`terminal shows: ${shown.split('\n').filter((l) => l.trim()).slice(-4).join(' / ')}`);
    await ctx.shot('a shell in the pod: the typed command and its output');

    ctx.step(`right-click ${POD} > Run Command…: sh -c 'echo from-run-command; exit 3'`);
    await wb.contextMenu(row, 'Run Command…');
    // The terminal had the focus: typed into the box itself, and submitted until the box takes it.
    await wb.submitInput(`sh -c 'echo from-run-command; exit 3'`);
    const toast = await waitUntil('the exit code notification', () => wb.notificationToasts().allTextContents().then((t) => t.join(' | ')), (t) => /sh exited with code 3/.test(t), 30_000);
    ctx.step(`notification: ${toast}`);
    const lines = await waitUntil('the output channel', () => page.locator('.part.panel .monaco-editor .view-lines .view-line').allTextContents().then((all) => all.map((x) => x.replace(/\u00a0/g, ' '))), (l) => l.some((x) => x.includes('[exit code 3]')), 15_000);
    check(lines.some((l) => l.includes('from-run-command')), `the output channel should show the command's output: ${lines.join(' / ')}`);
    await ctx.shot('Run Command: its output and exit code 3');
  } finally {
    restoreSettings();
    run(ctx, 'kubectl', 'delete', 'pod', POD, '--ignore-not-found', '--grace-period=0', '--wait=false');
  }
}, 240_000);
