// The extension's k3d adapter (K3dCli, error classification, log-line parsing) on the words the simulated
// k3d prints as k3d v5 does, run as the extension runs it: an argument array, stdout and stderr piped.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { K3dCli } from '../../../src/core/k3d/cli.ts';
import { K3dError } from '../../../src/core/k3d/errors.ts';
import { createK3dLineReader, parseLogLine } from '../../../src/core/k3d/logLine.ts';
import { validatePortMapping } from '../../../src/core/k3d/names.ts';
import { writeKubeconfig } from '../../../src/core/k3d/nodeOps.ts';

const K3D = path.resolve(import.meta.dirname, '../bin/k3d');
const home = mkdtempSync(path.join(tmpdir(), 'k3d-deploy-wording-'));
const env = {
  ...process.env, HOME: home, K3D_SIM_HOME: path.join(home, 'sim'), KUBECONFIG: path.join(home, 'kube', 'config'),
  K3D_SIM_SPEED: '0', K3D_SIM_APISERVER_MAIN: path.join(home, 'no-apiserver.ts'),
};
const cli = new K3dCli({ executable: () => K3D, env: () => env });

after(async () => {
  await cli.run(['cluster', 'delete', '--all']).catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

async function failure(args: string[]): Promise<K3dError> {
  const e = await cli.run(args).catch((err: unknown) => err);
  assert.ok(e instanceof K3dError, `expected a K3dError, got ${String(e)}`);
  return e;
}

test('a config file that fails k3d\'s schema: every problem k3d listed reaches the message', async () => {
  const file = path.join(home, 'bad.yaml');
  writeFileSync(file, 'apiVersion: k3d.io/v1alpha5\nkind: simple\nagent: 2\n');
  const e = await failure(['cluster', 'create', '--config', file]);
  assert.equal(e.kind, 'failed');
  assert.equal(e.detail, `Schema Validation failed for config file ${file}: - (root): Additional property agent is not allowed\n- kind: kind must be one of the following: "Simple"`);
  assert.match(e.message, /^k3d cluster create failed: Schema Validation failed for config file .*Additional property agent[\s\S]*"Simple"$/);
  assert.deepEqual(await cli.listClusters(), [], 'nothing was created');
});

test('a port mapping aimed past the nodes there are fails with k3d\'s own reason; one without a filter shows k3d\'s INFO', async () => {
  const e = await cli.createCluster({ name: 'ports', agents: 1, ports: ['8080:80@agent:1'] }).catch((err: unknown) => err);
  assert.ok(e instanceof K3dError);
  assert.equal(e.kind, 'failed');
  assert.equal(e.detail, "failed to transform ports: failed to filter nodes by filter 'agent:1': Index out of range: index '1' < 0 or > number of available nodes in filter 'agent:1'");
  assert.deepEqual(await cli.listClusters(), []);

  const infos: string[] = [];
  await cli.createCluster({ name: 'ports', agents: 1, ports: ['8080:80'] }, { onLine: (line) => infos.push(parseLogLine(line).message) });
  assert.ok(infos.includes("portmapping '8080:80' lacks a nodefilter, but there's more than one node: defaulting to [servers:*:proxy agents:*:proxy]"), infos.join('\n'));
  await cli.deleteCluster('ports');
});

test('a flag this k3d does not know: rejectedArgs with k3d\'s words, from the logfmt FATA k3d prints before its logging is set up', async () => {
  const lines: string[] = [];
  const e = await cli.run(['cluster', 'create', 'flags', '--agent', '2'], { onLine: (line) => lines.push(line) }).catch((err: unknown) => err);
  assert.ok(e instanceof K3dError);
  assert.equal(e.kind, 'rejectedArgs');
  assert.equal(e.detail, 'unknown flag: --agent');
  assert.match(e.message, /^k3d cluster create did not accept its arguments: unknown flag: --agent\. /);
  assert.match(lines.at(-1) ?? '', /^time="[^"]+" level=fatal msg="unknown flag: --agent"$/, 'k3d printed logfmt, not a coloured FATA');
  assert.equal(parseLogLine(lines.at(-1) ?? '').level, 'fatal');

  const typo = await failure(['clustr', 'list']);
  assert.equal(typo.kind, 'rejectedArgs');
  assert.match(typo.message, /unknown command "clustr" for "k3d" Did you mean this\? cluster\./);
});

test('LOG_COLORS=false: k3d\'s logfmt FATA classifies as the coloured one does', async () => {
  const plainCli = new K3dCli({ executable: () => K3D, env: () => ({ ...env, LOG_COLORS: 'false' }) });
  const e = await plainCli.startCluster('ghost').catch((err: unknown) => err);
  assert.ok(e instanceof K3dError);
  assert.equal(e.kind, 'notFound');
  assert.equal(e.detail, 'No nodes found for given cluster');
});

test('Write Kubeconfig to File merges into an existing file (k3d\'s merge), keeps its current context and returns the path k3d printed', async () => {
  await cli.createCluster({ name: 'kc', agents: 0 });
  const file = path.join(home, 'work.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: [{name: work, cluster: {server: "https://work.example:6443"}}]\nusers: [{name: me, user: {token: abc}}]\ncontexts: [{name: work, context: {cluster: work, user: me}}]\ncurrent-context: work\n');
  assert.equal(await writeKubeconfig(cli, 'kc', { kind: 'file', file, switchContext: false }), file);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /name: k3d-kc\n/);
  assert.match(text, /name: work\n/);
  assert.match(text, /current-context: work\n/);
  await cli.deleteCluster('kc');
});

test('LOG_LEVEL=trace in the user\'s environment: k3d\'s DEBU/TRAC lines and the lines of its multi-line dumps read as trace, INFO as info', async () => {
  const verbose = new K3dCli({ executable: () => K3D, env: () => ({ ...env, LOG_LEVEL: 'trace' }) });
  const read = createK3dLineReader();
  const seen: { text: string; severity: string; continuation: boolean }[] = [];
  await verbose.createCluster({ name: 'chatty', agents: 0, ports: ['8088:80@loadbalancer'] }, {
    onLine: (raw, stream) => {
      const r = read(raw, stream);
      seen.push({ text: r.line.message, severity: r.severity, continuation: r.continuation });
    },
  });
  const find = (re: RegExp) => seen.find((s) => re.test(s.text));
  assert.deepEqual(find(/^Runtime Info:$/), { text: 'Runtime Info:', severity: 'trace', continuation: false });
  assert.equal(find(/^&\{Name:docker /)?.severity, 'trace', 'the runtime dump\'s second line');
  assert.equal(find(/^ports:$|^ {2}ports:$/)?.severity, 'trace', 'the CLI configuration dump');
  assert.equal(find(/^PortFilterMap: /)?.severity, 'trace');
  assert.equal(find(/^Starting servers\.\.\.$/)?.severity, 'info');
  assert.equal(find(/^kubectl cluster-info$/)?.severity, 'info');
  assert.ok(seen.filter((s) => s.severity === 'info' && !s.continuation).every((s) => !/^(Runtime Info|&\{|cli:|PortFilterMap)/.test(s.text)), 'nothing of the debug output would reach the notification');
  await cli.deleteCluster('chatty');
});

test('LOG_LEVEL=debug in the user\'s environment: k3d prints its DEBU lines on stdout before the JSON, and the cluster list still reads', async () => {
  await cli.createCluster({ name: 'listed', agents: 1 });
  const debugCli = new K3dCli({ executable: () => K3D, env: () => ({ ...env, LOG_LEVEL: 'debug' }) });
  const raw = await debugCli.run(['cluster', 'list', '-o', 'json']);
  assert.match(raw.stdout, /^\x1b\[37mDEBU\x1b\[0m\[0000\] Runtime Info:\n/, 'the simulator prints what k3d prints');
  const clusters = await debugCli.listClusters();
  assert.deepEqual(clusters.map((c) => [c.name, c.state, c.agentsCount]), [['listed', 'running', 1]]);
  await cli.deleteCluster('listed');
});

test('a :direct port mapping (k3d v5 node filter suffix) passes the wizard\'s check and maps the node itself', async () => {
  assert.equal(validatePortMapping('8086:81@agent:0:direct'), undefined);
  assert.equal(validatePortMapping('8087:80@servers:*:proxy'), undefined);
  await cli.createCluster({ name: 'direct', agents: 1, ports: ['8086:81@agent:0:direct'] });
  const cluster = (await cli.listClusters()).find((c) => c.name === 'direct');
  assert.equal(cluster?.state, 'running');
  await cli.deleteCluster('direct');
});
