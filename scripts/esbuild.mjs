// CommonJS bundles for the extension host (`vscode` is provided by the host):
//   dist/extension.js   the extension, loaded at activation: kept small, so activation is fast (bench/activation.ts);
//   dist/clientNode.js  @kubernetes/client-node, required when a feature first needs the API;
//   dist/manifests.js   the manifest core (src/core/manifests/api.ts), required when a manifest
//                       is first read;
//   dist/yaml.js        the `yaml` parser, shared by the two above and by kubeconfig reading;
//   dist/ws.js          the `ws` WebSocket client, required when a terminal or command first runs
//                       in a pod (parsing its 48 KB at every activation cost several ms);
//   dist/k3dConfig.js   k3d config files (src/core/k3d/configSchema.ts: k3d's JSON schema, the validator,
//                       completion), required when the first k3d config file opens;
//   FEATURE_PARTS       the bodies of commands (and rare editors), required when a user first runs one: activation
//                       registers each command as a thunk that loads its part (src/core/lazy.ts). V8 compiles and
//                       runs all of dist/extension.js at activation, so every KiB in it is paid by every window.
// The lazy parts are imported dynamically in the source; here they become requires of sibling
// files, which Node resolves next to the bundle. Type-checking is `npm run typecheck`.
//
// A feature part never carries its own copy of a module that dist/extension.js already has: such an import is
// answered with the main bundle's module object (published on a global symbol when extension.js loads). A copy
// would split the module's state in two (a cache, a setting like http.ts's request timeouts, an EventEmitter)
// and break `instanceof` on its classes (a K3dError thrown by ctx.k3d, checked by a copy of the class).
// bundleRules.mjs checkSharedState() fails the build when a module that holds state is bundled into two files anyway.
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync, watch as watchFiles, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { importedNames } from './bundleChecks.mjs';
import { bundledModules, checkLoadedParts, checkSharedState, mustNotCopy } from './bundleRules.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = process.cwd();
const rel = (file) => path.relative(root, file).split(path.sep).join('/');

/**
 * Parts of features, each built from its entry into dist/<file>, required on first use through
 * loadPart('<file>', () => import('<entry>')). An entry is only imported dynamically by the rest of src/.
 */
const FEATURE_PARTS = [
  ['src/features/workloads/part.ts', 'workloadCommands.js'],
  ['src/features/clusters/part.ts', 'clusterCommands.js'],
  ['src/features/k3dConfig/part.ts', 'k3dConfigEditor.js'],
  ['src/features/deploy/loop.ts', 'deployLoop.js'],
  ['src/features/deploy/watches.ts', 'deployOnSave.js'],
  ['src/features/portForward/part.ts', 'portForward.js'],
  ['src/features/rollback/history.ts', 'rollback.js'],
  ['src/features/apply/part.ts', 'applyCommands.js'],
  ['src/features/logs/part.ts', 'logs.js'],
  ['src/features/terminal/commands.ts', 'terminal.js'],
  ['src/features/walkthrough/commands.ts', 'walkthrough.js'],
  ['src/features/imageTags/buildDeploy.ts', 'imageTagsBuild.js'],
  ['src/features/imageTags/part.ts', 'imageTags.js'],
];

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

const HOST_MODULES = 'Symbol.for("k3dDeploy.bundledModules")';

/**
 * In a feature part: a relative import of a module that holds state or defines a class (mustNotCopy), when the main
 * bundle holds it, is that module, taken from the main bundle. `used` collects, per module, the names the part takes
 * (see buildMain). Other modules (functions, constants) are copied into the part: taking them from the main bundle
 * would keep in it the exports only the part uses, and what those import.
 */
function fromMainBundle(mainModules, used, part, elsewhere) {
  return {
    name: 'from-main-bundle',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const file = rel(path.resolve(args.resolveDir, args.path));
        if (!file.startsWith('src/') || !mustNotCopy(file)) return undefined;
        const record = (map) => {
          const entry = map.get(file) ?? { names: new Set(), parts: new Set() };
          for (const name of importedNames(readFileSync(args.importer, 'utf8'), args.path)) entry.names.add(name);
          entry.parts.add(part);
          map.set(file, entry);
        };
        if (!mainModules.has(file)) {
          record(elsewhere); // copied into this part; if another part copies it too, the main bundle gets it
          return undefined;
        }
        record(used);
        return { path: file, namespace: 'main-bundle' };
      });
      build.onLoad({ filter: /.*/, namespace: 'main-bundle' }, (args) => ({
        contents: `const m = globalThis[${HOST_MODULES}]?.[${JSON.stringify(args.path)}];\n` +
          `if (!m) throw new Error(${JSON.stringify(`dist/extension.js did not publish ${args.path}`)});\nmodule.exports = m;`,
        loader: 'js',
      }));
    },
  };
}

