// Lenses plus image diagnostics on a manifest shaped like real repositories' (codelens-realistic):
// about 5 MB and 7,000 documents of mixed kinds (Deployments with init containers and sidecars,
// StatefulSets, DaemonSets, Jobs, CronJobs, Pods, Argo Rollouts, Knative Services, Services,
// Ingresses, ConfigMaps with scripts, Secrets, HPAs, NetworkPolicies, kustomization files),
// with header and inline comments, flow and block styles, and a few documents using YAML
// anchors (which only the full parse reads). Per edit it computes what the editor asks for:
// lensRows, lensNotices, checkImageTags and checkLocalImagePullPolicy: on the first version (cold), on
// keystrokes (each version read as an edit of the one before, as the editor's lens cache reads them)
// and on fresh versions read whole (reread). Prints one JSON line.
//   node bench/realistic.ts [--runs 7] [--out realistic.yaml]
import { writeFileSync } from 'node:fs';
import { lensNotices, lensRows } from '../src/core/manifests/lenses.ts';
import { parseManifest } from '../src/core/manifests/documents.ts';
import type { ManifestFile } from '../src/core/manifests/documents.ts';
import { coldRereadAndEdits, median, round } from './stats.ts';
import { checkImageTags, checkLocalImagePullPolicy } from '../src/core/manifests/lessons.ts';

const RUNS = (() => {
  const i = process.argv.indexOf('--runs');
  return i !== -1 ? Number(process.argv[i + 1]) : 7;
})();

const TEAMS = ['payments', 'search', 'checkout', 'identity', 'catalog', 'media', 'ops'];
const REGISTRIES = ['ghcr.io/acme', 'registry.example.com:5000/platform', 'docker.io/library', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/svc', 'quay.io/prometheus', 'k3d-reg:5000'];

/** A deterministic pseudo-random source, so every run writes the same file. */
let seed = 20261129;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];

function tag(i: number): string {
  switch (i % 6) {
    case 0:
      return `${1 + (i % 4)}.${i % 17}.${i % 9}`;
    case 1:
      return 'b7fc18de2376da80ff0cfc72cf581a9f94d10e64';
    case 2:
      return `v${2 + (i % 3)}.${i % 11}`;
    case 3:
      return `2026.${1 + (i % 12)}.${1 + (i % 28)}`;
    case 4:
      return `${100 + i}`;
    default:
      return `1.${i % 30}-alpine`;
  }
}

function image(i: number, name: string): string {
  const ref = `${pick(REGISTRIES)}/${name}:${tag(i)}`;
  return i % 5 === 0 ? `"${ref}"` : i % 13 === 0 ? `'${ref}'` : ref;
}

function env(i: number, indent: string, count: number): string {
  if (count === 0) {
    return '';
  }
  let out = `${indent}env:\n`;
  for (let k = 0; k < count; k++) {
    out +=
      k % 3 === 2
        ? `${indent}  - name: SECRET_${k}\n${indent}    valueFrom:\n${indent}      secretKeyRef: {name: app-${i}-secrets, key: key-${k}}\n`
        : `${indent}  - name: VAR_${k}\n${indent}    value: "value ${k} of ${i}" # from the team's defaults\n`;
  }
  return out;
}

function container(i: number, name: string, indent: string, envs: number): string {
  return `${indent}- name: ${name}
${indent}  image: ${image(i, name)}
${i % 4 === 0 ? `${indent}  imagePullPolicy: IfNotPresent\n` : ''}${indent}  ports:
${indent}    - containerPort: ${8000 + (i % 1000)}
${indent}      name: http
${indent}  resources:
${indent}    limits: {cpu: 500m, memory: 512Mi}
${i % 2 === 0 ? `${indent}  readinessProbe:\n${indent}    httpGet: {path: /healthz, port: http}\n` : ''}${env(i, `${indent}  `, envs)}`;
}

function meta(kind: string, i: number, team: string): string {
  return `metadata:
  name: ${kind}-${team}-${i}
  namespace: ${team}
  labels:
    app.kubernetes.io/name: app-${i}
    app.kubernetes.io/part-of: ${team}
${i % 3 === 0 ? `  annotations:\n    owner: "team-${team}@example.com"\n` : ''}`;
}

