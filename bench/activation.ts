// Activation: time to load dist/extension.js and run activate(), in a fresh Node process per
// sample, with a stub `vscode`; and whether client-node (dist/clientNode.js) got loaded.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

const probe = `
const Module = require('node:module');
const stub = require(${JSON.stringify(path.join(root, 'bench', 'vscodeStub.cjs'))});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest); };
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: stub };
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const ext = require(${JSON.stringify(path.join(dist, 'extension.js'))});
const t1 = process.hrtime.bigint();
ext.activate({ subscriptions: [], extensionUri: {}, globalState: { get: (_k, d) => d, update: async () => undefined }, workspaceState: { get: (_k, d) => d, update: async () => undefined } });
const t2 = process.hrtime.bigint();
const cpu = process.cpuUsage(c0);
// Every lazy part (client-node, yaml, the manifest core, the commands' parts: scripts/esbuild.mjs) should stay unloaded.
const lazyLoaded = Object.keys(require.cache).filter((k) => k.startsWith(${JSON.stringify(dist + '/')}) && !k.endsWith('/extension.js')).map((k) => k.split('/').pop());
const clientNodeLoaded = lazyLoaded.includes('clientNode.js');
console.log(JSON.stringify({ loadMs: Number(t1 - t0) / 1e6, activateMs: Number(t2 - t1) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000, clientNodeLoaded, lazyLoaded }));
process.exit(0);
`;

export function benchActivation(samples = 15): Record<string, unknown> {
  const runs: Array<{ loadMs: number; activateMs: number; cpuMs: number; clientNodeLoaded: boolean; lazyLoaded: string[] }> = [];
  for (let i = 0; i < samples; i++) {
    const out = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', cwd: root });
    if (out.status !== 0) throw new Error(`activation probe failed: ${out.stderr}`);
    runs.push(JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}'));
  }
  const totals = runs.map((r) => r.loadMs + r.activateMs).sort((a, b) => a - b);
  const median = totals[Math.floor(totals.length / 2)];
  return {
    case: 'activation',
    medianMs: Number(median.toFixed(2)),
    loadMs: Number(runs.map((r) => r.loadMs).sort((a, b) => a - b)[Math.floor(runs.length / 2)].toFixed(2)),
    // CPU time is steadier than wall time on a busy machine.
    medianCpuMs: Number(runs.map((r) => r.cpuMs).sort((a, b) => a - b)[Math.floor(runs.length / 2)].toFixed(2)),
    clientNodeLoaded: runs.some((r) => r.clientNodeLoaded),
    partsLoadedAtActivation: [...new Set(runs.flatMap((r) => r.lazyLoaded))],
    bundleBytes: statSync(path.join(dist, 'extension.js')).size,
    clientNodeBundleBytes: statSync(path.join(dist, 'clientNode.js')).size,
    targetMs: 20,
    ratio: Number((median / 20).toFixed(2)),
  };
}

if (import.meta.main) {
  console.log(JSON.stringify(benchActivation()));
}
