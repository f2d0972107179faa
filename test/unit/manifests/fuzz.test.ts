// A seeded fuzz test of the manifest core. Thousands of random mutations of
// real-looking manifests go through every public entry point; none may throw, none may take
// over 200 ms (the inputs are far under 64 KB), and every edit is either refused or changes
// exactly the characters it says it changes, with the intended effect on the object.
//
// Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> node --test test/unit/manifests/fuzz.test.ts
// More rounds: FUZZ_ROUNDS=20000.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { lensNotices, lensRows } from '../../../src/core/manifests/lenses.ts';
import { declaredDeployments } from '../../../src/core/manifests/declared.ts';
import { decodeManifestBytes } from '../../../src/core/manifests/decode.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { setImage, setImagePullPolicy, setImageTag } from '../../../src/core/manifests/edit.ts';
import type { EditResult } from '../../../src/core/manifests/edit.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import type { ContainerImage } from '../../../src/core/manifests/images.ts';
import { checkImageTags, checkLocalImagePullPolicy, rolloutFindings } from '../../../src/core/manifests/lessons.ts';
import type { PathSegment } from '../../../src/core/manifests/node.ts';
import { locateField } from '../../../src/core/manifests/paths.ts';
import { validateManifest } from '../../../src/core/manifests/validate.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 1000);
const CALL_BUDGET_MS = 200;

/** mulberry32: small, fast and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEPLOYMENT = `# The web tier, built by CI
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # keep this name
  namespace: shop
  labels:
    app: web
    tier: "frontend"
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      initContainers:
        - name: migrate
          image: registry.local:5000/shop/migrate:2024.01.15
          command: ["sh", "-c", "migrate up"]
      containers:
        - name: web
          image: "ghcr.io/acme/web:1.4.2"   # bumped by CI
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: 8080
              name: http
          env:
            - name: GREETING
              value: 'it''s "fine"'
            - name: MODE
              value: "prod"
        - name: sidecar
          image: nginx
          args:
            - |
              line one
              line two
        - image: busybox:1.36@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
          name: pinned
`;

const MULTI = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
    - port: 80
      targetPort: http
---
# comment-only document follows
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: "1"
  b: >
    folded
    text
...
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              image: 'alpine:3.19.1-alpine'
`;

const ANCHORS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shared
  annotations:
    base: &img nginx:1.25
spec:
  selector:
    matchLabels: &labels {app: shared}
  template:
    metadata:
      labels: *labels
    spec:
      containers:
        - &c {name: a, image: "nginx:1.2", env: &env [{name: A, value: "1"}]}
        - *c
        - name: b
          image: *img
          env: *env
        - name: d
          image: &own busybox:1.36
`;

const FLOW = `{apiVersion: v1, kind: Pod, metadata: {name: flow, labels: {app: flow}},
 spec: {containers: [{name: a, image: "nginx:1.2"}, {name: b, image: 'redis:7', ports: [{containerPort: 6379}]}]}}
`;

const DIRECTIVES = `%YAML 1.2
---
apiVersion: v1
kind: Pod
metadata:
  name: directive
spec:
  containers:
    - name: app
      image: !!str app:20240115
`;

const FIXTURES = [DEPLOYMENT, MULTI, ANCHORS, FLOW, DIRECTIVES, DEPLOYMENT.replaceAll('\n', '\r\n'), MULTI.replaceAll('\n', '\r\n').replace(/\r\n$/, '')];

const TOKENS = [
  '&a ', '*a', '&c ', '*c', '*img', '- ', ': ', ':', '\n', '\r\n', '\r', '  ', '    ', '\t', '"', "'", '\\', '#', ' # x', '[', ']', '{', '}', ', ',
  '|', '|-', '>+', '---\n', '...\n', '!!str ', '!t ', '? ', '%YAML 1.2\n', '\ufeff', '\u0000', '<<: ', 'image: ', 'image: nginx:1.2',
  'imagePullPolicy: Always', 'nginx:latest', '@sha256:', 'containers:', 'kind: Deployment\n', 'x: &b [*a, *a, *a, *a]\n', '\u2028', '𝄞', 'é',
];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const at = (s: string) => Math.floor(rnd() * (s.length + 1));
  let out = text;
  const count = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < count; i++) {
    const lines = out.split('\n');
    const line = Math.floor(rnd() * lines.length);
    switch (Math.floor(rnd() * 8)) {
      case 0: {
        const start = at(out);
        out = out.slice(0, start) + out.slice(start + 1 + Math.floor(rnd() * 20));
        break;
      }
      case 1:
      case 2: {
        let p = 0;
        for (let k = 0; k < line; k++) p += lines[k].length + 1; // the start of the line
        p = rnd() < 0.5 ? at(out) : p;
        out = out.slice(0, p) + pick(TOKENS) + out.slice(p);
        break;
      }
      case 3:
        lines.splice(line, 0, lines[line]);
        out = lines.join('\n');
        break;
      case 4: {
        const other = Math.floor(rnd() * lines.length);
        [lines[line], lines[other]] = [lines[other], lines[line]];
        out = lines.join('\n');
        break;
      }
      case 5:
        lines[line] = rnd() < 0.5 ? ` ${lines[line]}` : lines[line].replace(/^ {1,2}/, '');
        out = lines.join('\n');
        break;
      case 6: {
        const p = Math.floor(rnd() * out.length);
        out = out.slice(0, p) + String.fromCharCode(32 + Math.floor(rnd() * 95)) + out.slice(p + 1);
        break;
      }
      default:
        lines.splice(line, 1);
        out = lines.join('\n');
    }
  }
  return out;
}

/** The object a document's text gives, with no shared references: what the cluster receives. */
const plainCache = new Map<string, unknown>();
function plainObjectOf(text: string): unknown {
  if (!plainCache.has(text)) {
    plainCache.clear(); // the documents of one input, one after another
    plainCache.set(text, plainObject(text));
  }
  return structuredClone(plainCache.get(text));
}

