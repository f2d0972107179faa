// npm run test:electron — the same integration suites under @vscode/test-electron, in a desktop
// VS Code that it downloads into .vscode-test/ (needs the internet, or VSCODE_EXECUTABLE=<path to
// a VS Code binary>). On Linux without a display, run it under xvfb-run.
// The extension is loaded from this checkout (--extensionDevelopmentPath), so `npm run build` first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { writeSettings } from '../../../scripts/lib/codeServer.ts';
import { stopAllClusters } from '../../../scripts/lib/k3dEnv.ts';
import { cacheDir, repoRoot } from '../../../scripts/lib/paths.ts';
import { installCleanupHandlers, stopEverything } from '../../../scripts/lib/processes.ts';
import { bundleForExtensionHost } from '../lib/build.ts';
import { createWorld } from '../lib/world.ts';
import type { World } from '../lib/world.ts';

const workDir = path.join(cacheDir, 'integration-electron');
let world: World | undefined;

installCleanupHandlers(async () => {
  if (world) await stopAllClusters(world.sim);
  await stopEverything();
});

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
    console.error('test:electron: dist/extension.js is missing; run `npm run build` first.');
    console.log('0 passed, 1 failed');
    return 1;
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  const testsBundle = path.join(workDir, 'tests', 'index.js');
  await bundleForExtensionHost(path.join(import.meta.dirname, 'index.ts'), testsBundle);
  world = await createWorld(path.join(workDir, 'world'));

  // Desktop VS Code may replace PATH with a login shell's, so point k3d.path (a machine setting,
  // which user settings set on the desktop) at the simulator instead of relying on PATH.
  const userDataDir = path.join(workDir, 'user-data');
  writeSettings(userDataDir, { 'k3d.path': world.sim.k3d });
  const env: Record<string, string | undefined> = {};
  for (const key of ['PATH', 'K3D_SIM_HOME', 'KUBECONFIG', 'K3D_SIM_SPEED']) env[key] = world.sim.env[key];

  try {
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsBundle,
      extensionTestsEnv: env,
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      version: process.env.VSCODE_VERSION || undefined,
      launchArgs: [
        world.workspace,
        '--disable-extensions', // other installed extensions; ours is the development one
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${userDataDir}`,
        `--extensions-dir=${path.join(workDir, 'extensions')}`,
      ],
    });
    // The suites print `N passed, N failed` themselves (electron/index.ts).
    return 0;
  } catch (err) {
    console.error(`test:electron: ${(err as Error).message}`);
    return 1;
  }
}

main().then(
  async (code) => {
    if (world) await stopAllClusters(world.sim);
    await stopEverything();
    process.exit(code);
  },
  async (err: unknown) => {
    console.error(`test:electron: ${(err as Error).stack ?? err}`);
    await stopEverything();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
