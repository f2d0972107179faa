// npm run test:e2e — a person's-eye suite: headless Chromium drives the packaged extension in
// code-server (VS Code 1.139 in the browser). Screenshots go to test-results/e2e/.
//   node test/e2e/run.ts [name filter...]     (filters match scenario names, case-insensitively)
// With CI=true a missing browser is a failure; elsewhere it skips with the command to install it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureCodeServer, installExtensions } from '../../scripts/lib/codeServer.ts';
import type { CodeServerInstall } from '../../scripts/lib/codeServer.ts';
import { cacheDir, resultsDir } from '../../scripts/lib/paths.ts';
import { BUILD_PACKAGES, CHROMIUM, ensureChromium, ensureDebianPackages } from '../../scripts/lib/prereqs.ts';
import { installCleanupHandlers, stopEverything } from '../../scripts/lib/processes.ts';
import { ensureVsix } from '../../scripts/lib/vsix.ts';
import { scenarios, slug } from './lib/harness.ts';
import type { FixtureName, Scenario } from './lib/harness.ts';
import { Session } from './lib/session.ts';
import { withLock } from '../../scripts/lib/lock.ts';

/** Every file in scenarios/ registers its scenarios when imported; they run in file-name order. */
async function loadScenarios(): Promise<void> {
  const dir = path.join(import.meta.dirname, 'scenarios');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    await import(pathToFileURL(path.join(dir, file)).href);
  }
}

const e2eResults = path.join(resultsDir, 'e2e');
const workRoot = path.join(cacheDir, 'e2e');
const log = (line: string) => console.log(line);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let current: Session | undefined;
installCleanupHandlers(async () => {
  await current?.stop();
  await stopEverything();
});

async function main(): Promise<number> {
  const started = Date.now();
  await loadScenarios();
  const filters = process.argv.slice(2).map((f) => f.toLowerCase());
  const selected = scenarios.filter((s) => filters.length === 0 || filters.some((f) => s.name.toLowerCase().includes(f)));
  const ci = process.env.CI === 'true';

  const chromiumPath = await ensureChromium(log);
  if (!chromiumPath) {
    if (ci) {
      console.error(`e2e: Chromium (${CHROMIUM}) is missing and CI=true: failing. Install it: apt-get install -y chromium`);
      console.log(`0 passed, ${selected.length} failed`);
      return 1;
    }
    console.log(`e2e: SKIPPED, no Chromium at ${CHROMIUM}. Install it: sudo apt-get install -y chromium`);
    console.log(`0 passed, 0 failed, ${selected.length} skipped`);
    return 0;
  }
  if (!fs.existsSync(path.join(cacheDir, 'code-server', '.installed'))) {
    await ensureDebianPackages(BUILD_PACKAGES, "to build code-server's native modules", log);
  }
  const vsix = await ensureVsix({ log });
  const install = await ensureCodeServer(log);
  // One e2e run at a time per checkout: the fixtures' folders and test-results/e2e are shared.
  return withLock(path.join(cacheDir, 'e2e.lock'), 'e2e run in this checkout', log, () => runAll(selected, install, vsix, chromiumPath, started));
}

