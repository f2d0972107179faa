// Pod logs in Output channels. At activation only the commands' thunks and the events others observe: the streams
// and the commands are the lazy part dist/logs.js (part.ts), required on first use.
import * as vscode from 'vscode';
import { lazyCommands, loadPart } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import type { WorkloadTree } from '../workloads/api.ts';
import type { LogStreams, LogTarget } from './LogStreams.ts';

/** What others use of the logs: follow a deployment's pods (Deploy on Save), and the first line of a followed log (the walkthrough). */
export interface LogsApi {
  follow(target: LogTarget): Promise<void>;
  /** A followed stream (not a previous log) delivered its first line: `kubectl logs -f` works. */
  readonly onDidFollowLog: vscode.Event<LogTarget>;
}

/** Follow Logs (pods and deployments), Show Previous, Stop Following, Clear, timestamps. */
export function register(ctx: Ctx, tree: WorkloadTree): LogsApi {
  const followed = ctx.register(new vscode.EventEmitter<LogTarget>());
  let started: Promise<{ streams: LogStreams; commands: ReturnType<(typeof import('./commands.ts'))['logCommands']> }> | undefined;
  const start = () =>
    (started ??= loadPart<typeof import('./part.ts')>('logs.js', () => import('./part.ts')).then(
      (part) => {
        const s = part.start(ctx, tree);
        ctx.register(s.streams.onDidChange(() => void vscode.commands.executeCommand('setContext', 'k3dDeploy.following', s.streams.active().length > 0)));
        ctx.register(s.streams.onDidFollowLog((t) => followed.fire(t)));
        return s;
      },
      (e: unknown) => {
        started = undefined;
        throw e;
      },
    ));
  const command = lazyCommands(async () => (await start()).commands);
  ctx.registerCommand('followLogs', command('followLogs'));
  ctx.registerCommand('showPreviousLogs', command('showPreviousLogs'));
  ctx.registerCommand('stopFollowing', command('stopFollowing'));
  ctx.registerCommand('clearLogs', command('clearLogs'));
  ctx.registerCommand('toggleLogTimestamps', command('toggleLogTimestamps'));
  return { follow: async (target) => (await start()).streams.follow(target), onDidFollowLog: followed.event };
}
