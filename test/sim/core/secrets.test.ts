// No byte of a kubeconfig's keys, certificates, tokens or passwords reaches
// a message, the log or a document unasked. Recognisable secrets are planted in every credential
// field of a kubeconfig and of broken ones; the extension's core paths run over them, and
// everything they produce (messages, stacks, what the tree and status bar show) is searched.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inspect, promisify } from 'node:util';
import { test } from 'node:test';
import { loadSnapshot } from '../../../src/core/clusters/snapshot.ts';
import type { K3dCli } from '../../../src/core/k3d/cli.ts';
import { connectContext } from '../../../src/core/kube/connect.ts';
import { getClusterInfo, loadClientNode, loadKubeConfig } from '../../../src/core/kube/gateway.ts';
import { readKubeconfig, useContext } from '../../../src/core/kube/kubeconfig.ts';
import { credentialProblem, maskSecretDiff, redactKubeconfig } from '../../../src/core/kube/redact.ts';
import { writeClusterPki } from '../k3d/pki.ts';
import { parse, stringify } from 'yaml';

/** Each planted value, as written and (for the *-data fields) as base64 of the marker. */
const PLANTED = {
  caData: 'SECRET-CA-DATA-77aa',
  certData: 'SECRET-CERT-DATA-5b5b',
  keyData: 'SECRET-KEY-DATA-1f2e',
  token: 'tok-PLANTED-9',
  password: 'pw-PLANTED-3',
  idToken: 'idtok-PLANTED-4',
  refreshToken: 'refresh-PLANTED-6',
  clientSecret: 'clientsecret-PLANTED-8',
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const MARKERS = [...Object.values(PLANTED), ...Object.values(PLANTED).map(b64), 'PLANTED', 'SECRET-'];

/** A kubeconfig with a secret in every credential field. `edit` breaks one line of it. */
function plantedKubeconfig(edit: (lines: string[]) => string[] = (l) => l, options: { dataAsBase64?: boolean } = {}): string {
  const data = (s: string) => (options.dataAsBase64 ? b64(s) : s);
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: planted',
    '  cluster:',
    `    certificate-authority-data: ${data(PLANTED.caData)}`,
    '    server: https://127.0.0.1:1',
    'users:',
    '- name: planted-user',
    '  user:',
    `    client-certificate-data: ${data(PLANTED.certData)}`,
    `    client-key-data: ${data(PLANTED.keyData)}`,
    `    token: ${PLANTED.token}`,
    '- name: basic',
    '  user:',
    '    username: admin',
    `    password: ${PLANTED.password}`,
    '- name: oidc',
    '  user:',
    '    auth-provider:',
    '      name: oidc',
    '      config:',
    `        id-token: ${PLANTED.idToken}`,
    `        refresh-token: ${PLANTED.refreshToken}`,
    `        client-secret: ${PLANTED.clientSecret}`,
    'contexts:',
    '- name: planted',
    '  context:',
    '    cluster: planted',
    '    user: planted-user',
    '- name: planted-basic',
    '  context:',
    '    cluster: planted',
    '    user: basic',
    'current-context: planted',
    '',
  ];
  return edit(lines).join('\n');
}

const replaceLine = (prefix: string, by: string) => (lines: string[]) => lines.map((l) => (l.trimStart().startsWith(prefix) ? by : l));

