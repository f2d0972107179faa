import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runTool } from '../../../src/core/process.ts';
import type { BuildStep } from '../../../src/core/publish/publish.ts';
import { DeployStopped, formatTimings, runDeploy } from '../../../src/core/deploy/pipeline.ts';
import type { DeployAdapters, DeployInput } from '../../../src/core/deploy/pipeline.ts';
import { parseImageReference } from '../../../src/core/manifests/imageReference.ts';
import type { ImageReference } from '../../../src/core/manifests/imageReference.ts';

const input = (over: Partial<DeployInput> = {}): DeployInput => ({
  ref: parseImageReference('hashapp:1') as ImageReference,
  tag: '2',
  setting: 'auto',
  cluster: 'dev',
  contextDir: '/work/app',
  ...over,
});

/** A fake machine: Docker's images by name, the manifest's text, and what ran, in order. */
function fakes(opts: { images?: Record<string, string>; buildId?: string; hang?: BuildStep['kind']; fail?: string; stop?: string } = {}) {
  const images: Record<string, string> = { ...(opts.images ?? {}) };
  const log: string[] = [];
  const file = { text: 'image: hashapp:1' };
  const adapters: DeployAdapters<string> = {
    async runStep(step, signal) {
      log.push(`${step.kind} ${step.args.join(' ')}`);
      if (opts.hang === step.kind) {
        // Like runTool: the process runs until the signal kills it.
        await new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('killed')), { once: true }));
      }
      if (opts.fail === step.kind) throw new Error(`${step.kind} failed: no space left on device`);
      if (step.kind === 'build') images[step.args[2]] = opts.buildId ?? 'sha256:new';
    },
    async imageId(image) {
      return images[image];
    },
    async untag(image) {
      log.push(`untag ${image}`);
      delete images[image];
    },
    async edit(plan) {
      log.push(`edit ${plan.delivery.manifestImage}`);
      if (opts.stop === 'edit') throw new DeployStopped('the manifest has new unsaved edits');
      file.text = `image: ${plan.delivery.manifestImage}`;
    },
    async undoEdit() {
      log.push('undo edit');
      if (opts.stop === 'undo') return false;
      file.text = 'image: hashapp:1';
      return true;
    },
    async apply(plan) {
      log.push('apply');
      if (opts.fail === 'apply') throw new Error('the API server refused it');
      return `deployment.apps/hashapp-dep configured (${plan.delivery.manifestImage})`;
    },
    async rollout(applied) {
      log.push(`rollout after ${applied}`);
    },
  };
  return { adapters, log, file, images };
}

/** A clock that advances by a fixed amount per reading: each phase takes a known time. */
function clock(stepMs: number) {
  let t = 0;
  return () => (t += stepMs);
}

test('the phases run in order: plan, build, deliver (k3d image import), edit, apply, rollout; each one timed', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' } });
  const started: string[] = [];
  const ended: string[] = [];
  const outcome = await runDeploy(input(), f.adapters, {
    signal: new AbortController().signal,
    now: clock(500),
    onPhaseStart: (p) => started.push(p),
    onPhaseEnd: (t) => ended.push(t.phase),
  });
  assert.equal(outcome.status, 'deployed');
  assert.deepEqual(f.log, [
    'build build -t hashapp:2 /work/app',
    'import image import hashapp:2 -c dev',
    'edit hashapp:2',
    'apply',
    'rollout after deployment.apps/hashapp-dep configured (hashapp:2)',
  ]);
  assert.deepEqual(started, ['plan', 'build', 'deliver', 'edit', 'apply', 'rollout']);
  assert.deepEqual(ended, started);
  assert.deepEqual(outcome.timings.map((t) => t.ms), [500, 500, 500, 500, 500, 500]);
  assert.equal(formatTimings(outcome.timings, 'import'), 'built 0.5 s · imported 0.5 s · applied 0.5 s · rolled out 0.5 s');
  assert.equal(f.file.text, 'image: hashapp:2');
});

