// Dense YAML under 64 KB (thousands of keys, documents or brackets) costs the `yaml` parser
// about 1 µs per token: what the manifest core lets it parse is bounded by a token budget and a
// flow-depth limit, counted on the parser's own tokens, and past them it refuses with a reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lensNotices, lensRows } from '../../../src/core/manifests/lenses.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import type { ManifestFile } from '../../../src/core/manifests/documents.ts';
import { parseWithin } from '../../../src/core/manifests/fromYaml.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import { checkImageTags } from '../../../src/core/manifests/lessons.ts';
import { YAML_FLOW_DEPTH_MAX, yamlTokenBudget } from '../../../src/core/manifests/limits.ts';
import { validateManifest } from '../../../src/core/manifests/validate.ts';

const KB64 = 64 * 1024;

const SHAPES: Record<string, () => string> = {
  '5,000 keys in one map': () => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\ndata:\n${Array.from({ length: 5000 }, (_, i) => `  k${i}: v\n`).join('')}`,
  '1,400 documents': () => Array.from({ length: 1400 }, (_, i) => `---\nkind: ConfigMap\nmetadata: {name: c${i}}\n`).join(''),
  '32K nested flow brackets': () => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: ${'['.repeat(32000)}${']'.repeat(32000)}\n`,
  '30K-item flow sequence': () => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flat\nx: [${Array(30000).fill('1').join(',')}]\n`,
  '6,500 tiny documents': () => Array.from({ length: 6500 }, () => '---\na: 1\n').join(''),
  '6,500 flow documents': () => Array.from({ length: 6500 }, () => '--- {}\n').join(''),
  '16K block sequence items': () => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: seq\nx:\n${'- 1\n'.repeat(15500)}`,
};

/** The `yaml` tokens a file's full parses used: the budget minus what is left. */
function tokensUsed(file: ManifestFile): number {
  return yamlTokenBudget(file.text.length) - file.yamlTokensLeft;
}

function cpuMs(f: () => unknown): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Every entry point on a fresh parse of `text`; the slowest call's CPU time. */
function everything(text: string): { file: ManifestFile; slowest: { call: string; ms: number } } {
  let slowest = { call: '', ms: 0 };
  const time = <T>(call: string, f: () => T): T => {
    let value: T | undefined;
    const ms = cpuMs(() => (value = f()));
    slowest = ms > slowest.ms ? { call, ms } : slowest;
    return value as T;
  };
  const file = time('parseManifest', () => parseManifest(text));
  time('lensRows', () => lensRows(file));
  time('lensNotices', () => lensNotices(file));
  time('checkImageTags', () => checkImageTags(file));
  time('validateManifest', () => validateManifest(file));
  time('toObject', () => file.documents.map((doc) => doc.toObject()));
  return { file, slowest };
}

/**
 * The token counter (tokensUsed) is the budget's check, the same on every machine. CPU time only catches
 * work that the counter does not see (something quadratic of ours): this VM charges the time the
 * host takes its CPUs away to the process, 40 ms calls measured 300 ms at load 13, so the limit is
 * generous.
 */
const CALL_CPU_MS = 500;

