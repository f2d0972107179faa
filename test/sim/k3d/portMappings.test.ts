// `cluster create -p` and `--api-port` in k3d v5's words (pkg/client/ports.go TransformPorts,
// pkg/util/filter.go, cmd/util/ports.go), run piped as the extension runs k3d.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { json, plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

type Node = { name: string; role: string; portMappings?: Record<string, { HostIp: string; HostPort: string }[]> };

describe('port mappings', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  const create = (args: string[]) => sb.k3d(['cluster', 'create', ...args, '--kubeconfig-update-default=false']);
  const fatalOf = async (args: string[]) => {
    const r = await create(args);
    assert.equal(r.code, 1, r.stdout);
    const lines = plain(r.stderr).trim().split('\n');
    assert.match(lines.at(-1) ?? '', /^FATA\[\d{4}\] /);
    return (lines.at(-1) ?? '').replace(/^FATA\[\d{4}\] /, '');
  };

  it('no node filter on a cluster of more than one node (the load balancer counts): INFO, the load balancer publishes it', async () => {
    const r = await create(['web', '-p', '8080:80']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /^INFO\[0000\] portmapping '8080:80' lacks a nodefilter, but there's more than one node: defaulting to \[servers:\*:proxy agents:\*:proxy\] \n/m);
    const [c] = json<{ nodes: Node[] }[]>((await sb.k3d(['cluster', 'list', 'web', '-o', 'json'])).stdout);
    assert.deepEqual(c.nodes.find((n) => n.role === 'loadbalancer')?.portMappings?.['80/tcp'], [{ HostIp: '', HostPort: '8080' }]);
    assert.equal(c.nodes.find((n) => n.role === 'server')?.portMappings?.['80/tcp'], undefined);
  });

  it('a filter naming an agent is still proxied by the load balancer; `:direct` maps the node itself', async () => {
    const r = await create(['direct', '-a', '1', '-p', '8085:80@agent:0', '-p', '8086:81@agent:0:direct']);
    assert.equal(r.code, 0, r.stderr);
    const [c] = json<{ nodes: Node[] }[]>((await sb.k3d(['cluster', 'list', 'direct', '-o', 'json'])).stdout);
    const lb = c.nodes.find((n) => n.role === 'loadbalancer');
    const agent = c.nodes.find((n) => n.role === 'agent');
    assert.deepEqual(lb?.portMappings?.['80/tcp'], [{ HostIp: '', HostPort: '8085' }]);
    assert.equal(lb?.portMappings?.['81/tcp'], undefined);
    assert.deepEqual(agent?.portMappings, { '81/tcp': [{ HostIp: '', HostPort: '8086' }] });
  });

  it('a filter beyond the nodes there are: k3d\'s index-out-of-range text, nothing created', async () => {
    assert.equal(await fatalOf(['oor', '-a', '1', '-p', '8080:80@agent:1']),
      "failed to transform ports: failed to filter nodes by filter 'agent:1': Index out of range: index '1' < 0 or > number of available nodes in filter 'agent:1'");
    assert.equal(await fatalOf(['oor', '-p', '8080:80@server:0-2']),
      "failed to transform ports: failed to filter nodes by filter 'server:0-2': Invalid subset range: end < start or > number of available nodes in 'server:0-2'");
    assert.equal(await fatalOf(['oor', '-p', '8080:80@agents']),
      "failed to transform ports: failed to filter nodes by filter 'agents': Failed to parse node specifiers: unknown subset in 'agents'");
    assert.equal(await fatalOf(['oor', '-p', '8080:80@server:0:via']),
      "failed to transform ports: error filtering nodes: unallowed suffix 'via' in nodefilter 'server:0:via'");
    assert.equal((await sb.k3d(['cluster', 'list', 'oor'])).code, 1);
  });

  it('--no-lb: a mapping needs a node filter, and a proxied one a load balancer', async () => {
    assert.equal(await fatalOf(['nolb', '--no-lb', '-p', '8080:80']), 'failed to transform ports: No nodefilters specified');
    const r = await create(['nolb', '--no-lb', '-a', '1', '-p', '8080:80']);
    assert.equal(r.code, 1);
    assert.match(plain(r.stdout), /portmapping '8080:80' lacks a nodefilter, but there's more than one node: defaulting to \[servers:\*:proxy agents:\*:proxy\]/);
    assert.match(plain(r.stderr), /^FATA\[\d{4}\] failed to transform ports: port-mapping of type 'proxy' specified, but loadbalancer is disabled \n$/);
    const ok = await create(['nolb', '--no-lb', '-p', '8080:80@server:0:direct']);
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('a bad --api-port: k3d\'s own texts', async () => {
    assert.equal(await fatalOf(['api', '--api-port', '99999']),
      "Failed to apply CLI overrides: failed to parse API Port spec: failed to parse port spec for Port Exposure '0.0.0.0:99999:6443/tcp': invalid hostPort: 99999");
    assert.equal(await fatalOf(['api', '--api-port', '0.0.0.0:http']),
      "Failed to apply CLI overrides: failed to parse API Port spec: Failed to parse Port Exposure specification '0.0.0.0:http': Format must be [(HostIP|HostName):]HostPort");
    assert.equal((await sb.k3d(['cluster', 'list', 'api'])).code, 1);
  });
});