/** Broken kubeconfigs, each with the secrets still in it, and the line a message should point at. */
const BROKEN: Array<{ name: string; text: string; line?: number; says: RegExp }> = [
  {
    name: 'a ": " in the middle of the client-key-data line',
    text: plantedKubeconfig(replaceLine('client-key-data:', `    client-key-data: ${PLANTED.keyData}: ${PLANTED.token}`)),
    line: 12,
    says: /line 12, column \d+ \(in client-key-data\)/,
  },
  {
    name: 'an unclosed quote in the token',
    text: plantedKubeconfig(replaceLine('token:', `    token: "${PLANTED.token}`)),
    says: /line \d+/,
  },
  {
    name: 'an alias named after the token (the YAML library quotes the alias name)',
    text: plantedKubeconfig(replaceLine('token:', `    token: *${PLANTED.token}`)),
    says: /line 13: users\[0\] \('planted-user'\)\.user\.token should be a string, not an alias \(\*name\) to no anchor/,
  },
  {
    name: 'an invalid escape in a double-quoted password (the library quotes the escape)',
    text: plantedKubeconfig(replaceLine('password:', `    password: "${PLANTED.password}\\q"`)),
    says: /line 17, column \d+ \(in password\): a double-quoted value has an invalid escape sequence/,
  },
  {
    name: 'a tab before the certificate data',
    text: plantedKubeconfig(replaceLine('client-certificate-data:', `\tclient-certificate-data: ${PLANTED.certData}`)),
    says: /line 11/,
  },
  {
    name: 'the token written twice',
    text: plantedKubeconfig((l) => [...l.slice(0, 13), `    token: ${PLANTED.password}`, ...l.slice(13)]),
    says: /line 14, column \d+ \(in token\): a key appears twice/,
  },
  {
    name: 'a token that is a number',
    text: plantedKubeconfig(replaceLine('token:', '    token: 9876543210123')),
    says: /line 13: users\[0\] \('planted-user'\)\.user\.token should be a string, not a number/,
  },
  {
    name: 'certificate data that is a list',
    text: plantedKubeconfig(replaceLine('certificate-authority-data:', `    certificate-authority-data: [${PLANTED.caData}, ${PLANTED.keyData}]`)),
    says: /line 6: clusters\[0\] \('planted'\)\.cluster\.certificate-authority-data should be a string, not a list/,
  },
  {
    name: 'users that is a string',
    text: `apiVersion: v1\nkind: Config\nusers: ${PLANTED.token} ${PLANTED.password}\n`,
    says: /line 3: users should be a list, not a string/,
  },
  {
    name: 'a private key pasted instead of a kubeconfig (not YAML at all)',
    text: `-----BEGIN RSA PRIVATE KEY-----\n${PLANTED.keyData}\n${b64(PLANTED.keyData)}\n-----END RSA PRIVATE KEY-----\n`,
    says: /not a kubeconfig/,
  },
  {
    name: 'binary garbage with the secrets in it',
    text: `\u0000\u0001{[${PLANTED.token}: ]] "${PLANTED.password}\n\t- ${PLANTED.keyData}: {`,
    says: /line \d+|the YAML/,
  },
];

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'k3d-deploy-secrets-'));
}

/** Everything an error could put in a message or the log: message, stack, causes, properties. */
function everything(value: unknown): string {
  return `${String(value)}\n${inspect(value, { depth: 8, showHidden: true })}\n${(value as Error)?.stack ?? ''}\n${JSON.stringify(value) ?? ''}`;
}

function assertNoSecret(written: string, where: string): void {
  for (const marker of MARKERS) {
    assert.ok(!written.includes(marker), `${where} shows the planted secret ${marker}:\n${written}`);
  }
}

async function attempt(work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (e) {
    return e;
  }
}

/** What the Clusters view takes from one read: its snapshot (tree, status bar) and the log lines ClusterStore writes. */
async function clustersViewSees(paths: string[]): Promise<{ written: string; problems: Array<{ file: string; message: string }> }> {
  const cli = { version: async () => ({ k3d: 'v5.8.3' }), listClusters: async () => [] } as unknown as K3dCli;
  const snapshot = await loadSnapshot({ cli, kubeconfigPaths: () => paths });
  const log = snapshot.kubeconfig.problems.map((p) => `kubeconfig ${p.file} was not read: ${p.message}`);
  return { written: `${JSON.stringify(snapshot)}\n${log.join('\n')}`, problems: snapshot.kubeconfig.problems };
}

test('a well-formed planted kubeconfig: its contexts are read and nothing of its secrets is in what the view holds', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'config');
  writeFileSync(file, plantedKubeconfig());
  const seen = await clustersViewSees([file]);
  assert.deepEqual(seen.problems, []);
  assertNoSecret(seen.written, 'the clusters snapshot');
  const view = await readKubeconfig([file]);
  assert.deepEqual(view.contexts.map((c) => c.name), ['planted', 'planted-basic']);
});

