// Where a freshly built image goes so that the cluster can run it: pushed to its registry, or
// imported into the k3d cluster's nodes (`k3d image import`).
import type { ImageReference } from '../manifests/imageReference.ts';
import { formatImageReference } from '../manifests/imageReference.ts';
import { validateClusterName } from '../k3d/names.ts';
import { dockerBuildArgs, dockerPushArgs, k3dImageImportArgs } from './docker.ts';
import { clusterSideHost, hostSideImage, isK3dRegistryName, isOnClusterRegistry } from './registry.ts';
import type { ClusterRegistry } from './registry.ts';

export type PublishSetting = 'auto' | 'push' | 'import';

export function publishSettingFrom(value: unknown): PublishSetting {
  return value === 'push' || value === 'import' ? value : 'auto';
}

/**
 * `auto`: an image whose name says which registry it lives on (`ghcr.io/...`,
 * `k3d-registry.localhost:5000/...`) is pushed there; a plain Docker Hub name (`jakousa/dwk-app1`)
 * is imported into the cluster, because a learner can rarely push to someone else's namespace
 * and `k3d image import` needs no account.
 */
export function publishMethod(ref: ImageReference, setting: PublishSetting): 'push' | 'import' {
  if (setting !== 'auto') return setting;
  return ref.registry !== undefined ? 'push' : 'import';
}

/** The k3d cluster behind a kubeconfig context (`k3d-dev` -> `dev`), or undefined. */
export function k3dClusterOfContext(context: string | undefined): string | undefined {
  return context?.startsWith('k3d-') && validateClusterName(context.slice(4)) === undefined ? context.slice(4) : undefined;
}

export interface DeliveryInput {
  /** The image as the manifest names it now. */
  readonly ref: ImageReference;
  /** The new tag. */
  readonly tag: string;
  readonly setting: PublishSetting;
  /** The k3d cluster of the current context, when it is one. */
  readonly cluster?: string;
  /** The registry the cluster announces (local-registry-hosting), when it has one. */
  readonly registry?: ClusterRegistry;
}

export type Delivery =
  | {
      readonly ok: true;
      readonly method: 'import';
      /** What the manifest will say, and what is built and imported. */
      readonly manifestImage: string;
      readonly buildImage: string;
      readonly cluster: string;
    }
  | {
      readonly ok: true;
      readonly method: 'push';
      readonly manifestImage: string;
      /** Built and pushed under this name: for the cluster's registry its name on this machine (`localhost:5001/app:2`). */
      readonly buildImage: string;
      readonly toClusterRegistry: boolean;
    }
  | { readonly ok: false; readonly reason: string; readonly needs?: 'k3dContext' };

/**
 * How the new image reaches the cluster. An image that names the cluster's own registry (by
 * the nodes' name `k3d-reg:5000`, or `localhost:5001`) is built as `localhost:5001/app:TAG` and
 * pushed there, while the manifest keeps the nodes' name (a manifest that names it `localhost:5001`
 * is refused, with the name to use); otherwise `publishMethod` decides.
 */
export function planDelivery(input: DeliveryInput): Delivery {
  const { ref, tag, registry } = input;
  const manifestImage = formatImageReference({ registry: ref.registry, path: ref.path, tag });
  if (registry && isOnClusterRegistry(ref, registry) && input.setting !== 'import') {
    // Pushed by this machine's name, pulled by the nodes' name: a manifest naming localhost:PORT would make every
    // node pull from its own loopback (ImagePullBackOff), so nothing is built until the manifest names it as the nodes do.
    const pullHost = clusterSideHost(registry);
    if (pullHost && ref.registry?.toLowerCase() !== pullHost.toLowerCase() && isHostSideName(ref.registry)) {
      const pullImage = formatImageReference({ registry: pullHost, path: ref.path });
      return {
        ok: false,
        reason: `The manifest names the cluster's registry ${ref.registry}, its name on this machine: the cluster's nodes would pull from their own ${ref.registry} and fail (ImagePullBackOff). They pull it as ${pullHost} (kube-public/local-registry-hosting). Change the image to ${pullImage}; Build & Deploy then pushes to ${registry.host} and the manifest keeps ${pullHost}.`,
      };
    }
    return { ok: true, method: 'push', manifestImage, buildImage: hostSideImage(ref, tag, registry), toClusterRegistry: true };
  }
  if (publishMethod(ref, input.setting) === 'push') {
    if (isK3dRegistryName(ref.registry)) {
      return {
        ok: false,
        reason: `${ref.registry} is a k3d registry's name inside the cluster, and ${input.cluster ? `cluster '${input.cluster}'` : 'the current cluster'} announces no registry (no local-registry-hosting ConfigMap), so there is nowhere to push. Create the cluster with --registry-use k3d-NAME:PORT, or set k3d.build.publish to "import".`,
      };
    }
    return { ok: true, method: 'push', manifestImage, buildImage: manifestImage, toClusterRegistry: false };
  }
  if (!input.cluster) return { ok: false, reason: `Build & Deploy imports ${ref.path} into the current k3d cluster, but the current context is not a k3d cluster.`, needs: 'k3dContext' };
  return { ok: true, method: 'import', manifestImage, buildImage: manifestImage, cluster: input.cluster };
}

/** `localhost:5001`, `127.0.0.1:5001`: a registry name that means "this machine" wherever it is resolved. */
function isHostSideName(registryHost: string | undefined): boolean {
  return registryHost !== undefined && /^(localhost|127\.0\.0\.1|0\.0\.0\.0)(:\d+)?$/i.test(registryHost);
}

export interface BuildStep {
  readonly kind: 'build' | 'push' | 'import';
  readonly tool: 'docker' | 'k3d';
  readonly args: readonly string[];
  /** For the progress notification: "Building jakousa/dwk-app1:1a2b3c4". */
  readonly title: string;
}

export interface BuildPlanInput {
  /** The image with its new tag, as the manifest will say it. */
  readonly image: string;
  readonly contextDir: string;
  readonly dockerfile?: string;
  readonly publish: 'push' | 'import';
  /** The k3d cluster to import into (needed for `import`). */
  readonly cluster?: string;
}

export function buildPlan(input: BuildPlanInput): BuildStep[] {
  const steps: BuildStep[] = [{ kind: 'build', tool: 'docker', args: dockerBuildArgs(input.image, input.contextDir, input.dockerfile), title: `Building ${input.image}` }];
  if (input.publish === 'push') {
    steps.push({ kind: 'push', tool: 'docker', args: dockerPushArgs(input.image), title: `Pushing ${input.image}` });
  } else {
    if (!input.cluster) throw new Error('Importing an image needs a k3d cluster.');
    steps.push({ kind: 'import', tool: 'k3d', args: k3dImageImportArgs(input.image, input.cluster), title: `Importing ${input.image} into ${input.cluster}` });
  }
  return steps;
}
