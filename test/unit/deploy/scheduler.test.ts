import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeployScheduler } from '../../../src/core/deploy/scheduler.ts';
import type { SchedulerClock } from '../../../src/core/deploy/scheduler.ts';

/** A clock the test advances by hand: timers fire only on `tick`. */
function manualClock() {
  let timers: Array<{ fn: () => void; handle: number }> = [];
  let next = 0;
  const clock: SchedulerClock = {
    setTimeout: (fn) => {
      const handle = ++next;
      timers.push({ fn, handle });
      return handle;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((t) => t.handle !== handle);
    },
  };
  const tick = () => {
    const due = timers;
    timers = [];
    due.forEach((t) => t.fn());
  };
  return { clock, tick, pending: () => timers.length };
}

/** A run the test ends by hand, recording each start. */
function runs() {
  const started: Array<{ signal: AbortSignal; finish: () => void }> = [];
  const run = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      started.push({ signal, finish: resolve });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  return { started, run };
}

const flush = () => new Promise((r) => setImmediate(r));

test('a burst of saves is one run, after the quiet time', async () => {
  const c = manualClock();
  const r = runs();
  const s = new DeployScheduler({ debounceMs: 300, run: r.run, clock: c.clock });
  s.trigger();
  s.trigger();
  s.trigger();
  assert.equal(r.started.length, 0, 'nothing runs before the quiet time');
  assert.equal(c.pending(), 1, 'one timer, re-armed by each save');
  c.tick();
  assert.equal(r.started.length, 1);
  r.started[0].finish();
  await s.idle();
  assert.equal(r.started.length, 1);
});

test('saves during a run queue exactly one more run, which starts after the current one ends', async () => {
  const c = manualClock();
  const r = runs();
  const s = new DeployScheduler({ debounceMs: 300, run: r.run, clock: c.clock });
  s.trigger();
  c.tick();
  s.trigger();
  s.trigger();
  s.trigger();
  assert.equal(c.pending(), 0, 'no second run while one is under way');
  assert.ok(s.pending);
  r.started[0].finish();
  await flush();
  c.tick();
  assert.equal(r.started.length, 2, 'one more run for the three saves');
  r.started[1].finish();
  await s.idle();
  assert.equal(r.started.length, 2);
});

test('cancel stops the running loop and drops the queued one', async () => {
  const c = manualClock();
  const r = runs();
  const s = new DeployScheduler({ debounceMs: 300, run: r.run, clock: c.clock });
  s.trigger();
  c.tick();
  s.trigger();
  s.cancel();
  assert.ok(r.started[0].signal.aborted, 'the running loop is told to stop');
  await s.idle();
  c.tick();
  assert.equal(r.started.length, 1, 'the queued run is dropped');
});

test('a failing run does not stop later saves from running', async () => {
  const c = manualClock();
  let n = 0;
  const s = new DeployScheduler({ debounceMs: 10, clock: c.clock, run: async () => { n++; throw new Error('build failed'); } });
  s.trigger();
  c.tick();
  await s.idle();
  s.trigger();
  c.tick();
  await s.idle();
  assert.equal(n, 2);
});
