import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { coreV1Pods } from '../../../src/core/kube/pods.ts';
import { PodLogError, podLogError, streamPodLog } from '../../../src/core/kube/podLogs.ts';
import { formatFollowEvent } from '../../../src/core/logs/channelText.ts';
import { followPodLog, type FollowEnd, type FollowEvent } from '../../../src/core/logs/follower.ts';
import { FakeApi } from './fakeApi.ts';

let api: FakeApi;

before(async () => {
  api = new FakeApi();
  await api.start();
});
after(() => api.stop());
beforeEach(() => {
  api.pods.clear();
  api.logRequests.length = 0;
  api.failLogs.length = 0;
});

/** Waits until `check` holds, polling; fails with `what` after 5 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for: ${what}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs a follower and records what a user would see in the channel. */
function follow(options: { pod: string; container?: string; tailLines?: number; previous?: boolean }) {
  const events: FollowEvent[] = [];
  const abort = new AbortController();
  const channel: string[] = [];
  const done = (async () =>
    followPodLog(api.kc, {
      namespace: 'default',
      ...options,
      pods: await coreV1Pods(api.kc),
      signal: abort.signal,
      pollMs: 10,
      backoffMs: 10,
      maxBackoffMs: 40,
      onEvent: (e) => {
        events.push(e);
        const line = formatFollowEvent(e);
        if (line !== undefined) {
          channel.push(line);
        }
      },
    }))();
  const lines = () => events.filter((e) => e.type === 'line').map((e) => (e as { text: string }).text);
  return { events, channel, lines, abort, done };
}

test('streamPodLog sends the query, streams lines as they come, and ends when the container does', async () => {
  api.addPod('hash-5d8f-x2k9l');
  api.write('hash-5d8f-x2k9l', 'old line');
  api.write('hash-5d8f-x2k9l', 'hash ✓ 5e7c');
  const lines: string[] = [];
  let opened = false;
  const done = streamPodLog(api.kc, { namespace: 'default', pod: 'hash-5d8f-x2k9l', container: 'app', follow: true, tailLines: 1, timestamps: true, onOpen: () => (opened = true), onLine: (l) => lines.push(l) });
  await until('the tail line', () => lines.length === 1);
  assert.ok(opened);
  assert.match(lines[0], /^2025-01-01T12:00:00\.\d+Z hash ✓ 5e7c$/);
  assert.deepEqual(api.logRequests[0].query, { container: 'app', follow: 'true', tailLines: '1', timestamps: 'true' });
  api.write('hash-5d8f-x2k9l', 'new line');
  await until('the followed line', () => lines.length === 2);
  api.restart('hash-5d8f-x2k9l');
  assert.equal(await done, 'eof');
});

test('aborting a stream resolves quietly and the server sees the connection close', async () => {
  api.addPod('p');
  api.write('p', 'one');
  const abort = new AbortController();
  const lines: string[] = [];
  const done = streamPodLog(api.kc, { namespace: 'default', pod: 'p', follow: true, signal: abort.signal, onLine: (l) => lines.push(l) });
  await until('the first line', () => lines.length === 1);
  assert.equal(api.openLogRequests(), 1);
  abort.abort();
  assert.equal(await done, 'aborted');
  await until('the server sees the close', () => api.openLogRequests() === 0);
  // Aborted before it starts: no request at all.
  assert.equal(await streamPodLog(api.kc, { namespace: 'default', pod: 'p', signal: abort.signal, onLine: () => {} }), 'aborted');
  assert.equal(api.logRequests.length, 1);
});

