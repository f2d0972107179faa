// npm run test:integration — the suites in suites/ run INSIDE a real VS Code extension host:
// code-server with the packaged extension and a small test-runner extension (runner/extension.ts,
// built here) that runs them on activation and posts the report back over localhost HTTP.
// A headless Chromium opens the workbench, because code-server starts an extension host only for
// a connected window. With CI=true a missing browser is a failure; elsewhere a skip.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { ensureCodeServer, installExtensions, latestLogsDir, startCodeServer, writeSettings } from '../../scripts/lib/codeServer.ts';
import type { CodeServerInstall, RunningCodeServer } from '../../scripts/lib/codeServer.ts';
import { withLock } from '../../scripts/lib/lock.ts';
import { stopAllClusters } from '../../scripts/lib/k3dEnv.ts';
import { cacheDir, repoRoot, resultsDir } from '../../scripts/lib/paths.ts';
import { BUILD_PACKAGES, CHROMIUM, CHROMIUM_ARGS, ensureChromium, ensureDebianPackages } from '../../scripts/lib/prereqs.ts';
import { installCleanupHandlers, markedEnv, run, stopEverything } from '../../scripts/lib/processes.ts';
import { ensureVsix } from '../../scripts/lib/vsix.ts';
import { bundleForExtensionHost } from './lib/build.ts';
import type { Report } from './lib/harness.ts';
import { createWorld } from './lib/world.ts';
import type { World } from './lib/world.ts';

const REPORT_URL_VAR = 'K3D_DEPLOY_TEST_REPORT_URL';
const workDir = path.join(cacheDir, 'integration');
const outDir = path.join(resultsDir, 'integration');
const REPORT_TIMEOUT_MS = Number(process.env.INTEGRATION_TIMEOUT_MS ?? 180_000);
const log = (line: string) => console.log(line);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let server: RunningCodeServer | undefined;
let browser: Browser | undefined;
let world: World | undefined;
let reportServer: http.Server | undefined;

async function cleanup(): Promise<void> {
  await browser?.close().catch(() => {});
  await server?.stop();
  if (world) await stopAllClusters(world.sim);
  reportServer?.close();
  await stopEverything();
}
installCleanupHandlers(cleanup);

/** Builds the runner extension and packages it as a .vsix with vsce. */
async function buildRunnerVsix(): Promise<string> {
  const dir = path.join(workDir, 'runner-extension');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await bundleForExtensionHost(path.join(import.meta.dirname, 'runner', 'extension.ts'), path.join(dir, 'extension.js'));
  const manifest = {
    name: 'k3d-deploy-integration-runner',
    displayName: 'k3d Deploy integration test runner',
    description: 'Runs the k3d Deploy integration suites inside the extension host (test harness only).',
    publisher: 'k3d-deploy-tests',
    version: '0.0.0',
    license: 'MIT',
    engines: { vscode: '^1.100.0' },
    main: './extension.js',
    activationEvents: ['onStartupFinished'],
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, 'README.md'), '# k3d Deploy integration test runner\n\nBuilt by test/integration/run.ts.\n');
  fs.copyFileSync(path.join(repoRoot, 'LICENSE'), path.join(dir, 'LICENSE'));
  const vsix = path.join(workDir, 'runner.vsix');
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const result = await run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: dir, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`vsce package (runner) failed:\n${result.stdout}${result.stderr}`);
  return vsix;
}

/** A localhost endpoint the runner extension posts its report to. */
function listenForReport(): Promise<{ url: string; report: Promise<Report & { log?: string[]; crash?: string }> }> {
  return new Promise((resolveListening) => {
    let deliver: (report: Report & { log?: string[]; crash?: string }) => void = () => {};
    const report = new Promise<Report & { log?: string[]; crash?: string }>((resolve) => (deliver = resolve));
    reportServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.writeHead(200).end('ok');
        try {
          deliver(JSON.parse(body) as Report & { log?: string[]; crash?: string });
        } catch (err) {
          deliver({ results: [], passed: 0, failed: 1, crash: `unreadable report: ${String(err)}` });
        }
      });
    });
    reportServer.listen(0, '127.0.0.1', () => {
      const address = reportServer!.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolveListening({ url: `http://127.0.0.1:${port}/report`, report });
    });
  });
}

