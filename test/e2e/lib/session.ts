// One fixture's world: k3d environment, code-server with the packaged extension, and a headless
// Chromium page showing the workbench.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { latestLogsDir, startCodeServer, writeSettings } from '../../../scripts/lib/codeServer.ts';
import type { CodeServerInstall, RunningCodeServer } from '../../../scripts/lib/codeServer.ts';
import { k3dOk, noK3dEnv, simulatedK3d, stopAllClusters } from '../../../scripts/lib/k3dEnv.ts';
import type { SimulatedK3d } from '../../../scripts/lib/k3dEnv.ts';
import { CHROMIUM_ARGS } from '../../../scripts/lib/prereqs.ts';
import { markedEnv } from '../../../scripts/lib/processes.ts';
import { ensureSampleWorkspace } from '../../../scripts/lib/workspace.ts';
import type { FixtureName } from './harness.ts';
import { Workbench } from './workbench.ts';

export interface SessionOptions {
  fixture: FixtureName;
  install: CodeServerInstall;
  extensionsDir: string;
  /** Scratch folder of this fixture (emptied). */
  workDir: string;
  chromiumPath: string;
  log: (line: string) => void;
}

/** The simulator's speed in the e2e runs: fast, yet slow enough to see progress notifications. */
const SIM_SPEED = Number(process.env.E2E_SIM_SPEED ?? 0.1);

export const VIEWPORT = { width: 1280, height: 800 };

export class Session {
  readonly fixture: FixtureName;
  readonly sim: SimulatedK3d | undefined;
  readonly server: RunningCodeServer;
  readonly browser: Browser;
  readonly page: Page;
  readonly wb: Workbench;
  readonly consoleLines: string[];
  readonly workspace: string;

  private constructor(fixture: FixtureName, sim: SimulatedK3d | undefined, server: RunningCodeServer, browser: Browser, page: Page, consoleLines: string[], workspace: string) {
    this.workspace = workspace;
    this.fixture = fixture;
    this.sim = sim;
    this.server = server;
    this.browser = browser;
    this.page = page;
    this.wb = new Workbench(page);
    this.consoleLines = consoleLines;
  }

  static async start(options: SessionOptions): Promise<Session> {
    const { workDir, log } = options;
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });
    let sim: SimulatedK3d | undefined;
    let env: NodeJS.ProcessEnv;
    if (options.fixture === 'simulated' || options.fixture === 'dockerDown' || options.fixture === 'learner') {
      sim = simulatedK3d(path.join(workDir, 'k3d-state'), { speed: SIM_SPEED });
      env = sim.env;
      if (options.fixture !== 'learner') {
        log('  creating k3s-default (1 server, 2 agents) with the simulated k3d');
        await k3dOk(sim, ['cluster', 'create', 'k3s-default', '-a', '2'], 120_000);
      }
      // Docker "down" without touching the machine's engine: a socket nobody listens on.
      if (options.fixture === 'dockerDown') env = { ...env, DOCKER_HOST: 'unix:///nonexistent-k3d-deploy-e2e.sock' };
    } else {
      env = noK3dEnv();
    }
    const userDataDir = path.join(workDir, 'user-data');
    writeSettings(userDataDir, {
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'workbench.colorTheme': 'Default Dark Modern',
      'window.zoomLevel': 0,
    });
    const workspace = ensureSampleWorkspace(path.join(workDir, 'workspace'));
    const server = await startCodeServer({
      install: options.install,
      userDataDir,
      extensionsDir: options.extensionsDir,
      folder: workspace,
      env,
      logFile: path.join(workDir, 'code-server.log'),
    });
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: options.chromiumPath, args: CHROMIUM_ARGS, env: markedEnv() as Record<string, string> });
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      const consoleLines: string[] = [];
      page.on('console', (msg) => consoleLines.push(`[${msg.type()}] ${msg.text()}`));
      page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));
      const session = new Session(options.fixture, sim, server, browser, page, consoleLines, workspace);
      await session.wb.open(server.url);
      await session.wb.resizeSideBar(560);
      return session;
    } catch (err) {
      await browser?.close().catch(() => {});
      await server.stop();
      throw err;
    }
  }

  /** Reloads the window (a fresh extension host), e.g. after a failed scenario. */
  async reload(): Promise<void> {
    await this.wb.open(this.server.url);
  }

  /** Copies what explains a failure into `dir`: workbench logs, code-server's log, the browser console. */
  saveDiagnostics(dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    const saved: string[] = [];
    const logs = latestLogsDir(this.server.userDataDir);
    if (logs) {
      fs.cpSync(logs, path.join(dir, 'vscode-logs'), { recursive: true });
      saved.push(path.join(dir, 'vscode-logs'));
    }
    if (fs.existsSync(this.server.logFile)) {
      fs.copyFileSync(this.server.logFile, path.join(dir, 'code-server.log'));
      saved.push(path.join(dir, 'code-server.log'));
    }
    fs.writeFileSync(path.join(dir, 'browser-console.log'), this.consoleLines.join('\n') + '\n');
    saved.push(path.join(dir, 'browser-console.log'));
    return saved;
  }

  /** The extension's own log (its LogOutputChannel) and the extension host log, last lines of each. */
  extensionLogTail(lines = 40): string {
    const logs = latestLogsDir(this.server.userDataDir);
    if (!logs) return '(no VS Code logs found)';
    const files = walk(logs).filter((f) => /k3d|exthost\.log$/i.test(path.basename(f)) || /k3d-deploy/i.test(f));
    return files
      .map((f) => {
        const text = fs.readFileSync(f, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
        return `--- ${path.relative(logs, f)} ---\n${text}`;
      })
      .join('\n');
  }

  async stop(): Promise<void> {
    await this.browser.close().catch(() => {});
    await this.server.stop();
    if (this.sim) await stopAllClusters(this.sim);
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
