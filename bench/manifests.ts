// Measures what a CodeLens provider pays on a large manifest: split, outline scan, images and
// their line/character positions. Prints one JSON line per case.
//   node bench/manifests.ts [--docs 2000] [--mb 5] [--runs 7] [--out big.yaml]
// --out also writes the generated manifest, to open it in the editor and watch the lenses.
import { writeFileSync } from 'node:fs';
import { ManifestCache } from '../src/core/manifests/cache.ts';
import { parseManifest } from '../src/core/manifests/documents.ts';
import { findImages } from '../src/core/manifests/images.ts';
import type { ManifestFile } from '../src/core/manifests/documents.ts';
import { coldRereadAndEdits, median, round } from './stats.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 ? Number(process.argv[i + 1]) : fallback;
}

const DOCS = arg('docs', 2000);
const BYTES = arg('mb', 5) * 1024 * 1024;
const RUNS = arg('runs', 7);

/** A realistic mix: Deployments with probes, env and resources, ConfigMaps with scripts, CronJobs, Services. */
function document(i: number, padding: number): string {
  const pad = Array.from({ length: padding }, (_, k) => `            - name: VAR_${k}\n              value: "value number ${k} of document ${i}"\n`).join('');
  switch (i % 4) {
    case 0:
      return `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-${i}
  labels: {app: app-${i}, tier: "backend"}
data:
  script.sh: |
    #!/bin/sh
    # prints a hash every 5 s, like the course's app
    while true; do echo "$(date): $RANDOM"; sleep 5; done
  settings.yaml: |
    image: not-a-container/image:1
    replicas: 3
${pad.replace(/^ {12}- name: (\S+)\n {14}value: (.*)$/gm, '  $1: $2')}`;
    case 1:
      return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: job-${i}
  namespace: batch
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: job
            image: "registry.example.com:5000/tools/job:1.${i}.0"
            args: ["--once", "--verbose"]
            env:
${pad.replace(/^ {12}/gm, '            ')}`;
    case 2:
      return `apiVersion: v1
kind: Service
metadata:
  name: svc-${i}
  annotations:
    description: "Service ${i}" # a comment
spec:
  selector:
    app: app-${i}
  ports:
    - port: 80
      targetPort: http
${pad.replace(/^ {12}- name: (\S+)\n {14}value: (.*)$/gm, '  # $1: $2')}`;
    default:
      return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  labels:
    app: app-${i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      initContainers:
        - name: init
          image: busybox:1.36
          command: ["sh", "-c", "echo init"]
      containers:
        - name: app
          image: jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: 8080
          resources:
            limits: {cpu: 500m, memory: 128Mi}
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
          env:
${pad}        - name: sidecar
          image: 'nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
`;
  }
}

function manifest(): string {
  const build = (padding: number) => Array.from({ length: DOCS }, (_, i) => document(i, padding)).join('---\n');
  // Grow the env lists until the file reaches the wanted size.
  const perPadding = (build(10).length - build(0).length) / 10;
  return build(Math.max(0, Math.round((BYTES - build(0).length) / perPadding)));
}

/** What a CodeLens provider computes: every image, with the line of its `image:` key. */
function lenses(file: ManifestFile): number {
  let n = 0;
  for (const image of findImages(file)) {
    const range = file.rangeOf(image.keySpan);
    n += range.start.line >= 0 ? 1 : 0;
  }
  return n;
}

const base = manifest();
const out = process.argv.indexOf('--out');
if (out !== -1) {
  writeFileSync(process.argv[out + 1], base);
}
const print = (record: Record<string, unknown>) => console.log(JSON.stringify(record));

const run = coldRereadAndEdits<{ file: ManifestFile; images: number }>(base, RUNS, (text, previous) => {
  const parsed = parseManifest(text, { previous: previous?.file });
  return { file: parsed, images: lenses(parsed) };
});
const { file, images } = run.cold;
const fast = file.documents.filter((d) => d.outlineScanned).length;

print({
  case: 'codelens-5mb',
  ms: round(median(run.editMs)),
  cpuMs: round(median(run.editCpuMs)),
  coldMs: round(run.coldMs),
  rereadMs: round(median(run.rereadMs)),
  rereadCpuMs: round(median(run.rereadCpuMs)),
  runs: RUNS,
  bytes: base.length,
  docs: file.documents.length,
  images,
  scannedDocs: fast,
  docsReadPerEdit: run.last.file.documents.filter((d) => !d.carried).length,
});

// The same editor version asked again (lens resolve, diagnostics): a cache hit.
const cache = new ManifestCache();
cache.get('file:///big.yaml', 1, () => base);
lenses(cache.get('file:///big.yaml', 1, () => base));
let t = performance.now();
lenses(cache.get('file:///big.yaml', 1, () => base));
print({ case: 'codelens-5mb-cached', ms: round(performance.now() - t) });

// For comparison: `yaml`'s full parse, which validation before an apply uses.
t = performance.now();
const full = parseManifest(base);
let problems = 0;
for (const doc of full.documents) {
  problems += doc.full().problems.length;
}
print({ case: 'full-parse-5mb', ms: round(performance.now() - t), problems });
