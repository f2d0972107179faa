// Getting an image from this machine's Docker into the cluster, as the "k3d Build" channel shows
// it: the steps run by core/publish/steps.ts, their output streamed to the channel and the
// progress message; the import-landed check reads the nodes' images. Shared by Build & Deploy
// (imageTags), Deploy on Save (deploy) and Import Image (clusters): one channel, one runner.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BuildStep } from '../../core/publish/publish.ts';
import { runBuildStep, StepFailed } from '../../core/publish/steps.ts';
import { imagesOnNodes, importLanded } from '../../core/deploy/nodeImages.ts';
import type { NodeImageSource } from '../../core/deploy/nodeImages.ts';
import { runTool } from '../../core/process.ts';
import type { Ctx } from '../../ctx.ts';

/** The "k3d Build" channel: every docker and k3d command of the loop and what it printed (ctx owns it). */
export function buildOutput(ctx: Ctx): vscode.OutputChannel {
  return ctx.buildOutput();
}

let simulatedK3d: Promise<boolean> | undefined;

/**
 * Where the import-landed check (core/deploy/nodeImages.ts) reads the nodes' images: the simulated
 * k3d's state folder when `k3d version` says "simulated", else `docker exec NODE crictl images`.
 */
export async function nodeImageSource(ctx: Ctx): Promise<NodeImageSource> {
  simulatedK3d ??= ctx.k3d.version().then((v) => v.simulated, () => false);
  return {
    simHome: (await simulatedK3d) ? process.env.K3D_SIM_HOME?.trim() || path.join(os.homedir(), '.k3d-sim') : undefined,
    docker: async (args, signal) => (await runTool(ctx.config.dockerPath, args, { signal, timeoutMs: 30_000 })).stdout,
    nodes: async (name, signal) => {
      const clusters = await ctx.k3d.listClusters({ signal });
      return (clusters.find((c) => c.name === name)?.nodes ?? []).filter((n) => n.role === 'server' || n.role === 'agent').map((n) => n.name);
    },
  };
}

/** Throws the reason when `image` is not `imageId` on every node of `cluster` (k3d has claimed imports that never landed). */
export async function checkImportLanded(ctx: Ctx, out: vscode.OutputChannel, cluster: string, image: string, imageId: string, signal?: AbortSignal): Promise<void> {
  const check = importLanded(image, imageId, await imagesOnNodes(cluster, await nodeImageSource(ctx), signal), cluster);
  if (!check.ok) throw new StepFailed(check.reason);
  out.appendLine(`# ${image} (${imageId.replace(/^sha256:/, '').slice(0, 12)}) is on every node of ${cluster}`);
}

/** Runs one step, its output to the channel and the progress message; throws StepFailed with the reason. */
export async function runStep(
  ctx: Ctx,
  out: vscode.OutputChannel,
  step: BuildStep,
  signal: AbortSignal,
  progress: vscode.Progress<{ message?: string }>,
  /** Receives every line (stdout and stderr, in order): a failed build's Dockerfile line is found in them. */
  allLines?: string[],
): Promise<void> {
  let lastReport = 0;
  let command = true; // runBuildStep's first line is the command itself
  const tools = { dockerPath: ctx.config.dockerPath, k3dPath: ctx.config.k3dPath, k3d: ctx.k3d, k3dTimeoutMs: ctx.config.operationTimeoutMs };
  await runBuildStep(tools, step, signal, (text) => {
    out.appendLine(text);
    if (command) {
      command = false;
      return;
    }
    allLines?.push(text);
    if (text.trim() !== '' && !/^\s*(DEPRECATED:|Install the buildx|https:\/\/docs\.docker\.com\/go\/buildx)/.test(text) && Date.now() - lastReport > 250) {
      lastReport = Date.now();
      progress.report({ message: `${step.title}: ${text.trim().slice(0, 80)}` });
    }
  });
}
