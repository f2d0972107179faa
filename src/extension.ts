import type * as vscode from 'vscode';
import { Ctx } from './ctx.ts';
import * as apply from './features/apply/index.ts';
import type { ClustersApi } from './features/clusters/api.ts';
import * as clusters from './features/clusters/index.ts';
import * as deploy from './features/deploy/index.ts';
import * as imageTags from './features/imageTags/index.ts';
import type { K3dConfigApi } from './features/k3dConfig/api.ts';
import * as k3dConfig from './features/k3dConfig/index.ts';
import * as logs from './features/logs/index.ts';
import * as portForward from './features/portForward/index.ts';
import * as rollback from './features/rollback/index.ts';
import { registerReadOnlyDocuments } from './features/shared/readOnlyDocuments.ts';
import * as terminal from './features/terminal/index.ts';
import { lessonLink } from './features/walkthrough/api.ts';
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
  // Each feature gets the APIs of those registered before it. Two pairs need each other: workloads offer
  // Clusters' Use Context, and Clusters' Create Cluster offers k3dConfig's New Config File, while Clusters shows
  // the workloads' tree and k3dConfig runs Clusters' commands. The later one is reached through a closure over
  // a variable set right below: nothing calls it during register(), only from a user's command.
  let clustersApi: ClustersApi | undefined;
  let k3dConfigApi: K3dConfigApi | undefined;
  const workloadsApi = workloads.register(ctx, { useContext: async () => clustersApi?.useContext() });
  const workloadTree = workloadsApi.tree;
  const registered = clusters.register(ctx, { workloads: workloadTree, newConfigFile: async () => k3dConfigApi?.newConfigFile() });
  clustersApi = registered.api;
  const { provider } = registered;
  const clusterStore = clustersApi.store;
  k3dConfigApi = k3dConfig.register(ctx, clustersApi);
  const applyApi = apply.register(ctx, { clusters: clustersApi, workloads: workloadsApi });
  const logStreams = logs.register(ctx, workloadTree);
  terminal.register(ctx, workloadTree);
  rollback.register(ctx);
  portForward.register(ctx, workloadTree);
  const loadImageTags = imageTags.register(ctx, { apply: applyApi, clusters: clustersApi, lessonLink });
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
