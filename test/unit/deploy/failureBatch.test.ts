import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureBatch } from '../../../src/core/deploy/failureBatch.ts';

/** A clock the test moves: timers run when `advance` passes them. */
function clock() {
  let now = 0;
  let timers: Array<{ at: number; f: () => void; id: number }> = [];
  let next = 0;
  return {
    setTimer: (f: () => void, ms: number) => {
      const id = next++;
      timers.push({ at: now + ms, f, id });
      return id;
    },
    clearTimer: (id: unknown) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      due.forEach((t) => t.f());
    },
    now: () => now,
    get pending() {
      return timers.length;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

test('failures less than the window apart are reported once, together; each gets its own result', async () => {
  const c = clock();
  const reports: string[][] = [];
  const batch = new FailureBatch<string, string>({ windowMs: 1000, maxWaitMs: 3000, setTimer: c.setTimer, clearTimer: c.clearTimer }, async (items) => {
    reports.push([...items]);
    return items.map((i) => `${i} reported`);
  }, c.now);
  const a = batch.add('api');
  c.advance(400);
  const b = batch.add('web');
  c.advance(400);
  assert.deepEqual(reports, [], 'nothing is shown before the window ends');
  const w = batch.add('worker');
  c.advance(999);
  assert.deepEqual(reports, [], 'each failure gives the others a second more');
  c.advance(1);
  assert.deepEqual(reports, [['api', 'web', 'worker']]);
  assert.deepEqual(await Promise.all([a, b, w]), ['api reported', 'web reported', 'worker reported']);
  // A failure after the batch was shown starts a batch of its own.
  const late = batch.add('late');
  c.advance(1000);
  assert.deepEqual(reports, [['api', 'web', 'worker'], ['late']]);
  assert.equal(await late, 'late reported');
});

test('flush reports at once when nothing more can join (every rollout ended), and cancels the timer', async () => {
  const c = clock();
  const reports: string[][] = [];
  const batch = new FailureBatch<string, number>({ windowMs: 1000, maxWaitMs: 3000, setTimer: c.setTimer, clearTimer: c.clearTimer }, async (items) => {
    reports.push([...items]);
    return items.map((i) => i.length);
  }, c.now);
  const one = batch.add('only');
  batch.flush();
  assert.deepEqual(reports, [['only']]);
  assert.equal(c.pending, 0);
  assert.equal(await one, 4);
  batch.flush();
  await tick();
  assert.deepEqual(reports, [['only']], 'an empty flush reports nothing');
});

test('a report that throws rejects every failure of its batch', async () => {
  const c = clock();
  const batch = new FailureBatch<string, string>({ windowMs: 10, maxWaitMs: 30, setTimer: c.setTimer, clearTimer: c.clearTimer }, async () => {
    throw new Error('no notification');
  }, c.now);
  const a = batch.add('a');
  const b = batch.add('b');
  c.advance(10);
  await assert.rejects(a, /no notification/);
  await assert.rejects(b, /no notification/);
});

test('a steady trickle of failures is shown after maxWaitMs at the latest', async () => {
  const c = clock();
  const reports: number[] = [];
  const batch = new FailureBatch<number, number>({ windowMs: 1000, maxWaitMs: 3000, setTimer: c.setTimer, clearTimer: c.clearTimer }, async (items) => {
    reports.push(items.length);
    return [...items];
  }, c.now);
  void batch.add(0);
  for (let k = 1; k < 4; k++) {
    c.advance(900);
    void batch.add(k);
  }
  // Failures at 0, 900, 1800, 2700: the last waits only until 3000.
  c.advance(299);
  assert.deepEqual(reports, []);
  c.advance(1);
  assert.deepEqual(reports, [4]);
});
