// In a fresh window, before any YAML file or the k3d view is opened, the
// palette lists the k3d commands and the status bar shows the current context.
import * as fs from 'node:fs';
import { check, scenario } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';
import type { Workbench } from '../lib/workbench.ts';

/** The palette rows' labels for what is typed after `>`. */
async function paletteRows(wb: Workbench, typed: string): Promise<string[]> {
  const box = wb.quickInputBox();
  if (!(await wb.quickInputVisible())) {
    await wb.page.keyboard.press('F1');
    await box.waitFor({ state: 'visible', timeout: DEFAULT_TIMEOUT });
  }
  await box.fill(`>${typed}`);
  return waitUntil(
    `palette rows for "${typed}"`,
    () => wb.quickInput().locator('.quick-input-list .monaco-list-row .label-name').allTextContents(),
    (labels) => labels.some((l) => l.trim().toLowerCase().startsWith(typed.toLowerCase())),
  ).then((labels) => labels.map((l) => l.trim()));
}

scenario('palette: in a fresh window with no file and no view opened, the palette lists k3d commands and the status bar shows the context', 'simulated', async (ctx) => {
  const { wb, page, sim } = ctx;
  check(sim, 'this scenario needs the simulated k3d');
  const current = fs.readFileSync(sim.kubeconfig, 'utf8').match(/^current-context:\s*"?([^"\s]+)/m)?.[1];
  check(current, `the simulated kubeconfig ${sim.kubeconfig} has no current-context`);

  // A window restores its editors and side bar: leave neither a file nor the k3d view to restore.
  ctx.step('close all editors, show the Explorer, reload the window (a new extension host)');
  // The window stores its editors a moment after they change: a reload right after Close All can still
  // restore the old ones (seen after other scenarios had opened files). Close, wait, reload, until none.
  for (let attempt = 0; attempt < 3; attempt++) {
    await wb.runCommand('View: Close All Editors');
    await wb.openViewContainer('Explorer');
    await page.waitForTimeout(2000);
    await wb.open(page.url());
    await wb.openViewContainer('Explorer');
    if ((await page.locator('.editor .tabs-container .tab').count()) === 0) break;
  }
  check((await wb.activityBarItem('k3d').getAttribute('aria-selected')) !== 'true', 'the k3d view should not be open');
  const tabs = await page.locator('.editor .tabs-container .tab').count();
  check(tabs === 0, `no editor should be open, found ${tabs} tab(s)`);

  ctx.step(`the status bar shows ${current}`);
  const status = await waitUntil('the current context in the status bar', () => wb.statusBarTexts(), (t) => t.some((x) => x === current));
  ctx.step(`status bar: ${status.join(' | ')}`);
  check((await page.locator('.editor .tabs-container .tab').count()) === 0, 'still no editor open');
  check((await wb.activityBarItem('k3d').getAttribute('aria-selected')) !== 'true', 'still no k3d view open');
  await ctx.shot('fresh window: the status bar shows the current context', 'palette-status-bar');

  ctx.step('F1, type "k3d:"');
  const all = await paletteRows(wb, 'k3d:');
  ctx.step(`rows: ${all.join(' | ')}`);
  check(all.filter((l) => l.startsWith('k3d:')).length >= 5, `the palette should list k3d commands, got ${JSON.stringify(all)}`);
  await ctx.shot('the palette lists the k3d commands', 'palette-k3d-commands');
  for (const label of ['k3d: Use Context...', 'k3d: Follow Logs', 'k3d: Start Cluster', 'k3d: Cluster Info']) {
    const rows = await paletteRows(wb, label);
    check(rows.includes(label), `"${label}" should be in the palette, got ${JSON.stringify(rows)}`);
  }
  await paletteRows(wb, 'k3d: Use Context');
  await ctx.shot('k3d: Use Context... in the palette');

  ctx.step('run k3d: Follow Logs from the palette: it answers (a pick, or why there is nothing to follow)');
  await wb.runCommand('k3d: Follow Logs');
  const answer = await waitUntil(
    'Follow Logs to answer',
    async () => {
      const step = await wb.quickInputStep();
      if (/Whose logs/.test(step.placeholder)) return `pick: ${step.placeholder}`;
      const toast = wb.notification(/No pods in|no current Kubernetes context/i);
      return (await toast.count()) > 0 ? `notification: ${((await toast.first().textContent()) ?? '').trim()}` : '';
    },
    (a) => a !== '',
  );
  ctx.step(`Follow Logs: ${answer}`);
  check(answer.includes(current) || /Whose logs/.test(answer), `Follow Logs should work in ${current}: ${answer}`);
  await ctx.shot('Follow Logs answers from the palette');
  await wb.dismissQuickInput();
  await wb.clearNotifications();

  ctx.step('click the context in the status bar: Use Context lists the contexts');
  await page.locator('.statusbar .statusbar-item', { hasText: current }).first().click();
  const pick = await waitUntil('the Use Context pick', () => wb.quickInputStep(), (s) => s.isPick && s.title === 'Use Context');
  check(pick.placeholder.includes(current), `the pick should say the current context: ${JSON.stringify(pick)}`);
  check((await wb.quickPickRow(current).count()) > 0, `the pick should list ${current}`);
  await ctx.shot('the status bar opens Use Context', 'palette-use-context');
  await wb.dismissQuickInput();
});
