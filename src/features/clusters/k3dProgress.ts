import * as vscode from 'vscode';
import type { RunOptions } from '../../core/k3d/cli.ts';
import { parseLogLine, stripAnsi } from '../../core/k3d/logLine.ts';
import type { Ctx } from '../../ctx.ts';

/**
 * Runs a long k3d command under a cancellable progress notification that shows k3d's own
 * INFO lines as they come; every line also goes to the log channel. Not `cancellable` where killing k3d midway
 * would leave a broken cluster (k3d has no signal handler and does not roll back).
 */
export async function withK3dProgress<T>(ctx: Ctx, title: string, run: (options: RunOptions) => Promise<T>, cancellable = true): Promise<T> {
  return await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable },
    (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => {
        ctx.log.info(`${title}: cancelled by the user`);
        abort.abort();
      });
      const onLine = (raw: string) => {
        const line = parseLogLine(raw);
        const level = line.level;
        const text = stripAnsi(raw);
        if (level === 'error' || level === 'fatal' || level === 'panic') {
          ctx.log.error(`[k3d] ${text}`);
        } else if (level === 'warn') {
          ctx.log.warn(`[k3d] ${text}`);
        } else {
          ctx.log.info(`[k3d] ${text}`);
        }
        if ((level === 'info' || level === undefined) && line.message.trim() !== '') {
          progress.report({ message: line.message.split('\n')[0] });
        }
      };
      return run({ onLine, signal: abort.signal, timeoutMs: ctx.config.operationTimeoutMs }).finally(() => cancel.dispose());
    },
  );
}
