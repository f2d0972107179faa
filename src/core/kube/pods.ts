// What log following needs to know about pods, behind two small interfaces: the follower asks
// for one pod, the aggregator for the pods a selector matches. KubeHttp implements them here;
// tests fake them, and an adapter that already caches pods (a reflector) can answer from its cache.
import type { KubeConfig, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { KubeError } from './gateway.ts';
import { KubeHttp } from './http.ts';

export interface PodLookup {
  /** The pod, or undefined when it does not exist (any more). Throws when the API cannot be asked. */
  getPod(namespace: string, name: string): Promise<V1Pod | undefined>;
}

export interface PodLister {
  /** The pods in `namespace` that match `labelSelector` (e.g. `app=hashgenerator`). */
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
}

/**
 * getPod and listPods for the kubeconfig's current context, over KubeHttp: its timeouts apply, so
 * a follower never waits forever on a silent API server.
 */
export async function coreV1Pods(kc: KubeConfig): Promise<PodLookup & PodLister> {
  const http = new KubeHttp(kc);
  const pods = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  return {
    async getPod(namespace, name) {
      try {
        return await http.json<V1Pod>(`${pods(namespace)}/${encodeURIComponent(name)}`);
      } catch (e) {
        if (e instanceof KubeError && e.status === 404) {
          return undefined;
        }
        throw e;
      }
    },
    async listPods(namespace, labelSelector) {
      return (await http.json<{ items?: V1Pod[] }>(pods(namespace), { query: { labelSelector } })).items ?? [];
    },
  };
}

/** `matchLabels` as a label selector string: `{app: 'hashgenerator'}` -> `app=hashgenerator`. */
export function labelSelector(matchLabels: Record<string, string>): string {
  return Object.entries(matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The pod's containers, app containers first, then init containers (as kubectl lists them). */
export function containerNames(pod: V1Pod): { containers: string[]; initContainers: string[] } {
  return {
    containers: (pod.spec?.containers ?? []).map((c) => c.name),
    initContainers: (pod.spec?.initContainers ?? []).map((c) => c.name),
  };
}

/** kubectl's choice when no container is named: the default-container annotation, else the first. */
export function defaultContainer(pod: V1Pod): string | undefined {
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  const { containers, initContainers } = containerNames(pod);
  if (annotated && (containers.includes(annotated) || initContainers.includes(annotated))) {
    return annotated;
  }
  return containers[0];
}

export function containerStatus(pod: V1Pod, container: string): V1ContainerStatus | undefined {
  const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return all.find((s) => s.name === container);
}

/** Succeeded or Failed: no container of it will run again. */
export function podFinished(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function podDeleting(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}
