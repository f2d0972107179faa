// The workload commands' bodies: a lazy part (dist/workloadCommands.js), required when a user first runs one of
// them. index.ts registers each command at activation as a thunk that loads this part.
import type { Ctx } from '../../ctx.ts';
import { showPodYaml, workloadCommands } from './commands.ts';
import { describe } from './describe.ts';
import type { ManifestIndex } from './ManifestIndex.ts';
import type { WorkloadTree } from './WorkloadTree.ts';

export { showPodYaml };

export function commands(ctx: Ctx, tree: WorkloadTree, manifests: ManifestIndex, useContext: () => Promise<void>) {
  return { ...workloadCommands(ctx, tree, manifests, useContext), describe: (node?: unknown) => describe(ctx, node) };
}
