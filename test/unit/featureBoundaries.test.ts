// Features talk through typed APIs (returned by register(), wired in extension.ts; issue 13 item 2): a feature
// imports another feature only through its api.ts, or the editor services in features/shared/, and never runs
// a command another feature registers. Before this, k3dConfig imported four files of clusters and ran its
// Add Agent / Delete Node / Create from Config commands with hand-built tree nodes; Apply ran Clusters' Start
// Cluster and Use Context and Workloads' Show YAML; Clusters ran k3dConfig's New Config File.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const features = path.join(import.meta.dirname, '../../src/features');

/** Imports that stay, with why (none now: imageTags' lessons get the walkthrough's lesson links through its api.ts). */
const KNOWN_IMPORTS = new Set<string>();

interface Source {
  feature: string;
  file: string;
  text: string;
}

function sources(): Source[] {
  const out: Source[] = [];
  for (const feature of readdirSync(features, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts')) out.push({ feature, file: path.relative(features, full), text: readFileSync(full, 'utf8') });
      }
    };
    walk(path.join(features, feature));
  }
  return out;
}

/** Which feature registers each command (`ctx.registerCommand('name'`, registered as `k3dDeploy.name`). */
function commandOwners(all: readonly Source[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const s of all) {
    for (const m of s.text.matchAll(/\.registerCommand\(\s*'([\w.-]+)'/g)) owners.set(m[1], s.feature);
  }
  return owners;
}

/** Imports of another feature's files other than its api.ts (features/shared/ is everyone's). */
export function crossImports(all: readonly Source[]): string[] {
  const found: string[] = [];
  for (const s of all) {
    for (const m of s.text.matchAll(/(?:from|import)\s*\(?\s*'((?:\.\.\/)+)([\w-]+)\/([\w./-]+)'/g)) {
      const [, ups, other, target] = m;
      // Only paths that land in src/features/<other>/ (one level up from a feature's own folder).
      if (ups.length / 3 !== s.file.split('/').length - 1) continue;
      if (other === s.feature || other === 'shared' || target === 'api.ts' || KNOWN_IMPORTS.has(`${s.feature} -> ${other}/${target}`)) continue;
      found.push(`${s.file} -> ${other}/${target}`);
    }
  }
  return found;
}

/**
 * Import cycles among one feature's files (type-only imports count: a cycle of types is the same tangle, e.g. a
 * feature object handed to every part while the parts are what it is made of), as `a.ts -> b.ts -> a.ts`.
 */
export function importCycles(all: readonly Source[]): string[] {
  const graph = new Map<string, string[]>();
  for (const s of all) {
    const dir = path.posix.dirname(s.file);
    const targets = [...s.text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[\w./-]+)'/g)].map((m) => path.posix.normalize(path.posix.join(dir, m[1])));
    graph.set(s.file, targets.filter((t) => t.split('/')[0] === s.feature && t !== s.file));
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, stack: string[]): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next) && graph.has(next)) visit(next, stack);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file, []);
  return cycles;
}

/** executeCommand('k3dDeploy.<id>') of a command another feature registers (up to the end of the statement). */
export function crossCommands(all: readonly Source[]): string[] {
  const owners = commandOwners(all);
  const found: string[] = [];
  for (const s of all) {
    for (const m of s.text.matchAll(/executeCommand\b[^;]{0,400}/g)) {
      for (const id of m[0].matchAll(/'k3dDeploy\.([\w.-]+)'/g)) {
        const owner = owners.get(id[1]);
        if (owner && owner !== s.feature) found.push(`${s.file} runs k3dDeploy.${id[1]} (${owner})`);
      }
    }
  }
  return found;
}

test('the scan sees the features and their commands (so an empty result means something)', () => {
  const all = sources();
  const owners = commandOwners(all);
  assert.equal(owners.get('startCluster'), 'clusters');
  assert.equal(owners.get('showYaml'), 'workloads');
  assert.equal(owners.get('newConfigFile'), 'k3dConfig');
  // What the rule catches, on the shapes it replaced.
  const before: Source[] = [
    ...all,
    { feature: 'apply', file: 'apply/x.ts', text: "if (c) void vscode.commands.executeCommand(c === 'Create Cluster' ? 'k3dDeploy.createCluster' : 'k3dDeploy.useContext');" },
    { feature: 'k3dConfig', file: 'k3dConfig/x.ts', text: "import { askCreateOptions } from '../clusters/createWizard.ts';\nimport type { X } from '../clusters/api.ts';" },
    { feature: 'portForward', file: 'portForward/x.ts', text: "await vscode.commands.executeCommand(\n  'k3dDeploy.addAgent', node);" },
  ];
  const synthetic = (lines: string[]) => lines.filter((l) => l.split(' ')[0].endsWith('/x.ts'));
  assert.deepEqual(synthetic(crossImports(before)), ['k3dConfig/x.ts -> clusters/createWizard.ts']);
  assert.deepEqual(synthetic(crossCommands(before)), [
    'apply/x.ts runs k3dDeploy.createCluster (clusters)',
    'apply/x.ts runs k3dDeploy.useContext (clusters)',
    'portForward/x.ts runs k3dDeploy.addAgent (clusters)',
  ]);
});

test('the cycle check finds a loop among a feature\'s files, through type imports too, and only within the feature', () => {
  const loop: Source[] = [
    { feature: 'f', file: 'f/Feature.ts', text: "import { Lessons } from './lessons.ts';" },
    { feature: 'f', file: 'f/lessons.ts', text: "import { edit } from './editing.ts';\nimport { x } from '../g/api.ts';" },
    { feature: 'f', file: 'f/editing.ts', text: "import type { Feature } from './Feature.ts';" },
    { feature: 'g', file: 'g/api.ts', text: "import type { y } from '../f/lessons.ts';" },
  ];
  assert.deepEqual(importCycles(loop), ['f/Feature.ts -> f/lessons.ts -> f/editing.ts -> f/Feature.ts']);
  assert.deepEqual(importCycles(loop.filter((s) => s.file !== 'f/editing.ts')), []);
});

test("no import cycle among a feature's files", () => {
  assert.deepEqual(importCycles(sources()), []);
});

test("imageTags' parts get what they use: only its composition root (index.ts) imports the feature object", () => {
  const imageTags = sources().filter((s) => s.feature === 'imageTags');
  const importers = imageTags.filter((s) => /from\s+'\.\/ImageTagsFeature\.ts'|import\(\s*'\.\/ImageTagsFeature\.ts'/.test(s.text)).map((s) => s.file);
  // part.ts is the lazy bundle's entry (dist/imageTags.js): it only hands index.ts what the bundle holds.
  assert.deepEqual(importers.sort(), ['imageTags/index.ts', 'imageTags/part.ts']);
  const part = imageTags.find((s) => s.file === 'imageTags/part.ts')!;
  const code = part.text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('//'));
  assert.ok(code.every((line) => /^export \{[^}]*\} from '\.\/[A-Za-z]+\.ts';$/.test(line)), code.join('\n'));
  assert.ok(imageTags.filter((s) => /from\s+'\.\/part\.ts'|import\(\s*'\.\/part\.ts'/.test(s.text)).every((s) => s.file === 'imageTags/index.ts'));
});

test("no feature imports another feature's files except its api.ts or features/shared", () => {
  assert.deepEqual(crossImports(sources()), []);
});

test('no feature runs a command another feature registers', () => {
  assert.deepEqual(crossCommands(sources()), []);
});

test('no feature asks VS Code for the command list', () => {
  for (const s of sources()) assert.doesNotMatch(s.text, /getCommands\(/, s.file);
});
