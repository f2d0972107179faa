import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { explainPullFailure, firstLogLine, watchRollout } from '../../../src/core/deploy/rollout.ts';
import type { RolloutApi } from '../../../src/core/deploy/rollout.ts';

function deployment(done: boolean): V1Deployment {
  return {
    metadata: { name: 'hashapp-dep', namespace: 'default', generation: 2 },
    spec: { replicas: 1, selector: { matchLabels: { app: 'hashapp' } }, template: {} },
    status: { observedGeneration: 2, replicas: done ? 1 : 2, updatedReplicas: 1, availableReplicas: done ? 1 : 0 },
  } as V1Deployment;
}

function pod(name: string, image: string, status: V1Pod['status'], pullPolicy?: string): V1Pod {
  return { metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'hashapp', image, imagePullPolicy: pullPolicy }] }, status } as V1Pod;
}

function api(states: Array<{ d: V1Deployment; pods: V1Pod[] }>, logs: Record<string, string> = {}): RolloutApi & { asked: string[] } {
  let i = 0;
  const asked: string[] = [];
  return {
    asked,
    deployment: async () => states[Math.min(i, states.length - 1)].d,
    pods: async () => states[Math.min(i++, states.length - 1)].pods,
    log: async (_ns, name, q) => {
      asked.push(`${name}${q.previous ? ' --previous' : ''} --tail ${q.tailLines}`);
      const text = logs[`${name}${q.previous ? ':previous' : ''}`];
      if (text === undefined) throw new Error('previous terminated container not found');
      return text;
    },
    follow: async (_ns, name, _c, signal, onLine) => {
      for (const line of (logs[name] ?? '').split('\n').filter(Boolean)) onLine(line);
      await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    },
  };
}

const running = { phase: 'Running', containerStatuses: [{ name: 'hashapp', ready: true, restartCount: 0, image: 'hashapp:2', imageID: '', state: { running: {} } }] };
const opts = { namespace: 'default', name: 'hashapp-dep', image: 'hashapp:2', timeoutMs: 10_000, pollMs: 1, signal: new AbortController().signal };

test('the rollout completes: the new pods are returned, the old version\'s pod is not judged', async () => {
  const oldCrashing = pod('hashapp-dep-old-1', 'hashapp:1', { phase: 'Running', containerStatuses: [{ name: 'hashapp', ready: false, restartCount: 5, image: 'hashapp:1', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } } }] });
  const a = api([{ d: deployment(false), pods: [oldCrashing, pod('hashapp-dep-new-1', 'hashapp:2', { phase: 'Pending' })] }, { d: deployment(true), pods: [pod('hashapp-dep-new-1', 'hashapp:2', running)] }]);
  const r = await watchRollout(a, opts);
  assert.equal(r.ok, true);
  assert.deepEqual(r.ok && r.pods.map((p) => p.metadata?.name), ['hashapp-dep-new-1']);
});

test('CrashLoopBackOff stops the wait with the previous container\'s last lines', async () => {
  const crashing = pod('hashapp-dep-new-1', 'hashapp:2', {
    phase: 'Running',
    containerStatuses: [{ name: 'hashapp', ready: false, restartCount: 2, image: 'hashapp:2', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } }, lastState: { terminated: { exitCode: 3 } } }],
  });
  const a = api([{ d: deployment(false), pods: [crashing] }], { 'hashapp-dep-new-1:previous': 'starting\nfatal: DATABASE_URL is not set\n' });
  const r = await watchRollout(a, opts);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.kind, 'crashLoop');
  assert.deepEqual(r.lastLines, ['starting', 'fatal: DATABASE_URL is not set']);
  assert.match(r.reason, /pod hashapp-dep-new-1 is CrashLoopBackOff \(exit code 3, 2 restarts\).*fatal: DATABASE_URL is not set/);
  assert.deepEqual(a.asked, ['hashapp-dep-new-1 --previous --tail 10']);
});

