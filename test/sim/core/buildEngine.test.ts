// src/core/publish against the real Docker engine: the argument arrays Build & Deploy
// runs, through the same runTool, with Docker 20.10's classic builder (no buildx: a deprecation
// notice on stderr of every build) and a real local registry (Debian's docker-registry, loopback).
// Needs Docker: fails, never skips, when the engine does not answer.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import {
  dockerBuildArgs,
  dockerFailureHint,
  dockerFailureReason,
  dockerImageInspectArgs,
  dockerImageListArgs,
  dockerPushArgs,
  dockerTagArgs,
  isDockerDown,
  isLocalOnly,
  parseDockerImageList,
} from '../../../src/core/publish/docker.ts';
import { buildPlan } from '../../../src/core/publish/publish.ts';
import { runTool, ToolError } from '../../../src/core/process.ts';
import { parseImageReference } from '../../../src/core/manifests/imageReference.ts';
import type { ImageReference } from '../../../src/core/manifests/imageReference.ts';
import { DEAD_DOCKER_HOST, docker, requireDocker } from '../../lib/docker.ts';
import { BASE_IMAGE, copyHashApp, ensureBaseImage } from '../../lib/images.ts';
import { pollUntil } from '../../lib/poll.ts';

const DOCKER = process.env.DOCKER_CLI || 'docker';
const run = `${process.pid}-${Date.now().toString(36)}`;
const IMAGE = `k3d-deploy-test/build-engine:${run}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'k3d-build-engine-'));
const made: string[] = [];
let registry: ChildProcess | undefined;

/** runTool with the stderr lines apart, as Build & Deploy collects them. */
async function dockerRun(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<{ ok: true } | { ok: false; error: ToolError; stderr: string[] }> {
  const stderr: string[] = [];
  try {
    await runTool(DOCKER, args, { env, timeoutMs: 180_000, onLine: (line, stream) => stream === 'stderr' && stderr.push(line) });
    return { ok: true };
  } catch (e) {
    if (!(e instanceof ToolError)) throw e;
    return { ok: false, error: e, stderr };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

before(async () => {
  await requireDocker();
  await ensureBaseImage();
});

after(async () => {
  registry?.kill('SIGTERM');
  for (const image of made) await docker(['image', 'rm', '--force', image]);
  // A failed classic build leaves its intermediate containers behind.
  const left = await docker(['ps', '-a', '--no-trunc', '--filter', `ancestor=${BASE_IMAGE}`, '--filter', 'status=exited', '--format', '{{.ID}} {{.Command}}']);
  for (const line of left.stdout.split('\n').filter((l) => l.includes(`about to fail ${run}`))) await docker(['rm', line.split(' ')[0]]);
  fs.rmSync(work, { recursive: true, force: true });
});

test('docker build with the plan\'s arguments succeeds on the classic builder; its deprecation notice is no failure', async () => {
  const context = copyHashApp(path.join(work, 'app'), 'built by the engine test');
  const [build] = buildPlan({ image: IMAGE, contextDir: context, publish: 'import', cluster: 'dev' });
  assert.deepEqual(build.args, dockerBuildArgs(IMAGE, context));
  const stderr: string[] = [];
  await runTool(DOCKER, build.args, { timeoutMs: 180_000, onLine: (l, s) => s === 'stderr' && stderr.push(l) });
  made.push(IMAGE);
  // Docker 23+ CLIs print the notice; the engine's own 20.10 CLI does not.
  if (stderr.some((l) => /DEPRECATED/.test(l))) assert.equal(dockerFailureReason(stderr), undefined, `nothing but the notice on stderr: ${stderr.join(' | ')}`);

  const inspect = await runTool(DOCKER, dockerImageInspectArgs(IMAGE), { timeoutMs: 30_000 });
  assert.match(inspect.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  const list = parseDockerImageList((await runTool(DOCKER, dockerImageListArgs(), { timeoutMs: 30_000 })).stdout);
  assert.equal(isLocalOnly(list, parseImageReference(IMAGE) as ImageReference), true, 'built here, no registry digest: only on this machine');
});

test('a failed build says why in Docker\'s words, not the deprecation notice', async () => {
  const context = path.join(work, 'broken');
  fs.mkdirSync(context, { recursive: true });
  fs.writeFileSync(path.join(context, 'Dockerfile'), `FROM ${BASE_IMAGE}\nCOPY missing.txt /app/\n`);
  const copy = await dockerRun(dockerBuildArgs(`${IMAGE}-broken`, context));
  assert.equal(copy.ok, false);
  const reason = !copy.ok ? dockerFailureReason(copy.stderr) : '';
  assert.match(reason ?? '', /COPY failed: .*missing\.txt/);
  assert.doesNotMatch(reason ?? '', /DEPRECATED|buildx/);
  assert.match(dockerFailureHint(reason ?? '', 'build') ?? '', /not in the build context/);

  fs.writeFileSync(path.join(context, 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo about to fail ${run} >&2; exit 3\n`);
  const step = await dockerRun(dockerBuildArgs(`${IMAGE}-broken`, context));
  assert.equal(!step.ok && step.error.exitCode, 3);
  assert.match((!step.ok && dockerFailureReason(step.stderr)) || '', /returned a non-zero code: 3/);
});

