// Case 4: apply a 50-document manifest (ConfigMaps, Services, a few 1-replica Deployments) the way
// the extension's Apply command does (read, parse and validate the file, connect, GET /version,
// applyObjects: discovery, a strict server-side dry run of everything, then server-side apply),
// vs `kubectl apply --server-side -f file`. Each tool applies into its own namespace, so each has
// a first, creating run; then the same file again, the steady state a user meets most.
import { readFileSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { applyObjects } from '../src/core/kube/apply.ts';
import { connectContext } from '../src/core/kube/connect.ts';
import { Discovery } from '../src/core/kube/discovery.ts';
import { hasErrors, parseManifest, sortForApply, validateManifest } from '../src/core/manifests/api.ts';
import { create, kubectl } from './cluster.ts';
import type { BenchCluster } from './cluster.ts';
import { faster, median, round } from './stats.ts';

const DOCS = 50;

function manifest(namespace: string): string {
  const docs: string[] = [];
  for (let i = 0; i < DOCS; i++) {
    if (i % 10 === 9) {
      const n = (i - 9) / 10;
      docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${n}
  namespace: ${namespace}
  labels:
    app: app-${n}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app-${n}
  template:
    metadata:
      labels:
        app: app-${n}
    spec:
      containers:
        - name: app
          image: jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64
          ports:
            - containerPort: 8080
          env:
            - name: MODE
              value: bench
`);
    } else if (i % 3 === 0) {
      docs.push(`apiVersion: v1
kind: Service
metadata:
  name: svc-${i}
  namespace: ${namespace}
spec:
  selector:
    app: app-${i % 5}
  ports:
    - name: http
      port: 80
      targetPort: 8080
`);
    } else {
      docs.push(`apiVersion: v1
kind: ConfigMap
metadata:
  name: config-${i}
  namespace: ${namespace}
  labels:
    part-of: bench
data:
  greeting: "hello ${i}"
  settings.yaml: |
    level: info
    replicas: 3
    items: [${Array.from({ length: 20 }, (_, k) => k).join(', ')}]
`);
    }
  }
  return docs.join('---\n');
}

/** The extension's Apply, minus the editor: what applyManifests.ts does with a file. */
async function extensionApply(cluster: BenchCluster, file: string): Promise<{ ms: number; outcomes: Record<string, number> }> {
  const t0 = performance.now();
  const parsed = parseManifest(readFileSync(file, 'utf8'));
  if (hasErrors(validateManifest(parsed))) throw new Error('the bench manifest does not validate');
  const objects = sortForApply(parsed.documents.map((doc) => ({ doc, kind: doc.kind }))).map((p) => p.doc.toObject() as Record<string, unknown>);
  const http = await connectContext(cluster.context, [cluster.kubeconfig]);
  await http.json('/version', { idleTimeoutMs: 5000 });
  const { applied, results } = await applyObjects(http, new Discovery(http), objects, {});
  const ms = performance.now() - t0;
  if (!applied) throw new Error(`extension apply failed: ${results.find((r) => r.problem)?.problem?.message}`);
  const outcomes: Record<string, number> = {};
  for (const r of results) outcomes[r.outcome ?? 'none'] = (outcomes[r.outcome ?? 'none'] ?? 0) + 1;
  return { ms, outcomes };
}

/**
 * TLS connections one apply opens, counted by wrapping https.Agent's createConnection for one
 * untimed run: with keep-alive it would be a handful, without it one per request.
 */
async function connectionsPerApply(cluster: BenchCluster, file: string): Promise<number> {
  const proto = https.Agent.prototype as unknown as { createConnection: (...args: unknown[]) => unknown };
  const original = proto.createConnection;
  let count = 0;
  proto.createConnection = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    await extensionApply(cluster, file);
  } finally {
    proto.createConnection = original;
  }
  return count;
}

async function kubectlApply(cluster: BenchCluster, file: string): Promise<number> {
  const r = await kubectl(cluster, ['apply', '--server-side', '-f', file], 'ignore');
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr.slice(0, 500)}`);
  return r.ms;
}

export async function benchApply(cluster: BenchCluster, runs = 5): Promise<Record<string, unknown>> {
  const files = { ext: path.join(cluster.dir, 'apply-ext.yaml'), kubectl: path.join(cluster.dir, 'apply-kubectl.yaml') };
  for (const [tool, file] of Object.entries(files)) {
    await create(cluster, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `apply-${tool}` } });
    writeFileSync(file, manifest(`apply-${tool}`));
  }
  const firstExt = await extensionApply(cluster, files.ext);
  const firstKubectl = await kubectlApply(cluster, files.kubectl);
  const ext: number[] = [];
  const ours: number[] = [];
  let steadyOutcomes: Record<string, number> = {};
  for (let r = 0; r < runs; r++) {
    const e = await extensionApply(cluster, files.ext);
    ext.push(e.ms);
    steadyOutcomes = e.outcomes;
    ours.push(await kubectlApply(cluster, files.kubectl));
  }
  const connections = await connectionsPerApply(cluster, files.ext);
  const extMs = median(ext);
  const kubectlMs = median(ours);
  const speedup = kubectlMs / extMs;
  return {
    case: 'apply',
    docs: DOCS,
    runs,
    medianMs: round(extMs),
    kubectlMs: round(kubectlMs),
    ratio: round(extMs / kubectlMs, 3),
    speedup: round(speedup, 2),
    firstMs: round(firstExt.ms),
    firstKubectlMs: round(firstKubectl),
    firstSpeedup: round(firstKubectl / firstExt.ms, 2),
    firstOutcomes: firstExt.outcomes,
    steadyOutcomes,
    // HTTP requests are 3 per document (GET, dry run, apply) plus discovery and /version.
    tlsConnectionsPerApply: connections,
    samples: { ms: ext.map((x) => round(x)), kubectlMs: ours.map((x) => round(x)) },
    ...faster('steady-state apply', speedup, 3),
  };
}
