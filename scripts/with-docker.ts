// `node scripts/with-docker.ts COMMAND [ARGS...]` (npm test): makes sure a Docker engine runs
// (scripts/lib/docker.ts: installs and starts dockerd when it can), runs the command, then stops the
// engine only if it was started here. Exits with the command's code. When Docker cannot start, says so
// plainly and still runs the command: the tests that need Docker then fail with the reason.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ensureDockerEngine } from './lib/docker.ts';
import type { DockerEngine } from './lib/docker.ts';

const say = (line: string) => console.log(`[docker] ${line}`);
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-docker.ts COMMAND [ARGS...]');
  process.exit(2);
}

let engine: DockerEngine | undefined;
try {
  engine = await ensureDockerEngine(say);
  if (!engine.started) say(`Docker ${engine.version} is already running; it is left as it is`);
} catch (err) {
  say(`Docker cannot run here: ${(err as Error).message}`);
  say('the tests that need Docker will fail (they never skip)');
}

const child = spawn(command, args, { stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal; a SIGTERM to us is passed on. Either way we wait for
// the child and then stop the engine.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (signal !== 'SIGINT') child.kill(signal);
  });
}
const code = await new Promise<number>((resolve) => {
  child.on('error', (err) => {
    console.error(`${command}: ${err.message}`);
    resolve(127);
  });
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + constants.signals[signal] : 1)));
});
await engine?.stop();
process.exit(code);
