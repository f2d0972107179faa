// Commands whose bodies are in a lazy part (issue 13, activation): registered at activation as thunks
// (core/lazy.ts lazyCommands) that load the part on the first run. Before, every body was in
// dist/extension.js and compiled at each activation (414 KiB, 56-67 ms against a 20 ms target).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lazyCommands, loadPart } from '../../src/core/lazy.ts';

test('a command loads its part on its first run only, and passes its arguments and result through', async () => {
  let loads = 0;
  const command = lazyCommands(async () => {
    loads++;
    return { scale: (name: string, replicas: number) => `${name}=${replicas}`, stop: () => 'stopped' };
  });
  const scale = command('scale');
  const stop = command('stop');
  assert.equal(loads, 0, 'registering the thunks loads nothing');
  assert.equal(await scale('web', 3), 'web=3');
  assert.equal(await stop(), 'stopped');
  assert.equal(await scale('api', 1), 'api=1');
  assert.equal(loads, 1, 'one load for every command of the part');
});

test('two commands run at once before the part has loaded share one load', async () => {
  let loads = 0;
  let finish!: () => void;
  const command = lazyCommands(async () => {
    loads++;
    await new Promise<void>((resolve) => (finish = resolve));
    return { a: () => 'a', b: () => 'b' };
  });
  const both = Promise.all([command('a')(), command('b')()]);
  await new Promise((resolve) => setImmediate(resolve));
  finish();
  assert.deepEqual(await both, ['a', 'b']);
  assert.equal(loads, 1);
});

test('a part that failed to load fails that run with its error, and the next run loads it again', async () => {
  let loads = 0;
  const command = lazyCommands(async () => {
    loads++;
    if (loads === 1) throw new Error('Cannot find module ./clusterCommands.js');
    return { refresh: () => 'refreshed' };
  });
  await assert.rejects(command('refresh')(), /Cannot find module/);
  assert.equal(await command('refresh')(), 'refreshed');
  assert.equal(loads, 2);
});

test('a command\'s own error reaches its caller (ctx.registerCommand logs and shows it) and keeps the part', async () => {
  let loads = 0;
  const command = lazyCommands(async () => {
    loads++;
    return { fail: () => Promise.reject(new Error('k3d cluster create failed')) };
  });
  await assert.rejects(command('fail')(), /k3d cluster create failed/);
  await assert.rejects(command('fail')(), /k3d cluster create failed/);
  assert.equal(loads, 1);
});

test('from source (tests, the simulator) a part is the module itself, imported', async () => {
  const part = await loadPart('lazyCommandsTest.js', () => import('../../src/core/lazy.ts'));
  assert.equal(part.lazyCommands, lazyCommands);
});
