// Features talk through typed APIs (returned by register(), wired in extension.ts): the inner-loop
// features (apply, deploy, imageTags) import another feature only through its api.ts, or the
// editor services in features/shared/. Before this, Deploy on Save imported four files of
// imageTags, apply/rollout.ts imageTags/delivery.ts, and Build & Deploy apply/rollout.ts.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const features = path.join(import.meta.dirname, '../../src/features');

/** Imports that stay, with why: the clusters feature's store is its API to apply (a type only); the walkthrough link is that feature's own addition. */
const KNOWN = new Set(['apply -> clusters/ClusterStore.ts', 'imageTags -> walkthrough/links.ts']);

test('apply, deploy and imageTags reach other features only through api.ts or features/shared', () => {
  const found: string[] = [];
  for (const feature of ['apply', 'deploy', 'imageTags']) {
    for (const file of readdirSync(path.join(features, feature)).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(features, feature, file), 'utf8');
      for (const m of text.matchAll(/from '\.\.\/([\w-]+)\/([\w./-]+)'/g)) {
        const [, other, target] = m;
        if (other === 'shared' || target === 'api.ts' || KNOWN.has(`${feature} -> ${other}/${target}`)) continue;
        found.push(`${feature}/${file} -> ${other}/${target}`);
      }
    }
  }
  assert.deepEqual(found, []);
});

test('no feature of the inner loop asks VS Code for the command list or runs Apply through its command', () => {
  for (const feature of ['apply', 'deploy', 'imageTags']) {
    for (const file of readdirSync(path.join(features, feature)).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(features, feature, file), 'utf8');
      assert.doesNotMatch(text, /getCommands\(/, `${feature}/${file}`);
      assert.doesNotMatch(text, /executeCommand[^(]*\(\s*'k3dDeploy\.apply'/, `${feature}/${file}`);
    }
  }
});
