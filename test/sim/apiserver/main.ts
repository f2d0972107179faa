// Entry point: `node test/sim/apiserver/main.ts --cluster-dir <dir>`, started detached by the simulated k3d.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterFile } from './cluster.ts';
import { Store } from './storage.ts';
import { Api } from './rest.ts';
import { bootstrap, syncNodes } from './bootstrap.ts';
import { startServer } from './server.ts';
import { startControllers } from './controllers/index.ts';
import { LoadBalancer } from './loadbalancer.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

const dir = arg('--cluster-dir');
if (!dir) {
  console.error('usage: main.ts --cluster-dir <dir>');
  process.exit(2);
}

const stateDir = join(dir, 'apiserver');
mkdirSync(stateDir, { recursive: true });
rmSync(join(stateDir, 'ready'), { force: true });
writeFileSync(join(stateDir, 'pid'), `${process.pid}\n`);

const cluster = new ClusterFile(dir);
const cfg = cluster.read();
const store = new Store(stateDir);
const api = new Api(store);
bootstrap(api, cluster);
const controllers = startControllers(api, cluster);
// `k3d node create|delete|start|stop` change cluster.json while the server runs: a new node registers, a stopped or
// deleted one goes NotReady (read again only when the file changed).
// `k3d cluster edit --port-add` changes the published ports the same way.
const loadBalancer = new LoadBalancer(api, cluster);
loadBalancer.sync();
const nodeSync = setInterval(() => {
  syncNodes(api, cluster);
  loadBalancer.sync();
}, 500);

const pki = (f: string): string => readFileSync(join(dir, 'pki', f), 'utf8');
const server = await startServer(
  { key: pki('server.key'), cert: pki('server.crt'), clientCA: pki('client-ca.crt') },
  { api, k3sVersion: () => cluster.read().k3sVersion, logs: controllers.logs },
  '127.0.0.1',
  cfg.apiPort,
);
writeFileSync(join(stateDir, 'ready'), `${new Date().toISOString()}\n`);
console.log(`apiserver for cluster '${cfg.name}' listening on https://127.0.0.1:${cfg.apiPort} (pid ${process.pid})`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`received ${signal}, saving state and exiting`);
  try {
    clearInterval(nodeSync);
    loadBalancer.close();
    controllers.stop();
    store.saveNow();
    await controllers.drained();
  } finally {
    rmSync(join(stateDir, 'ready'), { force: true });
    server.closeAllConnections();
    server.close();
    process.exit(0);
  }
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
