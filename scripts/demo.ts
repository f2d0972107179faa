// npm run demo: the extension in a real VS Code (code-server in the browser), opened on the
// course's sample workspace. Uses a real k3d when it and Docker work; otherwise the simulated k3d
// with a k3s-default cluster (1 server, 2 agents) already created. Ctrl-C stops everything.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureDockerEngine } from './lib/docker.ts';
import type { DockerEngine } from './lib/docker.ts';
import { ensureCodeServer, freePort, installExtensions, startCodeServer, writeSettings } from './lib/codeServer.ts';
import type { RunningCodeServer } from './lib/codeServer.ts';
import { probeRealK3d, simulatedK3d, stopAllClusters } from './lib/k3dEnv.ts';
import type { SimulatedK3d } from './lib/k3dEnv.ts';
import { cacheDir, simBinDir } from './lib/paths.ts';
import { BUILD_PACKAGES, ensureDebianPackages } from './lib/prereqs.ts';
import { installCleanupHandlers, markedEnv, run, stopEverything } from './lib/processes.ts';
import { ensureVsix } from './lib/vsix.ts';
import { ensureSampleWorkspace } from './lib/workspace.ts';

const demoDir = path.join(cacheDir, 'demo');
const say = (line: string) => console.log(`[demo] ${line}`);

let server: RunningCodeServer | undefined;
let sim: SimulatedK3d | undefined;
let engine: DockerEngine | undefined;

let stopping = false;

async function cleanup(): Promise<void> {
  stopping = true;
  say('stopping...');
  await server?.stop();
  if (sim) await stopAllClusters(sim);
  await stopEverything();
  // Last: removing the pods' containers above needs the engine. Stopped only if started here.
  await engine?.stop();
  say('stopped; nothing left running.');
}
const cleanupOnce = installCleanupHandlers(cleanup);

async function portFor(): Promise<number> {
  const wanted = Number(process.env.DEMO_PORT ?? 8080);
  const free = await new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(wanted, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  return free ? wanted : freePort();
}

async function main(): Promise<void> {
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw new Error(`Node ${process.versions.node} is too old: run the demo with \`npm run demo\` (npm puts Node 24 on PATH).`);
  }
  const started = Date.now();
  // The image loop (Build & Deploy, k3d image import, a cluster's registry) runs against the real engine.
  try {
    engine = await ensureDockerEngine(say);
    if (!engine.started) say(`Docker ${engine.version} is running`);
  } catch (err) {
    say(`Docker cannot run here, so Build & Deploy and image import will fail: ${(err as Error).message}`);
  }
  await ensureDebianPackages(BUILD_PACKAGES, "to build code-server's native modules on first use", say).catch((err: Error) => {
    // Only the first code-server install needs them.
    if (!fs.existsSync(path.join(cacheDir, 'code-server', '.installed'))) throw err;
  });
  const vsix = await ensureVsix({ force: true, log: say });
  const install = await ensureCodeServer(say);
  say(`code-server ${install.version}`);

  const real = await probeRealK3d();
  let env: NodeJS.ProcessEnv;
  if (real.usable) {
    say(`using the real k3d on PATH (${real.reason}) and your Docker; your kubeconfig is used as it is.`);
    env = markedEnv();
  } else {
    sim = simulatedK3d(path.join(demoDir, 'state'));
    env = sim.env;
    say(`using the SIMULATED k3d (${path.relative(process.cwd(), simBinDir)}/k3d), because ${real.reason}.`);
    say(`  its state: ${sim.home}`);
    say(`  its kubeconfig: KUBECONFIG=${sim.kubeconfig}`);
    say('creating cluster k3s-default with 2 agents (k3d cluster create -a 2)...');
    const created = await run(sim.k3d, ['cluster', 'create', 'k3s-default', '-a', '2'], {
      env,
      timeoutMs: 180_000,
      onOutput: (chunk) => process.stdout.write(chunk.replace(/^(?=.)/gm, '  ')),
    });
    if (created.code !== 0) throw new Error(`simulated k3d cluster create failed (exit ${created.code})`);
  }

  const workspace = ensureSampleWorkspace(path.join(demoDir, 'workspace'));
  const userDataDir = path.join(demoDir, 'user-data');
  const extensionsDir = path.join(demoDir, 'extensions');
  fs.rmSync(userDataDir, { recursive: true, force: true });
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  writeSettings(userDataDir, { 'workbench.secondarySideBar.defaultVisibility': 'hidden' });
  await installExtensions(install, [vsix], extensionsDir, userDataDir);

  server = await startCodeServer({
    install,
    userDataDir,
    extensionsDir,
    folder: workspace,
    env,
    port: await portFor(),
    logFile: path.join(demoDir, 'code-server.log'),
  });
  say(`ready in ${((Date.now() - started) / 1000).toFixed(0)} s. Open this URL in a browser:`);
  console.log(`\n    ${server.url}\n`);
  say('then click the k3d icon in the activity bar. Press Ctrl-C here to stop everything.');
  if (sim) say('the Clusters view marks the cluster "simulated": its Kubernetes is simulated; images, registries and pod containers use the real Docker.');
  say(`code-server's log: ${server.logFile}`);
  const code = await server.exited; // normally we stay here until Ctrl-C
  if (stopping) return;
  throw new Error(`code-server exited unexpectedly (${code}); see ${server.logFile}`);
}

main().catch(async (err: unknown) => {
  if (stopping) return; // Ctrl-C: the signal handler finishes and exits
  console.error(`[demo] ${(err as Error).message ?? err}`);
  await cleanupOnce();
  process.exit(1);
});