test('ImagePullBackOff says why: an imported image with imagePullPolicy Always', async () => {
  const stuck = pod('hashapp-dep-new-1', 'hashapp:2', {
    phase: 'Pending',
    containerStatuses: [{ name: 'hashapp', ready: false, restartCount: 0, image: 'hashapp:2', imageID: '', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "hashapp:2": ErrImagePull: failed to pull and unpack image "docker.io/library/hashapp:2": pull access denied, repository does not exist or may require authorization' } } }],
  }, 'Always');
  const r = await watchRollout(api([{ d: deployment(false), pods: [stuck] }]), { ...opts, delivery: { method: 'import', cluster: 'dev' } });
  assert.equal(!r.ok && r.kind, 'imagePull');
  assert.match(!r.ok ? r.reason : '', /imagePullPolicy: Always makes the kubelet pull it from a registry/);
  assert.match(!r.ok ? r.fix : '', /IfNotPresent/);
});

test('pull failures in words: not imported, a registry name the nodes cannot resolve', () => {
  const notImported = explainPullFailure({ status: 'ErrImagePull', message: 'failed to pull and unpack image "docker.io/library/app:2": pull access denied, repository does not exist or may require authorization', image: 'app:2', delivery: { method: 'import', cluster: 'dev' } });
  assert.match(notImported.why, /app:2 is not on the nodes and no registry has it \(pull access denied/);
  assert.match(notImported.fix, /k3d image import app:2 -c dev/);
  const wrongName = explainPullFailure({ status: 'ErrImagePull', message: 'dial tcp: lookup registry.localhost on 10.43.0.10:53: no such host', image: 'registry.localhost:5000/app:2', delivery: { method: 'push' } });
  assert.match(wrongName.why, /the nodes cannot reach the registry registry\.localhost:5000 \(no such host\)/);
  assert.match(wrongName.fix, /k3d-NAME:PORT/);
});

test('the rollout that does not finish in time says so, with the setting', async () => {
  const r = await watchRollout(api([{ d: deployment(false), pods: [pod('p', 'hashapp:2', { phase: 'Pending' })] }]), { ...opts, timeoutMs: 20 });
  assert.equal(!r.ok && r.kind, 'timedOut');
  assert.match(!r.ok ? r.reason : '', /has not finished rolling out after 0 s \(Waiting for deployment "hashapp-dep" rollout to finish: 1 old replicas are pending termination\.\.\.\)/);
  assert.match(!r.ok ? r.fix : '', /k3d\.rolloutTimeout/);
});

test('the first log line of the new pod, and the stream is closed after it', async () => {
  let aborted: AbortSignal | undefined;
  const a = api([], { p1: '2026-11-29T20:00:00Z: 1a2b hello v2\nsecond\n' });
  const follow = a.follow;
  a.follow = (ns, name, c, signal, onLine) => {
    aborted = signal;
    return follow(ns, name, c, signal, onLine);
  };
  const first = await firstLogLine(a, { namespace: 'default', pods: [pod('p1', 'hashapp:2', running)], timeoutMs: 5000, signal: new AbortController().signal });
  assert.deepEqual(first, { pod: 'p1', line: '2026-11-29T20:00:00Z: 1a2b hello v2' });
  assert.ok(aborted?.aborted, 'the follow is stopped after the first line');
});

test('a pod that prints nothing: no first line within the time', async () => {
  const first = await firstLogLine(api([]), { namespace: 'default', pods: [pod('quiet', 'hashapp:2', running)], timeoutMs: 30, signal: new AbortController().signal });
  assert.equal(first, undefined);
});

test('a new pod that was Running when the rollout completed and then exits is a crash, with its last lines', async () => {
  const { watchSettle } = await import('../../../src/core/deploy/rollout.ts');
  const up = pod('hashapp-dep-new-1', 'hashapp:2', running);
  up.metadata!.labels = { app: 'hashapp' };
  const exited = pod('hashapp-dep-new-1', 'hashapp:2', { phase: 'Running', containerStatuses: [{ name: 'hashapp', ready: false, restartCount: 0, image: 'hashapp:2', imageID: '', state: { terminated: { exitCode: 3, reason: 'Error' } } }] });
  exited.metadata!.labels = { app: 'hashapp' };
  const a = api([{ d: deployment(true), pods: [up] }, { d: deployment(true), pods: [exited] }], { 'hashapp-dep-new-1': 'fatal: no database configured\n' });
  const r = await watchSettle(a, { namespace: 'default', pods: [up], windowMs: 5000, pollMs: 1, signal: new AbortController().signal });
  assert.equal(!r.ok && r.kind, 'crashLoop');
  assert.match(!r.ok ? r.reason : '', /exit code 3.*fatal: no database configured/);
});

test('new pods that stay up through the window settle', async () => {
  const { watchSettle } = await import('../../../src/core/deploy/rollout.ts');
  const up = pod('hashapp-dep-new-1', 'hashapp:2', running);
  const r = await watchSettle(api([{ d: deployment(true), pods: [up] }]), { namespace: 'default', pods: [up], windowMs: 20, pollMs: 1, signal: new AbortController().signal });
  assert.equal(r.ok, true);
});

test('a watch event on the deployment ends the poll\'s sleep: the rollout is seen done when the cluster says so, not a poll later', { timeout: 20_000 }, async () => {
  let done = false;
  let onChange: (() => void) | undefined;
  const base = api([{ d: deployment(false), pods: [pod('hashapp-dep-new-1', 'hashapp:2', { phase: 'Pending' })] }]);
  let looks = 0;
  const a: RolloutApi = {
    ...base,
    deployment: async () => {
      looks++;
      return deployment(done);
    },
    pods: async () => [pod('hashapp-dep-new-1', 'hashapp:2', done ? running : { phase: 'Pending' })],
    watchDeployment: async (_ns, _name, signal, changed) => {
      onChange = changed;
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      onChange = undefined;
    },
  };
  // Polling once an hour: without the watch, this would wait for the test's timeout.
  const result = watchRollout(a, { ...opts, pollMs: 3_600_000 });
  while (looks === 0) await new Promise((r) => setImmediate(r));
  done = true;
  onChange?.();
  const r = await result;
  assert.equal(r.ok, true);
  assert.equal(looks, 2, 'one look before, one after the watch event');
  assert.equal(onChange, undefined, 'the watch is stopped when the follower returns');
});
