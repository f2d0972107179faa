// Entry point of the simulated k3d (run by test/sim/bin/k3d). Exit codes as k3d: 0, or 1 after FATA.
// SIGINT/SIGTERM interrupt the current wait of start/stop/delete; `cluster create` removes the handlers, so a
// signal kills it at once and leaves the half-made cluster, as k3d does (see create.ts).

import { Clock, simSpeed } from './clock.ts';
import { runCli } from './cli.ts';
import type { SimContext } from './context.ts';
import { ExitError, FatalError, printFatal } from './log.ts';
import { simHome } from './state.ts';

async function main(): Promise<number> {
  const env = process.env;
  const ctx: SimContext = { env, home: simHome(env), clock: new Clock(simSpeed(env)) };
  const onSignal = (signal: NodeJS.Signals) => ctx.clock.interrupt(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    await runCli(ctx, process.argv.slice(2));
    return 0;
  } catch (err) {
    if (err instanceof FatalError) {
      printFatal(err.message);
      return err.exitCode;
    }
    if (err instanceof ExitError) return err.exitCode;
    printFatal(`simulated k3d crashed: ${(err as Error).stack ?? String(err)}`);
    return 2;
  }
}

process.exitCode = await main();
