import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { findImages } from '../../../src/core/manifests/images.ts';
import { getString, toPlain } from '../../../src/core/manifests/node.ts';

const course = readFileSync(new URL('./fixtures/deployment.yaml', import.meta.url), 'utf8');

test("the course's manifest: one Deployment, named, recognised as Kubernetes YAML", () => {
  const file = parseManifest(course);
  assert.equal(file.documents.length, 1);
  const [doc] = file.documents;
  assert.equal(doc.apiVersion, 'apps/v1');
  assert.equal(doc.kind, 'Deployment');
  assert.equal(doc.name, 'hashgenerator-dep');
  assert.equal(doc.namespace, undefined);
  assert.equal(doc.label, 'deployment/hashgenerator-dep');
  assert.equal(file.isKubernetes, true);
  assert.equal(doc.outlineScanned, true);
  assert.equal(doc.treeScanned, true);
  assert.deepEqual(doc.range, { start: { line: 0, character: 0 }, end: { line: 17, character: 0 } });
  assert.deepEqual(doc.toObject(), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hashgenerator-dep' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'hashgenerator' } },
      template: {
        metadata: { labels: { app: 'hashgenerator' } },
        spec: { containers: [{ name: 'hashgenerator', image: 'jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64' }] },
      },
    },
  });
});

test('documents are split on --- lines; comment-only documents are left out; ranges and lines are exact', () => {
  const text = '# header comment\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n---\n# nothing here\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: demo\n';
  const file = parseManifest(text);
  assert.deepEqual(file.documents.map((d) => [d.index, d.kind, d.name, d.namespace]), [
    [0, 'Namespace', 'demo', undefined],
    [1, 'ConfigMap', 'cfg', 'demo'],
  ]);
  const [ns, cm] = file.documents;
  assert.equal(ns.range.start.line, 1); // its `---` line
  assert.equal(file.rangeOf({ start: ns.contentStart, end: ns.contentStart }).start.line, 2);
  assert.equal(cm.range.start.line, 8);
  assert.equal(file.documentAt(text.indexOf('name: cfg'))?.index, 1);
});

test('a --- inside a block scalar is content only when indented; the spec forbids it at column 0', () => {
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x.yaml: |\n    ---\n    a: 1\n';
  const file = parseManifest(text);
  assert.equal(file.documents.length, 1);
  assert.equal(getString(file.documents[0].tree ?? undefined, ['data', 'x.yaml']), '---\na: 1\n');
});

test('a document that is not Kubernetes YAML (no apiVersion/kind) is still a document, just not Kubernetes', () => {
  const file = parseManifest('name: my-app\nversion: 1.0\n');
  assert.equal(file.documents.length, 1);
  assert.equal(file.isKubernetes, false);
});

test('Windows line endings, a byte order mark and `...` end markers', () => {
  const file = parseManifest('\ufeffapiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\n...\r\n---\r\napiVersion: v1\r\nkind: Service\r\nmetadata:\r\n  name: s\r\n');
  assert.deepEqual(file.documents.map((d) => d.label), ['pod/p', 'service/s']);
  assert.ok(file.documents.every((d) => d.treeScanned));
});

test('directives send the file through yaml itself, with the same result', () => {
  const file = parseManifest('%YAML 1.2\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n');
  assert.equal(file.documents.length, 1);
  assert.equal(file.documents[0].name, 'p');
  assert.equal(file.documents[0].treeScanned, false);
});

// The fast scanner must read every document it accepts exactly as `yaml` does.
const PARITY: Record<string, string> = {
  course,
  scalars: `a: plain text # comment
b: "double \\"quoted\\" \\t"
c: 'single ''quoted'''
d: 010
e: 0x1F
f: 1.5e3
g: .inf
h: True
i: ~
j:
k: http://example.com:8080/a#b
l: -1
m: "2"
n: 1.10
o: -foo
`,
  blocks: `literal: |
  line 1

  line 3 # not a comment
folded: >-
  one
  two

  three
keep: |+
  x

strip: |-
  y
after: 1
`,
  flow: `command: ["sh", '-c', plain, 1, {k: v, e: }, [], {}]
emptyMap: {}
`,
  sequences: `a:
- x
- - nested
  - more
-
  name: open item
- key: v
  other: w
b:
  # a comment between items
  - name: c
    image: d
`,
  // Keys with nothing after them, closed by a sibling, by a shallower line, by a dash and by the
  // document's end: each is null at the offset after its colon (the scanner makes these nulls late).
  emptyValues: `a:
b:
c:
  d:
  e:
    f:
g:
  - h:
    i:
  -
  - j:
k:
- l:
m:
`,
  quotedKeys: `"app.kubernetes.io/name": x
'single': y
key with spaces: z
`,
};

