// Two CommonJS bundles for the extension host (`vscode` is provided by the host):
//   dist/extension.js   the extension, loaded at activation: small, so activation is fast;
//   dist/clientNode.js  @kubernetes/client-node, required only when a feature first needs the API.
// Type-checking is a separate step (`npm run typecheck`).
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'info',
};

const contexts = await Promise.all([
  esbuild.context({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode', '@kubernetes/client-node'],
    define: { K3D_DEPLOY_BUNDLE: 'true' },
  }),
  esbuild.context({
    ...common,
    entryPoints: ['src/core/kube/clientNode.ts'],
    outfile: 'dist/clientNode.js',
    external: ['vscode'],
  }),
]);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
