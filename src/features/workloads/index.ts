import type { Ctx } from '../../ctx.ts';
import type { WorkloadsApi } from './api.ts';
import { registerWorkloadCommands, showPodYaml } from './commands.ts';
import { registerDescribe } from './describe.ts';
import { ManifestIndex } from './ManifestIndex.ts';
import { WorkloadTree } from './WorkloadTree.ts';

/** The workloads under each cluster: the tree part (shown by the clusters view) and its commands. */
/** `deps.useContext` is Clusters', late-bound: Clusters is registered after this, with this feature's tree. */
export function register(ctx: Ctx, deps: { readonly useContext: () => Promise<void> }): WorkloadsApi {
  const manifests = new ManifestIndex(ctx);
  const tree = new WorkloadTree(ctx, manifests);
  registerWorkloadCommands(ctx, tree, manifests, deps.useContext);
  registerDescribe(ctx, tree);
  return { tree, showPodYaml: (context, namespace, name) => showPodYaml(ctx, context, namespace, name) };
}