test('a registry image is pushed, and the summary says pushed', async () => {
  const f = fakes();
  const outcome = await runDeploy(input({ ref: parseImageReference('ghcr.io/me/app:1') as ImageReference }), f.adapters, { signal: new AbortController().signal, now: clock(1200) });
  assert.equal(outcome.status, 'deployed');
  assert.equal(f.log[1], 'push push ghcr.io/me/app:2');
  assert.match(formatTimings(outcome.timings, 'push'), /^built 1\.2 s · pushed 1\.2 s/);
});

test('cancel during the build kills it, and no later phase runs: the manifest is as it was', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' }, hang: 'build' });
  const abort = new AbortController();
  const outcome = await runDeploy(input(), f.adapters, {
    signal: abort.signal,
    onPhaseStart: (p) => p === 'build' && setTimeout(() => abort.abort(), 10),
  });
  assert.equal(outcome.status, 'cancelled');
  assert.equal(outcome.status === 'cancelled' && outcome.phase, 'build');
  assert.deepEqual(f.log, ['build build -t hashapp:2 /work/app']);
  assert.equal(f.file.text, 'image: hashapp:1');
  assert.deepEqual(outcome.timings.map((t) => t.phase), ['plan']);
});

test('cancel during the import stops there: the tag is not edited even when the step ignores the signal', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' } });
  const abort = new AbortController();
  const run = f.adapters.runStep;
  f.adapters.runStep = async (step, signal) => {
    await run(step, signal);
    if (step.kind === 'import') abort.abort(); // the cancel lands as the import finishes
  };
  const outcome = await runDeploy(input(), f.adapters, { signal: abort.signal });
  assert.equal(outcome.status, 'cancelled');
  assert.equal(outcome.status === 'cancelled' && outcome.phase, 'deliver');
  assert.ok(!f.log.some((l) => l.startsWith('edit')), f.log.join('\n'));
  assert.equal(f.file.text, 'image: hashapp:1');
});

test('cancel after the tag edit (while rolling out) puts the file back as it was', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' } });
  const abort = new AbortController();
  f.adapters.rollout = async (_applied, signal) => {
    f.log.push('rollout');
    assert.equal(f.file.text, 'image: hashapp:2'); // the edit is in place while the rollout runs
    abort.abort();
    if (!signal.aborted) throw new Error('the signal should be aborted');
  };
  const outcome = await runDeploy(input(), f.adapters, { signal: abort.signal });
  assert.equal(outcome.status, 'cancelled');
  assert.ok(outcome.status === 'cancelled' && outcome.phase === 'rollout' && outcome.editUndone === true);
  assert.deepEqual(f.log.slice(-3), ['apply', 'rollout', 'undo edit']);
  assert.equal(f.file.text, 'image: hashapp:1');
});

test('cancel as the save ends (the edit ran, its phase did not finish) also undoes the edit; a failed undo is reported', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' }, stop: 'undo' });
  const abort = new AbortController();
  const edit = f.adapters.edit;
  f.adapters.edit = async (plan, signal) => {
    await edit(plan, signal);
    abort.abort();
  };
  const outcome = await runDeploy(input(), f.adapters, { signal: abort.signal });
  assert.ok(outcome.status === 'cancelled' && outcome.phase === 'edit' && outcome.editUndone === false);
  assert.ok(!f.log.includes('apply'));
  assert.equal(f.log.at(-1), 'undo edit');
});

test('cancel before the edit never calls undo (nothing to put back)', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' }, hang: 'import' });
  const abort = new AbortController();
  const outcome = await runDeploy(input(), f.adapters, { signal: abort.signal, onPhaseStart: (p) => p === 'deliver' && setTimeout(() => abort.abort(), 5) });
  assert.ok(outcome.status === 'cancelled' && outcome.phase === 'deliver' && outcome.editUndone === undefined);
  assert.ok(!f.log.includes('undo edit'));
});