test(`no input under 64 KB makes \`yaml\` parse more than the token budget of a 64 KB file, nor any call take over ${CALL_CPU_MS} ms of CPU once warm`, () => {
  everything(SHAPES['1,400 documents']()); // warm up the JIT: the first calls of a process are slow
  for (const [name, make] of Object.entries(SHAPES)) {
    const text = make();
    assert.ok(text.length < KB64, `${name}: ${text.length} characters`);
    const { file, slowest } = everything(text);
    assert.ok(tokensUsed(file) <= yamlTokenBudget(KB64), `${name}: ${tokensUsed(file)} tokens`);
    // A busy machine stalls calls (garbage collections slow down with the load): a call must be
    // slow three times in a row to count, the JIT warming up on the shape meanwhile.
    const times = [slowest.ms];
    for (let run = 0; run < 2 && times[times.length - 1] >= CALL_CPU_MS; run++) {
      const again = everything(text).slowest;
      times.push(again.call === slowest.call ? again.ms : 0);
    }
    assert.ok(times[times.length - 1] < CALL_CPU_MS, `${name}: ${slowest.call} took ${times.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  }
});

test('5,000 keys in one map and 1,400 documents are read whole: dense, but within the budget', () => {
  const keys = parseManifest(SHAPES['5,000 keys in one map']());
  assert.deepEqual(validateManifest(keys), []);
  assert.equal(Object.keys((keys.documents[0].toObject() as { data: object }).data).length, 5000);
  const docs = parseManifest(SHAPES['1,400 documents']());
  const problems = validateManifest(docs);
  assert.equal(problems.length, 1400);
  assert.ok(problems.every((p) => p.code === 'k8s.missingField' && /^Missing apiVersion/.test(p.message)), 'each document read: only its apiVersion is missing');
  assert.equal(docs.documents.length, 1400);
  assert.equal((docs.documents[1399].toObject() as { metadata: { name: string } }).metadata.name, 'c1399');
});

test('32K nested brackets: refused after about YAML_FLOW_DEPTH_MAX tokens, with one problem and a lens notice', () => {
  const file = parseManifest(SHAPES['32K nested flow brackets']());
  const problems = validateManifest(file);
  assert.deepEqual(
    problems.map((p) => [p.code, p.severity, p.range.start.line]),
    [['yaml.depthLimit', 'error', 0]],
  );
  assert.match(problems[0].message, /nests brackets \(\[ or \{\) more than 1000 deep.*not read/);
  assert.ok(tokensUsed(file) < 2 * YAML_FLOW_DEPTH_MAX, `the parse stopped at the limit: ${tokensUsed(file)} tokens`);
  assert.equal(file.documents[0].toObject(), undefined, 'nothing to apply');
  // The lenses skip `data` by indentation; a kept field that deep goes to the full parse and is refused.
  const kind = parseManifest(`apiVersion: v1\nkind: ${'['.repeat(20000)}${']'.repeat(20000)}\nmetadata: {name: x}\nspec:\n  containers:\n    - image: nginx:1.27\n`);
  assert.deepEqual(
    lensNotices(kind).map((n) => n.title),
    ['k3d: lenses off for this document: its brackets nest too deep'],
  );
  // Without an image anywhere in it, there is nothing the lenses would miss: no notice, no parse.
  const noImage = parseManifest(`apiVersion: v1\nkind: ${'['.repeat(20000)}${']'.repeat(20000)}\nmetadata: {name: x}\n`);
  assert.deepEqual(lensNotices(noImage), []);
  assert.equal(tokensUsed(noImage), 0);
  // Within the limit, deep JSON-style nesting still reads.
  const nested = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\ndata: {a: "x"}\nx: ${'{a: '.repeat(200)}1${'}'.repeat(200)}\n`;
  assert.deepEqual(validateManifest(parseManifest(nested)), []);
});

test('a 30K-item flow sequence and 6,500 tiny documents: one problem says the file is too dense, from where it stopped', () => {
  for (const name of ['30K-item flow sequence', '6,500 tiny documents', '6,500 flow documents', '16K block sequence items']) {
    const text = SHAPES[name]();
    const file = parseManifest(text);
    const problems = validateManifest(file);
    const budget = problems.filter((p) => p.code === 'yaml.tokenBudget');
    assert.equal(budget.length, 1, `${name}: ${problems.length} problems`);
    assert.equal(problems[problems.length - 1], budget[0], `${name}: validation stops there`);
    assert.match(budget[0].message, /too dense to read quickly: it takes more than \d+ parser tokens for \d+ KB .* not read from this document on/);
    assert.equal(tokensUsed(file), yamlTokenBudget(text.length), `${name}: the parses used the budget, no more`);
  }
  // Lenses: documents only the full parse reads share the budget; the one that spends it gets the notice.
  const pod = (i: number) => `--- {apiVersion: v1, kind: Pod, metadata: {name: p${i}}, spec: {containers: [{name: a, image: "nginx:1.${i}"}]}}\n`;
  const dense = `--- {apiVersion: v1, kind: Pod, metadata: {name: dense}, spec: {containers: [{name: a, image: "nginx:2"}]}, x: [${Array(30000).fill('1').join(',')}]}\n`;
  const mixed = parseManifest(pod(0) + pod(1) + dense + pod(2));
  assert.deepEqual(
    findImages(mixed).map((i) => i.image),
    ['nginx:1.0', 'nginx:1.1'],
  );
  assert.deepEqual(
    lensNotices(mixed).map((n) => [mixed.rangeOf({ start: n.at, end: n.at }).start.line, n.title]),
    [[2, "k3d: lenses off for this document: the file's YAML is too dense to read quickly"]],
    'one notice, on the document that spent the budget',
  );
  // A dense document without any image (a ConfigMap of data) is not read for lenses: it spends nothing.
  const data = `--- {apiVersion: v1, kind: ConfigMap, metadata: {name: data}, data: {x: "${Array(30000).fill('1').join(',')}"}, y: [${Array(30000).fill('1').join(',')}]}\n`;
  const withData = parseManifest(pod(0) + data + pod(2));
  assert.deepEqual(
    findImages(withData).map((i) => i.image),
    ['nginx:1.0', 'nginx:1.2'],
  );
  assert.deepEqual(lensNotices(withData), []);
});

test('real manifests are nowhere near the budget: a large course-like file and pretty-printed JSON are read whole', () => {
  const pod = (i: number) =>
    `---\n# pod ${i}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${i}\n  labels: {app: web}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: "nginx:1.25"\n          args: ["--port", "8080"]\n          ports:\n            - containerPort: 8080\n`;
  const big = Array.from({ length: 600 }, (_, i) => pod(i)).join('');
  const file = parseManifest(big);
  assert.deepEqual(validateManifest(file), []);
  assert.ok(tokensUsed(file) < 0.6 * yamlTokenBudget(big.length), `${tokensUsed(file)} of ${yamlTokenBudget(big.length)} tokens`);
  const json = JSON.stringify(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'json' }, data: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key${i}`, `${i}`])) },
    null,
    2,
  );
  assert.ok(json.length > KB64);
  const jsonFile = parseManifest(json);
  assert.deepEqual(validateManifest(jsonFile), []);
  assert.ok(tokensUsed(jsonFile) < 0.6 * yamlTokenBudget(json.length), `${tokensUsed(jsonFile)} of ${yamlTokenBudget(json.length)} tokens`);
});

test('parseWithin parses as parseDocument does, and stops at its budget', () => {
  const ok = parseWithin('a: [1, {b: 2}]\n', { tokens: 100, depth: 2 });
  assert.ok(ok.ok);
  assert.deepEqual(ok.value.toJS(), { a: [1, { b: 2 }] });
  const deep = parseWithin('a: [[[1]]]\n', { tokens: 100, depth: 2 });
  assert.deepEqual(deep.ok ? 'read' : deep.limit, 'depth');
  const long = parseWithin('a: [1, 2, 3, 4, 5, 6]\n', { tokens: 10, depth: 10 });
  assert.deepEqual(long.ok ? 'read' : [long.limit, long.tokens], ['tokens', 11]);
  const two = parseWithin('a: 1\n---\nb: 2\n', { tokens: 100, depth: 10 });
  assert.deepEqual(two.ok && two.value.errors.map((e) => e.code), ['MULTIPLE_DOCS']);
});

test('images are still found in a file refused part-way: documents before the budget ran out, and every scanned one', () => {
  const pods = Array.from({ length: 3 }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n    - name: a\n      image: nginx:1.${i}\n`).join('');
  const file = parseManifest(pods + SHAPES['6,500 tiny documents']());
  assert.deepEqual(
    findImages(file).map((i) => i.image),
    ['nginx:1.0', 'nginx:1.1', 'nginx:1.2'],
  );
});
