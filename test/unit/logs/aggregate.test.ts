import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { aggregatePodLogs, type AggregateEvent } from '../../../src/core/logs/aggregate.ts';
import { formatAggregateEvent } from '../../../src/core/logs/channelText.ts';
import { coreV1Pods } from '../../../src/core/kube/pods.ts';
import { FakeApi } from './fakeApi.ts';

let api: FakeApi;

before(async () => {
  api = new FakeApi();
  await api.start();
});
after(() => api.stop());

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for: ${what}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a deployment-wide stream: prefixed lines, pods that appear join, deleted ones leave with a line', async () => {
  api.addPod('hashgenerator-dep-5d8f7c9b4-x2k9l', { labels: { app: 'hashgenerator' } });
  api.addPod('hashgenerator-dep-5d8f7c9b4-q7wzt', { labels: { app: 'hashgenerator' } });
  api.addPod('other-6c4b-abcde', { labels: { app: 'other' } });
  api.write('hashgenerator-dep-5d8f7c9b4-x2k9l', 'old x');
  api.write('hashgenerator-dep-5d8f7c9b4-x2k9l', 'recent x');
  api.write('other-6c4b-abcde', 'not ours');
  const channel: string[] = [];
  const events: AggregateEvent[] = [];
  const abort = new AbortController();
  const done = aggregatePodLogs(api.kc, {
    namespace: 'default',
    labelSelector: 'app=hashgenerator',
    tailLines: 1,
    pods: await coreV1Pods(api.kc),
    signal: abort.signal,
    listIntervalMs: 20,
    follow: { pollMs: 10, backoffMs: 10 },
    onEvent: (e) => {
      events.push(e);
      const line = formatAggregateEvent(e);
      if (line !== undefined) {
        channel.push(line);
      }
    },
  });
  await until('the tail of the first pod', () => channel.includes('[x2k9l] recent x'));
  await until('both pods followed', () => api.openLogRequests() === 2);
  api.write('hashgenerator-dep-5d8f7c9b4-q7wzt', 'hash from q7wzt');
  await until('the second pod', () => channel.includes('[q7wzt] hash from q7wzt'));

  // A rollout: a new pod appears and prints from its first line; an old one is deleted.
  api.addPod('hashgenerator-dep-7f9b6d5c8-m4n8p', { labels: { app: 'hashgenerator' } });
  api.write('hashgenerator-dep-7f9b6d5c8-m4n8p', 'first line of the new pod');
  api.write('hashgenerator-dep-7f9b6d5c8-m4n8p', 'second line of the new pod');
  await until('the new pod', () => channel.includes('[m4n8p] second line of the new pod'));
  api.deletePod('hashgenerator-dep-5d8f7c9b4-x2k9l');
  await until('the deleted pod leaves', () => channel.some((l) => l.includes('deleted')));

  abort.abort();
  await done;
  assert.deepEqual(channel, [
    '[x2k9l] recent x',
    '[q7wzt] hash from q7wzt',
    '[m4n8p] --- pod hashgenerator-dep-7f9b6d5c8-m4n8p joined ---',
    '[m4n8p] first line of the new pod',
    '[m4n8p] second line of the new pod',
    '[x2k9l] --- pod hashgenerator-dep-5d8f7c9b4-x2k9l deleted ---',
    '--- stopped following ---',
  ]);
  assert.ok(!channel.some((l) => l.includes('not ours')));
  const joined = events.filter((e) => e.type === 'joined').map((e) => [(e as { label: string }).label, (e as { initial: boolean }).initial]);
  assert.deepEqual(joined, [['q7wzt', true], ['x2k9l', true], ['m4n8p', false]]);
  await until('every log connection closed', () => api.openLogRequests() === 0);
  for (const name of [...api.pods.keys()]) {
    api.deletePod(name);
  }
});

test('several containers: each line says which; prefixes line up; a failing list is retried and said', async () => {
  api.addPod('web-0', { labels: { app: 'web' }, containers: ['nginx', 'sidecar'] });
  api.addPod('web-1', { labels: { app: 'web' }, containers: ['nginx', 'sidecar'] });
  api.failLists.push([500, 'etcdserver: request timed out']);
  const channel: string[] = [];
  const abort = new AbortController();
  const done = aggregatePodLogs(api.kc, {
    namespace: 'default',
    labelSelector: 'app=web',
    pods: await coreV1Pods(api.kc),
    signal: abort.signal,
    listIntervalMs: 10,
    follow: { pollMs: 10 },
    onEvent: (e) => {
      const line = formatAggregateEvent(e);
      if (line !== undefined) {
        channel.push(line);
      }
    },
  });
  await until('four streams', () => api.openLogRequests() === 4);
  api.write('web-0', 'GET / 200', 'nginx');
  await until('one line', () => channel.length === 2);
  api.write('web-1', 'synced', 'sidecar');
  await until('two lines', () => channel.length === 3);
  abort.abort();
  await done;
  assert.match(channel[0], /^--- cannot list the pods \(.*etcdserver: request timed out\); trying again in 0 s ---$/);
  assert.deepEqual(channel.slice(1), ['[web-0/nginx]   GET / 200', '[web-1/sidecar] synced', '--- stopped following ---']);
  for (const name of [...api.pods.keys()]) {
    api.deletePod(name);
  }
});