test('errors carry the server\'s message and a reason the adapter can act on', async () => {
  api.addPod('two', { containers: ['app', 'sidecar'] });
  api.addPod('creating', { waiting: { reason: 'ContainerCreating' } });
  api.addPod('pulling', { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } });
  const attempt = async (pod: string, extra: { container?: string; previous?: boolean } = {}) => {
    try {
      await streamPodLog(api.kc, { namespace: 'default', pod, ...extra, onLine: () => {} });
    } catch (e) {
      assert.ok(e instanceof PodLogError);
      return e;
    }
    return assert.fail('no error');
  };
  const invalid = await attempt('two', { container: 'nope' });
  assert.deepEqual([invalid.reason, invalid.message, invalid.status], ['containerNotFound', 'container nope is not valid for pod two', 400]);
  const required = await attempt('two');
  assert.deepEqual([required.reason, required.containers], ['containerRequired', ['app', 'sidecar']]);
  const creating = await attempt('creating');
  assert.deepEqual([creating.reason, creating.waitingReason], ['waiting', 'ContainerCreating']);
  const pulling = await attempt('pulling');
  assert.deepEqual([pulling.reason, pulling.waitingReason], ['imagePull', 'trying and failing to pull image']);
  const previous = await attempt('two', { container: 'app', previous: true });
  assert.equal(previous.reason, 'previousNotFound');
  const missing = await attempt('ghost');
  assert.deepEqual([missing.reason, missing.kind, missing.message], ['podNotFound', 'notFound', 'pods "ghost" not found']);
  api.failLogs.push([503, 'the kubelet is not answering']);
  const down = await attempt('two', { container: 'app' });
  assert.deepEqual([down.reason, down.transient], ['serverError', true]);
  // Init containers are listed too; a body that is not JSON is kept as the message.
  assert.deepEqual(podLogError(400, JSON.stringify({ message: 'a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [init]' })).containers, ['a', 'b', 'init']);
  assert.equal(podLogError(502, '<html>bad gateway</html>').message, '<html>bad gateway</html>');
});

test('a server that does not answer: unreachable, not an exception from somewhere else', async () => {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  await assert.rejects(streamPodLog(kc, { namespace: 'default', pod: 'p', onLine: () => {} }), (e: unknown) => e instanceof PodLogError && e.reason === 'unreachable' && /ECONNREFUSED/.test(e.message));
});

test('follow: the last N lines, then new ones; a restart goes on in the same stream with no line twice or lost', async () => {
  const pod = 'hashgenerator-dep-5d8f7c9b4-x2k9l';
  api.addPod(pod);
  for (let i = 1; i <= 5; i++) {
    api.write(pod, `line ${i}`);
  }
  const f = follow({ pod, tailLines: 3 });
  await until('the tail', () => f.lines().length === 3);
  api.write(pod, 'line 6');
  api.write(pod, 'line 7', 'app', true); // two lines with one timestamp
  await until('line 7', () => f.lines().length === 5);
  api.restart(pod);
  // The new run writes within the same second: the resumed request (sinceTime, whole seconds)
  // gets only the new run's lines, as the kubelet does.
  api.write(pod, 'line 8');
  api.write(pod, 'line 9');
  await until('the lines after the restart', () => f.lines().length === 7);
  api.write(pod, 'line 10');
  await until('line 10', () => f.lines().length === 8);
  f.abort.abort();
  const end = await f.done;
  assert.deepEqual(f.lines(), ['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10']);
  assert.equal(end.reason, 'stopped');
  assert.ok(f.channel.includes('--- container app restarted (restart 1, the previous run exited with code 1 Error) ---'), f.channel.join('\n'));
  const resumed = api.logRequests.at(-1)!.query;
  assert.equal(resumed.sinceTime, '2025-01-01T12:00:00Z');
  assert.equal(resumed.tailLines, undefined);
  await until('no log connection left open', () => api.openLogRequests() === 0);
});

test('follow: a dropped connection is retried with backoff, and what the server sends again is not shown twice', async () => {
  api.addPod('p');
  const f = follow({ pod: 'p' });
  api.write('p', 'a');
  api.write('p', 'b');
  await until('a and b', () => f.lines().length === 2);
  api.failLogs.push([503, 'apiserver is shutting down'], [503, 'apiserver is shutting down']);
  api.dropLogConnections();
  api.write('p', 'c'); // written while nobody listens
  await until('c, after reconnecting', () => f.lines().length === 3);
  api.write('p', 'd');
  await until('d', () => f.lines().length === 4);
  f.abort.abort();
  await f.done;
  assert.deepEqual(f.lines(), ['a', 'b', 'c', 'd']);
  const retries = f.events.filter((e) => e.type === 'reconnecting') as Array<Extract<FollowEvent, { type: 'reconnecting' }>>;
  assert.deepEqual(retries.map((e) => [e.attempt, e.delayMs]), [[1, 10], [2, 20], [3, 40]]);
  assert.match(f.channel.join('\n'), /--- The log stream broke off.*; reconnecting in 10 ms \(attempt 1\) ---/);
  assert.match(f.channel.join('\n'), /--- apiserver is shutting down; reconnecting in 40 ms \(attempt 3\) ---/);
  assert.deepEqual(f.channel.slice(-4), ['--- reconnected ---', 'c', 'd', '--- stopped following ---']);
});

