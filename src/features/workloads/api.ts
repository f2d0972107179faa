// What other features use of Workloads: returned by register() and handed to them in extension.ts. The tree
// (the clusters view shows it under each cluster; logs, terminal, port forward and rollback act on its rows)
// and its row types, which those features' menu commands receive.
import type { WorkloadTree } from './WorkloadTree.ts';

export type { WorkloadTree };
export { isWorkloadNode, type WorkloadNode } from './WorkloadTree.ts';

export interface WorkloadsApi {
  readonly tree: WorkloadTree;
  /** Show YAML of a pod: `kubectl get pod -o yaml` as a read-only document. */
  showPodYaml(context: string, namespace: string, name: string): Promise<void>;
}