function plainObject(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return undefined;
  return JSON.parse(JSON.stringify(doc.toJS({ maxAliasCount: -1 }) ?? null));
}

function setPath(root: unknown, path: readonly PathSegment[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const s of path.slice(0, -1)) node = node[s] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
}

/** An accepted edit changes only its span, inside the image's document, with the intended effect. */
function checkEdit(text: string, image: ContainerImage, result: EditResult, path: readonly PathSegment[], value: string, where: string): void {
  if (!result.ok) {
    assert.equal(typeof result.reason, 'string', where);
    assert.ok(result.reason.length > 0, where);
    return;
  }
  const { span, newText } = result.edit;
  assert.equal(result.text, text.slice(0, span.start) + newText + text.slice(span.end), `${where}: the text outside the edit changed`);
  const doc = image.document;
  assert.ok(span.start >= doc.span.start && span.end <= doc.span.end, `${where}: the edit leaves its document`);
  // Independent of edit.ts's own check: the edited document is the original with one field set.
  const before = plainObjectOf(doc.text);
  const after = plainObject(result.text.slice(doc.span.start, doc.span.end + newText.length - (span.end - span.start)));
  assert.notEqual(before, undefined, `${where}: an edit of a broken document was accepted`);
  setPath(before, path, value);
  assert.deepEqual(after, before, `${where}: the edit changed more (or less) than ${path.join('.')}`);
}

/**
 * Times one call of a public entry point in CPU time (this process's, which the other test
 * processes on a busy machine do not inflate); remembers the slowest over the budget.
 */
class Clock {
  slow: { call: string; ms: number } | undefined;

  time<T>(call: string, run: () => T): T {
    const start = process.cpuUsage();
    const value = run();
    const used = process.cpuUsage(start);
    const ms = (used.user + used.system) / 1000;
    if (ms > CALL_BUDGET_MS && (this.slow === undefined || ms > this.slow.ms)) this.slow = { call, ms };
    return value;
  }
}

