// After an interrupted `k3d cluster create` (the user cancelled it, or k3d.operationTimeout passed).
// k3d installs no signal handler, so the SIGINT that stops it kills it at once: there is no rollback
// (k3d-io/k3d cmd/cluster/clusterCreate.go rolls back only when ClusterRun returns an error) and the
// containers it made stay; the next create of that name fails with "already exists". This removes them.
import type { RunOptions } from './cli.ts';
import type { K3dCluster } from './types.ts';

export interface CleanupCli {
  listClusters(options?: RunOptions): Promise<K3dCluster[]>;
  deleteCluster(name: string, options?: RunOptions): Promise<unknown>;
}

export type CleanupResult =
  /** k3d had made no container yet (or the name belonged to a cluster that existed before the create). */
  | { kind: 'nothingLeft'; name: string }
  /** `k3d cluster delete NAME` removed these nodes (k3d also removes the network and volumes). */
  | { kind: 'removed'; name: string; nodes: string[] }
  | { kind: 'failed'; name: string; nodes: string[]; error: unknown };

/**
 * Removes what an interrupted create of `name` left. `existedBefore` names the clusters listed before the
 * create started: one of those is never deleted (the create then failed on the taken name, it made nothing).
 * `options` carry the progress of the delete (its lines, cancellation, timeout).
 */
export async function removeHalfMadeCluster(
  cli: CleanupCli,
  name: string,
  existedBefore: ReadonlySet<string>,
  options: RunOptions = {},
): Promise<CleanupResult> {
  if (existedBefore.has(name)) {
    return { kind: 'nothingLeft', name };
  }
  let nodes: string[] = [];
  try {
    const left = (await cli.listClusters({ signal: options.signal })).find((c) => c.name === name);
    if (!left) {
      return { kind: 'nothingLeft', name };
    }
    nodes = left.nodes.map((n) => n.name);
    await cli.deleteCluster(name, options);
    return { kind: 'removed', name, nodes };
  } catch (error) {
    return { kind: 'failed', name, nodes, error };
  }
}