test('a failing step stops the loop with its reason, in its phase', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' }, fail: 'import' });
  const outcome = await runDeploy(input(), f.adapters, { signal: new AbortController().signal });
  assert.equal(outcome.status, 'failed');
  if (outcome.status !== 'failed') return;
  assert.equal(outcome.phase, 'deliver');
  assert.equal((outcome.error as Error).message, 'import failed: no space left on device');
  assert.equal(f.file.text, 'image: hashapp:1');
  assert.deepEqual(outcome.timings.map((t) => t.phase), ['plan', 'build']);

  const g = fakes({ fail: 'apply' });
  const late = await runDeploy(input(), g.adapters, { signal: new AbortController().signal });
  assert.equal(late.status === 'failed' && late.phase, 'apply');
  assert.ok(!g.log.some((l) => l.startsWith('rollout')));
});

test('an adapter that stops (the user declined) ends the loop with its reason, not as a failure', async () => {
  const f = fakes({ stop: 'edit' });
  const outcome = await runDeploy(input(), f.adapters, { signal: new AbortController().signal });
  assert.equal(outcome.status, 'stopped');
  assert.equal(outcome.status === 'stopped' && outcome.reason, 'the manifest has new unsaved edits');
  assert.ok(!f.log.includes('apply'));
});

test('nothing changed: the build gives the current tag\'s image ID, so no new tag, no delivery, no rollout', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:same' }, buildId: 'sha256:same' });
  const outcome = await runDeploy(input(), f.adapters, { signal: new AbortController().signal });
  assert.equal(outcome.status, 'upToDate');
  assert.deepEqual(f.log, ['build build -t hashapp:2 /work/app', 'untag hashapp:2']);
  assert.equal(f.file.text, 'image: hashapp:1');
  assert.deepEqual(Object.keys(f.images), ['hashapp:1'], 'the tag the build made is removed again');
  assert.deepEqual(outcome.timings.map((t) => t.phase), ['plan', 'build']);
});

test('a changed build, or a current tag Docker does not have, deploys', async () => {
  const changed = fakes({ images: { 'hashapp:1': 'sha256:old' }, buildId: 'sha256:new' });
  assert.equal((await runDeploy(input(), changed.adapters, { signal: new AbortController().signal })).status, 'deployed');
  const unknown = fakes({ buildId: 'sha256:new' });
  assert.equal((await runDeploy(input(), unknown.adapters, { signal: new AbortController().signal })).status, 'deployed');
});

test('nothing changed, and the new tag existed before: it is left alone', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:same', 'hashapp:2': 'sha256:same' }, buildId: 'sha256:same' });
  const outcome = await runDeploy(input(), f.adapters, { signal: new AbortController().signal });
  assert.equal(outcome.status, 'upToDate');
  assert.ok(!f.log.some((l) => l.startsWith('untag')));
});

test('a plan that cannot deliver stops before anything is built', async () => {
  const f = fakes();
  const outcome = await runDeploy(input({ cluster: undefined }), f.adapters, { signal: new AbortController().signal });
  assert.equal(outcome.status, 'stopped');
  assert.equal(outcome.status === 'stopped' && outcome.phase, 'plan');
  assert.deepEqual(f.log, []);
});

