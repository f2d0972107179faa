import type * as vscode from 'vscode';
import { Ctx } from './ctx.ts';
import * as apply from './features/apply/index.ts';
import * as clusters from './features/clusters/index.ts';
import * as imageTags from './features/imageTags/index.ts';
import * as logs from './features/logs/index.ts';
import * as workloads from './features/workloads/index.ts';

export function activate(context: vscode.ExtensionContext): void {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  const workloadTree = workloads.register(ctx);
  const clusterStore = clusters.register(ctx, workloadTree);
  apply.register(ctx, clusterStore);
  logs.register(ctx, workloadTree);
  imageTags.register(ctx);
}

export function deactivate(): void {
  // Everything is owned by Ctx, which VS Code disposes with the extension's subscriptions.
}
