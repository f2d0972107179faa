// Open Terminal and Run Command… on a pod. At activation only the commands' thunks and Run Command's output
// channel: the rest is the lazy part dist/terminal.js (commands.ts), required on first use.
import * as vscode from 'vscode';
import { lazyCommands, loadPart } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import type { WorkloadTree } from '../workloads/api.ts';

export function register(ctx: Ctx, tree: WorkloadTree): void {
  const output = ctx.register(vscode.window.createOutputChannel('k3d Run Command'));
  const command = lazyCommands(async () =>
    (await loadPart<typeof import('./commands.ts')>('terminal.js', () => import('./commands.ts'))).terminalCommands(ctx, tree, output),
  );
  ctx.registerCommand('openTerminal', command('openTerminal'));
  ctx.registerCommand('runCommand', command('runCommand'));
}
