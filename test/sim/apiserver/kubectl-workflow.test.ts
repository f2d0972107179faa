// The course's whole workflow with the real kubectl against the simulated k3d and API server: create a
// cluster with 2 agents, create deployment, get, logs -f, set image and rollout status, apply -f and delete -f,
// server-side apply, cluster stop and start: from `k3d cluster create` to `k3d cluster delete`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_DEPLOYMENT } from '../../../scripts/lib/workspace.ts';
import { simWorkspace } from './test/harness.ts';

const KUBECTL = '/usr/bin/kubectl';

const MANIFEST = SAMPLE_DEPLOYMENT; // the course's manifests/deployment.yaml

test('the course workflow runs with the real kubectl against the simulated k3d', {
  skip: existsSync(KUBECTL) ? false : `${KUBECTL} is absent: install kubectl 1.32 to run this test`,
  timeout: 150_000,
}, async (t) => {
  // The course's default cluster; commands run in a project folder, as a learner's do.
  const { root, env, run, k3d } = simWorkspace(t, 'workflow', 'k3s-default', { cwd: 'work' });
  const work = join(root, 'work');
  mkdirSync(join(work, 'manifests'), { recursive: true });
  writeFileSync(join(work, 'manifests', 'deployment.yaml'), MANIFEST);
  const kubectl = async (...args: string[]) => {
    const r = await run(KUBECTL, args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.err}`);
    return r.out;
  };
  const eventually = async (what: string, fn: () => Promise<boolean>, ms = 20_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!(await fn())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  const rows = (out: string): string[][] => out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s{2,}/));

  const created = await k3d('cluster', 'create', '-a', '2');
  assert.equal(created.code, 0, created.err);

  const info = await kubectl('cluster-info');
  assert.match(info, /Kubernetes control plane.* is running at .*https:\/\/0\.0\.0\.0:\d+/);
  assert.match(info, /CoreDNS.* is running at .*\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy/);
  assert.match(info, /Metrics-server.* is running at .*\/services\/https:metrics-server:https\/proxy/);

  const nodes = await kubectl('get', 'nodes');
  assert.match(nodes.split('\n')[0]!, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
  const nodeRows = rows(nodes);
  assert.equal(nodeRows.length, 3);
  assert.ok(nodeRows.every((r) => r[1] === 'Ready' && r[4] === 'v1.31.5+k3s1'), nodes);
  assert.deepEqual(nodeRows.map((r) => [r[0], r[2]]).sort(), [
    ['k3d-k3s-default-agent-0', '<none>'], ['k3d-k3s-default-agent-1', '<none>'], ['k3d-k3s-default-server-0', 'control-plane,master'],
  ]);

  assert.equal((await kubectl('create', 'deployment', 'hashgenerator-dep', '--image=jakousa/dwk-app1')).trim(), 'deployment.apps/hashgenerator-dep created');
  await eventually('the deployment to be 1/1', async () => /^hashgenerator-dep\s+1\/1\s+1\s+1\s+\d+s$/m.test(await kubectl('get', 'deployments')));
  const deployments = await kubectl('get', 'deployments');
  assert.match(deployments.split('\n')[0]!, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);

  const pods = await kubectl('get', 'pods');
  assert.match(pods.split('\n')[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  const pod = rows(pods)[0]!;
  assert.match(pod[0]!, /^hashgenerator-dep-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
  assert.deepEqual(pod.slice(1, 4), ['1/1', 'Running', '0']);
  assert.equal((await kubectl('get', 'pod', pod[0]!, '-o', 'jsonpath={.spec.containers[0].name}')), 'dwk-app1');

  await eventually('a few hashes in the log', async () => (await kubectl('logs', pod[0]!)).trim().split('\n').length >= 2);
  const logLines = (await kubectl('logs', pod[0]!)).trim().split('\n');
  assert.ok(logLines.every((l) => /^[a-z0-9]{6}$/.test(l)), logLines.join('\n'));

  // kubectl logs -f: new lines keep arriving
  const follow = spawn(KUBECTL, ['logs', '-f', pod[0]!, '--tail=1'], { env });
  let followed = '';
  follow.stdout.on('data', (d) => { followed += d; });
  await eventually('new lines under logs -f', async () => followed.trim().split('\n').length >= 4, 10_000);
  follow.kill();

  const explain = await kubectl('explain', 'pod');
  assert.match(explain, /^KIND:\s+Pod\nVERSION:\s+v1\n\nDESCRIPTION:\n\s+Pod is a collection of containers that can run on a host\./);
  assert.match(explain, /FIELDS:\n\s+apiVersion\t<string>/);
  assert.match(explain, /\n\s+spec\t<PodSpec>\n\s+Specification of the desired behavior of the pod\./);

  assert.equal((await kubectl('scale', 'deployment/hashgenerator-dep', '--replicas=4')).trim(), 'deployment.apps/hashgenerator-dep scaled');
  await eventually('4 Running pods', async () => rows(await kubectl('get', 'pods')).filter((r) => r[2] === 'Running' && r[1] === '1/1').length === 4);

  const setImage = await kubectl('set', 'image', 'deployment/hashgenerator-dep', 'dwk-app1=jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64');
  assert.equal(setImage.trim(), 'deployment.apps/hashgenerator-dep image updated');
  assert.match(await kubectl('rollout', 'status', 'deployment/hashgenerator-dep', '--timeout=60s'), /deployment "hashgenerator-dep" successfully rolled out/);
  const rs = rows(await kubectl('get', 'replicasets'));
  assert.equal(rs.length, 2, 'a new ReplicaSet next to the old one');
  assert.deepEqual(rs.map((r) => r.slice(1, 4)).sort(), [['0', '0', '0'], ['4', '4', '4']]);

  assert.equal((await kubectl('delete', 'deployment', 'hashgenerator-dep')).trim(), 'deployment.apps "hashgenerator-dep" deleted');
  await eventually('ReplicaSets and pods to go', async () => {
    const all = await run(KUBECTL, ['get', 'replicasets,pods']);
    return all.out.trim() === '' && /No resources found/.test(all.err);
  });

  assert.equal((await kubectl('apply', '-f', 'manifests/deployment.yaml')).trim(), 'deployment.apps/hashgenerator-dep created');
  assert.equal((await kubectl('apply', '-f', 'manifests/deployment.yaml')).trim(), 'deployment.apps/hashgenerator-dep unchanged');
  writeFileSync(join(work, 'manifests', 'deployment.yaml'), MANIFEST.replace('b7fc18de2376da80ff0cfc72cf581a9f94d10e64', '4cd2f1a9e1b0c6f3f1c2d3e4f5a6b7c8d9e0f1a2'));
  assert.equal((await kubectl('apply', '-f', 'manifests/deployment.yaml')).trim(), 'deployment.apps/hashgenerator-dep configured');
  assert.match(await kubectl('rollout', 'status', 'deployment/hashgenerator-dep', '--timeout=60s'), /successfully rolled out/);
  assert.equal(rows(await kubectl('get', 'replicasets')).length, 2, 'the new tag rolled out through a new ReplicaSet');
  assert.equal((await kubectl('apply', '--server-side', '-f', 'manifests/deployment.yaml')).trim(), 'deployment.apps/hashgenerator-dep serverside-applied');
  const managers = await kubectl('get', 'deployment', 'hashgenerator-dep', '--show-managed-fields', '-o', 'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}');
  assert.match(managers, /kubectl\/Apply/);

  assert.equal((await kubectl('delete', '-f', 'manifests/deployment.yaml')).trim(), 'deployment.apps "hashgenerator-dep" deleted');

  // Something to find again after a stop/start.
  await kubectl('apply', '-f', 'manifests/deployment.yaml');
  await kubectl('create', 'configmap', 'kept', '--from-literal=a=b');
  assert.equal((await k3d('cluster', 'stop')).code, 0);
  const refused = await run(KUBECTL, ['get', 'nodes']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.err, /The connection to the server 0\.0\.0\.0:\d+ was refused|connection refused/);

  assert.equal((await k3d('cluster', 'start')).code, 0);
  assert.match(await kubectl('get', 'deployments'), /^hashgenerator-dep\s+\d\/1/m);
  assert.match(await kubectl('get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}'), /^b$/);
  await eventually('the deployment to be available again', async () => /^hashgenerator-dep\s+1\/1/m.test(await kubectl('get', 'deployments')));

  assert.equal((await k3d('cluster', 'delete')).code, 0);
  const gone = await run(KUBECTL, ['get', 'nodes']);
  assert.notEqual(gone.code, 0);
});
