import type { Ctx } from '../../ctx.ts';
import { registerWorkloadCommands } from './commands.ts';
import { registerDescribe } from './describe.ts';
import { ManifestIndex } from './ManifestIndex.ts';
import { WorkloadTree } from './WorkloadTree.ts';

/** The workloads under each cluster: the tree part (shown by the clusters view) and its commands. */
export function register(ctx: Ctx): WorkloadTree {
  const manifests = new ManifestIndex(ctx);
  const tree = new WorkloadTree(ctx, manifests);
  registerWorkloadCommands(ctx, tree, manifests);
  registerDescribe(ctx, tree);
  return tree;
}