/** The names src/ reads from the `vscode` module (`vscode.window`, `vscode.Uri`, ...). */
function vscodeNames() {
  const names = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) for (const m of readFileSync(file, 'utf8').matchAll(/\bvscode\.([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
    }
  };
  walk(path.join(root, 'src'));
  return [...names].sort();
}

/**
 * `import * as vscode from 'vscode'` as one module exporting the API's members by name. Left external, esbuild
 * gives each of the ~60 importing modules its own copy of the whole API object (__toESM: a getter per member),
 * which was a measurable part of activation; this way `vscode.window` is a plain reference.
 */
function vscodeApi() {
  return {
    name: 'vscode-api',
    setup(build) {
      build.onResolve({ filter: /^vscode$/ }, (args) =>
        args.namespace === 'vscode-api' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-api' });
      build.onLoad({ filter: /.*/, namespace: 'vscode-api' }, () => ({
        contents: `const api = require('vscode');\n${vscodeNames().map((n) => `export const ${n} = api.${n};`).join('\n')}\n`,
        loader: 'js',
      }));
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
const sharedParts = [['yaml', 'yaml.js'], ['ws', 'ws.js'], [manifestsApi, 'manifests.js'], [k3dConfigCore, 'k3dConfig.js']];
const featureParts = FEATURE_PARTS.map(([entry, file]) => [new RegExp(`${entry.replace(/[.]/g, '\\.')}$`), file]);
const define = { K3D_DEPLOY_BUNDLE: 'true' };

/**
 * dist/extension.js, publishing the modules the feature parts take from it: `published` maps a module (path
 * relative to the root) to the names taken, '*' for all. Only those names are published (as getters, so a
 * binding stays live): publishing a whole module would keep all its exports, and what they import, in the bundle.
 */
function buildMain(published) {
  const imports = [];
  const entries = [];
  [...published.keys()].sort().forEach((file, i) => {
    const names = [...published.get(file)].sort();
    const from = JSON.stringify(`./${file}`);
    if (names.includes('*')) {
      imports.push(`import * as m${i} from ${from};`);
      entries.push(`${JSON.stringify(file)}: m${i}`);
    } else {
      imports.push(`import { ${names.map((n, j) => `${n} as m${i}_${j}`).join(', ')} } from ${from};`);
      entries.push(`${JSON.stringify(file)}: { ${names.map((n, j) => `get ${n}() { return m${i}_${j}; }`).join(', ')} }`);
    }
  });
  return esbuild.build({
    ...common,
    logLevel: 'warning',
    stdin: {
      contents: `export * from './src/extension.ts';\n${imports.join('\n')}\nglobalThis[${HOST_MODULES}] = { ${entries.join(', ')} };\n`,
      resolveDir: root,
      sourcefile: 'extension-entry.js',
      loader: 'js',
    },
    outfile: 'dist/extension.js',
    external: ['vscode', '@kubernetes/client-node'],
    define,
    metafile: true,
    plugins: [vscodeApi(), lazyParts([...sharedParts, ...featureParts])],
  });
}

function buildFeaturePart([entry, file], mainModules, used, elsewhere) {
  return esbuild.build({
    ...common,
    logLevel: 'warning',
    entryPoints: [entry],
    outfile: `dist/${file}`,
    external: ['vscode', '@kubernetes/client-node'],
    define,
    metafile: true,
    plugins: [vscodeApi(), lazyParts([...sharedParts, ...featureParts.filter(([, f]) => f !== file)]), fromMainBundle(mainModules, used, file, elsewhere)],
  });
}

/**
 * Main bundle and feature parts, until every module a part takes from the main bundle is published by it
 * (publishing a module keeps all its exports, which can pull more modules into the main bundle).
 */
async function buildMainAndParts() {
  let published = new Map();
  const covered = (used) => [...used].every(([file, { names }]) => [...names].every((n) => published.get(file)?.has(n) || published.get(file)?.has('*')));
  for (let round = 0; round < 5; round++) {
    const main = await buildMain(published);
    const mainModules = bundledModules(main.metafile);
    const used = new Map();
    const elsewhere = new Map();
    const parts = await Promise.all(FEATURE_PARTS.map((part) => buildFeaturePart(part, mainModules, used, elsewhere)));
    // A module that must not be copied, wanted by two parts and not in the main bundle: the main bundle takes it.
    for (const [file, entry] of elsewhere) if (entry.parts.size > 1) used.set(file, entry);
    if (covered(used)) {
      const size = () => `${(Object.values(main.metafile.outputs)[0].bytes / 1024).toFixed(1)} KiB`;
      console.log(`esbuild.mjs: dist/extension.js ${size()}, publishing ${published.size} modules to ${FEATURE_PARTS.length} feature parts`);
      // K3D_METAFILE=/tmp/meta.json: what each module costs dist/extension.js (esbuild's analyzer reads it too).
      if (process.env.K3D_METAFILE) writeFileSync(process.env.K3D_METAFILE, JSON.stringify(main.metafile));
      return [['extension.js', main.metafile], ...FEATURE_PARTS.map(([, file], i) => [file, parts[i].metafile])];
    }
    for (const [file, { names }] of used) published.set(file, new Set([...(published.get(file) ?? []), ...names]));
  }
  throw new Error('esbuild.mjs: the modules the feature parts take from dist/extension.js did not settle in 5 rounds');
}

const contexts = await Promise.all([
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
    metafile: true,
    plugins: [lazyParts([['yaml', 'yaml.js']])],
  }),
  esbuild.context({
    ...common,
    entryPoints: ['src/core/k3d/configSchema.ts'],
    outfile: 'dist/k3dConfig.js',
    metafile: true,
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

async function buildAll() {
  checkLoadedParts(new Set([...sharedParts, ...featureParts].map(([, file]) => file)));
  const [mainAndParts, ...others] = await Promise.all([buildMainAndParts(), ...contexts.map((c) => c.rebuild())]);
  checkSharedState([...mainAndParts, ['manifests.js', others[1].metafile], ['k3dConfig.js', others[2].metafile]]);
}

if (watch) {
  await buildAll();
  let timer;
  watchFiles('src', { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => buildAll().catch((e) => console.error(e.message)), 100);
  });
} else {
  await buildAll();
  await Promise.all(contexts.map((c) => c.dispose()));
}
