// What other features use of Clusters: returned by register() and handed to them in extension.ts (issue 13
// item 2: no feature imports another's internals or runs another's command). The k3d UI helpers (error
// message with its fixes, progress notification) are here too: k3dConfig runs k3d the same way.
import type * as vscode from 'vscode';
import type { CreateClusterOptions } from '../../core/k3d/args.ts';
import type { K3dCluster, K3dNode } from '../../core/k3d/types.ts';
import type { RunOptions } from '../../core/k3d/cli.ts';
import type { ClusterStore } from './ClusterStore.ts';

export type { ClusterStore };

export interface ClustersApi {
  /** k3d clusters and kubeconfig contexts, refreshed on a timer and after every k3d command. */
  readonly store: ClusterStore;
  /** Start Cluster (its progress, errors and the kubeconfig context it sets). */
  start(cluster: K3dCluster): Promise<void>;
  /** Create Cluster...: the wizard, from a config file, or saved as one. */
  create(): Promise<void>;
  /** `k3d cluster create --config FILE`, asking what the file leaves open. */
  createFromConfig(file: vscode.Uri): Promise<void>;
  /** Use Context...: pick the current kubeconfig context. */
  useContext(): Promise<void>;
  /** Add Agent's steps (how many, name, memory), progress and `kubectl get nodes` check. */
  addAgent(cluster: K3dCluster): Promise<void>;
  /** Delete Node: asks first, and removes the Node object k3d leaves behind. */
  deleteNode(cluster: K3dCluster, node: K3dNode): Promise<void>;
  /** The create wizard's questions, without running anything. */
  askCreateOptions(): Promise<CreateClusterOptions | undefined>;
  /** A k3d failure as a message with its fixes (install k3d, Docker not running, Show Log). */
  showK3dError(doing: string, error: unknown, afterwards?: string): Promise<void>;
  /** A k3d command under a progress notification showing its log lines. */
  withK3dProgress<T>(title: string, run: (options: RunOptions) => Promise<T>, cancellable?: boolean): Promise<T>;
}
