// The command palette from the first second: VS Code evaluates a palette `when` clause before
// the extension activates, and a context key set in activate() is unset until then, which hid
// "k3d: Use Context" and "k3d: Follow Logs" in a fresh window until a YAML file or the view was opened.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

interface Manifest {
  activationEvents?: string[];
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    menus: { commandPalette: Array<{ command: string; when?: string }> };
  };
}

const manifest = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as Manifest;
const palette = new Map(manifest.contributes.menus.commandPalette.map((m) => [m.command, m.when]));

/** Our context keys whose unset state (before activation) is also their right value. */
const UNSET_IS_RIGHT = new Set(['k3dDeploy.following']); // nothing is followed before activation

test('the extension activates when startup has finished, in any window, not only on a YAML file or its view', () => {
  assert.ok(manifest.activationEvents?.includes('onStartupFinished'), JSON.stringify(manifest.activationEvents));
});

test('no palette entry depends on a context key that only activate() sets', () => {
  for (const [command, when] of palette) {
    if (when === undefined || when === 'false') continue; // always shown / tree-only
    const ours = (when.match(/\bk3dDeploy\.[\w.]+/g) ?? []).filter((key) => !UNSET_IS_RIGHT.has(key));
    assert.deepEqual(ours, [], `${command}: when "${when}" is false before the extension activates`);
  }
});

test('"k3d: Use Context", "k3d: Follow Logs" and the cluster commands are in the palette of a fresh window', () => {
  const titles = new Map(manifest.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
  for (const id of ['useContext', 'followLogs', 'startCluster', 'stopCluster', 'deleteCluster', 'showKubeconfig', 'clusterInfo', 'scaleDeployment', 'showYaml', 'explain']) {
    const command = `k3dDeploy.${id}`;
    assert.ok(titles.get(command)?.startsWith('k3d: '), `${command} has the k3d category`);
    assert.equal(palette.get(command), undefined, `${command} is not hidden from the palette`);
  }
});