function podTemplate(i: number, team: string, indent: string, containers: string[], init: string[]): string {
  const spec = `${indent}spec:\n${init.length ? `${indent}  initContainers:\n${init.map((n) => container(i, n, `${indent}    `, 1)).join('')}` : ''}${indent}  containers:\n${containers.map((n, k) => container(i + k, n, `${indent}    `, k === 0 ? 2 : 0)).join('')}${indent}  volumes:\n${indent}    - name: config\n${indent}      configMap: {name: config-${team}-${i}}\n`;
  return `${indent}metadata:\n${indent}  labels:\n${indent}    app.kubernetes.io/name: app-${i}\n${spec}`;
}

/** One document, by its place in a cycle of 14 (about 0.95 images per document). */
function doc(i: number): string {
  const team = TEAMS[i % TEAMS.length];
  const header = `# ${team}: ${['web tier', 'worker', 'nightly batch', 'edge', 'shared config'][i % 5]}\n`;
  switch (i % 14) {
    case 0:
    case 11:
      return `${header}apiVersion: apps/v1\nkind: Deployment\n${meta('deploy', i, team)}spec:\n  replicas: ${1 + (i % 3)}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: app-${i}\n  template:\n${podTemplate(i, team, '    ', i % 14 === 0 ? ['app', 'envoy'] : ['app'], i % 14 === 0 ? ['migrate'] : [])}`;
    case 1:
      return `${header}apiVersion: v1\nkind: Service\n${meta('svc', i, team)}spec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: app-${i - 1}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n`;
    case 2:
      return `${header}apiVersion: v1\nkind: ConfigMap\n${meta('config', i, team)}data:\n  LOG_LEVEL: info\n  run.sh: |\n    #!/bin/sh\n    # image: not/a-container:1 (a script, not a pod)\n    set -eu\n    exec /app/server --port "$PORT" --log "$LOG_LEVEL"\n  settings.yaml: |\n    replicas: 3\n    features: [a, b, c]\n`;
    case 3:
      return `${header}apiVersion: networking.k8s.io/v1\nkind: Ingress\n${meta('ing', i, team)}spec:\n  ingressClassName: traefik\n  rules:\n    - host: app-${i}.${team}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service: {name: svc-${team}-${i - 2}, port: {number: 80}}\n`;
    case 4:
      return `${header}apiVersion: batch/v1\nkind: CronJob\n${meta('cron', i, team)}spec:\n  schedule: "${i % 60} 3 * * *"\n  concurrencyPolicy: Forbid\n  jobTemplate:\n    spec:\n      backoffLimit: 2\n      template:\n${podTemplate(i, team, '        ', ['job'], ['wait-db'])}          restartPolicy: OnFailure\n`;
    case 5:
      return `${header}apiVersion: apps/v1\nkind: StatefulSet\n${meta('sts', i, team)}spec:\n  serviceName: db-${i}\n  replicas: 3\n  selector:\n    matchLabels: {app.kubernetes.io/name: app-${i}}\n  template:\n${podTemplate(i, team, '    ', ['db', 'exporter'], [])}  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec:\n        accessModes: [ReadWriteOnce]\n        resources: {requests: {storage: 10Gi}}\n`;
    case 6:
      return `${header}apiVersion: v1\nkind: Secret\n${meta('secret', i, team)}type: Opaque\nstringData:\n  username: app\n  password: "not-a-real-password-${i}"\n`;
    case 7:
      return `${header}apiVersion: apps/v1\nkind: DaemonSet\n${meta('ds', i, team)}spec:\n  selector:\n    matchLabels: {app.kubernetes.io/name: app-${i}}\n  template:\n${podTemplate(i, team, '    ', ['agent'], [])}`;
    case 8:
      return `${header}apiVersion: batch/v1\nkind: Job\n${meta('job', i, team)}spec:\n  template:\n${podTemplate(i, team, '    ', ['migrate'], [])}      restartPolicy: Never\n`;
    case 9:
      return `${header}apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n${meta('hpa', i, team)}spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: deploy-${team}-${i - 9}}\n  minReplicas: 2\n  maxReplicas: 10\n  metrics:\n    - type: Resource\n      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}\n`;
    case 10:
      // A kustomization as hand-written files often are: no apiVersion or kind.
      return `# kustomization for ${team}\nresources:\n  - deployment.yaml\n  - service.yaml\nimages:\n  - name: ghcr.io/acme/app\n    newTag: ${tag(i)}\n  - name: envoy\n    newName: docker.io/envoyproxy/envoy\n    newTag: v1.${i % 30}.0\n`;
    case 12:
      return `${header}apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${meta('netpol', i, team)}spec:\n  podSelector: {matchLabels: {app.kubernetes.io/name: app-${i}}}\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {team: ${team}}}}]\n`;
    default:
      if (i % 500 === 13) {
        // A few documents share a block through YAML anchors: the scanner leaves them to the full parse.
        return `${header}apiVersion: v1\nkind: Pod\n${meta('pod', i, team)}spec:\n  containers:\n    - &main\n      name: main\n      image: ${image(i, 'tool')}\n      env: &env\n        - {name: MODE, value: "a"}\n    - name: copy\n      image: ${image(i + 1, 'tool')}\n      env: *env\n`;
      }
      return i % 28 === 13
        ? `${header}apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n${meta('rollout', i, team)}spec:\n  replicas: 3\n  strategy:\n    canary:\n      steps: [{setWeight: 20}, {pause: {duration: 1m}}]\n  selector:\n    matchLabels: {app.kubernetes.io/name: app-${i}}\n  template:\n${podTemplate(i, team, '    ', ['app'], [])}`
        : `${header}apiVersion: serving.knative.dev/v1\nkind: Service\n${meta('ksvc', i, team)}spec:\n  template:\n    spec:\n      containers:\n        - image: ${image(i, 'hello')}\n          env:\n            - {name: TARGET, value: "World"}\n`;
  }
}

