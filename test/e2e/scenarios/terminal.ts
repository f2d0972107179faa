// Inside a pod (issue 19): right-click a pod that runs as a real container > Open Terminal, type a command in the
// VS Code terminal and see its output; then Run Command… shows a command's output and exit code.
import { spawnSync } from 'node:child_process';
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

/** What the terminal panel shows, row by row (xterm's DOM rows, or its accessibility tree). */
async function terminalText(ctx: ScenarioContext): Promise<string> {
  const rows = await ctx.page.locator('.part.panel .xterm-rows > div, .part.panel .xterm-accessibility-tree > div').allTextContents();
  return rows.map((r) => r.replace(/\u00a0/g, ' ')).join('\n');
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
  try {
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
    await wb.contextMenu(row, 'Open Terminal');
    const terminal = page.locator('.part.panel .xterm').first();
    await terminal.waitFor({ timeout: DEFAULT_TIMEOUT });
    await waitUntil('the shell\'s prompt', () => terminalText(ctx), (t) => /# ?$/m.test(t) || t.includes('BusyBox'), 30_000).catch(() => undefined);
    const stamp = Date.now().toString(36);
    await terminal.click();
    ctx.step(`type: echo hello-$((6*7))-${stamp} | tee /tmp/typed; stty size`);
    await page.keyboard.type(`echo hello-$((6*7))-${stamp} | tee /tmp/typed; stty size`);
    await page.keyboard.press('Enter');
    // What the shell ran, read back from the container: the keystrokes reached it.
    await waitUntil('the typed command to run in the pod', async () => run(ctx, 'kubectl', 'exec', POD, '--', 'cat', '/tmp/typed').out, (o: string) => o.trim() === `hello-42-${stamp}`, 30_000);
    const shown = await waitUntil('its output in the terminal', () => terminalText(ctx), (t) => t.includes(`hello-42-${stamp}`), 10_000).catch(() => '');
    ctx.step(`terminal shows: ${shown.split('\n').filter((l) => l.trim()).slice(-4).join(' / ')}`);
    await ctx.shot('a shell in the pod: the typed command and its output');

    ctx.step(`right-click ${POD} > Run Command…: sh -c 'echo from-run-command; exit 3'`);
    await wb.contextMenu(row, 'Run Command…');
    await wb.quickInputBox().waitFor({ state: 'visible' });
    await page.keyboard.type(`sh -c 'echo from-run-command; exit 3'`);
    await page.keyboard.press('Enter');
    const toast = await waitUntil('the exit code notification', () => wb.notificationToasts().allTextContents().then((t) => t.join(' | ')), (t) => /sh exited with code 3/.test(t), 30_000);
    ctx.step(`notification: ${toast}`);
    const lines = await waitUntil('the output channel', () => page.locator('.part.panel .monaco-editor .view-lines .view-line').allTextContents(), (l) => l.some((x) => x.includes('[exit code 3]')), 15_000);
    check(lines.some((l) => l.includes('from-run-command')), `the output channel should show the command's output: ${lines.join(' / ')}`);
    await ctx.shot('Run Command: its output and exit code 3');
  } finally {
    run(ctx, 'kubectl', 'delete', 'pod', POD, '--ignore-not-found', '--grace-period=0', '--wait=false');
  }
}, 240_000);
