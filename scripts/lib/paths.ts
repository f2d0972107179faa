// Where things live. Everything the demo and the test harnesses write goes under .cache/ or
// test-results/ (both gitignored), never into the user's home.
import * as path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const cacheDir = path.join(repoRoot, '.cache');
export const resultsDir = path.join(repoRoot, 'test-results');
export const vsixPath = path.join(repoRoot, 'dist', 'k3d-deploy.vsix');
export const simBinDir = path.join(repoRoot, 'test', 'sim', 'bin');
