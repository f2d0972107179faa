// One consistent picture of what the clusters view shows: k3d's clusters and the
// kubeconfig's contexts, read together so the current-context marker never lags.
import type { K3dCli, K3dVersion } from '../k3d/cli.ts';
import { K3dError, type K3dErrorKind } from '../k3d/errors.ts';
import type { K3dCluster } from '../k3d/types.ts';
import { readKubeconfig, type KubeconfigView, type KubeContext } from '../kube/kubeconfig.ts';

export type K3dStatus =
  | { kind: 'ok'; version?: K3dVersion }
  | { kind: 'error'; error: K3dError };

export interface ClustersSnapshot {
  k3d: K3dStatus;
  clusters: K3dCluster[];
  kubeconfig: KubeconfigView;
  /** Contexts that belong to no listed k3d cluster: any other Kubernetes the user has. */
  otherContexts: KubeContext[];
}

export interface SnapshotSources {
  cli: K3dCli;
  kubeconfigPaths: () => string[];
}

export async function loadSnapshot(sources: SnapshotSources, previousVersion?: K3dVersion): Promise<ClustersSnapshot> {
  const [k3d, kubeconfig] = await Promise.all([loadK3d(sources.cli, previousVersion), readKubeconfig(sources.kubeconfigPaths())]);
  const clusters = k3d.kind === 'ok' ? k3d.clusters : [];
  const k3dContexts = new Set(clusters.map((c) => c.contextName));
  return {
    k3d: k3d.kind === 'ok' ? { kind: 'ok', version: k3d.version } : k3d,
    clusters,
    kubeconfig,
    otherContexts: kubeconfig.contexts.filter((c) => !k3dContexts.has(c.name)),
  };
}

async function loadK3d(
  cli: K3dCli,
  previousVersion?: K3dVersion,
): Promise<{ kind: 'ok'; clusters: K3dCluster[]; version?: K3dVersion } | { kind: 'error'; error: K3dError }> {
  try {
    // The version tells whether this is our simulator; it never changes while k3d.path does not.
    const [version, clusters] = await Promise.all([
      previousVersion ?? cli.version().catch((e: unknown) => rethrowIf(e, ['notInstalled'])),
      cli.listClusters(),
    ]);
    return { kind: 'ok', clusters, version: version ?? undefined };
  } catch (e) {
    return { kind: 'error', error: e instanceof K3dError ? e : new K3dError('failed', String(e)) };
  }
}

function rethrowIf(e: unknown, kinds: K3dErrorKind[]): undefined {
  if (e instanceof K3dError && kinds.includes(e.kind)) {
    throw e;
  }
  return undefined;
}