for (const broken of BROKEN) {
  test(`broken kubeconfig, ${broken.name}: the file and what is wrong are said, no secret is`, async () => {
    const dir = tempDir();
    const bad = path.join(dir, 'broken-config');
    writeFileSync(bad, broken.text);
    const seen = await clustersViewSees([bad]);
    assert.equal(seen.problems.length, 1, `one problem for ${bad}`);
    assert.equal(seen.problems[0].file, bad);
    assert.match(seen.problems[0].message, broken.says);
    assertNoSecret(seen.written, 'the clusters view and its log');

    // Use Context on the broken file: refused with the reason, the file untouched.
    const before = readFileSync(bad, 'utf8');
    const error = await attempt(() => useContext([bad], 'planted-basic'));
    assert.ok(error instanceof Error, 'Use Context fails');
    assert.ok(error.message.includes(bad), `the message names the file: ${error.message}`);
    assertNoSecret(everything(error), 'Use Context\'s error');
    assert.equal(readFileSync(bad, 'utf8'), before);

    // Connecting to (and cluster info of) a context in the broken file.
    for (const work of [() => connectContext('planted', [bad]), () => getClusterInfo('planted', [bad])]) {
      const e = await attempt(work);
      assert.ok(e instanceof Error, 'connecting fails');
      assertNoSecret(everything(e), 'the connection error');
    }
  });
}

test('KUBECONFIG=a:b with b broken: the contexts of a still count, b is named, no secret of either is shown', async () => {
  const dir = tempDir();
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  writeFileSync(a, plantedKubeconfig((l) => l.map((x) => x.replace('name: planted-basic', 'name: from-a')), { dataAsBase64: true }));
  writeFileSync(b, BROKEN[0].text);
  const seen = await clustersViewSees([a, b]);
  assert.deepEqual(seen.problems.map((p) => p.file), [b]);
  assert.match(seen.problems[0].message, /^line 12, column \d+ \(in client-key-data\): /);
  assertNoSecret(seen.written, 'the clusters view and its log');

  // Use Context to a context of b: "no such context", and b is named as unread.
  const error = await attempt(() => useContext([a, b], 'only-in-b'));
  assert.ok(error instanceof Error);
  assert.match(error.message, new RegExp(`${b.replace(/[/\\.]/g, '\\$&')} was not read: line 12`));
  assertNoSecret(everything(error), 'Use Context\'s error');

  // KUBECONFIG=b:a: Use Context writes to the first file, b, which is broken: refused, b untouched.
  const bText = readFileSync(b, 'utf8');
  const refused = await attempt(() => useContext([b, a], 'from-a'));
  assert.ok(refused instanceof Error);
  assert.match(refused.message, new RegExp(`^${b.replace(/[/\\.]/g, '\\$&')} is not a valid kubeconfig \\(line 12, column \\d+ \\(in client-key-data\\): .*\\)\\. It was left unchanged\\.$`));
  assertNoSecret(everything(refused), 'Use Context\'s error on a broken destination');
  assert.equal(readFileSync(b, 'utf8'), bText);

  // Use Context to a context of a works.
  assert.equal(await useContext([a, b], 'from-a'), a);
  const after = await readKubeconfig([a, b]);
  assert.equal(after.currentContext, 'from-a');
});

