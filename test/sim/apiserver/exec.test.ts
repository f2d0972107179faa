// Issue 19's terminal: the simulator serves exec for pods that run as real Docker containers, judged by the real
// kubectl 1.32 (which speaks WebSockets, v5.channel.k8s.io), then the extension's own exec client against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { requireDocker } from '../../lib/docker.ts';
import { ensureBaseImage } from '../../lib/images.ts';
import { pollUntil } from '../../lib/poll.ts';
import { connectContext } from '../../../src/core/kube/connect.ts';
import { exec, runCommand } from '../../../src/core/kube/exec.ts';
import { KUBECTL, simWorkspace } from './test/harness.ts';

test('exec into a real container: kubectl exec (stdout, stderr, exit code, stdin) and the extension\'s client (stdout, stderr, exit code, tty)', { timeout: 240_000 }, async (t) => {
  await requireDocker();
  const suffix = randomBytes(3).toString('hex');
  const cluster = `exec${suffix}`;
  const { env, run, k3d } = simWorkspace(t, 'exec', cluster);

  const image = await ensureBaseImage();
  assert.equal((await k3d('cluster', 'create', cluster)).code, 0);
  assert.equal((await k3d('image', 'import', image, '-c', cluster)).code, 0);
  const ran = await run(KUBECTL, ['run', 'box', `--image=${image}`, '--image-pull-policy=IfNotPresent', '--command', '--', 'sleep', '3600']);
  assert.equal(ran.code, 0, ran.err);
  // A second pod whose image is simulated: no Docker container to enter.
  assert.equal((await run(KUBECTL, ['run', 'fake', '--image=nginx:1.27'])).code, 0);
  await pollUntil('the pods to run', async () => (await run(KUBECTL, ['get', 'pods'])).out, (out) => /^box\s+1\/1\s+Running/m.test(out) && /^fake\s+1\/1\s+Running/m.test(out), { timeoutMs: 60_000, intervalMs: 200 });

  // The real kubectl.
  const hi = await run(KUBECTL, ['exec', 'box', '--', 'echo', 'hi']);
  assert.deepEqual(hi, { out: 'hi\n', err: '', code: 0 });
  const three = await run(KUBECTL, ['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(three.code, 3, three.err);
  assert.equal(three.out, 'out\n');
  assert.match(three.err, /^err\n/);
  const piped = await run(KUBECTL, ['exec', '-i', 'box', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], 'from stdin\n');
  assert.deepEqual(piped, { out: 'FROM STDIN\ndone\n', err: '', code: 0 });
  const fake = await run(KUBECTL, ['exec', 'fake', '--', 'echo', 'hi']);
  assert.notEqual(fake.code, 0);
  assert.match(fake.err, /simulated program, not a Docker container/);

  // The extension's client.
  const http = await connectContext(`k3d-${cluster}`, [env.KUBECONFIG!]);
  const r = await runCommand(http, { namespace: 'default', pod: 'box', command: ['sh', '-c', 'echo out; echo err >&2; exit 7'] });
  assert.deepEqual({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }, { stdout: 'out\n', stderr: 'err\n', exitCode: 7 });
  const withInput = await runCommand(http, { namespace: 'default', pod: 'box', command: ['wc', '-l'] }, 'a\nb\nc\n');
  assert.equal(withInput.stdout.trim(), '3');
  assert.equal(withInput.exitCode, 0);
  await assert.rejects(runCommand(http, { namespace: 'default', pod: 'fake', command: ['true'] }), /simulated program/);
  await assert.rejects(runCommand(http, { namespace: 'default', pod: 'box', container: 'nope', command: ['true'] }), /container nope is not valid for pod box/);

  // A terminal: a shell on a tty, resized, typed into.
  let screen = '';
  const session = await exec(http, { namespace: 'default', pod: 'box', command: ['sh'], stdin: true, tty: true, onStdout: (d) => { screen += d.toString('utf8'); } });
  assert.equal(session.protocol, 'v5.channel.k8s.io');
  session.resize(101, 33);
  session.write('stty size; exit 5\n');
  const end = await session.done;
  assert.equal(end.exitCode, 5);
  assert.match(screen, /33 101/);
});
