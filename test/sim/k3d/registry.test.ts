// k3d-managed registries run for real: `k3d registry create|list|delete` run Debian's
// docker-registry on the loopback, a real `docker push` lands in it, and `cluster create
// --registry-create/--registry-use` write what k3d writes: registries.yaml and the
// local-registry-hosting ConfigMap, which the real kubectl reads from the simulated API server.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import { docker, dockerOk, requireDocker } from '../../lib/docker.ts';
import { ensureBaseImage } from '../../lib/images.ts';
import { freeLoopbackPort } from './registry.ts';
import type { RegistryRecord } from './registry.ts';
import { json, plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';
import { isAlive } from './state.ts';

const kubectl = '/usr/bin/kubectl';

function record(sb: Sandbox, name: string): RegistryRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(sb.home, 'registries', name, 'registry.json'), 'utf8')) as RegistryRecord;
  } catch {
    return undefined;
  }
}

async function tags(port: number, repo: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/v2/${repo}/tags/list`);
  return { status: res.status, body: await res.json() };
}

/** Whether anything accepts connections on 127.0.0.1:port. */
async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** The registry's listening sockets, from /proc/net/tcp: 127.0.0.1 only. */
function listenAddresses(port: number): string[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '0A')
    .map((f) => f[1].split(':')[0]);
}

describe('k3d registry create, push, list, delete', () => {
  let sb: Sandbox;
  let port: number;
  const pushed = () => `127.0.0.1:${port}/k3dsim-${process.pid}/app:v1`;
  before(async () => {
    await requireDocker();
    sb = sandbox();
    port = await freeLoopbackPort();
  });
  after(async () => {
    await sb.k3d(['registry', 'delete', '--all']);
    if (port) await docker(['rmi', pushed()]);
    sb.cleanup();
  });

  it('create runs a real registry on the loopback and prints k3d\'s help', async () => {
    const r = await sb.k3d(['registry', 'create', 'course', '--port', String(port)]);
    assert.equal(r.code, 0, r.stderr);
    const out = plain(r.stdout);
    assert.match(out, /^INFO\[\d{4}\] Creating node 'k3d-course' *\nINFO\[\d{4}\] Successfully created registry 'k3d-course' *\n/);
    assert.ok(out.includes(`# You can now use the registry like this (example):\n# 1. create a new cluster that uses this registry\nk3d cluster create --registry-use k3d-course:${port}\n`), out);
    assert.ok(out.includes(`docker push k3d-course:${port}/mynginx:v0.1\n`), out);
    const rec = record(sb, 'k3d-course');
    assert.ok(rec && isAlive(rec.pid), 'docker-registry runs');
    assert.equal(rec.hostPort, port);
    assert.deepEqual(listenAddresses(port), ['0100007F'], 'bound to 127.0.0.1 only');
  });

  it('a real docker push lands in it: GET /v2/<repo>/tags/list answers', async () => {
    await dockerOk(['tag', await ensureBaseImage(), pushed()]);
    await dockerOk(['push', pushed()]);
    assert.deepEqual(await tags(port, `k3dsim-${process.pid}/app`), { status: 200, body: { name: `k3dsim-${process.pid}/app`, tags: ['v1'] } });
  });

  it('list: the table and -o json as k3d prints them', async () => {
    const table = await sb.k3d(['registry', 'list']);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(table.stdout, 'NAME         ROLE       CLUSTER   STATUS\nk3d-course   registry             running\n');
    const listed = json<{ name: string; role: string; portMappings: Record<string, { HostIp: string; HostPort: string }[]>; State: { Running: boolean } }[]>((await sb.k3d(['registry', 'list', '-o', 'json'])).stdout);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].name, 'k3d-course');
    assert.equal(listed[0].role, 'registry');
    assert.deepEqual(listed[0].portMappings, { [`${port}/tcp`]: [{ HostIp: '0.0.0.0', HostPort: String(port) }] });
    assert.equal(listed[0].State.Running, true);
    // A registry is a k3d node too.
    assert.equal((await sb.k3d(['node', 'list'])).stdout, 'NAME         ROLE       CLUSTER   STATUS\nk3d-course   registry             running\n');
  });

  it('a second registry of the same name: FATA, exit 1; the first keeps running', async () => {
    const r = await sb.k3d(['registry', 'create', 'course']);
    assert.equal(r.code, 1);
    assert.match(plain(r.stderr), /^FATA\[\d{4}\] Failed to create registry: A registry node with that name already exists *\n$/);
    assert.ok(await listening(port));
  });

  it('a taken port: FATA port is already allocated, nothing left behind', async () => {
    const r = await sb.k3d(['registry', 'create', 'other', '--port', String(port)]);
    assert.equal(r.code, 1);
    assert.match(plain(r.stderr), new RegExp(`FATA\\[\\d{4}\\] Failed to start registry: runtime failed to start node 'k3d-other': .*Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated`));
    assert.equal(record(sb, 'k3d-other'), undefined);
  });

  it('delete stops the process and removes the registry', async () => {
    const pid = record(sb, 'k3d-course')!.pid;
    const missing = await sb.k3d(['registry', 'delete', 'course']);
    assert.equal(missing.code, 1, 'the node name is k3d-course');
    assert.match(plain(missing.stderr), /No node found with name 'course'/);
    const r = await sb.k3d(['registry', 'delete', 'k3d-course']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /INFO\[\d{4}\] Deleted k3d-course/);
    assert.equal(isAlive(pid), false);
    assert.equal(await listening(port), false);
    assert.equal((await sb.k3d(['registry', 'list', '--no-headers'])).stdout, '');
  });
});

