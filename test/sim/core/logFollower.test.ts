// The log follower against the simulated API server (test/sim/apiserver), whose kubelets run the
// course's app (a random hash every 5 s, scaled by K3D_SIM_SPEED) and crash containers on request.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadClientNode, loadKubeConfig } from '../../../src/core/kube/gateway.ts';
import { coreV1Pods, type PodLister, type PodLookup } from '../../../src/core/kube/pods.ts';
import { streamPodLog } from '../../../src/core/kube/podLogs.ts';
import { aggregatePodLogs } from '../../../src/core/logs/aggregate.ts';
import { formatAggregateEvent, formatFollowEvent } from '../../../src/core/logs/channelText.ts';
import { followPodLog, type FollowEvent } from '../../../src/core/logs/follower.ts';
import { eventually, makeCluster, request, type TestCluster } from '../apiserver/test/harness.ts';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';

let tc: TestCluster;
let kc: KubeConfig;
let pods: PodLookup & PodLister;

before(async () => {
  tc = await makeCluster({ agents: 1, speed: '0.02' });
  kc = await loadKubeConfig(await loadClientNode(), 'k3d-test', [tc.kubeconfig]);
  pods = await coreV1Pods(kc);
});
after(() => tc?.cleanup());

function deployment(name: string, app: string, extra: { env?: Array<{ name: string; value: string }>; replicas?: number; image?: string } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: 'hashgenerator', image: extra.image ?? 'jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64', env: extra.env }] },
      },
    },
  };
}

async function create(body: object): Promise<void> {
  const res = await request(tc, 'POST', '/apis/apps/v1/namespaces/default/deployments', body);
  assert.equal(res.status, 201, res.body);
}

async function podsOf(app: string): Promise<V1Pod[]> {
  return pods.listPods('default', `app=${app}`);
}

const HASH = /^[a-z0-9]{6}$/;

test('following the course app prints its hashes as they come, and stopping ends the request', async () => {
  await create(deployment('hashgenerator-dep', 'hashgenerator'));
  const [pod] = await eventually(async () => (await podsOf('hashgenerator')).length === 1 && podsOf('hashgenerator'), 20_000, 'the pod');
  const events: FollowEvent[] = [];
  const abort = new AbortController();
  const done = followPodLog(kc, { namespace: 'default', pod: pod.metadata!.name!, pods, signal: abort.signal, pollMs: 50, onEvent: (e) => events.push(e) });
  const lines = () => events.filter((e) => e.type === 'line').map((e) => (e as { text: string }).text);
  await eventually(async () => lines().length >= 5, 20_000, 'five hashes');
  abort.abort();
  assert.equal((await done).reason, 'stopped');
  assert.ok(lines().every((l) => HASH.test(l)), lines().join('\n'));
  assert.equal(new Set(lines()).size, lines().length, 'no hash twice');
  // The channel would show: maybe a "waiting for hashgenerator to start", then the hashes.
  const channel = events.map((e) => formatFollowEvent(e)).filter((l) => l !== undefined);
  assert.equal(channel.at(-1), '--- stopped following ---');
});

test('a container that crashes and restarts continues in the same stream with no line twice or lost', async () => {
  await create(deployment('crasher', 'crasher', { env: [{ name: 'SIM_CRASH_AFTER', value: '1500ms' }] }));
  const [pod] = await eventually(async () => (await podsOf('crasher')).length === 1 && podsOf('crasher'), 20_000, 'the pod');
  const name = pod.metadata!.name!;
  const events: FollowEvent[] = [];
  const abort = new AbortController();
  const done = followPodLog(kc, { namespace: 'default', pod: name, pods, signal: abort.signal, pollMs: 50, onEvent: (e) => events.push(e) });
  const lines = () => events.filter((e) => e.type === 'line').map((e) => (e as { text: string }).text);
  await eventually(async () => events.some((e) => e.type === 'restarted') && lines().filter((l) => HASH.test(l)).length >= lines().indexOf('fatal: simulated crash (exit code 1)') + 4, 30_000, 'lines after the restart');
  abort.abort();
  await done;
  // What the kubelet kept: the previous run's log and the current one's.
  const read = async (previous: boolean) => {
    const out: string[] = [];
    await streamPodLog(kc, { namespace: 'default', pod: name, container: 'hashgenerator', previous, onLine: (l) => out.push(l) });
    return out;
  };
  const current = await pods.getPod('default', name);
  assert.equal(current?.status?.containerStatuses?.[0].restartCount, 1, 'still the first restart: both runs can be read back');
  const expected = [...(await read(true)), ...(await read(false))];
  const seen = lines();
  assert.deepEqual(seen, expected.slice(0, seen.length));
  assert.equal(seen.filter((l) => l.startsWith('fatal:')).length, 1);
});

test('a deployment-wide stream picks up the new pods of a rollout and says when old ones go', async () => {
  await create(deployment('web-dep', 'web', { replicas: 2 }));
  await eventually(async () => (await podsOf('web')).length === 2, 20_000, 'two pods');
  const channel: string[] = [];
  const abort = new AbortController();
  const done = aggregatePodLogs(kc, {
    namespace: 'default',
    labelSelector: 'app=web',
    tailLines: 2,
    pods,
    signal: abort.signal,
    listIntervalMs: 100,
    follow: { pollMs: 50 },
    onEvent: (e) => {
      const line = formatAggregateEvent(e);
      if (line !== undefined) {
        channel.push(line);
      }
    },
  });
  const before = (await podsOf('web')).map((p) => p.metadata!.name!.split('-').at(-1)!);
  await eventually(async () => before.every((s) => channel.some((l) => l.startsWith(`[${s}] `) && HASH.test(l.slice(s.length + 3)))), 20_000, 'hashes of both pods');
  // A new version: a rolling update replaces both pods.
  const patch = await request(tc, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web-dep', { spec: { template: { spec: { containers: [{ name: 'hashgenerator', image: 'jakousa/dwk-app1:0e1fbd3b' }] } } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
  assert.equal(patch.status, 200, patch.body);
  await eventually(async () => before.every((s) => channel.some((l) => l.startsWith(`[${s}] `) && l.endsWith(' deleted ---'))), 30_000, 'the old pods leave');
  const after = (await podsOf('web')).map((p) => p.metadata!.name!.split('-').at(-1)!).filter((s) => !before.includes(s));
  assert.ok(after.length >= 1);
  await eventually(async () => after.every((s) => channel.some((l) => l.startsWith(`[${s}] `) && HASH.test(l.slice(s.length + 3)))), 20_000, 'hashes of the new pods');
  abort.abort();
  await done;
  for (const s of after) {
    assert.ok(channel.some((l) => l.startsWith(`[${s}] --- pod `) && l.endsWith(' joined ---')), `${s} joined:\n${channel.join('\n')}`);
  }
});
