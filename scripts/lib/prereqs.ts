// Machine prerequisites the demo and the tests need beyond `npm install`: Debian's build packages
// (only to compile code-server's native modules on first install) and Chromium (tests only).
// As root with apt-get they are installed; otherwise the exact command is named.
import * as fs from 'node:fs';
import { run } from './processes.ts';

/** Debian packages that code-server's native modules (kerberos, keytar-like, x11) build with. */
export const BUILD_PACKAGES = ['build-essential', 'python3', 'pkg-config', 'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev'];
export const BROWSER_PACKAGES = ['chromium'];
/** Debian's Chromium; CHROMIUM_PATH points elsewhere (then nothing is installed for you). */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

async function missingDebianPackages(packages: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const pkg of packages) {
    const result = await run('dpkg-query', ['-W', '-f=${Status}', pkg], { timeoutMs: 15_000 });
    if (result.code !== 0 || !result.stdout.includes('install ok installed')) missing.push(pkg);
  }
  return missing;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = () => fs.existsSync('/usr/bin/apt-get');

let aptUpdated = false;

/**
 * Makes sure the Debian packages are installed. Returns normally when they are (or were just
 * installed); throws an Error naming the command to run otherwise.
 */
export async function ensureDebianPackages(packages: readonly string[], why: string, log: (line: string) => void = console.log): Promise<void> {
  if (!fs.existsSync('/usr/bin/dpkg-query')) {
    log(`not a Debian-like system: make sure these are installed (${why}): ${packages.join(' ')}`);
    return;
  }
  const missing = await missingDebianPackages(packages);
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!isRoot() || !hasApt()) {
    throw new Error(`missing Debian packages (${why}): ${missing.join(' ')}\nInstall them with:\n  sudo apt-get update && sudo ${command}`);
  }
  log(`installing Debian packages (${why}): ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    const update = await run('apt-get', ['update'], { env, timeoutMs: 10 * 60_000 });
    if (update.code !== 0) throw new Error(`apt-get update failed:\n${update.stderr.slice(-2000)}`);
    aptUpdated = true;
  }
  const install = await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 20 * 60_000 });
  if (install.code !== 0) throw new Error(`${command} failed:\n${install.stderr.slice(-2000)}`);
}

/** The Chromium that Playwright drives; undefined (with the reason logged) when unavailable. */
export async function ensureChromium(log: (line: string) => void = console.log): Promise<string | undefined> {
  if (fs.existsSync(CHROMIUM)) return CHROMIUM;
  if (process.env.CHROMIUM_PATH) {
    log(`no browser at CHROMIUM_PATH=${CHROMIUM}`);
    return undefined;
  }
  try {
    await ensureDebianPackages(BROWSER_PACKAGES, 'headless browser for the e2e and integration tests', log);
  } catch (err) {
    log((err as Error).message);
    return undefined;
  }
  return fs.existsSync(CHROMIUM) ? CHROMIUM : undefined;
}

/** Flags that keep Debian's Chromium quiet and working as root in a container. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