test('credentials of the wrong type never reach client-node, whose Node errors would quote them', async () => {
  // client-node reads these files (js-yaml) and would hand the values to Buffer.from or an HTTP
  // header; Node's errors then say `Received type number (…)` or `"Bearer …" is an invalid header value`.
  const cases: Array<[string, RegExp]> = [
    [plantedKubeconfig(replaceLine('certificate-authority-data:', '    certificate-authority-data: 77665544332211')), /cluster 'planted' has a certificate-authority-data that is not a string \(a number\)/],
    [plantedKubeconfig(replaceLine('client-key-data:', '    client-key-data: 11223344556677')), /user 'planted-user' has a client-key-data that is not a string \(a number\)/],
    [plantedKubeconfig(replaceLine('token:', `    token: "${PLANTED.token}\\n${PLANTED.password}"`)), /user 'planted-user' has a token with a character an HTTP header cannot carry/],
  ];
  const dir = tempDir();
  const k8s = await loadClientNode();
  for (const [i, [text, says]] of cases.entries()) {
    const file = path.join(dir, `wrong-${i}`);
    writeFileSync(file, text);
    for (const work of [() => loadKubeConfig(k8s, 'planted', [file]), () => connectContext('planted', [file]), () => getClusterInfo('planted', [file])]) {
      const e = await attempt(work);
      assert.ok(e instanceof Error, `case ${i} fails`);
      assert.match(e.message, says);
      assertNoSecret(everything(e), `case ${i}'s error`);
      assert.ok(!everything(e).includes('77665544332211') && !everything(e).includes('11223344556677'), `case ${i} quotes a number`);
    }
  }
});

test('connecting with well-formed planted credentials to a server that is not there: the error quotes none of them', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'config');
  writeFileSync(file, plantedKubeconfig(undefined, { dataAsBase64: true }));
  for (const context of ['planted', 'planted-basic']) {
    const e = await attempt(async () => (await connectContext(context, [file])).json('/version'));
    assert.ok(e instanceof Error, 'the request fails');
    assertNoSecret(everything(e), `connecting to ${context}`);
    const info = await attempt(() => getClusterInfo(context, [file]));
    assert.ok(info instanceof Error, 'cluster info fails');
    assertNoSecret(everything(info), `cluster info of ${context}`);
  }
});

// --- Show Kubeconfig masks as `kubectl config view` does ---

const KUBECTL = '/usr/bin/kubectl';

test('Show Kubeconfig masks what kubectl config view masks, with the same words, and keeps the rest as written', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'config');
  const text = `# written by k3d\n${plantedKubeconfig(undefined, { dataAsBase64: true })}`;
  writeFileSync(file, text);
  const shown = await redactKubeconfig(text);
  assertNoSecret(shown, 'Show Kubeconfig');

  const { stdout } = await promisify(execFile)(KUBECTL, ['config', 'view', '-o', 'json'], { env: { ...process.env, KUBECONFIG: file } });
  type Named = { name: string; user?: Record<string, unknown>; cluster?: Record<string, unknown> };
  const kubectl = JSON.parse(stdout) as { users: Named[]; clusters: Named[] };
  const ours = parse(shown) as { users: Named[]; clusters: Named[] };
  const byName = (list: Named[], name: string) => list.find((x) => x.name === name);
  // kubectl's own words for the fields it masks: DATA+OMITTED and REDACTED.
  for (const [user, fields] of [['planted-user', ['client-certificate-data', 'client-key-data', 'token']], ['basic', ['username', 'password']]] as const) {
    for (const field of fields) {
      assert.equal(byName(ours.users, user)?.user?.[field], byName(kubectl.users, user)?.user?.[field], `${user}.${field}`);
    }
  }
  assert.equal(byName(ours.clusters, 'planted')?.cluster?.['certificate-authority-data'], 'DATA+OMITTED');
  assert.equal(byName(kubectl.clusters, 'planted')?.cluster?.['certificate-authority-data'], 'DATA+OMITTED');
  assert.equal(byName(ours.users, 'planted-user')?.user?.token, 'REDACTED');
  // An auth-provider's tokens and client secret: kubectl prints them; this does not.
  assert.equal((byName(kubectl.users, 'oidc')?.user?.['auth-provider'] as { config: Record<string, string> }).config['id-token'], PLANTED.idToken);
  assert.deepEqual((byName(ours.users, 'oidc')?.user?.['auth-provider'] as { config: Record<string, string> }).config, {
    'id-token': 'REDACTED',
    'refresh-token': 'REDACTED',
    'client-secret': 'REDACTED',
  });
  // The rest is k3d's text, line for line: the comment, the order, the server.
  const unmasked = (s: string) => s.split('\n').filter((l) => !/(-data|token|password|client-secret): /.test(l));
  assert.deepEqual(unmasked(shown), unmasked(text));
});

