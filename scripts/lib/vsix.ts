// The extension as a person installs it: dist/k3d-deploy.vsix, built by `npm run package`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, vsixPath } from './paths.ts';
import { run } from './processes.ts';

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** Inputs of the .vsix: when any is newer than it, it is rebuilt. */
const INPUTS = ['src', 'media', 'syntaxes', 'package.json', 'README.md', '.vscodeignore'];

export function vsixIsStale(): boolean {
  if (!fs.existsSync(vsixPath)) return true;
  const built = fs.statSync(vsixPath).mtimeMs;
  return INPUTS.some((input) => newestMtime(path.join(repoRoot, input)) > built);
}

/** Runs `npm run package` when forced or when the .vsix is missing or older than its inputs. */
export async function ensureVsix(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  const log = options.log ?? console.log;
  if (!options.force && !vsixIsStale()) return vsixPath;
  log('building the extension: npm run package');
  const execpath = process.env.npm_execpath;
  const [command, prefix] = execpath && /npm-cli\.js$/.test(execpath) ? [process.execPath, [execpath]] : ['npm', []];
  // npm scripts need Node 24 first on PATH (it strips the types of the .ts scripts).
  const env = { ...process.env, PATH: [path.join(repoRoot, 'node_modules', '.bin'), process.env.PATH ?? ''].join(path.delimiter) };
  const result = await run(command, [...prefix, 'run', 'package'], { cwd: repoRoot, env, timeoutMs: 5 * 60_000 });
  if (result.code !== 0 || !fs.existsSync(vsixPath)) {
    throw new Error(`npm run package failed (exit ${result.code}):\n${(result.stdout + result.stderr).slice(-4000)}`);
  }
  return vsixPath;
}
