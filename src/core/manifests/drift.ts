// Where a live Deployment no longer matches its manifest (after `kubectl scale` or `kubectl set image`): what
// the workloads tree says on the deployment's row. Images compare as the image lessons compare them (sameImage:
// `nginx:1.25` and `docker.io/library/nginx:1.25` are one image), so the tree and the Problems agree.
import { sameImage } from './imageReference.ts';

export interface LiveDeploymentShape {
  readonly spec?: { readonly replicas?: number; readonly template?: { readonly spec?: { readonly containers?: ReadonlyArray<{ readonly name: string; readonly image?: string }> } } };
}

export interface DeclaredShape {
  readonly replicas?: number;
  /** Container name -> image, as the file says. */
  readonly images: ReadonlyMap<string, string>;
}

/** One line per difference, cluster first: `replicas: 3 in the cluster, 1 in the file`. */
export function deploymentDrift(live: LiveDeploymentShape, declared: DeclaredShape): string[] {
  const out: string[] = [];
  const liveReplicas = live.spec?.replicas ?? 1;
  if (declared.replicas !== undefined && declared.replicas !== liveReplicas) {
    out.push(`replicas: ${liveReplicas} in the cluster, ${declared.replicas} in the file`);
  }
  for (const c of live.spec?.template?.spec?.containers ?? []) {
    const want = declared.images.get(c.name);
    if (want !== undefined && c.image !== undefined && !sameImage(want, c.image)) {
      out.push(`${c.name} image: ${c.image} in the cluster, ${want} in the file`);
    }
  }
  return out;
}
