// Bundles test code that runs inside the extension host into one CommonJS file, as the extension
// itself is bundled (`vscode` comes from the host): an entry module (the runner extension, or the
// @vscode/test-electron entry) plus every suites/*.suite.ts, so a new suite needs no registration.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const integrationDir = path.resolve(import.meta.dirname, '..');

export function suiteFiles(): string[] {
  const dir = path.join(integrationDir, 'suites');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.suite.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

export async function bundleForExtensionHost(entry: string, outfile: string): Promise<void> {
  // The suites register themselves on import, before the entry's run/activate is called.
  const contents = [...suiteFiles().map((f) => `import ${JSON.stringify(f)};`), `export * from ${JSON.stringify(entry)};`].join('\n');
  await esbuild.build({
    stdin: { contents, resolveDir: integrationDir, sourcefile: 'integration-entry.ts', loader: 'ts' },
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}
