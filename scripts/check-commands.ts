// Every command in contributes.commands is registered in src/, every registered command is
// contributed, every menu entry names a contributed command, and every tree view created in
// src/ is contributed (and vice versa). Exits 1 with the differences.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const prefix = /export const COMMAND_PREFIX = '([^']+)'/.exec(readFileSync(path.join(root, 'src/ctx.ts'), 'utf8'))?.[1];
if (!prefix) {
  console.error('check-commands: COMMAND_PREFIX not found in src/ctx.ts');
  process.exit(1);
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

const registered = new Set<string>();
const views = new Set<string>();
for (const file of sources(path.join(root, 'src'))) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/registerCommand\(\s*'([^']+)'/g)) registered.add(prefix + m[1]);
  for (const m of text.matchAll(/createTreeView\(\s*'([^']+)'/g)) views.add(m[1]);
}

const contributed = new Set<string>((manifest.contributes?.commands ?? []).map((c: { command: string }) => c.command));
const contributedViews = new Set<string>(Object.values(manifest.contributes?.views ?? {}).flat().map((v) => (v as { id: string }).id));
const menuCommands = Object.values(manifest.contributes?.menus ?? {}).flat().map((m) => (m as { command: string }).command);

const problems = [
  ...[...contributed].filter((c) => !registered.has(c)).map((c) => `contributed but never registered: ${c}`),
  ...[...registered].filter((c) => !contributed.has(c)).map((c) => `registered but not in contributes.commands: ${c}`),
  ...menuCommands.filter((c) => !contributed.has(c)).map((c) => `a menu names an unknown command: ${c}`),
  ...[...views].filter((v) => !contributedViews.has(v)).map((v) => `createTreeView for an uncontributed view: ${v}`),
  ...[...contributedViews].filter((v) => !views.has(v)).map((v) => `contributed view never created: ${v}`),
  ...(manifest.contributes?.commands ?? [])
    .filter((c: { category?: string }) => c.category !== 'k3d')
    .map((c: { command: string }) => `command without the "k3d" category: ${c.command}`),
];

if (problems.length > 0) {
  console.error(problems.map((p) => `check-commands: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`check-commands: ${contributed.size} commands and ${views.size} views match between package.json and src/`);
