// Inside VS Code: with secrets planted in a kubeconfig, in a broken one and in
// one with credentials of the wrong type (KUBECONFIG=a:c:b:d), Refresh, Use Context, Cluster Info,
// Show Kubeconfig and Diff with Cluster run as a user runs them, and every log file VS Code wrote
// for the session is searched for the planted values. (Notifications cannot be read through the
// API; each error notification here is the message the command also logs.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import { before, eventually, suite, test } from '../lib/harness.ts';
import { activate } from '../lib/extension.ts';

const PLANTED = {
  caData: 'SECRET-CA-DATA-77aa',
  certData: 'SECRET-CERT-DATA-5b5b',
  keyData: 'SECRET-KEY-DATA-1f2e',
  token: 'tok-PLANTED-9',
  password: 'pw-PLANTED-3',
  secretValue: 'db-PLANTED-pass',
  secretValue2: 'db-PLANTED-pass-2',
  numberToken: '98765432123',
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const MARKERS = [...Object.values(PLANTED), ...Object.values(PLANTED).map(b64), 'PLANTED'];

function plantedKubeconfig(context: string, replace: (line: string) => string = (l) => l): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${context}`,
    '  cluster:',
    `    certificate-authority-data: ${b64(PLANTED.caData)}`,
    '    server: https://127.0.0.1:1',
    'users:',
    `- name: ${context}-user`,
    '  user:',
    `    client-certificate-data: ${b64(PLANTED.certData)}`,
    `    client-key-data: ${b64(PLANTED.keyData)}`,
    `    token: ${PLANTED.token}`,
    `    password: ${PLANTED.password}`,
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${context}`,
    `    user: ${context}-user`,
    '',
  ]
    .map(replace)
    .join('\n');
}

/** Every file VS Code logged to in this session (the extension's log channel among them). */
function sessionLogs(): Array<{ file: string; text: string }> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(workspace, 'the integration runners open a workspace folder');
  // run.ts (and electron/run.ts): <work>/world/workspace beside <work>/user-data.
  const root = path.resolve(workspace, '..', '..', 'user-data', 'logs');
  assert.ok(fs.existsSync(root), `no VS Code logs at ${root}`);
  const session = path.join(root, fs.readdirSync(root).sort().at(-1)!);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.log')) files.push(p);
    }
  };
  walk(session);
  return files.map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
}

function extensionLog(): string {
  const logs = sessionLogs().filter((l) => path.basename(l.file).includes('k3d Deploy'));
  assert.ok(logs.length > 0, "k3d Deploy's log file is not among the session's logs");
  return logs.map((l) => l.text).join('\n');
}

function assertNoSecret(text: string, where: string, more: string[] = []): void {
  for (const marker of [...MARKERS, ...more]) {
    assert.ok(!text.includes(marker), `${where} holds the secret ${marker.slice(0, 24)}...`);
  }
}

