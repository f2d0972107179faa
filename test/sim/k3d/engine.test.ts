// scripts/lib/docker.ts, which npm test, npm run demo and .ci/run use to start the Docker engine:
// an engine that already runs is left alone; one started here is stopped with everything it ran
// (containerd, shims, containers); an engine that cannot start is reported plainly. A private dockerd
// (its own socket, data and exec roots) stands in for "Docker is not running".

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDockerEngine } from '../../../scripts/lib/docker.ts';
import { dockerOk, requireDocker } from '../../lib/docker.ts';
import { ensureBaseImage } from '../../lib/images.ts';

const quiet = () => undefined;

/** Pids whose command line mentions `needle` (our private engine's paths). */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(needle)) found.push(`${entry}: ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

describe('ensureDockerEngine', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k3d-engine-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('leaves a running engine alone: started false, stop() does nothing', async () => {
    await requireDocker();
    // With dockerd, docker-registry and busybox present nothing is installed: the log stays empty.
    const lines: string[] = [];
    const engine = await ensureDockerEngine((l) => lines.push(l));
    assert.deepEqual(lines, []);
    assert.equal(engine.started, false);
    assert.match(engine.version, /^\d+\.\d+/);
    await engine.stop();
    await requireDocker(process.env);
  });

  it('starts dockerd when none answers, and stop() ends dockerd, containerd and the containers it ran', async () => {
    await requireDocker();
    const env = { ...process.env, DOCKER_HOST: `unix://${dir}/docker.sock` };
    const lines: string[] = [];
    const engine = await ensureDockerEngine((l) => lines.push(l), {
      env,
      skipPackages: true,
      logFile: path.join(dir, 'dockerd.log'),
      extraArgs: ['--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'docker.pid')],
    });
    try {
      assert.equal(engine.started, true);
      assert.match(lines.join('\n'), /Docker is not running \(Cannot connect to the Docker daemon at unix:\/\/.*docker\.sock/);
      assert.ok(fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').length > 0, 'dockerd logs to its own file');
      // It has no container network: only host and none (and no bridge).
      const networks = (await dockerOk(['network', 'ls', '--format', '{{.Name}}'], { env })).trim().split('\n').sort();
      assert.deepEqual(networks, ['host', 'none']);
      await ensureBaseImage(env);
      const id = (await dockerOk(['run', '-d', '--network', 'none', 'k3d-deploy/base:1', 'sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'], { env })).trim();
      const containerPid = Number((await dockerOk(['inspect', '-f', '{{.State.Pid}}', id], { env })).trim());
      assert.ok(containerPid > 0);
      assert.ok(processesMentioning(dir).some((p) => p.includes('containerd ')), 'containerd runs under the private exec root');
      await engine.stop();
      assert.deepEqual(processesMentioning(dir), [], 'no dockerd, containerd or shim is left');
      assert.equal(fs.existsSync(`/proc/${containerPid}`), false, 'the container process is gone');
    } finally {
      await engine.stop();
    }
  });

  it('says plainly when dockerd cannot start', async () => {
    const env = { ...process.env, DOCKER_HOST: `unix://${dir}/bad.sock` };
    await assert.rejects(
      ensureDockerEngine(quiet, { env, skipPackages: true, logFile: path.join(dir, 'bad.log'), extraArgs: ['--no-such-flag'] }),
      /^Error: Docker could not start: dockerd exited\. The end of .*bad\.log:\n[^]*unknown flag: --no-such-flag/,
    );
  });

  it('never starts an engine for a DOCKER_HOST that is not a local socket', async () => {
    const env = { ...process.env, DOCKER_HOST: 'tcp://127.0.0.1:9' };
    await assert.rejects(ensureDockerEngine(quiet, { env, skipPackages: true }), /Docker at DOCKER_HOST=tcp:\/\/127\.0\.0\.1:9 does not answer .*start that engine, or unset DOCKER_HOST/);
  });
});
