import type * as vscode from 'vscode';
import { Ctx } from './ctx.ts';
import * as apply from './features/apply/index.ts';
import * as clusters from './features/clusters/index.ts';
import * as deploy from './features/deploy/index.ts';
import * as imageTags from './features/imageTags/index.ts';
import * as k3dConfig from './features/k3dConfig/index.ts';
import * as logs from './features/logs/index.ts';
import * as portForward from './features/portForward/index.ts';
import * as rollback from './features/rollback/index.ts';
import { registerReadOnlyDocuments } from './features/shared/readOnlyDocuments.ts';
import * as terminal from './features/terminal/index.ts';
import * as walkthrough from './features/walkthrough/index.ts';
import * as workloads from './features/workloads/index.ts';

/** What activate() returns: for tests that run inside VS Code (no public API reads another extension's tree). */
export interface K3dDeployApi {
  clusterTreeProvider: vscode.TreeDataProvider<unknown>;
}

export function activate(context: vscode.ExtensionContext): K3dDeployApi {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  registerReadOnlyDocuments(ctx);
  const workloadTree = workloads.register(ctx);
  const { store: clusterStore, provider } = clusters.register(ctx, workloadTree);
  k3dConfig.register(ctx, clusterStore);
  const applyApi = apply.register(ctx, clusterStore);
  const logStreams = logs.register(ctx, workloadTree);
  terminal.register(ctx, workloadTree);
  rollback.register(ctx);
  portForward.register(ctx, workloadTree);
  const loadImageTags = imageTags.register(ctx, { apply: applyApi });
  deploy.register(ctx, { logs: logStreams, imageTags: loadImageTags.api, apply: applyApi });
  walkthrough.register(ctx, {
    store: clusterStore,
    onDidFollowLog: logStreams.onDidFollowLog,
    onDidApply: applyApi.onDidApply,
    onDidDeleteFromFile: applyApi.onDidDeleteFromFile,
    onDidImagePhase: loadImageTags.onDidImagePhase,
  });
  return { clusterTreeProvider: provider as vscode.TreeDataProvider<unknown> };
}

export function deactivate(): void {
  // Everything is owned by Ctx, which VS Code disposes with the extension's subscriptions.
}
