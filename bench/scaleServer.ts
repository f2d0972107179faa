// The scale benchmark's cluster: the simulator's API server (test/sim: its store, REST handlers,
// watches, TLS with client certificates) in a process of its own, bulk-seeded with 10,000 Running
// pods in 100 Deployments (10 namespaces x 10 Deployments x 100 replicas), without controllers or
// kubelets: nothing changes unless the benchmark says so.
//   node bench/scaleServer.ts DIR  -> prints {"kubeconfig","context","pods","namespaces"} and waits
// On stdin, `stream COUNT PER_SECOND`: changes COUNT pods (round-robin, a status-like annotation
// carrying the send time) at that rate, then prints {"streamed":COUNT}.
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Api } from '../test/sim/apiserver/rest.ts';
import { startServer } from '../test/sim/apiserver/server.ts';
import { Store } from '../test/sim/apiserver/storage.ts';
import { seedWorkloads } from '../test/sim/bulkSeed.ts';
import { writeClusterPki } from '../test/sim/k3d/pki.ts';

export const SCALE = { namespaces: 10, deploymentsPerNamespace: 10, replicas: 100 };

const dir = process.argv[2];
if (!dir) {
  console.error('usage: scaleServer.ts DIR');
  process.exit(2);
}
const pki = writeClusterPki(dir, 'scale');
const read = (f: string) => readFileSync(path.join(dir, 'pki', f), 'utf8');
const store = new Store();
const nodes = ['k3d-scale-server-0', 'k3d-scale-agent-0', 'k3d-scale-agent-1'];
for (const ns of ['default', 'kube-system']) store.put('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: ns, creationTimestamp: '2026-11-29T10:00:00Z' }, status: { phase: 'Active' } });
for (const name of nodes) {
  store.put('Node', {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: name, creationTimestamp: '2026-11-29T10:00:00Z', labels: { 'kubernetes.io/hostname': name, ...(name.includes('server') ? { 'node-role.kubernetes.io/control-plane': 'true' } : {}) } },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }], nodeInfo: { kubeletVersion: 'v1.31.5+k3s1' } },
  });
}
const pods = [...seedWorkloads(store, { ...SCALE, nodes }).values()].flat();
const api = new Api(store);
const server = await startServer(
  { key: read('server.key'), cert: read('server.crt'), clientCA: read('client-ca.crt') },
  { api, k3sVersion: () => 'v1.31.5+k3s1', logs: (_pod, _q, _req, res) => res.end() },
  '127.0.0.1',
  0,
);
const port = (server.address() as AddressInfo).port;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const kubeconfig = path.join(dir, 'kubeconfig');
writeFileSync(kubeconfig, [
  'apiVersion: v1',
  'kind: Config',
  'current-context: scale',
  'clusters:',
  `- name: scale\n  cluster:\n    server: https://127.0.0.1:${port}\n    certificate-authority-data: ${b64(pki.caCrt)}`,
  'users:',
  `- name: admin\n  user:\n    client-certificate-data: ${b64(pki.adminCrt)}\n    client-key-data: ${b64(pki.adminKey)}`,
  'contexts:',
  '- name: scale\n  context:\n    cluster: scale\n    user: admin',
  '',
].join('\n'));
console.log(JSON.stringify({ kubeconfig, context: 'scale', pods: pods.length, namespaces: SCALE.namespaces }));

let next = 0;
function change(): void {
  const [ns, name] = pods[next++ % pods.length].split('/');
  const pod = store.get('Pod', ns, name);
  if (!pod) return;
  pod.metadata.annotations = { ...pod.metadata.annotations, 'bench/sent': String(performance.timeOrigin + performance.now()) };
  store.put('Pod', pod);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, count, rate] = line.trim().split(/\s+/);
  if (cmd !== 'stream') return;
  const total = Number(count);
  const perTick = Math.max(1, Math.round(Number(rate) / 100));
  let sent = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perTick && sent < total; i++, sent++) change();
    if (sent >= total) {
      clearInterval(timer);
      console.log(JSON.stringify({ streamed: sent }));
    }
  }, 10);
});
process.stdin.on('end', () => process.exit(0));