test('docker image inspect fails for an image the engine does not have', async () => {
  const missing = await dockerRun(dockerImageInspectArgs(`k3d-deploy-test/never-built:${run}`));
  assert.equal(missing.ok, false);
  assert.match((!missing.ok && dockerFailureReason(missing.stderr)) || '', /No such image/i);
});

test('localImageIds: one docker image inspect maps each name to its ID, a missing one to undefined, in the order asked', async () => {
  const { localImageId, localImageIds } = await import('../../../src/core/publish/steps.ts');
  const base = await localImageId(DOCKER, BASE_IMAGE);
  assert.match(base ?? '', /^sha256:/, 'the base image is on the engine');
  const missing = `k3d-deploy-test/never-built:${run}`;
  assert.deepEqual(await localImageIds(DOCKER, [missing, BASE_IMAGE]), [undefined, base]);
  assert.deepEqual(await localImageIds(DOCKER, [BASE_IMAGE, missing]), [base, undefined]);
  assert.deepEqual(await localImageIds(DOCKER, [BASE_IMAGE, BASE_IMAGE]), [base, base]);
  assert.deepEqual(await localImageIds(DOCKER, [missing, `${missing}-2`]), [undefined, undefined]);
});

test('docker events for images (what keeps the local-image lessons fresh) reports a tag made in a terminal, and a stop ends it', async () => {
  const { dockerImageEventsArgs } = await import('../../../src/core/publish/docker.ts');
  const stop = new AbortController();
  const seen: string[] = [];
  const following = runTool(DOCKER, dockerImageEventsArgs(), { signal: stop.signal, onLine: (line, stream) => stream === 'stdout' && seen.push(line) }).catch((e: unknown) => e);
  const tagged = `k3d-deploy-test/events:${run}`;
  made.push(tagged);
  // docker events starts listening a moment after it starts: tag until an event shows.
  await pollUntil('a tag event', async () => {
    await docker(['tag', BASE_IMAGE, tagged]);
    return seen.join('\n');
  }, (lines) => /^tag sha256:/m.test(lines), { intervalMs: 250 });
  stop.abort();
  const ended = await following;
  assert.ok(ended instanceof ToolError && ended.kind === 'cancelled', `a stop ends docker events: ${String(ended)}`);
});

test('docker tag and docker push to a loopback registry (the cluster registry\'s host name); a registry that is down says so', async () => {
  const port = await freePort();
  const root = path.join(work, 'registry');
  fs.mkdirSync(root, { recursive: true });
  const config = path.join(work, 'registry.yml');
  fs.writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${root}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  registry = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  await pollUntil('the registry to answer', () => fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false), (ok) => ok, { timeoutMs: 20_000 });

  const pushImage = `localhost:${port}/build-engine:${run}`;
  await runTool(DOCKER, dockerTagArgs(IMAGE, pushImage), { timeoutMs: 30_000 });
  made.push(pushImage);
  const [, push] = buildPlan({ image: pushImage, contextDir: work, publish: 'push' });
  assert.deepEqual(push.args, dockerPushArgs(pushImage));
  await runTool(DOCKER, push.args, { timeoutMs: 120_000 });
  const tags = (await (await fetch(`http://127.0.0.1:${port}/v2/build-engine/tags/list`)).json()) as { tags: string[] };
  assert.deepEqual(tags.tags, [run]);

  registry.kill('SIGTERM');
  await pollUntil('the registry to stop', () => fetch(`http://127.0.0.1:${port}/v2/`).then(() => false, () => true), (stopped) => stopped, { timeoutMs: 20_000 });
  const down = await dockerRun(dockerPushArgs(pushImage));
  assert.equal(down.ok, false);
  const reason = (!down.ok && dockerFailureReason(down.stderr)) || '';
  assert.match(reason, /connection refused/);
  assert.match(dockerFailureHint(reason, 'push') ?? '', /registry does not answer/);
});

test('Docker down (a dead DOCKER_HOST) is told apart from a failed build', async () => {
  const down = await dockerRun(dockerBuildArgs(IMAGE, path.join(work, 'app')), { ...process.env, DOCKER_HOST: DEAD_DOCKER_HOST });
  assert.equal(down.ok, false);
  assert.equal(!down.ok && isDockerDown(down.stderr), true, !down.ok ? down.stderr.join(' | ') : '');
});