test('follow: a deleted pod ends the stream with a final line', async () => {
  api.addPod('p');
  const f = follow({ pod: 'p' });
  api.write('p', 'last words');
  await until('a line', () => f.lines().length === 1);
  api.deletePod('p');
  const end: FollowEnd = await f.done;
  assert.equal(end.reason, 'podDeleted');
  assert.deepEqual(f.channel, ['last words', '--- pod deleted ---']);
});

test('follow: a pod still ContainerCreating is waited for, then followed from its first line', async () => {
  api.addPod('p', { waiting: { reason: 'ContainerCreating' } });
  const f = follow({ pod: 'p', tailLines: 10 });
  await until('waiting', () => f.events.some((e) => e.type === 'waiting'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(f.events.filter((e) => e.type === 'waiting').length, 1, 'said once, not once per poll');
  api.startContainers('p');
  api.write('p', 'started');
  await until('the first line', () => f.lines().length === 1);
  f.abort.abort();
  await f.done;
  assert.deepEqual(f.channel, ['--- waiting for app to start (ContainerCreating) ---', 'started', '--- stopped following ---']);
});

test('follow: ImagePullBackOff says why there are no logs, and what to do about a local image', async () => {
  api.addPod('p', { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "hashgen:dev"' } });
  const f = follow({ pod: 'p' });
  await until('waiting', () => f.channel.length === 1);
  assert.match(f.channel[0], /^--- no logs yet: the image of app cannot be pulled \(ImagePullBackOff: Back-off pulling image "hashgen:dev"\)\. A local image needs `k3d image import`/);
  f.abort.abort();
  assert.equal((await f.done).reason, 'stopped');
});

test('follow: a container that does not exist lists those that do; no container named takes the first and says so', async () => {
  api.addPod('p', { containers: ['app', 'sidecar'] });
  const wrong = follow({ pod: 'p', container: 'nope' });
  const end = await wrong.done;
  assert.deepEqual([end.reason, end.containers], ['error', ['app', 'sidecar']]);
  assert.deepEqual(wrong.channel, ['--- Pod p has no container named nope; its containers: app, sidecar. ---']);
  const defaulted = follow({ pod: 'p' });
  await until('following', () => defaulted.channel.length === 1);
  assert.equal(defaulted.channel[0], '--- following container app (the pod also has: sidecar) ---');
  defaulted.abort.abort();
  await defaulted.done;
  const ghost = await follow({ pod: 'ghost' }).done;
  assert.deepEqual([ghost.reason, ghost.message], ['podNotFound', 'There is no pod ghost in namespace default.']);
});

test('previous: the log of the run before the restart, once', async () => {
  api.addPod('p');
  api.write('p', 'before the crash');
  api.restart('p');
  api.write('p', 'after');
  const f = follow({ pod: 'p', previous: true });
  const end = await f.done;
  assert.deepEqual(f.lines(), ['before the crash']);
  assert.equal(end.reason, 'completed');
  assert.equal(api.logRequests.at(-1)!.query.previous, 'true');
  api.addPod('fresh');
  const none = await follow({ pod: 'fresh', previous: true }).done;
  assert.deepEqual([none.reason, none.message], ['error', 'Container app has not restarted: there is no previous log.']);
});

test('a consumer that throws ends the stream with an error of the call, never an uncaught exception', async () => {
  api.addPod('p');
  api.write('p', 'boom');
  await assert.rejects(
    streamPodLog(api.kc, { namespace: 'default', pod: 'p', follow: true, onLine: () => { throw new Error('channel disposed'); } }),
    (e: unknown) => e instanceof PodLogError && e.message === 'Reading the log failed: channel disposed',
  );
  await until('the server sees the close', () => api.openLogRequests() === 0);
  // The follower shrugs it off: the event is lost, the stream is not.
  let calls = 0;
  const abort = new AbortController();
  const done = followPodLog(api.kc, { namespace: 'default', pod: 'p', pods: await coreV1Pods(api.kc), signal: abort.signal, onEvent: () => { calls++; throw new Error('nope'); } });
  api.write('p', 'more');
  await until('both lines reached the consumer', () => calls >= 3);
  abort.abort();
  assert.equal((await done).reason, 'stopped');
});
