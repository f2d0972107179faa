// README.md is the map a newcomer reads first: its Settings table and its Layout must match the
// repository as it is, so a new setting or a new folder that is not described fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README.md has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

test("README's Settings table lists every k3d.* setting of package.json with its default, and no other", () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default?: unknown }> } | { properties: Record<string, { default?: unknown }> }[] };
  };
  const properties = Object.assign({}, ...[pkg.contributes.configuration].flat().map((c) => c.properties)) as Record<string, { default?: unknown }>;
  const rows = new Map<string, string>();
  for (const m of section('Settings').matchAll(/^\| `(k3d\.[\w.]+)` \| `([^`]*)` \|/gm)) rows.set(m[1], m[2]);
  assert.deepEqual([...rows.keys()].sort(), Object.keys(properties).sort(), 'the settings in README.md and in package.json differ');
  for (const [key, shown] of rows) {
    const value = properties[key].default;
    assert.equal(shown, typeof value === 'string' && value !== '' ? value : JSON.stringify(value), `${key}: README shows default ${shown}`);
  }
});

test("README's Layout names every folder of src/core, src/features, test and the top-level code folders", () => {
  const layout = section('Development');
  const entries = (dir: string) => readdirSync(path.join(root, dir), { withFileTypes: true }).filter((e) => e.isDirectory() || e.name.endsWith('.ts'));
  const missing: string[] = [];
  for (const e of entries('src/core')) if (!new RegExp(`^\\s+${e.name}${e.isDirectory() ? '/' : ''}\\s`, 'm').test(layout)) missing.push(`src/core/${e.name}`);
  for (const e of entries('src/features').filter((d) => d.isDirectory())) if (!new RegExp(`^\\s+${e.name}/\\s`, 'm').test(layout)) missing.push(`src/features/${e.name}/`);
  for (const e of entries('test').filter((d) => d.isDirectory())) if (!layout.includes(`test/${e.name}/`)) missing.push(`test/${e.name}/`);
  for (const name of ['src/extension.ts', 'src/ctx.ts', 'src/config.ts', 'scripts/', 'bench/']) if (!layout.includes(name)) missing.push(name);
  assert.deepEqual(missing, [], 'not in the Layout of README.md');
});