test('Show Kubeconfig of text that is not a kubeconfig says so and shows none of it', async () => {
  for (const broken of BROKEN.filter((b) => !/should be/.test(String(b.says)))) {
    const shown = await redactKubeconfig(broken.text);
    assertNoSecret(shown, `Show Kubeconfig of ${broken.name}`);
    assert.match(shown, /^# This kubeconfig cannot be shown with its secrets masked: .*\n# "Show Kubeconfig \(Raw, with Secrets\)" shows it as it is\.\n$/);
  }
  // Wrong types are masked all the same: a list or a number under a secret's key.
  const shown = await redactKubeconfig(BROKEN.find((b) => b.name === 'certificate data that is a list')!.text);
  assertNoSecret(shown, 'Show Kubeconfig of a list under certificate-authority-data');
  assert.match(shown, /certificate-authority-data: DATA\+OMITTED/);
});

test('Show Kubeconfig masks block scalars, quoted values and flow collections in place, keeping comments', async () => {
  const text = [
    'users:',
    '- name: a',
    '  user:',
    '    client-key-data: |',
    `      ${PLANTED.keyData}`,
    `      ${b64(PLANTED.keyData)}`,
    `    token: "${PLANTED.token}" # from the course`,
    '    password: >-',
    `      ${PLANTED.password}`,
    `    client-certificate-data: [${PLANTED.certData},`,
    `      ${PLANTED.caData}]`,
    '    username: bob',
    `- {name: b, user: {token: ${PLANTED.token}, client-key-data: ${PLANTED.keyData}}}`,
    '',
  ].join('\n');
  assert.equal(
    await redactKubeconfig(text),
    [
      'users:',
      '- name: a',
      '  user:',
      '    client-key-data: DATA+OMITTED',
      '    token: REDACTED # from the course',
      '    password: REDACTED',
      '    client-certificate-data: DATA+OMITTED',
      '    username: bob',
      '- {name: b, user: {token: REDACTED, client-key-data: DATA+OMITTED}}',
      '',
    ].join('\n'),
  );
});

// --- Diff with Cluster masks a Secret as kubectl diff does ---

type TestObject = { apiVersion: string; kind: string; metadata?: unknown; data?: unknown; stringData?: unknown };
const secret = (data?: Record<string, unknown>, extra: Record<string, unknown> = {}): TestObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'default' },
  ...(data ? { data } : {}),
  ...extra,
});

// kubectl's own cases (kubectl/pkg/cmd/diff TestMasker), in its words: before -> after.
const MASKER_CASES: Array<{ name: string; before?: Record<string, unknown>; after?: Record<string, unknown>; want: [Record<string, unknown> | undefined, Record<string, unknown> | undefined] }> = [
  { name: 'no changes', before: { username: 'abc', password: '123' }, after: { username: 'abc', password: '123' }, want: [{ username: '***', password: '***' }, { username: '***', password: '***' }] },
  { name: 'object created', before: undefined, after: { username: 'abc', password: '123' }, want: [undefined, { username: '***', password: '***' }] },
  { name: 'object removed', before: { username: 'abc', password: '123' }, after: undefined, want: [{ username: '***', password: '***' }, undefined] },
  { name: 'key added', before: { username: 'abc' }, after: { username: 'abc', password: '123' }, want: [{ username: '***' }, { username: '***', password: '***' }] },
  { name: 'key changed', before: { username: 'abc', password: '123' }, after: { username: 'abc', password: '456' }, want: [{ username: '***', password: '*** (before)' }, { username: '***', password: '*** (after)' }] },
  { name: 'key removed', before: { username: 'abc', password: '123' }, after: { username: 'abc' }, want: [{ username: '***', password: '***' }, { username: '***' }] },
];