const DOCS = 7000;
const base = Array.from({ length: DOCS }, (_, i) => doc(i)).join('---\n');
const out = process.argv.indexOf('--out');
if (out !== -1) {
  writeFileSync(process.argv[out + 1], base);
}

/** The local-only images this machine would have (what checkLocalImagePullPolicy asks about). */
const local = new Set(['k3d-reg:5000/app', 'k3d-reg:5000/job']);

/** What the editor computes on each version: lenses, their notices, and the image diagnostics. */
function lensesAndDiagnostics(file: ManifestFile): { rows: number; notices: number; findings: number } {
  const rows = lensRows(file);
  let lines = 0;
  for (const row of rows) {
    lines += file.rangeOf({ start: row.at, end: row.at }).start.line >= 0 ? 1 : 0;
  }
  const notices = lensNotices(file);
  const findings = checkImageTags(file).length + checkLocalImagePullPolicy(file, (ref) => local.has(`${ref.registry ? `${ref.registry}/` : ''}${ref.path}`)).length;
  return { rows: lines, notices: notices.length, findings };
}

const run = coldRereadAndEdits<{ file: ManifestFile; counts: ReturnType<typeof lensesAndDiagnostics> }>(base, RUNS, (text, previous) => {
  const parsed = parseManifest(text, { previous: previous?.file });
  return { file: parsed, counts: lensesAndDiagnostics(parsed) };
});
const { file, counts } = run.cold;
const scanned = file.documents.filter((d) => d.outlineScanned).length;
const last = run.last.file;

console.log(
  JSON.stringify({
    case: 'codelens-realistic',
    ms: round(median(run.editMs)),
    cpuMs: round(median(run.editCpuMs)),
    coldMs: round(run.coldMs),
    rereadMs: round(median(run.rereadMs)),
    rereadCpuMs: round(median(run.rereadCpuMs)),
    runs: RUNS,
    bytes: base.length,
    docs: file.documents.length,
    images: counts.rows,
    notices: counts.notices,
    findings: counts.findings,
    scannedDocs: scanned,
    // After the last keystroke: the documents read again (the rest were carried over).
    docsReadPerEdit: last.documents.filter((d) => !d.carried).length,
  }),
);
