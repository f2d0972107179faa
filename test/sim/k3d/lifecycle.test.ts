// The simulated k3d as a user sees it: create, list, stop, start, delete, kubeconfig, image import.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import YAML from 'yaml';
import { docker, dockerOk, requireDocker } from '../../lib/docker.ts';
import { ensureBaseImage } from '../../lib/images.ts';
import { json, plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

interface ClusterJson {
  name: string;
  serversCount: number;
  serversRunning: number;
  agentsCount: number;
  agentsRunning: number;
  hasLoadbalancer?: boolean;
  nodes: { name: string; role: string; State: { Running: boolean; Status: string }; portMappings?: Record<string, { HostIp: string; HostPort: string }[]> }[];
  InitNode: null;
  imageVolume: string;
}

const kubectl = fs.existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : undefined;

describe('cluster lifecycle (done-when sequence)', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  it('starts with no clusters: `[]`, `null`, and a header-only table', async () => {
    assert.equal((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout, '[]\n');
    assert.equal((await sb.k3d(['node', 'list', '-o', 'json'])).stdout, 'null\n');
    assert.equal((await sb.k3d(['cluster', 'list'])).stdout, 'NAME   SERVERS   AGENTS   LOADBALANCER\n');
  });

  it('`cluster create -a 2` creates k3s-default and prints k3d\'s progress', async () => {
    const r = await sb.k3d(['cluster', 'create', '-a', '2']);
    assert.equal(r.code, 0, r.stderr);
    const out = plain(r.stdout);
    for (const line of [
      'Prep: Network',
      "Created network 'k3d-k3s-default'",
      'Created image volume k3d-k3s-default-images',
      'Starting new tools node...',
      "Creating node 'k3d-k3s-default-server-0'",
      "Creating node 'k3d-k3s-default-agent-1'",
      "Creating LoadBalancer 'k3d-k3s-default-serverlb'",
      'Using the k3d-tools node to gather environment information',
      "Starting cluster 'k3s-default'",
      'Starting servers...',
      "Starting node 'k3d-k3s-default-server-0'",
      'Starting agents...',
      'Starting helpers...',
      "Cluster 'k3s-default' created successfully!",
      'You can now use it like this:',
    ]) {
      // Any elapsed seconds: making the PKI takes a while on a loaded machine.
      assert.match(out, new RegExp(`INFO\\[\\d{4}\\] ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `missing INFO line: ${line}\n${out}`);
    }
    assert.ok(out.endsWith('You can now use it like this:                \nkubectl cluster-info\n'), out);
    assert.equal(r.stderr, '');
  });

  it('`cluster list -o json`: 1 server, 2 agents, a loadbalancer, 4 nodes', async () => {
    const r = await sb.k3d(['cluster', 'list', '-o', 'json']);
    assert.equal(r.code, 0);
    const clusters = json<ClusterJson[]>(r.stdout);
    assert.equal(clusters.length, 1);
    const [c] = clusters;
    assert.equal(c.name, 'k3s-default');
    assert.equal(c.serversCount, 1);
    assert.equal(c.serversRunning, 1);
    assert.equal(c.agentsCount, 2);
    assert.equal(c.agentsRunning, 2);
    assert.equal(c.hasLoadbalancer, true);
    assert.equal(c.nodes.length, 4);
    assert.equal(c.InitNode, null);
    assert.equal(c.imageVolume, 'k3d-k3s-default-images');
    assert.deepEqual(c.nodes.map((n) => n.role).sort(), ['agent', 'agent', 'loadbalancer', 'server']);
    const lb = c.nodes.find((n) => n.role === 'loadbalancer');
    assert.ok(lb?.portMappings?.['6443/tcp']?.[0]?.HostPort.match(/^\d+$/));
  });

  it('the table view says 1/1 2/2 true', async () => {
    const r = await sb.k3d(['cluster', 'list']);
    assert.equal(r.stdout, 'NAME          SERVERS   AGENTS   LOADBALANCER\nk3s-default   1/1       2/2      true\n');
    const nh = await sb.k3d(['cluster', 'list', '--no-headers']);
    assert.equal(nh.stdout, 'k3s-default   1/1   2/2   true\n'); // tabwriter sizes columns by the rows it has
  });

  it('merges context k3d-k3s-default into $KUBECONFIG and switches to it', async () => {
    const cfg = YAML.parse(fs.readFileSync(sb.kubeconfig, 'utf8'));
    assert.equal(cfg['current-context'], 'k3d-k3s-default');
    assert.deepEqual(cfg.contexts, [{ context: { cluster: 'k3d-k3s-default', user: 'admin@k3d-k3s-default' }, name: 'k3d-k3s-default' }]);
    const state = json<{ apiPort: number }>(fs.readFileSync(path.join(sb.home, 'clusters', 'k3s-default', 'cluster.json'), 'utf8'));
    assert.equal(cfg.clusters[0].cluster.server, `https://0.0.0.0:${state.apiPort}`);
    const cert = Buffer.from(cfg.users[0].user['client-certificate-data'], 'base64').toString();
    assert.match(cert, /^-----BEGIN CERTIFICATE-----\n/);
    if (kubectl) {
      const ctxs = spawnSync(kubectl, ['config', 'get-contexts', '-o', 'name'], { env: sb.env, encoding: 'utf8' });
      assert.equal(ctxs.status, 0, ctxs.stderr);
      assert.equal(ctxs.stdout, 'k3d-k3s-default\n');
      const view = spawnSync(kubectl, ['config', 'view', '--raw'], { env: sb.env, encoding: 'utf8' });
      assert.equal(view.status, 0, view.stderr);
    }
  });

  it('writes the cluster PKI and state the API server simulator reads', () => {
    const dir = path.join(sb.home, 'clusters', 'k3s-default');
    for (const f of ['ca.crt', 'ca.key', 'client-ca.crt', 'client-ca.key', 'server.crt', 'server.key', 'admin.crt', 'admin.key']) {
      assert.ok(fs.existsSync(path.join(dir, 'pki', f)), f);
    }
    const state = json<{ nodes: { name: string; role: string; running: boolean; id: string; ip: string }[]; k3sVersion: string; image: string }>(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
    assert.equal(state.k3sVersion, 'v1.31.5+k3s1');
    assert.equal(state.image, 'docker.io/rancher/k3s:v1.31.5-k3s1');
    assert.deepEqual(state.nodes.map((n) => n.name), ['k3d-k3s-default-server-0', 'k3d-k3s-default-agent-0', 'k3d-k3s-default-agent-1', 'k3d-k3s-default-serverlb']);
    for (const n of state.nodes) {
      assert.match(n.id, /^[0-9a-f]{64}$/);
      assert.match(n.ip, /^172\.\d+\.0\.\d+$/);
    }
  });

  it('`kubeconfig get` prints the YAML k3d prints', async () => {
    const r = await sb.k3d(['kubeconfig', 'get', 'k3s-default']);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith('---\napiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: '), r.stdout);
    assert.match(r.stdout, /\ncurrent-context: k3d-k3s-default\nkind: Config\npreferences: \{\}\nusers:\n- name: admin@k3d-k3s-default\n/);
    const none = await sb.k3d(['kubeconfig', 'get']);
    assert.equal(none.code, 1);
    assert.match(plain(none.stderr), /FATA\[\d{4}\] Need to specify one or more cluster names \*or\* set `--all` flag/);
  });

  it('`image import` records the image and shows the tools node workflow', async (t) => {
    // A real image in the real engine (k3d reads it from Docker), under a name no other test uses.
    await requireDocker();
    const image = `k3dsim-lifecycle-${process.pid}/app`;
    await dockerOk(['tag', await ensureBaseImage(), image]);
    t.after(() => docker(['rmi', image]));
    const r = await sb.k3d(['image', 'import', image, '-c', 'k3s-default']);
    assert.equal(r.code, 0, r.stderr);
    const out = plain(r.stdout);
    assert.match(out, /INFO\[\d{4}\] Importing image\(s\) into cluster 'k3s-default'/);
    assert.match(out, /Importing images from tarball '\/k3d\/images\/k3d-k3s-default-images-\d{14}\.tar' into node 'k3d-k3s-default-agent-0'\.\.\./);
    assert.match(out, /Successfully imported 1 image\(s\) into 1 cluster\(s\)/);
    const state = json<{ importedImages: string[]; helperNodes: unknown[] }>(fs.readFileSync(path.join(sb.home, 'clusters', 'k3s-default', 'cluster.json'), 'utf8'));
    assert.deepEqual(state.importedImages, [`${image}:latest`]);
    assert.deepEqual(state.helperNodes, []);
    const missing = await sb.k3d(['image', 'import', 'x:1', '-c', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(plain(missing.stderr), /FATA\[\d{4}\] failed to get cluster nope: No nodes found for given cluster/);
  });

  it('`cluster stop` makes serversRunning 0 and node states exited', async () => {
    const r = await sb.k3d(['cluster', 'stop']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /INFO\[\d{4}\] Stopping cluster 'k3s-default'.*\nINFO\[\d{4}\] Stopped cluster 'k3s-default'/);
    const [c] = json<ClusterJson[]>((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout);
    assert.equal(c.serversRunning, 0);
    assert.equal(c.agentsRunning, 0);
    assert.ok(c.nodes.every((n) => !n.State.Running && n.State.Status === 'exited'));
    assert.equal((await sb.k3d(['cluster', 'list', '--no-headers'])).stdout, 'k3s-default   0/1   0/2   true\n');
  });

  it('`cluster start` brings it back with progress lines', async () => {
    const r = await sb.k3d(['cluster', 'start', 'k3s-default']);
    assert.equal(r.code, 0, r.stderr);
    const out = plain(r.stdout);
    assert.match(out, /Starting cluster 'k3s-default'/);
    assert.match(out, /Starting node 'k3d-k3s-default-serverlb'/);
    assert.match(out, /Started cluster 'k3s-default'/);
    const [c] = json<ClusterJson[]>((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout);
    assert.equal(c.serversRunning, 1);
    assert.equal(c.agentsRunning, 2);
  });

  it('`cluster delete` removes the cluster and its kubeconfig context', async () => {
    const r = await sb.k3d(['cluster', 'delete']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /Successfully deleted cluster k3s-default!/);
    assert.equal((await sb.k3d(['cluster', 'list', '-o', 'json'])).stdout, '[]\n');
    assert.equal(fs.existsSync(path.join(sb.home, 'clusters', 'k3s-default')), false);
    const cfg = YAML.parse(fs.readFileSync(sb.kubeconfig, 'utf8'));
    assert.equal(cfg.contexts, null);
    assert.equal(cfg['current-context'], '');
    if (kubectl) {
      const ctxs = spawnSync(kubectl, ['config', 'get-contexts', '-o', 'name'], { env: sb.env, encoding: 'utf8' });
      assert.equal(ctxs.status, 0, ctxs.stderr);
      assert.equal(ctxs.stdout, '');
    }
  });
});

describe('not found', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  for (const args of [['cluster', 'list', 'ghost'], ['cluster', 'start', 'ghost'], ['cluster', 'stop', 'ghost'], ['kubeconfig', 'get', 'ghost'], ['kubeconfig', 'merge', 'ghost']]) {
    it(`\`k3d ${args.join(' ')}\`: FATA No nodes found for given cluster, exit 1`, async () => {
      const r = await sb.k3d(args);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, '\x1b[31mFATA\x1b[0m[0000] No nodes found for given cluster             \n');
    });
  }

  it('`cluster delete ghost`: INFO nothing to delete, exit 0', async () => {
    const r = await sb.k3d(['cluster', 'delete', 'ghost']);
    assert.equal(r.code, 0);
    assert.match(plain(r.stdout), /^INFO\[\d{4}\] No nodes found for cluster 'ghost', nothing to delete\. \n/);
  });

  it('a taken name: FATA, exit 1', async () => {
    assert.equal((await sb.k3d(['cluster', 'create', 'taken', '--kubeconfig-update-default=false'])).code, 0);
    const r = await sb.k3d(['cluster', 'create', 'taken']);
    assert.equal(r.code, 1);
    assert.match(plain(r.stderr), /FATA\[\d{4}\] Failed to create cluster 'taken' because a cluster with that name already exists/);
    assert.equal(fs.existsSync(sb.kubeconfig), false, '--kubeconfig-update-default=false must not touch the kubeconfig');
  });
});

describe('options', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  it('--no-lb: hasLoadbalancer absent, API port on server-0', async () => {
    const r = await sb.k3d(['cluster', 'create', 'nolb', '--no-lb', '--api-port', '127.0.0.1:6551']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /All helpers already running\./);
    const [c] = json<ClusterJson[]>((await sb.k3d(['cluster', 'list', 'nolb', '-o', 'json'])).stdout);
    assert.equal('hasLoadbalancer' in c, false);
    assert.equal(c.nodes.length, 1);
    assert.deepEqual(c.nodes[0].portMappings, { '6443/tcp': [{ HostIp: '127.0.0.1', HostPort: '6551' }] });
    const cfg = YAML.parse(fs.readFileSync(sb.kubeconfig, 'utf8'));
    assert.equal(cfg.clusters[0].cluster.server, 'https://127.0.0.1:6551');
  });

  it('-p maps ports on the loadbalancer; a config file supplies the rest; flags win', async () => {
    const file = path.join(sb.dir, 'k3d.yaml');
    fs.writeFileSync(file, 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nmetadata:\n  name: fromfile\nservers: 1\nagents: 3\nports:\n  - port: 8082:80\n    nodeFilters: [loadbalancer]\noptions:\n  kubeconfig:\n    switchCurrentContext: false\n');
    const r = await sb.k3d(['cluster', 'create', '-c', file, '-a', '1', '-p', '8443:443@loadbalancer']);
    assert.equal(r.code, 0, r.stderr);
    const out = plain(r.stdout);
    assert.match(out, /INFO\[\d{4}\] Using config file .*k3d\.yaml \(k3d\.io\/v1alpha5#simple\)/);
    assert.ok(out.endsWith('kubectl config use-context k3d-fromfile\nkubectl cluster-info\n'), out);
    const [c] = json<ClusterJson[]>((await sb.k3d(['cluster', 'list', 'fromfile', '-o', 'json'])).stdout);
    assert.equal(c.agentsCount, 1);
    const lb = c.nodes.find((n) => n.role === 'loadbalancer');
    assert.deepEqual(lb?.portMappings?.['80/tcp'], [{ HostIp: '', HostPort: '8082' }]);
    assert.deepEqual(lb?.portMappings?.['443/tcp'], [{ HostIp: '', HostPort: '8443' }]);
    const cfg = YAML.parse(fs.readFileSync(sb.kubeconfig, 'utf8'));
    assert.equal(cfg['current-context'], 'k3d-nolb', 'switchCurrentContext: false keeps the current context');
  });

  it('rejects malformed port specs and node filters', async () => {
    const bad = await sb.k3d(['cluster', 'create', 'badport', '-p', '8081:http@loadbalancer']);
    assert.equal(bad.code, 1);
    assert.match(plain(bad.stderr), /FATA\[\d{4}\] failed to transform ports: error parsing port spec '8081:http': invalid containerPort: http/);
    const filter = await sb.k3d(['cluster', 'create', 'badport', '-p', '8081:80@nowhere']);
    assert.equal(filter.code, 1);
    assert.match(plain(filter.stderr), /invalid format or empty subset in 'nowhere'/);
    const api = await sb.k3d(['cluster', 'create', 'badport', '--api-port', 'a:b:c']);
    assert.equal(api.code, 1);
    assert.match(plain(api.stderr), /Failed to parse Port Exposure specification 'a:b:c'/);
    assert.equal((await sb.k3d(['cluster', 'list', 'badport'])).code, 1);
  });

  it('a port already allocated by another running cluster fails the create and rolls back', async () => {
    const r = await sb.k3d(['cluster', 'create', 'clash', '--api-port', '6551', '--kubeconfig-update-default=false']);
    assert.equal(r.code, 1);
    const err = plain(r.stderr);
    assert.match(err, /Bind for 0\.0\.0\.0:6551 failed: port is already allocated/);
    assert.match(err, /FATA\[\d{4}\] Cluster creation FAILED, all changes have been rolled back!/);
    assert.equal((await sb.k3d(['cluster', 'list', 'clash'])).code, 1);
  });

  it('kubeconfig merge -d keeps a foreign context; delete removes only k3d entries', async () => {
    const foreign = 'apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://prod.example:6443\ncontexts:\n- name: prod\n  context:\n    cluster: prod\n    user: me\nusers:\n- name: me\n  user:\n    token: abc\ncurrent-context: prod\n';
    fs.writeFileSync(sb.kubeconfig, foreign);
    const merge = await sb.k3d(['kubeconfig', 'merge', 'fromfile', '-d', '--kubeconfig-switch-context=false']);
    assert.equal(merge.code, 0, merge.stderr);
    assert.equal(merge.stdout, `${sb.kubeconfig}\n`);
    let cfg = YAML.parse(fs.readFileSync(sb.kubeconfig, 'utf8'));
    assert.deepEqual(cfg.contexts.map((c: { name: string }) => c.name), ['k3d-fromfile', 'prod']);
    assert.equal(cfg['current-context'], 'prod');
    const own = await sb.k3d(['kubeconfig', 'merge', 'nolb']);
    assert.equal(own.stdout, `${path.join(sb.dir, '.config', 'k3d', 'kubeconfig-nolb.yaml')}\n`);

    const create = await sb.k3d(['cluster', 'create', 'third']);
    assert.equal(create.code, 0, create.stderr);
    cfg = YAML.parse(fs.readFileSync(sb.kubeconfig, 'utf8'));
    assert.equal(cfg['current-context'], 'k3d-third');
    const del = await sb.k3d(['cluster', 'delete', 'third', 'fromfile']);
    assert.equal(del.code, 0, del.stderr);
    cfg = YAML.parse(fs.readFileSync(sb.kubeconfig, 'utf8'));
    assert.deepEqual(cfg.contexts.map((c: { name: string }) => c.name), ['prod']);
    assert.deepEqual(cfg.clusters.map((c: { name: string }) => c.name), ['prod']);
    assert.deepEqual(cfg.users, [{ name: 'me', user: { token: 'abc' } }]);
    assert.equal(cfg['current-context'], 'prod');
    if (kubectl) {
      const view = spawnSync(kubectl, ['config', 'view', '--raw', '-o', 'jsonpath={.contexts[*].name}'], { env: sb.env, encoding: 'utf8' });
      assert.equal(view.status, 0, view.stderr);
      assert.equal(view.stdout, 'prod');
    }
  });

  it('with several $KUBECONFIG files k3d warns and leaves them alone', async () => {
    const a = path.join(sb.dir, 'a.yaml');
    const r = await sb.k3d(['cluster', 'create', 'multi'], { KUBECONFIG: `${a}${path.delimiter}${sb.kubeconfig}` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stderr), /WARN\[\d{4}\] failed to get default kubeconfig path: multiple kubeconfigs specified via KUBECONFIG env var/);
    assert.equal(fs.existsSync(a), false);
  });
});