test('cancel kills the running build process (a docker stand-in spawned with the signal), and the tag is not edited', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-cancel-'));
  const pidFile = path.join(dir, 'pid');
  const fakeDocker = path.join(dir, 'docker');
  fs.writeFileSync(fakeDocker, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 600\n`, { mode: 0o755 });
  try {
    const f = fakes({ images: { 'hashapp:1': 'sha256:old' } });
    const abort = new AbortController();
    f.adapters.runStep = async (step, signal) => {
      f.log.push(step.kind);
      const run = runTool(fakeDocker, step.args, { signal });
      // Cancel once the process is really running, as a person clicking Cancel would.
      while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 20));
      abort.abort();
      await run;
    };
    const outcome = await runDeploy(input(), f.adapters, { signal: abort.signal });
    assert.equal(outcome.status, 'cancelled');
    assert.equal(outcome.status === 'cancelled' && outcome.phase, 'build');
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the build process should be gone');
    assert.deepEqual(f.log, ['build']);
    assert.equal(f.file.text, 'image: hashapp:1');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the first-log phase runs after the rollout and is timed; the summary reads like the issue\'s line', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' } });
  f.adapters.firstLog = async (applied) => {
    f.log.push(`first log after ${applied.split(' ')[0]}`);
  };
  const outcome = await runDeploy(input(), f.adapters, { signal: new AbortController().signal, now: clock(250) });
  assert.equal(outcome.status, 'deployed');
  assert.equal(f.log.at(-1), 'first log after deployment.apps/hashapp-dep');
  assert.deepEqual(outcome.timings.map((t) => t.phase), ['plan', 'build', 'deliver', 'edit', 'apply', 'rollout', 'firstLog']);
  assert.equal(formatTimings(outcome.timings, 'import'), 'built 0.3 s · imported 0.3 s · applied 0.3 s · rolled out 0.3 s · first log 0.3 s');
});

test('the nodes already hold the built image ID under the new name: nothing is imported', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' } });
  f.adapters.onNodes = async (plan, id) => plan.delivery.manifestImage === 'hashapp:2' && id === 'sha256:new';
  const outcome = await runDeploy(input(), f.adapters, { signal: new AbortController().signal });
  assert.equal(outcome.status, 'deployed');
  assert.ok(!f.log.some((l) => l.startsWith('import')), `no k3d image import: ${f.log.join(', ')}`);
  assert.ok(outcome.timings.find((t) => t.phase === 'deliver')?.skipped);
  assert.match(formatTimings(outcome.timings, 'import'), /^built [\d.]+ s · already on the nodes · applied/);
});

test('an import that did not land fails the loop in the deliver phase, before the tag is set', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' } });
  const checked: string[] = [];
  f.adapters.verifyDelivery = async (plan, id) => {
    checked.push(`${plan.delivery.manifestImage} ${id}`);
    throw new Error('k3d image import said it succeeded, but the built image new of hashapp:2 is not on every node (k3d-dev-agent-0 does not have it)');
  };
  const outcome = await runDeploy(input(), f.adapters, { signal: new AbortController().signal });
  assert.equal(outcome.status, 'failed');
  assert.equal(outcome.status === 'failed' && outcome.phase, 'deliver');
  assert.deepEqual(checked, ['hashapp:2 sha256:new']);
  assert.equal(f.file.text, 'image: hashapp:1', 'the manifest is unchanged');
  assert.ok(!f.log.includes('apply'));
});

test('a context identical to the one the current tag was built from: up to date after the plan, nothing built or inspected', async () => {
  const f = fakes({ images: { 'hashapp:1': 'sha256:old' } });
  const inspected: string[] = [];
  f.adapters.imageId = async (image) => {
    inspected.push(image);
    return f.images[image];
  };
  f.adapters.unchanged = async () => true;
  const outcome = await runDeploy(input(), f.adapters, { signal: new AbortController().signal });
  assert.equal(outcome.status, 'upToDate');
  assert.deepEqual(f.log, []);
  assert.deepEqual(inspected, []);
  assert.deepEqual(outcome.timings.map((t) => t.phase), ['plan']);
  assert.equal(f.file.text, 'image: hashapp:1');
});

test('the cancel message says what the manifest and the cluster say now', async () => {
  const { cancelledText } = await import('../../../src/core/deploy/pipeline.ts');
  const at = (phase: 'build' | 'edit' | 'apply' | 'rollout', editUndone?: boolean) => ({ status: 'cancelled' as const, phase, timings: [], ...(editUndone === undefined ? {} : { editUndone }) });
  assert.equal(cancelledText('Deploy on Save', at('build'), false, 'app:2'), 'Deploy on Save was cancelled while building; the manifest is unchanged.');
  assert.equal(
    cancelledText('Deploy on Save', at('rollout', true), true, 'app:2'),
    'Deploy on Save was cancelled while rolling out; the tag edit was undone, so the manifest is as it was. The cluster already has app:2: apply the file to go back.',
  );
  assert.match(cancelledText('Build & Deploy', at('apply', true), true, 'app:2'), /undone.*may already have reached the cluster/);
  assert.equal(cancelledText('Build & Deploy', at('edit', true), true, 'app:2'), 'Build & Deploy was cancelled while setting the tag; the tag edit was undone, so the manifest is as it was.');
  assert.match(cancelledText('Deploy on Save', at('rollout', false), true, 'app:2'), /edited since the tag was set, so it still says app:2/);
});
