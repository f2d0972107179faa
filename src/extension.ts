import type * as vscode from 'vscode';
import { Ctx } from './ctx.ts';
import * as clusters from './features/clusters/index.ts';
import * as workloads from './features/workloads/index.ts';

export function activate(context: vscode.ExtensionContext): void {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  clusters.register(ctx, workloads.register(ctx));
}

export function deactivate(): void {
  // Everything is owned by Ctx, which VS Code disposes with the extension's subscriptions.
}
