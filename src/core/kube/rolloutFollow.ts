// `kubectl rollout status`, followed from the context's shared deployment and pod caches (no
// polling): one GET tells the deployment's generation right after the apply, then every watch
// event of the deployment or of a pod in its namespace is a new look at the rollout.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { CacheLease, KubeContexts } from './contexts.ts';
import type { KubeHttp } from './http.ts';
import type { KubeObject } from './reflector.ts';
import { rolloutStatus } from './rollout.ts';
import { podSummary } from './status.ts';

/** How often the deployment is read while its cache cannot tell (not synced). */
const FALLBACK_POLL_MS = 2000;

export interface RolloutFailure {
  pod: V1Pod;
  /** As kubectl's STATUS column: ImagePullBackOff, CrashLoopBackOff... */
  reason: string;
  detail: string;
}

export type RolloutResult =
  | { outcome: 'complete' }
  | { outcome: 'failed'; failure?: RolloutFailure }
  /** The signal aborted (Cancel, the time limit). */
  | { outcome: 'stopped' };

export interface FollowRolloutOptions {
  signal: AbortSignal;
  /** Each new `kubectl rollout status` line. */
  onMessage?: (message: string) => void;
}

export async function followRolloutFromCache(contexts: KubeContexts, http: KubeHttp, context: string, namespace: string, name: string, options: FollowRolloutOptions): Promise<RolloutResult> {
  const { signal } = options;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const key = `${namespace}/${name}`;
  const deployments: CacheLease<V1Deployment & KubeObject> = contexts.acquire(context, 'deployments', {
    onChange: (keys, reset) => (reset || keys.has(key)) && poke(),
  });
  const pods: CacheLease<V1Pod & KubeObject> = contexts.acquire(context, 'pods', {
    onChange: (keys, reset) => (reset || [...keys].some((k) => k.startsWith(`${namespace}/`))) && poke(),
  });
  signal.addEventListener('abort', poke);
  try {
    // What the apply made: the cache may not have seen the new generation yet.
    const api = http.withSignal(signal);
    const get = () => api.json<V1Deployment>(`/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}`).catch(() => undefined);
    let applied = await get();
    const minGeneration = applied?.metadata?.generation ?? 0;
    let last = '';
    while (!signal.aborted) {
      const cached = deployments.get(key);
      const d = cached && (cached.metadata?.generation ?? 0) >= minGeneration ? cached : applied;
      if (d) {
        const status = rolloutStatus(d);
        if (status.message !== last) {
          options.onMessage?.(status.message);
          last = status.message;
        }
        if (status.done) return { outcome: 'complete' };
        if (status.failed) return { outcome: 'failed' };
        const failure = pods.synced ? failingPod(pods.list(), d) : undefined;
        if (failure) return { outcome: 'failed', failure };
      }
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), FALLBACK_POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
        if (signal.aborted) poke();
      });
      // A cache that cannot sync (its context is not known to be live, its watch fails): ask now and then.
      if (!woken && !deployments.synced && !signal.aborted) applied = (await get()) ?? applied;
    }
    return { outcome: 'stopped' };
  } finally {
    signal.removeEventListener('abort', poke);
    deployments.release();
    pods.release();
  }
}

/** A pod of the deployment (its selector's labels, in its namespace) that is failing (ImagePullBackOff, CrashLoopBackOff...). */
export function failingPod(pods: V1Pod[], d: V1Deployment): RolloutFailure | undefined {
  const namespace = d.metadata?.namespace;
  const match = Object.entries(d.spec?.selector?.matchLabels ?? {});
  for (const pod of pods) {
    if (pod.metadata?.namespace !== namespace) continue;
    if (!match.every(([k, v]) => pod.metadata?.labels?.[k] === v)) continue;
    const s = podSummary(pod);
    if (s.health === 'failed') {
      return { pod, reason: s.status, detail: s.problems[0]?.replace(/^[^:]+: [^:]+: /, '') ?? '' };
    }
  }
  return undefined;
}