suite('secrets', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k3d-deploy-secrets-'));
  const originalKubeconfig = process.env.KUBECONFIG;
  const files = { a: path.join(dir, 'a'), c: path.join(dir, 'c'), b: path.join(dir, 'b'), d: path.join(dir, 'd') };
  /** The simulated cluster's own key and certificate: shown only by the raw command. */
  let clusterSecrets: string[] = [];

  before(async () => {
    await activate();
    assert.ok(originalKubeconfig && fs.existsSync(originalKubeconfig), 'the integration world sets KUBECONFIG to the simulated k3d kubeconfig');
    const sim = fs.readFileSync(originalKubeconfig, 'utf8');
    const users = (parse(sim) as { users: Array<{ user: Record<string, string> }> }).users;
    clusterSecrets = users.flatMap((u) => [u.user['client-key-data'], u.user['client-certificate-data']]).filter(Boolean);
    assert.ok(clusterSecrets.length >= 2, 'the simulated kubeconfig has a client key and certificate');
    fs.writeFileSync(files.a, sim);
    fs.writeFileSync(files.c, plantedKubeconfig('planted'));
    // b: the YAML breaks in the middle of the client-key-data line; d: a token that is a number.
    fs.writeFileSync(files.b, plantedKubeconfig('only-in-b', (l) => (l.includes('client-key-data') ? `${l}: ${PLANTED.token}` : l)));
    fs.writeFileSync(files.d, plantedKubeconfig('wrongtype', (l) => (l.includes('token:') ? `    token: ${PLANTED.numberToken}` : l)));
    // The extension reads KUBECONFIG on every use, as kubectl does.
    process.env.KUBECONFIG = [files.a, files.c, files.b, files.d].join(path.delimiter);
  });

  test('Refresh logs which files were not read, by line and field, and no secret', async () => {
    await vscode.commands.executeCommand('k3dDeploy.refresh');
    const log = await eventually('the kubeconfig problems in the log', extensionLog, (t) => t.includes(`${files.b} was not read`) && t.includes(`${files.d} was not read`));
    assert.match(log, new RegExp(`${escape(files.b)} was not read: line 12, column \\d+ \\(in client-key-data\\)`));
    assert.match(log, new RegExp(`${escape(files.d)} was not read: line 13: users\\[0\\] \\('wrongtype-user'\\)\\.user\\.token should be a string, not a number`));
    await vscode.commands.executeCommand('k3dDeploy.refresh');
    assertNoSecret(extensionLog(), "k3d Deploy's log");
  });

  test('Use Context to a context of the broken file: the error names the file and the line, no secret', async () => {
    // Not awaited: the command waits for its error notification to be dismissed.
    void vscode.commands.executeCommand('k3dDeploy.useContext', { type: 'context', context: { name: 'only-in-b', file: files.b } });
    const log = await eventually('Use Context\'s error in the log', extensionLog, (t) => t.includes("There is no context named 'only-in-b'"));
    assert.match(log, new RegExp(`${escape(files.b)} was not read: line 12`));
    assertNoSecret(log, 'Use Context\'s error');
  });

  test('Cluster Info with planted credentials, and with a token of the wrong type: errors quote none of them', async () => {
    void vscode.commands.executeCommand('k3dDeploy.clusterInfo', { type: 'context', context: { name: 'planted', file: files.c } });
    void vscode.commands.executeCommand('k3dDeploy.clusterInfo', { type: 'context', context: { name: 'wrongtype', file: files.d } });
    const log = await eventually('both Cluster Info errors in the log', extensionLog, (t) => t.includes('cluster-info planted:') && t.includes('cluster-info wrongtype:'));
    assert.match(log, /cluster-info wrongtype: The kubeconfig user 'wrongtype-user' has a token that is not a string/);
    // Not PEM: in the extension host this used to hang in the proxy agent, and Cluster Info never answered.
    assert.match(log, /cluster-info planted: The kubeconfig cluster 'planted' has a certificate-authority-data that is not a PEM certificate/);
    assertNoSecret(log, 'Cluster Info\'s errors');
  });

  test('Show Kubeconfig masks the key and certificate as kubectl config view; the raw command shows them', async () => {
    const node = { type: 'cluster', cluster: { name: 'k3s-default' } };
    await vscode.commands.executeCommand('k3dDeploy.showKubeconfig', node);
    const masked = await eventually('the masked kubeconfig', () => documentText('k3d-kubeconfig', '/k3s-default/kubeconfig.yaml'), (t) => t !== undefined);
    assert.match(masked!, /client-key-data: DATA\+OMITTED/);
    assert.match(masked!, /client-certificate-data: DATA\+OMITTED/);
    assertNoSecret(masked!, 'Show Kubeconfig', clusterSecrets);

    await vscode.commands.executeCommand('k3dDeploy.showKubeconfigRaw', node);
    const raw = await eventually('the raw kubeconfig', () => documentText('k3d-kubeconfig', '/k3s-default/kubeconfig (raw, with secrets).yaml'), (t) => t !== undefined);
    for (const secret of clusterSecrets) assert.ok(raw!.includes(secret), 'the raw kubeconfig is k3d\'s, keys included');
    assertNoSecret(extensionLog(), "k3d Deploy's log", clusterSecrets);
  });

  test('Diff with Cluster shows a Secret\'s values as ***, *** (before) and *** (after)', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const manifest = path.join(workspace, 'secret-planted.yaml');
    const secretYaml = (value: string) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: planted-db\ntype: Opaque\ndata:\n  user: ${b64('admin')}\n  password: ${b64(value)}\nstringData:\n  extra: ${value}\n`;
    fs.writeFileSync(manifest, secretYaml(PLANTED.secretValue));
    const uri = vscode.Uri.file(manifest);
    try {
      await vscode.commands.executeCommand('k3dDeploy.apply', uri);
      fs.writeFileSync(manifest, secretYaml(PLANTED.secretValue2));
      await vscode.commands.executeCommand('k3dDeploy.diffWithCluster', uri);
      const live = await eventually('the live side', () => documentText('k3d-readonly', undefined, '.live.yaml'), (t) => t !== undefined);
      const applied = await eventually('the applied side', () => documentText('k3d-readonly', undefined, '.applied.yaml'), (t) => t !== undefined);
      const liveData = (parse(live!.replace(/^#.*\n/, '')) as { data: Record<string, string> }).data;
      const appliedData = (parse(applied!.replace(/^#.*\n/, '')) as { data: Record<string, string> }).data;
      assert.equal(liveData.user, '***');
      assert.equal(appliedData.user, '***');
      assert.equal(liveData.password, '*** (before)');
      assert.equal(appliedData.password, '*** (after)');
      assertNoSecret(`${live}\n${applied}`, 'the diff', [b64('admin')]);
      assertNoSecret(extensionLog(), "k3d Deploy's log");
    } finally {
      fs.rmSync(manifest, { force: true });
    }
  }, 60_000);

  test('no log file of the session holds a planted secret or the cluster\'s key (and KUBECONFIG is restored)', () => {
    try {
      for (const { file, text } of sessionLogs()) assertNoSecret(text, file, clusterSecrets);
    } finally {
      process.env.KUBECONFIG = originalKubeconfig;
      void vscode.commands.executeCommand('k3dDeploy.refresh');
    }
  });
});

function documentText(scheme: string, path?: string, suffix?: string): string | undefined {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === scheme && (path === undefined || d.uri.path === path) && (suffix === undefined || d.uri.path.endsWith(suffix)));
  return doc?.getText();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
