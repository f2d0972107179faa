// Port forwarding past its view: a lazy part (dist/portForward.js), required when a user first runs a port
// forward command. The running forwards (forwards.ts) are made here, once, and handed back to index.ts's view.
import type { Ctx } from '../../ctx.ts';
import type { WorkloadTree } from '../workloads/api.ts';
import { portForwardCommands } from './commands.ts';
import { Forwards } from './forwards.ts';

export function start(ctx: Ctx, tree: WorkloadTree) {
  const forwards = ctx.register(new Forwards(ctx));
  return { forwards, commands: portForwardCommands(ctx, tree, forwards) };
}
