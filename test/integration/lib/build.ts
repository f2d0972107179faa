// Bundles test code that runs inside the extension host (suites + an entry) into one CommonJS
// file, as the extension itself is bundled: `vscode` comes from the host.
import * as esbuild from 'esbuild';

export async function bundleForExtensionHost(entry: string, outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [entry],
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