for (const [name, text] of Object.entries(PARITY)) {
  test(`the fast scanner and yaml agree: ${name}`, () => {
    const file = parseManifest(text);
    for (const doc of file.documents) {
      assert.equal(doc.full().problems.length, 0, JSON.stringify(doc.full().problems));
      assert.ok(doc.tree !== null);
      assert.ok(doc.treeScanned, 'the scanner read it');
      assert.ok(isDeepStrictEqual(doc.tree, doc.full().tree), 'same tree, same positions');
      assert.deepEqual(toPlain(doc.tree), doc.full().yaml.toJS());
    }
  });
}

test('YAML the scanner does not read falls back to the full parse, with the same values', () => {
  for (const text of ['a: &x 1\nb: *x\n', 'a: multi\n  line\n', 'a: [1,\n  2]\n', 'a: "multi\n  line"\n', '? complex\n: key\n', 'a: !!str 1\n', 'a: >\n  x\n    more indented\n  y\n']) {
    const doc = parseManifest(text).documents[0];
    assert.equal(doc.treeScanned, false, text);
    assert.deepEqual(toPlain(doc.tree as never), doc.full().yaml.toJS(), text);
  }
});

test('the outline skips unread values and stops exactly where the skipped value ends', async () => {
  const { OUTLINE_KEEP } = await import('../../../src/core/manifests/kinds.ts');
  type Keep = true | { readonly [key: string]: Keep };
  const prune = (value: unknown, keep: Keep): unknown => {
    if (keep === true || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => prune(v, keep['[]'] ?? {}));
    return Object.fromEntries(Object.entries(value).filter(([k]) => keep[k] !== undefined).map(([k, v]) => [k, prune(v, keep[k])]));
  };
  const doc = [
    'data:', // skipped at the root, its items at column 0 (a dash at the key's indentation)
    '- a',
    '-   b: 1',
    '# a comment at column 0',
    '   ',
    '-',
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  labels:',
    '    app: x',
    '',
    '# between',
    '  name: p',
    'spec:',
    '  volumes:',
    '  - name: v',
    '    emptyDir: {}',
    '  containers:',
    '  - name: a',
    '    env:', // skipped inside a container: its items at the key's indentation
    '    - name: E',
    '      value: "x"',
    '    -    name: F',
    '\t# a tab-indented comment',
    '    image: nginx:1.25',
    '    args: |',
    '      image: not-this:1',
    '    imagePullPolicy: Always',
    '  - image: busybox:1.36',
    '    ports:',
    '      - containerPort: 80',
    '    name: b',
  ];
  for (const eol of ['\n', '\r\n']) {
    const text = `${doc.join(eol)}${eol}---${eol}kind: ConfigMap${eol}data:${eol}  k: v${eol}`;
    const file = parseManifest(text);
    for (const d of file.documents) {
      assert.ok(d.outlineScanned);
      assert.deepEqual(toPlain(d.outline!), prune(d.full().yaml.toJS(), OUTLINE_KEEP), JSON.stringify(eol));
    }
    assert.equal(getString(file.documents[0].outline ?? undefined, ['spec', 'containers', 0, 'imagePullPolicy']), 'Always');
    assert.equal(file.documents[1].kind, 'ConfigMap');
  }
});

test('a document without the word image, or without a container list or images:, is not read for lenses; one that could spell them with an escape is', () => {
  const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n';
  const escaped = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      "\\x69mage": "nginx:1.27"\n';
  const script = '# image: in a comment only\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  run.sh: docker run image\n';
  const initOnly = 'apiVersion: v1\nkind: Pod\nmetadata: {name: i}\nspec:\n  initContainers:\n    - {name: init, image: "busybox:1.36"}\n';
  const kustomization = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - {name: app, newTag: "2"}\n';
  const escapedList = 'apiVersion: v1\nkind: Pod\nmetadata: {name: e}\nspec:\n  "\\x63ontainers": [{name: a, image: "nginx:1.26"}]\n';
  const file = parseManifest([service, escaped, script, initOnly, kustomization, escapedList].join('---\n'));
  assert.deepEqual(
    file.documents.map((d) => d.mayHoldImages),
    [false, true, false, true, true, true],
  );
  assert.deepEqual(
    findImages(file).map((i) => [i.document.index, i.image]),
    [
      [1, 'nginx:1.27'],
      [3, 'busybox:1.36'],
      [4, 'app:2'],
      [5, 'nginx:1.26'],
    ],
  );
  // Its identity is still read when asked (the tree, Apply): only the image lenses skip it.
  assert.equal(file.documents[0].kind, 'Service');
});
