// The rules scripts/esbuild.mjs enforces on its bundles: a module that holds state, or defines a class src/ checks with
// instanceof, exists in one bundle only (feature parts take it from dist/extension.js); every loadPart() names a file
// that is built. The source heuristics are in bundleChecks.mjs.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { exportedClasses, holdsState as holdsStateIn, instanceofNames } from './bundleChecks.mjs';

const root = process.cwd();
const rel = (file) => path.relative(root, file).split(path.sep).join('/');

/** The .ts files under src/, with their text. */
function* sources(dir = path.join(root, 'src')) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(file);
    else if (file.endsWith('.ts')) yield [file, readFileSync(file, 'utf8')];
  }
}

/** The src/ modules bundled (code, not just types) into an output. */
export function bundledModules(metafile) {
  const out = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) if (bytesInOutput > 0 && file.startsWith('src/')) out.add(file);
  }
  return out;
}

/**
 * Modules whose state is safe to copy: a memo keyed by the object it describes, or a constant built once.
 * Each with why; anything else holding state may be in one bundle only.
 */
const COPY_SAFE = new Map([
  ['src/core/manifests/fullParse.ts', 'a parsed empty document, rebuilt per copy, never mutated'],
  ['src/core/manifests/scanKeep.ts', 'a WeakMap memo keyed by the object it describes'],
  ['src/core/manifests/node.ts', 'a WeakMap index memo keyed by the YAML map it indexes'],
  ['src/core/manifests/scanTokens.ts', 'GIVE_UP is thrown and caught inside the same copy'],
  ['src/core/manifests/kinds.ts', 'RANK is a constant lookup table, built once per copy, never mutated'],
  ['src/core/manifests/imageReference.ts', 'a memo of a pure parse, keyed by the string parsed; entries are frozen'],
  ['src/core/deploy/pipeline.ts', 'DeployStopped/Cancelled: thrown by the adapters a part hands to its own copy of runDeploy, caught there'],
  ['src/core/manifests/text.ts', 'INTERNED: one copy of each equal string, per bundle; strings compare by value'],
  ['src/core/manifests/scan.ts', 'spare: one Scanner reused between scans, a pool per copy'],
  ['src/core/manifests/images.ts', 'IMAGE_PATHS: a memo of the image paths of a container list, keyed by the path array'],
]);

/** Top-level mutable state (bundleChecks.mjs holdsState: `let`, `new Map`, ..., unless marked `copy-safe: why`). */
const holdsState = (file) => holdsStateIn(readFileSync(path.join(root, file), 'utf8'));

/** The names src/ checks with `instanceof`. */
let checked;
const checkedClasses = () => (checked ??= new Set([...sources()].flatMap(([, text]) => instanceofNames(text))));

/** A class src/ checks with instanceof (an error class): two copies of it do not recognise each other's objects. */
const definesClass = (file) => exportedClasses(readFileSync(path.join(root, file), 'utf8')).some((name) => checkedClasses().has(name));

/** A module that must exist once: feature parts take it from the main bundle, and the build fails on a copy. */
export function mustNotCopy(file) {
  return !COPY_SAFE.has(file) && (holdsState(file) || definesClass(file));
}

/** Fails (exit 1) when a module with state or a class is bundled into more than one output. */
export function checkSharedState(outputs) {
  const where = new Map();
  for (const [file, metafile] of outputs) {
    for (const module of bundledModules(metafile)) where.set(module, [...(where.get(module) ?? []), file]);
  }
  const problems = [];
  for (const [module, files] of where) {
    if (files.length < 2 || COPY_SAFE.has(module)) continue;
    if (holdsState(module)) {
      problems.push(`${module} holds module-level state and is bundled into ${files.join(', ')}: its state would split in two ` +
        '(keep it in one bundle, or, for a memo whose copies give the same answers, say `// copy-safe: why` above it)');
    }
    else if (definesClass(module)) problems.push(`${module} defines a class checked with instanceof and is bundled into ${files.join(', ')}: instanceof fails across the copies`);
  }
  if (problems.length > 0) {
    console.error(problems.map((p) => `esbuild.mjs: ${p}`).join('\n'));
    process.exitCode = 1;
  }
}

/** Every loadPart('<file>', ...) in src/ names a file this script builds: a missing one fails only when a user runs it. */
export function checkLoadedParts(built) {
  const missing = [];
  for (const [file, text] of sources()) {
    for (const m of text.matchAll(/loadPart(?:<typeof import\('[^']+'\)>)?\(\s*'([^']+)'/g)) if (!built.has(m[1])) missing.push(`${rel(file)}: ${m[1]}`);
  }
  if (missing.length > 0) {
    console.error(missing.map((m) => `esbuild.mjs: loadPart of a file no bundle is built into (add it to FEATURE_PARTS): ${m}`).join('\n'));
    process.exitCode = 1;
  }
}

