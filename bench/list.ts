// Case 2: the first full list of 2,000 pods (20 Deployments x 100 replicas), the way the
// extension's reflector does it (connectContext + GET /api/v1/pods), vs `kubectl get pods -A -o json`,
// which other extensions spawn on every refresh.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { connectContext } from '../src/core/kube/connect.ts';
import { Reflector } from '../src/core/kube/reflector.ts';
import type { KubeObject } from '../src/core/kube/reflector.ts';
import { create, kubectl, root, waitFor } from './cluster.ts';
import type { BenchCluster } from './cluster.ts';
import { faster, median, round } from './stats.ts';

export const DEPLOYMENTS = 20;
export const REPLICAS = 100;

/**
 * 20 Deployments x 100 replicas, one namespace each. One namespace per deployment, because the
 * simulator's event recorder scans and sorts every Event of the namespace for each event it
 * records: 2,000 pods in one namespace take minutes to start, in 20 namespaces seconds.
 */
export async function seedPods(cluster: BenchCluster): Promise<{ ms: number; pods: number }> {
  const t0 = performance.now();
  for (let i = 1; i <= DEPLOYMENTS; i++) {
    const ns = `bench-${String(i).padStart(2, '0')}`;
    await create(cluster, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await create(cluster, `/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `web-${i}`, labels: { app: `web-${i}` } },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: `web-${i}` } },
        // Not a Docker Hub name: the simulated kubelet asks the host's Docker (`docker image inspect`,
        // one process per pod) whether it has a Docker Hub image; 2,000 of them load the machine.
        template: { metadata: { labels: { app: `web-${i}`, tier: 'bench' } }, spec: { containers: [{ name: 'web', image: 'ghcr.io/bench/nginx:1.27' }] } },
      },
    });
  }
  let running = 0;
  await waitFor(
    `${DEPLOYMENTS * REPLICAS} pods to run`,
    async () => {
      const deps = await cluster.admin.json<{ items: Array<{ status?: { readyReplicas?: number } }> }>('/apis/apps/v1/deployments', { query: { labelSelector: 'app' } });
      running = deps.items.reduce((n, d) => n + (d.status?.readyReplicas ?? 0), 0);
      return running >= DEPLOYMENTS * REPLICAS;
    },
    240_000,
    1000,
  );
  return { ms: performance.now() - t0, pods: running };
}

/** What loading client-node costs the extension host the first time a feature needs the API. */
function clientNodeFirstLoadMs(): number | undefined {
  const out = spawnSync(process.execPath, ['-e', `const t=performance.now();require(${JSON.stringify(path.join(root, 'dist', 'clientNode.js'))});console.log(performance.now()-t)`], { encoding: 'utf8' });
  return out.status === 0 ? round(Number(out.stdout.trim())) : undefined;
}

export async function benchList(cluster: BenchCluster, runs = 5): Promise<Record<string, unknown>> {
  const cold: number[] = [];
  const warm: number[] = [];
  const reflectorSync: number[] = [];
  const ours: number[] = [];
  let items = 0;
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    // Cold: a new connection (kubeconfig read, TLS handshake), as the reflector's first list.
    let t = performance.now();
    const http = await connectContext(cluster.context, [cluster.kubeconfig]);
    const list = await http.json<{ items: unknown[] }>('/api/v1/pods');
    cold.push(performance.now() - t);
    items = list.items.length;
    // Warm: the same KubeHttp again (a re-list after 410 Gone, a retry).
    t = performance.now();
    await http.json('/api/v1/pods');
    warm.push(performance.now() - t);
    // The whole first sync as the tree has it: connect, list, fill the cache.
    t = performance.now();
    const http2 = await connectContext(cluster.context, [cluster.kubeconfig]);
    let reflector: Reflector<KubeObject> | undefined;
    await new Promise<void>((resolve, reject) => {
      reflector = new Reflector<KubeObject>(http2, {
        path: '/api/v1/pods',
        onChange: () => undefined,
        onState: (s) => (s.kind === 'synced' ? resolve() : s.kind === 'error' ? reject(s.error) : undefined),
      });
      reflector.start();
    });
    reflectorSync.push(performance.now() - t);
    reflector?.stop();
    const k = await kubectl(cluster, ['get', 'pods', '-A', '-o', 'json'], r === 0 ? 'pipe' : 'ignore');
    if (k.code !== 0) throw new Error(`kubectl get pods failed: ${k.stderr}`);
    if (r === 0) bytes = Buffer.byteLength(k.stdout);
    ours.push(k.ms);
  }
  const coldMs = median(cold);
  const kubectlMs = median(ours);
  const speedup = kubectlMs / coldMs;
  return {
    case: 'list',
    pods: items,
    responseMB: round(bytes / 1024 / 1024, 2),
    runs,
    medianMs: round(coldMs),
    warmMs: round(median(warm)),
    reflectorSyncMs: round(median(reflectorSync)),
    kubectlMs: round(kubectlMs),
    ratio: round(coldMs / kubectlMs, 3),
    speedup: round(speedup, 2),
    warmSpeedup: round(kubectlMs / median(warm), 2),
    clientNodeFirstLoadMs: clientNodeFirstLoadMs(),
    samples: { coldMs: cold.map((x) => round(x)), kubectlMs: ours.map((x) => round(x)) },
    ...faster('cold list', speedup, 3),
  };
}
