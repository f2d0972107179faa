// Import Image (a cluster row, or the palette): pick one of this machine's Docker images, the mode, and run
// `k3d image import IMAGE -c CLUSTER -m MODE` with progress per node from k3d's own lines; then look on every node
// (core/deploy/nodeImages.ts, as Deploy on Save does), because k3d has said "Successfully imported" for images
// that never reached a node (tools-node logs a node's failure and carries on).
import * as vscode from 'vscode';
import { imagesOnNodes, importLanded } from '../../core/deploy/nodeImages.ts';
import { dockerImageLsArgs, parseHostImages, sortForImport } from '../../core/docker/images.ts';
import type { HostImage } from '../../core/docker/images.ts';
import { K3dError } from '../../core/k3d/errors.ts';
import { imageImportModeArgs, importEvent, importProgressMessage } from '../../core/k3d/imageImport.ts';
import type { ImportMode } from '../../core/k3d/imageImport.ts';
import { createK3dLineReader, stripAnsi } from '../../core/k3d/logLine.ts';
import type { K3dCluster } from '../../core/k3d/types.ts';
import { ToolError, runTool } from '../../core/process.ts';
import type { Ctx } from '../../ctx.ts';
import { nodeImageSource } from '../shared/buildSteps.ts';
import type { ClusterStore } from './ClusterStore.ts';
import type { ClusterTreeNode } from './ClusterTreeProvider.ts';
import { resolveCluster } from './commands.ts';
import { showK3dError } from './errors.ts';

const MODES: Array<vscode.QuickPickItem & { mode: ImportMode }> = [
  { mode: 'auto', label: 'auto', description: '-m auto', detail: 'k3d chooses: direct for a local Docker, tools-node otherwise' },
  { mode: 'direct', label: 'direct', description: '-m direct', detail: 'streams the image into each node; fails when a node does not take it' },
  { mode: 'tools-node', label: 'tools-node', description: '-m tools-node', detail: 'through a k3d-tools container and a shared volume; logs a node that failed and still says it succeeded' },
];

/** This machine's images, newest of the user's own first; a K3dError-free message on failure. */
async function hostImages(docker: string): Promise<HostImage[] | string> {
  try {
    const { stdout } = await runTool(docker, dockerImageLsArgs(), { timeoutMs: 30_000 });
    return sortForImport(parseHostImages(stdout));
  } catch (e) {
    if (e instanceof ToolError && e.kind === 'notInstalled') return `Docker was not found (${docker}). Install Docker, or set "k3d.dockerPath" to where it is.`;
    const text = e instanceof ToolError ? [...e.output, e.message].join('\n') : String(e);
    if (/Cannot connect to the Docker daemon|Is the docker daemon running/i.test(text)) return 'Docker is not running. Start Docker, then try again.';
    return `docker image ls failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export async function importImage(ctx: Ctx, store: ClusterStore, node?: ClusterTreeNode): Promise<void> {
  const cluster = await resolveCluster(store, node?.type === 'containers' ? { type: 'cluster', cluster: node.cluster } : node, (c) => c.state !== 'stopped', 'Import an image into which cluster?', 'No k3d cluster is running: start or create one first.');
  if (!cluster) return;
  const images = await hostImages(ctx.config.dockerPath);
  if (typeof images === 'string') {
    void vscode.window.showErrorMessage(`Import Image: ${images}`);
    return;
  }
  if (images.length === 0) {
    void vscode.window.showInformationMessage('This machine\'s Docker has no tagged image to import. Build one first (docker build -t app:1 .).');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    images.map((image) => ({ label: image.ref, description: [image.size, image.createdSince].filter(Boolean).join(' · '), detail: image.id.replace(/^sha256:/, '').slice(0, 12), image })),
    { title: `Import Image into '${cluster.name}' (1/2)`, placeHolder: 'One of this machine\'s Docker images (docker image ls)', matchOnDescription: true },
  );
  if (!picked) return;
  const mode = await vscode.window.showQuickPick(MODES, { title: `Import ${picked.image.ref} into '${cluster.name}' (2/2): mode`, placeHolder: 'k3d image import -m' });
  if (!mode) return;
  await runImport(ctx, store, cluster, picked.image, mode.mode);
}

async function runImport(ctx: Ctx, store: ClusterStore, cluster: K3dCluster, image: HostImage, mode: ImportMode): Promise<void> {
  const doing = `Importing ${image.ref} into '${cluster.name}'`;
  const workers = cluster.nodes.filter((n) => n.role === 'server' || n.role === 'agent');
  const failedNodes = new Map<string, string>();
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: doing, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      const read = createK3dLineReader();
      const seen = new Set<string>();
      const onLine = (raw: string, stream: 'stdout' | 'stderr') => {
        const { line, severity, continuation } = read(raw, stream);
        ctx.log[severity](`[k3d] ${stripAnsi(raw)}`);
        if (continuation) return;
        const event = importEvent(line);
        if (!event) return;
        if (event.kind === 'node') seen.add(event.node);
        if (event.kind === 'nodeFailed') failedNodes.set(event.node, event.reason);
        progress.report({ message: importProgressMessage(event, seen.size, workers.length) });
      };
      try {
        await ctx.k3d.run(imageImportModeArgs(image.ref, cluster.name, mode), { onLine, signal: abort.signal, timeoutMs: ctx.config.operationTimeoutMs });
        progress.report({ message: 'checking every node…' });
      } finally {
        cancel.dispose();
      }
    });
  } catch (e) {
    const nodes = [...failedNodes].map(([n, why]) => `${n}: ${why}`).join('; ');
    await showK3dError(ctx, doing, e, e instanceof K3dError && e.kind !== 'cancelled' && nodes ? `(${nodes})` : '');
    return;
  }
  // k3d said it succeeded: does every node hold this image ID?
  let check: ReturnType<typeof importLanded>;
  try {
    check = importLanded(image.ref, image.id, await imagesOnNodes(cluster.name, await nodeImageSource(ctx)), cluster.name);
  } catch (e) {
    ctx.log.warn(`${doing}: could not look at the nodes' images: ${(e as Error).message}`);
    void vscode.window.showWarningMessage(`k3d imported ${image.ref} into '${cluster.name}', but the nodes could not be asked whether it landed: ${(e as Error).message}`);
    return;
  }
  void store.refresh();
  const short = image.id.replace(/^sha256:/, '').slice(0, 12);
  if (check.ok) {
    ctx.log.info(`${doing}: ${image.ref} (${short}) is on every node: ${workers.map((n) => n.name).join(', ')}`);
    void vscode.window.showInformationMessage(`Imported ${image.ref} (${short}) into '${cluster.name}': on every node (${workers.map((n) => n.shortName || n.name).join(', ')}).`);
    return;
  }
  ctx.log.warn(`${doing}: ${check.reason}`);
  const said = failedNodes.size > 0 ? ` k3d logged: ${[...failedNodes].map(([n, why]) => `${n}: ${why}`).join('; ')}.` : '';
  const choice = await vscode.window.showWarningMessage(`Import did not land: ${check.reason}${said}`, 'Show Log');
  if (choice === 'Show Log') ctx.log.show(true);
}
