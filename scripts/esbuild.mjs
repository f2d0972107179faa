// CommonJS bundles for the extension host (`vscode` is provided by the host):
//   dist/extension.js   the extension, loaded at activation: kept small, so activation is fast;
//   dist/clientNode.js  @kubernetes/client-node, required when a feature first needs the API;
//   dist/manifests.js   the manifest core (src/core/manifests/api.ts), required when a manifest
//                       is first read;
//   dist/yaml.js        the `yaml` parser, shared by the two above and by kubeconfig reading;
//   dist/ws.js          the `ws` WebSocket client, required when a terminal or command first runs
//                       in a pod (parsing its 48 KB at every activation cost several ms);
//   dist/k3dConfig.js   k3d config files (src/core/k3d/configSchema.ts: k3d's JSON schema, the validator,
//                       completion), required when the first k3d config file opens.
// The lazy parts are imported dynamically in the source; here they become requires of sibling
// files, which Node resolves next to the bundle. Type-checking is `npm run typecheck`.
import * as esbuild from 'esbuild';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Imports of these become `require('./<file>')`, resolved in dist/ at run time. */
function lazyParts(parts) {
  return {
    name: 'lazy-parts',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        for (const [match, file] of parts) {
          const hit = typeof match === 'string' ? args.path === match : match.test(path.resolve(args.resolveDir, args.path));
          if (hit && args.kind !== 'entry-point') return { path: `./${file}`, external: true };
        }
        return undefined;
      });
    },
  };
}

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

const manifestsApi = /src\/core\/manifests\/api\.ts$/;
const k3dConfigCore = /src\/core\/k3d\/configSchema\.ts$/;

const contexts = await Promise.all([
  esbuild.context({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode', '@kubernetes/client-node'],
    define: { K3D_DEPLOY_BUNDLE: 'true' },
    plugins: [lazyParts([['yaml', 'yaml.js'], ['ws', 'ws.js'], [manifestsApi, 'manifests.js'], [k3dConfigCore, 'k3dConfig.js']])],
  }),
  esbuild.context({
    ...common,
    entryPoints: ['src/core/kube/clientNode.ts'],
    outfile: 'dist/clientNode.js',
    external: ['vscode'],
  }),
  esbuild.context({
    ...common,
    entryPoints: ['src/core/manifests/api.ts'],
    outfile: 'dist/manifests.js',
    plugins: [lazyParts([['yaml', 'yaml.js']])],
  }),
  esbuild.context({
    ...common,
    entryPoints: ['src/core/k3d/configSchema.ts'],
    outfile: 'dist/k3dConfig.js',
    plugins: [lazyParts([['yaml', 'yaml.js']])],
  }),
  esbuild.context({
    ...common,
    stdin: { contents: "export * from 'yaml';", resolveDir: process.cwd(), loader: 'js' },
    outfile: 'dist/yaml.js',
  }),
  esbuild.context({
    ...common,
    stdin: { contents: "module.exports = require('ws');", resolveDir: process.cwd(), loader: 'js' },
    outfile: 'dist/ws.js',
  }),
]);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