async function runAll(selected: Scenario[], install: CodeServerInstall, vsix: string, chromiumPath: string, started: number): Promise<number> {
  const extensionsDir = path.join(workRoot, 'extensions');
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  await installExtensions(install, [vsix], extensionsDir, path.join(workRoot, 'install-user-data'));
  fs.rmSync(e2eResults, { recursive: true, force: true });
  fs.mkdirSync(e2eResults, { recursive: true });
  log(`e2e: code-server ${install.version}, ${path.relative(process.cwd(), vsix)}, ${selected.length} scenario(s); setup ${seconds(Date.now() - started)}`);

  const fixtures: FixtureName[] = [...new Set(selected.map((s) => s.fixture))];
  let passed = 0;
  let failed = 0;
  let index = 0;
  for (const fixture of fixtures) {
    const group = selected.filter((s) => s.fixture === fixture);
    log(`\nfixture ${fixture}:`);
    const fixtureStarted = Date.now();
    try {
      current = await Session.start({
        fixture,
        install,
        extensionsDir,
        workDir: path.join(workRoot, fixture),
        chromiumPath,
        log,
      });
      log(`  ready in ${seconds(Date.now() - fixtureStarted)}`);
    } catch (err) {
      for (const s of group) {
        index++;
        failed++;
        log(`  FAIL ${s.name}\n       fixture did not start: ${(err as Error).message}`);
      }
      continue;
    }
    let needsReload = false;
    for (const s of group) {
      index++;
      if (needsReload) {
        await current.reload().catch((err: Error) => log(`  (reload failed: ${err.message})`));
        needsReload = false;
      }
      let ok = await runScenario(current, s, index);
      if (!ok && RETRIES > 0) {
        // A browser driving a whole workbench on a loaded 2-core machine loses a race now and then; a
        // scenario gets one more try in a fresh extension host, and passing only then is reported.
        await current.reload().catch((err: Error) => log(`  (reload failed: ${err.message})`));
        log(`  retry ${s.name}`);
        ok = await runScenario(current, s, index, 'retry');
        if (ok) passedOnRetry.push(s.name);
      }
      if (ok) passed++;
      else {
        failed++;
        needsReload = true;
      }
    }
    await current.stop();
    current = undefined;
  }
  await stopEverything();
  log(`\ne2e: screenshots in ${path.relative(process.cwd(), e2eResults)}/; total ${seconds(Date.now() - started)}`);
  if (passedOnRetry.length > 0) log(`e2e: passed only on the second try (look at their first failure):\n  ${passedOnRetry.join('\n  ')}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

/** Tries per failed scenario: E2E_RETRIES (0 or 1; default 1). */
const RETRIES = process.env.E2E_RETRIES === '0' ? 0 : 1;
const passedOnRetry: string[] = [];

async function runScenario(session: Session, s: Scenario, index: number, attempt = ''): Promise<boolean> {
  const dir = path.join(e2eResults, `${String(index).padStart(2, '0')}-${slug(s.name)}${attempt ? `-${attempt}` : ''}`);
  fs.mkdirSync(dir, { recursive: true });
  let shots = 0;
  const steps: string[] = [];
  const started = Date.now();
  const ctx = {
    wb: session.wb,
    page: session.page,
    sim: session.sim,
    workspace: session.workspace,
    step: (text: string) => steps.push(`${seconds(Date.now() - started)} ${text}`),
    shot: async (moment: string, stableName?: string) => {
      const file = path.join(dir, `${String(++shots).padStart(2, '0')}-${slug(moment)}.png`);
      await session.page.screenshot({ path: file });
      if (stableName) fs.copyFileSync(file, path.join(e2eResults, `${slug(stableName)}.png`));
      return file;
    },
  };
  const timeoutMs = s.timeoutMs ?? 90_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      s.run(ctx),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`scenario timed out after ${seconds(timeoutMs)}`)), timeoutMs))),
    ]);
    log(`  ok   ${s.name} (${seconds(Date.now() - started)})`);
    return true;
  } catch (err) {
    log(`  FAIL ${s.name} (${seconds(Date.now() - started)})`);
    log(`       ${String((err as Error).message ?? err).split('\n').join('\n       ')}`);
    if (steps.length > 0) log(`       last steps:\n         ${steps.slice(-6).join('\n         ')}`);
    try {
      const file = path.join(dir, 'failure.png');
      await session.page.screenshot({ path: file });
      log(`       screenshot: ${path.relative(process.cwd(), file)}`);
    } catch (shotErr) {
      log(`       (no failure screenshot: ${(shotErr as Error).message})`);
    }
    const saved = session.saveDiagnostics(path.join(dir, 'diagnostics'));
    log(`       diagnostics: ${saved.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
    log(`       extension log:\n${session.extensionLogTail(25).replace(/^/gm, '         ')}`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(`e2e: ${(err as Error).stack ?? err}`);
    await current?.stop().catch(() => {});
    await stopEverything();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
