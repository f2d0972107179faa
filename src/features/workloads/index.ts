import { lazyCommands, loadPart } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import type { WorkloadsApi } from './api.ts';
import { ManifestIndex } from './ManifestIndex.ts';
import { WorkloadTree } from './WorkloadTree.ts';

const loadCommands = (): Promise<typeof import('./part.ts')> => loadPart('workloadCommands.js', () => import('./part.ts'));

/** The workloads under each cluster: the tree part (shown by the clusters view) and its commands. */
/** `deps.useContext` is Clusters', late-bound: Clusters is registered after this, with this feature's tree. */
export function register(ctx: Ctx, deps: { readonly useContext: () => Promise<void> }): WorkloadsApi {
  const manifests = ctx.register(new ManifestIndex());
  const tree = ctx.register(new WorkloadTree(ctx, manifests));
  // The commands' bodies load with their part on first use (dist/workloadCommands.js).
  const command = lazyCommands(async () => (await loadCommands()).commands(ctx, tree, manifests, deps.useContext));
  ctx.registerCommand('openManifest', command('openManifest'));
  ctx.registerCommand('retryWorkloads', command('retryWorkloads'));
  ctx.registerCommand('scaleDeployment', command('scaleDeployment'));
  ctx.registerCommand('setImage', command('setImage'));
  ctx.registerCommand('restartDeployment', command('restartDeployment'));
  ctx.registerCommand('deleteDeployment', command('deleteDeployment'));
  ctx.registerCommand('deletePod', command('deletePod'));
  ctx.registerCommand('showYaml', command('showYaml'));
  ctx.registerCommand('createDeployment', command('createDeployment'));
  ctx.registerCommand('explain', command('explain'));
  ctx.registerCommand('describe', command('describe'));
  return { tree, showPodYaml: async (context, namespace, name) => (await loadCommands()).showPodYaml(ctx, context, namespace, name) };
}
