// The heuristics scripts/esbuild.mjs uses so that a module holding state, or a class checked with instanceof, is
// never copied into two bundles (dist/extension.js and a lazy feature part), and so that a part takes from the main
// bundle only the names it uses (issue 13, activation). A copy would split a cache or a setting in two, or make
// `e instanceof K3dError` false for an error the other copy threw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportedClasses, holdsState, importedNames, instanceofNames } from '../../scripts/bundleChecks.mjs';

test('module-level state: a top-level let, a Map, an EventEmitter', () => {
  assert.equal(holdsState('let defaultTimeouts = { connectMs: 30_000 };\nexport function f() {}'), true);
  assert.equal(holdsState('const contents = new Map<string, string>();'), true);
  assert.equal(holdsState('const changed = new vscode.EventEmitter<vscode.Uri>();'), true);
  assert.equal(holdsState('export const connections = new WeakMap<KubeConfig, KubeHttp>();'), true);
});

test('not state: constants, Readonly sets, locals inside functions, and what is marked copy-safe', () => {
  assert.equal(holdsState("const SKIP = new Set(['.git', 'node_modules']);"), false);
  assert.equal(holdsState("export const SYSTEM: ReadonlySet<string> = new Set(names);"), false);
  assert.equal(holdsState('export function f() {\n  let n = 0;\n  const m = new Map();\n  return [n, m];\n}'), false);
  assert.equal(holdsState('// copy-safe: a memo keyed by the string parsed\nconst REFERENCES = new Map<string, Ref>();'), false);
  assert.equal(holdsState('const RANK = new Map(ORDER.map((k, i) => [k, i])); // copy-safe: a constant table'), false);
});

test('the classes checked with instanceof are found where they are defined and where they are checked', () => {
  assert.deepEqual(exportedClasses('export class K3dError extends Error {}\nclass Local {}\nexport abstract class Base {}'), ['K3dError', 'Base']);
  assert.deepEqual(instanceofNames('if (e instanceof K3dError && e.kind === "cancelled") {}\nif (x instanceof Error) {}'), ['K3dError', 'Error']);
});

test('a part takes from the main bundle the names it imports, not the types, and all of a namespace import', () => {
  const text = [
    "import { K3dError, type K3dErrorKind } from '../../core/k3d/errors.ts';",
    "import type { Ctx } from '../../ctx.ts';",
    "import {\n  showReadOnly,\n  register as registerDocs,\n} from '../shared/readOnlyDocuments.ts';",
    "import * as http from '../../core/kube/http.ts';",
    "const { DownloadError } = await import('../../core/download.ts');",
  ].join('\n');
  assert.deepEqual([...importedNames(text, '../../core/k3d/errors.ts')], ['K3dError']);
  assert.deepEqual([...importedNames(text, '../../ctx.ts')], []);
  assert.deepEqual([...importedNames(text, '../shared/readOnlyDocuments.ts')], ['showReadOnly', 'register']);
  assert.deepEqual([...importedNames(text, '../../core/kube/http.ts')], ['*']);
  assert.deepEqual([...importedNames(text, '../../core/download.ts')], ['*']);
});