/** Resolves (with undefined) as soon as the extension host log says the runner extension failed to activate. */
function watchForRunnerFailure(userDataDir: string): { promise: Promise<undefined>; stop: () => void } {
  let interval: NodeJS.Timeout | undefined;
  const promise = new Promise<undefined>((resolve) => {
    interval = setInterval(() => {
      const logs = latestLogsDir(userDataDir);
      if (!logs || !fs.existsSync(logs)) return;
      for (const dir of fs.readdirSync(logs).filter((d) => d.startsWith('exthost'))) {
        const file = path.join(logs, dir, 'remoteexthost.log');
        if (!fs.existsSync(file)) continue;
        const text = fs.readFileSync(file, 'utf8');
        const failure = text.split('\n').find((line) => /k3d-deploy-integration-runner/.test(line) && /\[error\]|failed/i.test(line));
        if (failure) {
          log(`integration: the runner extension failed: ${failure}`);
          resolve(undefined);
        }
      }
    }, 2000);
  });
  return { promise, stop: () => clearInterval(interval) };
}

function saveDiagnostics(userDataDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  const logs = latestLogsDir(userDataDir);
  if (logs) fs.cpSync(logs, path.join(outDir, 'vscode-logs'), { recursive: true });
  if (server && fs.existsSync(server.logFile)) fs.copyFileSync(server.logFile, path.join(outDir, 'code-server.log'));
  log(`diagnostics: ${path.relative(process.cwd(), outDir)}/ (vscode-logs/exthost*/ has the extension host's and k3d Deploy's logs)`);
}

async function main(): Promise<number> {
  const started = Date.now();
  const ci = process.env.CI === 'true';
  const chromiumPath = await ensureChromium(log);
  if (!chromiumPath) {
    if (ci) {
      console.error(`integration: Chromium (${CHROMIUM}) is missing and CI=true: failing. Install it: apt-get install -y chromium`);
      console.log('0 passed, 1 failed');
      return 1;
    }
    console.log(`integration: SKIPPED, no Chromium at ${CHROMIUM}. Install it: sudo apt-get install -y chromium`);
    console.log('0 passed, 0 failed, 1 skipped');
    return 0;
  }
  if (!fs.existsSync(path.join(cacheDir, 'code-server', '.installed'))) {
    await ensureDebianPackages(BUILD_PACKAGES, "to build code-server's native modules", log);
  }
  const vsix = await ensureVsix({ log });
  const install = await ensureCodeServer(log);
  // One integration run at a time per checkout: the work folder and test-results/integration are shared.
  return withLock(path.join(cacheDir, 'integration.lock'), 'integration run in this checkout', log, () => runSuites(vsix, install, chromiumPath, started));
}

async function runSuites(vsix: string, install: CodeServerInstall, chromiumPath: string, started: number): Promise<number> {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const runnerVsix = await buildRunnerVsix();
  world = await createWorld(path.join(workDir, 'world'));

  const userDataDir = path.join(workDir, 'user-data');
  const extensionsDir = path.join(workDir, 'extensions');
  writeSettings(userDataDir);
  await installExtensions(install, [vsix, runnerVsix], extensionsDir, userDataDir);
  const { url: reportUrl, report } = await listenForReport();
  server = await startCodeServer({
    install,
    userDataDir,
    extensionsDir,
    folder: world.workspace,
    env: { ...world.sim.env, [REPORT_URL_VAR]: reportUrl },
    logFile: path.join(workDir, 'code-server.log'),
  });
  log(`integration: code-server ${install.version} up; setup ${seconds(Date.now() - started)}; opening the workbench`);
  browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, env: markedEnv() as Record<string, string> });
  const page = await browser.newPage();
  // The workbench's first load compiles and fetches a lot: on a busy 2-core machine it takes over 30 s.
  await page.goto(server.url, { timeout: 180_000 });

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), REPORT_TIMEOUT_MS)));
  const runnerFailed = watchForRunnerFailure(userDataDir);
  const received = await Promise.race([report, timeout, runnerFailed.promise]);
  clearTimeout(timer);
  runnerFailed.stop();
  if (!received) {
    log(`integration: no report from the runner extension (it failed, or ${seconds(REPORT_TIMEOUT_MS)} passed)`);
    saveDiagnostics(userDataDir);
    console.log('0 passed, 1 failed');
    return 1;
  }
  log(`integration: VS Code ${received.vscodeVersion ?? '?'} extension host`);
  for (const line of received.log ?? []) log(`  ${line}`);
  if (received.crash) log(`integration: the runner crashed:\n${received.crash}`);
  if (received.failed > 0) saveDiagnostics(userDataDir);
  log(`integration: total ${seconds(Date.now() - started)}`);
  console.log(`${received.passed} passed, ${received.failed} failed`);
  return received.failed === 0 && received.passed > 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    console.error(`integration: ${(err as Error).stack ?? err}`);
    await cleanup();
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
