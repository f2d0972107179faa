// Apply past its registration: a lazy part (dist/applyCommands.js), required when a user first runs Apply, Diff or
// Delete, or another feature first applies a file or follows a rollout.
import type * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';
import type { ClustersApi } from '../clusters/api.ts';
import type { WorkloadsApi } from '../workloads/api.ts';
import type { ApplyApi } from './api.ts';
import { Applier } from './applyManifests.ts';
import { applyCommands, type ApplyReports } from './commands.ts';
import { followRollouts } from './rollout.ts';

export function start(
  ctx: Ctx,
  deps: { readonly clusters: ClustersApi; readonly workloads: WorkloadsApi },
  diagnostics: vscode.DiagnosticCollection,
  reports: ApplyReports,
) {
  const commands = applyCommands(ctx, new Applier(ctx, deps.clusters, deps.workloads, diagnostics), reports);
  const api: ApplyApi = {
    applyDocument: (uri, options) => commands.apply(uri, undefined, options),
    followRollouts: async (context, targets) => followRollouts(ctx, await ctx.kube.http(context), context, targets, deps.workloads.showPodYaml),
  };
  return { commands, api };
}