for (const c of MASKER_CASES) {
  test(`Diff with Cluster masks a Secret as kubectl diff does: ${c.name}`, () => {
    const before = c.before && secret(c.before);
    const after = c.after && secret(c.after);
    const masked = maskSecretDiff(c.name === 'object created' ? undefined : (before ?? secret()), c.name === 'object removed' ? undefined : (after ?? secret()));
    assert.deepEqual((masked.before as { data?: unknown } | undefined)?.data, c.want[0]);
    assert.deepEqual((masked.after as { data?: unknown } | undefined)?.data, c.want[1]);
    // The inputs are left as they were: the caller's objects are not the documents shown.
    if (before) assert.deepEqual(before.data, c.before);
    if (after) assert.deepEqual(after.data, c.after);
  });
}

test('Diff with Cluster: stringData, non-map data and a client-side apply\'s last-applied annotation are masked; other kinds are not', () => {
  const lastApplied = (password: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', stringData: { password } });
  const before = secret({ token: b64(PLANTED.token) }, {
    stringData: { password: PLANTED.password },
    metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(PLANTED.password), team: 'web' } },
  });
  const after = secret({ token: b64(PLANTED.token), key: b64(PLANTED.keyData) }, {
    stringData: { password: PLANTED.idToken },
    metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(PLANTED.idToken), team: 'web' } },
  });
  const masked = maskSecretDiff(before, after);
  const shown = `${stringify(masked.before)}\n---\n${stringify(masked.after)}`;
  assertNoSecret(shown, 'the diff documents');
  assert.deepEqual(masked.before?.stringData, { password: '*** (before)' });
  assert.deepEqual(masked.after?.stringData, { password: '*** (after)' });
  assert.deepEqual(masked.after?.data, { token: '***', key: '***' });
  assert.deepEqual(masked.before?.metadata, { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '*** (before)', team: 'web' } });

  const notAMap = maskSecretDiff(secret(undefined, { data: PLANTED.token }), undefined);
  assert.equal((notAMap.before as { data?: unknown }).data, '***');

  const configMap: TestObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { mode: 'blue' } };
  assert.deepEqual(maskSecretDiff(configMap, { ...configMap, data: { mode: 'green' } }).after, { ...configMap, data: { mode: 'green' } });
});

test('TLS material that is not PEM, or a key that is not the certificate\'s, is refused by field before any request (it would hang in VS Code)', async () => {
  // In VS Code's extension host a certificate that is not PEM throws inside the proxy agent and the
  // request never ends: Cluster Info waited forever on the planted kubeconfig.
  const dir = tempDir();
  const file = path.join(dir, 'config');
  writeFileSync(file, plantedKubeconfig(undefined, { dataAsBase64: true }));
  const e = await attempt(async () => (await connectContext('planted', [file])).json('/version'));
  assert.ok(e instanceof Error);
  assert.equal(e.message, "The kubeconfig cluster 'planted' has a certificate-authority-data that is not a PEM certificate (base64 of -----BEGIN CERTIFICATE-----...).");
  assertNoSecret(everything(e), 'the TLS check');

  const pki = writeClusterPki(dir, 'tls');
  const user = (certPem: string, keyPem: string) => ({ name: 'u', certData: b64(certPem), keyData: b64(keyPem) });
  const cluster = { name: 'c', caData: b64(pki.caCrt), server: 'https://127.0.0.1:1' };
  assert.equal(await credentialProblem(user(pki.adminCrt, pki.adminKey), cluster), undefined, 'a real k3s client certificate and key pass');
  assert.equal(await credentialProblem(user(pki.serverCrt, pki.adminKey), cluster), "The client-key-data of the kubeconfig user 'u' is not the key of its client-certificate-data.");
  assert.equal(await credentialProblem(user(pki.adminCrt, PLANTED.keyData), cluster), "The kubeconfig user 'u' has a client-key-data that is not a PEM private key (base64 of -----BEGIN ... PRIVATE KEY-----...).");
  assert.equal(
    await credentialProblem({ name: 'u', certFile: path.join(dir, 'missing.crt') }, cluster),
    `The client-certificate file ${path.join(dir, 'missing.crt')} of the kubeconfig user 'u' cannot be read.`,
  );
});
