import * as vscode from 'vscode';
import type { RunOptions } from '../../core/k3d/cli.ts';
import { createK3dLineReader, stripAnsi } from '../../core/k3d/logLine.ts';
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
      // k3d's DEBU/TRAC lines (LOG_LEVEL=debug in the user's environment), and the later lines of their
      // multi-line messages, go to the log at trace level and never to the notification.
      const read = createK3dLineReader();
      const onLine = (raw: string, stream: 'stdout' | 'stderr') => {
        const { line, severity, continuation } = read(raw, stream);
        ctx.log[severity](`[k3d] ${stripAnsi(raw)}`);
        if (severity === 'info' && !continuation && line.message.trim() !== '') {
          progress.report({ message: line.message.split('\n')[0] });
        }
      };
      return run({ onLine, signal: abort.signal, timeoutMs: ctx.config.operationTimeoutMs }).finally(() => cancel.dispose());
    },
  );
}