/** Every public entry point on a fresh parse of `text`, each call timed (the checks are not). */
function runAll(text: string): { slow?: { call: string; ms: number }; images: number } {
  const clock = new Clock();
  const file = clock.time('parseManifest', () => parseManifest(text));
  clock.time('documents', () => file.documents.map((d) => [d.kind, d.name, d.namespace, d.label, d.isKubernetes]));
  const images = clock.time('findImages', () => findImages(file));
  clock.time('lensRows', () => lensRows(file));
  clock.time('lensNotices', () => lensNotices(file));
  clock.time('checkImageTags', () => checkImageTags(file));
  clock.time('checkLocalImagePullPolicy', () => checkLocalImagePullPolicy(file, () => true));
  for (const doc of file.documents) {
    clock.time('rolloutFindings', () => rolloutFindings(doc, [{ name: 'web', image: 'nginx:1.0' }, { name: 'a', image: 'nginx:1.2' }]));
  }
  clock.time('validateManifest', () => validateManifest(file));
  for (const doc of file.documents) {
    clock.time('toObject', () => doc.toObject());
    clock.time('locateField', () => locateField(doc, 'spec.template.spec.containers[1].env[0].value'));
    clock.time('tree', () => doc.tree);
  }
  clock.time('declaredDeployments', () => declaredDeployments(text));
  clock.time('decodeManifestBytes', () => decodeManifestBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])));
  for (const image of images.slice(0, 2)) {
    const where = `edit of ${image.path.join('.')}`;
    const tag = clock.time('setImageTag', () => setImageTag(file, image, '9.9.9', { dropDigest: true }));
    const ref = image.reference;
    const tagged = ref.valid ? `${ref.registry ? `${ref.registry}/` : ''}${ref.path}:9.9.9` : '';
    checkEdit(text, image, tag, image.path, tagged, `${where} (tag)`);
    if (image === images[0]) {
      const set = clock.time('setImage', () => setImage(file, image, 'registry.local:5000/x: y'));
      checkEdit(text, image, set, image.path, 'registry.local:5000/x: y', `${where} (image)`);
    }
    const policy = clock.time('setImagePullPolicy', () => setImagePullPolicy(file, image, 'Never'));
    checkEdit(text, image, policy, [...image.path.slice(0, -1), 'imagePullPolicy'], 'Never', `${where} (policy)`);
  }
  return { slow: clock.slow, images: images.length };
}

test(`fuzz: ${ROUNDS} inputs of 1-3 random mutations of real-looking manifests (seed ${SEED}): no exception, no call over ${CALL_BUDGET_MS} ms, edits refused or exact`, () => {
  for (const text of FIXTURES) runAll(text); // warm up the JIT: the first calls of a process are slow
  const rnd = prng(SEED);
  let images = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const base = FIXTURES[round % FIXTURES.length];
    const text = mutate(base, rnd);
    const context = () => `seed ${SEED}, round ${round} (FUZZ_SEED=${SEED}); input:\n${JSON.stringify(text)}`;
    assert.ok(text.length < 64 * 1024);
    try {
      const first = runAll(text);
      images += first.images;
      // A busy machine can stall any call once (a GC, another process): only a second slow run counts.
      if (first.slow !== undefined) {
        const { slow } = first;
        const again = runAll(text).slow;
        assert.ok(again === undefined || again.call !== slow.call, `${slow.call} took ${slow.ms.toFixed(0)} ms, then ${again?.ms.toFixed(0)} ms: ${context()}`);
      }
    } catch (e) {
      if (e instanceof assert.AssertionError && e.message.includes('seed ')) throw e;
      assert.fail(`${(e as Error).stack ?? String(e)}\n${context()}`);
    }
  }
  assert.ok(images > ROUNDS, `the mutations keep most images readable, so edits were exercised (${images} images)`);
});

test('fuzz: the fixtures themselves are read, and their edits are exact', () => {
  for (const text of FIXTURES) {
    const file = parseManifest(text);
    assert.ok(file.isKubernetes);
    runAll(text);
  }
  assert.equal(findImages(parseManifest(ANCHORS)).filter((i) => i.shared !== undefined).length, 3, 'the two copies of &c and the *img');
});