describe('cluster create --registry-create / --registry-use', () => {
  let sb: Sandbox;
  before(async () => {
    await requireDocker();
    // The real API server this time: kubectl reads the ConfigMap from it.
    sb = sandbox({ K3D_SIM_APISERVER_MAIN: '' });
  });
  after(async () => {
    await sb.k3d(['cluster', 'delete', '--all']);
    await sb.k3d(['registry', 'delete', '--all']);
    sb.cleanup();
  });

  it('--registry-create runs the registry and writes registries.yaml and the local-registry-hosting ConfigMap', async () => {
    const port = await freeLoopbackPort();
    const r = await sb.k3d(['cluster', 'create', 'withreg', '--registry-create', `k3d-withreg-registry:0.0.0.0:${port}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /INFO\[\d{4}\] Creating node 'k3d-withreg-registry'/);
    const rec = record(sb, 'k3d-withreg-registry');
    assert.ok(rec && isAlive(rec.pid));
    assert.equal(rec.cluster, 'withreg');
    const dir = path.join(sb.home, 'clusters', 'withreg');
    const state = json<{ registries: { name: string; hostPort: string; port: number }[] }>(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
    assert.deepEqual(state.registries.map((x) => [x.name, x.hostPort, x.port]), [['k3d-withreg-registry', String(port), port]]);
    assert.deepEqual(YAML.parse(fs.readFileSync(path.join(dir, 'registries.yaml'), 'utf8')), {
      mirrors: {
        [`k3d-withreg-registry:${port}`]: { endpoint: [`http://k3d-withreg-registry:${port}`] },
      },
    });
    const cm = YAML.parse(execFileSync(kubectl, ['get', 'configmap', '-n', 'kube-public', 'local-registry-hosting', '-o', 'yaml'], { env: { ...process.env, KUBECONFIG: sb.kubeconfig }, encoding: 'utf8' }));
    assert.equal(cm.metadata.name, 'local-registry-hosting');
    assert.equal(cm.metadata.namespace, 'kube-public');
    assert.equal(cm.data['localRegistryHosting.v1'], [
      'help: https://k3d.io/stable/usage/registries/#using-a-local-registry',
      `host: localhost:${port}`,
      `hostFromClusterNetwork: k3d-withreg-registry:${port}`,
      `hostFromContainerRuntime: k3d-withreg-registry:${port}`,
      '',
    ].join('\n'));
    assert.match(cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /"name":"local-registry-hosting"/);
  });

  it('--registry-use of a standalone registry: listed in the cluster, left running by cluster delete', async () => {
    const port = await freeLoopbackPort();
    assert.equal((await sb.k3d(['registry', 'create', 'shared', '--port', String(port), '--no-help'])).code, 0);
    const r = await sb.k3d(['cluster', 'create', 'user', '--registry-use', `k3d-shared:${port}`, '--kubeconfig-update-default=false']);
    assert.equal(r.code, 0, r.stderr);
    const state = json<{ registries: { name: string }[] }>(fs.readFileSync(path.join(sb.home, 'clusters', 'user', 'cluster.json'), 'utf8'));
    assert.deepEqual(state.registries.map((x) => x.name), ['k3d-shared']);
    assert.equal((await sb.k3d(['cluster', 'delete', 'user'])).code, 0);
    assert.ok(await listening(port), 'a registry made with k3d registry create outlives the cluster');
  });

  it('--registry-use of a registry that does not exist: the create fails and rolls back', async () => {
    const r = await sb.k3d(['cluster', 'create', 'nouse', '--registry-use', 'k3d-ghost:5000', '--kubeconfig-update-default=false']);
    assert.equal(r.code, 1);
    assert.match(plain(r.stderr), /ERRO\[\d{4}\] Failed Cluster Preparation: Failed to find registry node 'k3d-ghost'/);
    assert.match(plain(r.stderr), /FATA\[\d{4}\] Cluster creation FAILED, all changes have been rolled back!/);
    assert.equal(fs.existsSync(path.join(sb.home, 'clusters', 'nouse')), false);
  });

  it('cluster stop stops its registry, start brings it back with its images, delete removes it', async () => {
    const rec = record(sb, 'k3d-withreg-registry')!;
    const image = `localhost:${rec.hostPort}/k3dsim-${process.pid}/kept:v1`;
    await dockerOk(['tag', await ensureBaseImage(), image]);
    await dockerOk(['push', image]);
    await docker(['rmi', image]);
    assert.equal((await sb.k3d(['cluster', 'stop', 'withreg'])).code, 0);
    assert.equal(await listening(rec.hostPort), false);
    const started = await sb.k3d(['cluster', 'start', 'withreg']);
    assert.equal(started.code, 0, started.stderr);
    assert.match(plain(started.stdout), /Starting node 'k3d-withreg-registry'/);
    assert.ok(await listening(rec.hostPort));
    assert.deepEqual(await tags(rec.hostPort, `k3dsim-${process.pid}/kept`), { status: 200, body: { name: `k3dsim-${process.pid}/kept`, tags: ['v1'] } });
    const pid = record(sb, 'k3d-withreg-registry')!.pid;
    assert.equal((await sb.k3d(['cluster', 'delete', 'withreg'])).code, 0);
    assert.equal(isAlive(pid), false);
    assert.equal(await listening(rec.hostPort), false);
    assert.equal(record(sb, 'k3d-withreg-registry'), undefined);
  });
});
