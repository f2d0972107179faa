import type * as vscode from 'vscode';
import { Ctx } from './ctx.ts';
import * as clusters from './features/clusters/index.ts';
import * as logs from './features/logs/index.ts';
import * as workloads from './features/workloads/index.ts';

export function activate(context: vscode.ExtensionContext): void {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  const workloadTree = workloads.register(ctx);
  clusters.register(ctx, workloadTree);
  logs.register(ctx, workloadTree);
}

export function deactivate(): void {
  // Everything is owned by Ctx, which VS Code disposes with the extension's subscriptions.
}
