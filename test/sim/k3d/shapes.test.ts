// The shapes of k3d v5's output that the simulator reproduces from k3d's source: node list's table and JSON
// (cmd/node/nodeList.go, cmd/util/listings.go, pkg/runtimes/docker/translate.go), `cluster list NAME -o json`'s
// load balancer (pkg/types/loadbalancer.go), `cluster delete -c FILE` (cmd/cluster/clusterDelete.go),
// `--registry-create NAME` (pkg/config/transform.go). Run piped, as the extension runs k3d.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

type Node = { name: string; role: string; volumes?: string[]; runtimeLabels: Record<string, string>; State: { Started: string; Running: boolean }; IP: { IP: string; Static: boolean } };

describe('output shapes', () => {
  let sb: Sandbox;
  before(async () => {
    sb = sandbox();
    assert.equal((await sb.k3d(['cluster', 'create', 'plain', '-a', '1', '--kubeconfig-update-default=false'])).code, 0);
  });
  after(async () => {
    await sb.k3d(['cluster', 'delete', '--all']);
    sb.cleanup();
  });

  it('node list --no-headers starts with an empty line; a node name without k3d- is found', async () => {
    const r = await sb.k3d(['node', 'list', '--no-headers']);
    assert.equal(r.stdout, '\nk3d-plain-agent-0    agent          plain   running\nk3d-plain-server-0   server         plain   running\nk3d-plain-serverlb   loadbalancer   plain   running\n');
    const one = await sb.k3d(['node', 'list', 'plain-server-0', '-o', 'json']);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(json<Node[]>(one.stdout).map((n) => n.name), ['k3d-plain-server-0']);
  });

  it('a running node\'s State.Started is empty; without --subnet no node has a static IP or its label', async () => {
    const nodes = json<Node[]>((await sb.k3d(['node', 'list', '-o', 'json'])).stdout);
    for (const n of nodes) {
      assert.equal(n.State.Running, true);
      assert.equal(n.State.Started, '', n.name);
      assert.equal(n.IP.Static, false, n.name);
      assert.equal('k3d.node.staticIP' in n.runtimeLabels, false, n.name);
    }
  });

  it('the load balancer carries the image volume too', async () => {
    const nodes = json<Node[]>((await sb.k3d(['node', 'list', '-o', 'json'])).stdout);
    assert.deepEqual(nodes.find((n) => n.role === 'loadbalancer')?.volumes, ['k3d-plain-images:/k3d/images']);
  });

  it('cluster list NAME -o json: the load balancer\'s node fields inlined, next to its config', async () => {
    const [c] = json<{ serverLoadBalancer: Record<string, unknown> & { config: { ports: Record<string, string[]> } } }[]>((await sb.k3d(['cluster', 'list', 'plain', '-o', 'json'])).stdout);
    const lb = c.serverLoadBalancer;
    assert.equal(lb.name, 'k3d-plain-serverlb');
    assert.equal(lb.role, 'loadbalancer');
    assert.equal('Node' in lb, false);
    assert.deepEqual(lb.config.ports['6443.tcp'], ['k3d-plain-server-0']);
  });

  it('with --subnet every node has a static IP in it, labelled k3d.node.staticIP', async () => {
    const r = await sb.k3d(['cluster', 'create', 'ipam', '--subnet', '172.30.0.0/16', '--kubeconfig-update-default=false']);
    assert.equal(r.code, 0, r.stderr);
    const [c] = json<{ network: { ipam: { ipPrefix: string; Managed: boolean } }; nodes: Node[] }[]>((await sb.k3d(['cluster', 'list', 'ipam', '-o', 'json'])).stdout);
    assert.deepEqual(c.network.ipam, { ipPrefix: '172.30.0.0/16', Managed: true });
    for (const n of c.nodes) {
      assert.equal(n.IP.Static, true, n.name);
      assert.match(n.IP.IP, /^172\.30\./);
      assert.equal(n.runtimeLabels['k3d.node.staticIP'], n.IP.IP);
    }
  });

  it('cluster delete -c FILE deletes the cluster the file names; not with a name or --all as well', async () => {
    const file = path.join(sb.dir, 'ipam.yaml');
    fs.writeFileSync(file, 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nmetadata:\n  name: ipam\n');
    const both = await sb.k3d(['cluster', 'delete', '-c', file, 'plain']);
    assert.equal(both.code, 1);
    assert.match(plain(both.stderr), /FATA\[\d{4}\] failed to delete cluster: cannot use `--config` flag with additional arguments or `--all` \n$/);
    const nameless = path.join(sb.dir, 'nameless.yaml');
    fs.writeFileSync(nameless, 'apiVersion: k3d.io/v1alpha5\nkind: Simple\n');
    assert.match(plain((await sb.k3d(['cluster', 'delete', '-c', nameless])).stderr), /FATA\[\d{4}\] failed to delete cluster via config file: no name in config file/);
    const r = await sb.k3d(['cluster', 'delete', '-c', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /^INFO\[\d{4}\] Using config file .*ipam\.yaml \(k3d\.io\/v1alpha5#simple\)/);
    assert.match(plain(r.stdout), /Successfully deleted cluster ipam!/);
    assert.equal((await sb.k3d(['cluster', 'list', '--no-headers'])).stdout, 'plain   1/1   1/1   true\n');
  });

  it('--registry-create NAME names the registry node NAME as given and lists it with the cluster', async () => {
    const r = await sb.k3d(['cluster', 'create', 'withreg', '--registry-create', 'myreg', '--kubeconfig-update-default=false']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /Creating node 'myreg'/);
    const rows = (await sb.k3d(['node', 'list'])).stdout.split('\n');
    assert.ok(rows.some((row) => /^myreg +registry +withreg +running$/.test(row)), rows.join('\n'));
    assert.deepEqual(json<{ name: string }[]>((await sb.k3d(['registry', 'list', '-o', 'json'])).stdout).map((x) => x.name), ['myreg']);
  });
});
