// Where a freshly built image goes so that the cluster can run it: pushed to its registry, or
// imported into the k3d cluster's nodes (WORKFLOW.md rows 7 and 18).
import type { ImageReference } from '../manifests/imageReference.ts';
import { validateClusterName } from '../k3d/names.ts';
import { dockerBuildArgs, dockerPushArgs, k3dImageImportArgs } from './docker.ts';

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

export interface BuildStep {
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
  const steps: BuildStep[] = [{ tool: 'docker', args: dockerBuildArgs(input.image, input.contextDir, input.dockerfile), title: `Building ${input.image}` }];
  if (input.publish === 'push') {
    steps.push({ tool: 'docker', args: dockerPushArgs(input.image), title: `Pushing ${input.image}` });
  } else {
    if (!input.cluster) throw new Error('Importing an image needs a k3d cluster.');
    steps.push({ tool: 'k3d', args: k3dImageImportArgs(input.image, input.cluster), title: `Importing ${input.image} into ${input.cluster}` });
  }
  return steps;
}
