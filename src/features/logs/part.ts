// Pod logs past their registration: a lazy part (dist/logs.js). The streams are made here, once.
import type { Ctx } from '../../ctx.ts';
import type { WorkloadTree } from '../workloads/api.ts';
import { logCommands } from './commands.ts';
import { LogStreams } from './LogStreams.ts';

export function start(ctx: Ctx, tree: WorkloadTree) {
  const streams = ctx.register(new LogStreams(ctx));
  return { streams, commands: logCommands(ctx, tree, streams) };
}
