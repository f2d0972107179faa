// One stream for all pods a label selector matches (a Deployment's), like stern: pods that
// appear during a rollout join, deleted ones leave with a line saying so, and every line carries
// its pod's short name. The pod list is polled; each container has its own follower.
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { PodLister, PodLookup } from '../kube/pods.ts';
import { abortableSleep as sleep } from '../sleep.ts';
import { followPodLog, type FollowEndReason, type FollowEvent, type FollowPodLogOptions } from './follower.ts';
import { colorIndex, PodNamer, podPrefix } from './podNames.ts';
import type { LogTimestamp } from './timestamps.ts';

export interface AggregateLogsOptions {
  namespace: string;
  /** e.g. `app=hashgenerator`, a Deployment's `spec.selector.matchLabels`. */
  labelSelector: string;
  /** Only this container of each pod. Default: every app container (init containers are left out). */
  container?: string;
  /** Lines from before following started, for each pod there at the start. Pods that join later show all their lines. */
  tailLines?: number;
  pods: PodLister;
  signal: AbortSignal;
  onEvent: (event: AggregateEvent) => void;
  /** How often the pod list is read. Default 2,000 ms. */
  listIntervalMs?: number;
  /** How long a pod's stream may go on after the pod left the list. Default 5,000 ms. */
  leaveGraceMs?: number;
  /** Passed on to each pod's follower. */
  follow?: Pick<FollowPodLogOptions, 'pollMs' | 'backoffMs' | 'maxBackoffMs' | 'stream'>;
}

/** Who said it: the pod, its short name and the padded prefix to print before the text. */
export interface LogSource {
  pod: string;
  container: string;
  /** `x2k9l`, or `x2k9l/sidecar` when several containers of the pod are followed. */
  label: string;
  /** `[x2k9l] `, padded so that texts line up. */
  prefix: string;
  /** A stable colour slot for the pod (0..5). */
  color: number;
}

export type AggregateEvent =
  | ({ type: 'line'; text: string; time?: LogTimestamp } & LogSource)
  /** A pod started to be followed; `initial` for pods there when following began. */
  | ({ type: 'joined'; initial: boolean } & LogSource)
  /** A pod's stream ended for good: deleted, finished, or an error. */
  | ({ type: 'left'; reason: FollowEndReason; message: string } & LogSource)
  /** Something a pod's follower says that is not a line: waiting, restarted, reconnecting. */
  | ({ type: 'status'; event: FollowEvent } & LogSource)
  /** The pod list could not be read; the streams already open go on. */
  | { type: 'listError'; message: string; retryInMs: number }
  /** Stopped by the signal. */
  | { type: 'ended' };

interface TrackedPod {
  name: string;
  uid: string;
  abort: AbortController;
  running: number;
  /** The first follower end seen, said when the last one ends. */
  endReason?: FollowEndReason;
  endMessage?: string;
  leftList: boolean;
  graceTimer?: NodeJS.Timeout;
  containers: string[];
}

/**
 * Follows every pod matching the selector until the signal aborts. Resolves after every stream
 * has ended and `ended` was sent.
 */
export async function aggregatePodLogs(kc: KubeConfig, options: AggregateLogsOptions): Promise<void> {
  const { namespace, signal } = options;
  // A consumer that throws loses that event, not the streams.
  const onEvent = (event: AggregateEvent) => {
    try {
      options.onEvent(event);
    } catch {
      // ignored
    }
  };
  const listIntervalMs = options.listIntervalMs ?? 2_000;
  const leaveGraceMs = options.leaveGraceMs ?? 5_000;
  const namer = new PodNamer();
  const tracked = new Map<string, TrackedPod>(); // by uid
  const followers = new Set<Promise<unknown>>();
  let snapshot = new Map<string, V1Pod>(); // by name: what the followers see of their pods
  let first = true;
  let failures = 0;

  // Followers ask the last list, not the API: one request per interval, whatever the pod count.
  const lookup: PodLookup = { getPod: (_ns, name) => Promise.resolve(snapshot.get(name)) };

  const source = (pod: TrackedPod, container: string): LogSource => {
    const short = namer.name(pod.name);
    const label = pod.containers.length > 1 ? `${short}/${container}` : short;
    return { pod: pod.name, container, label, prefix: podPrefix(label, labelWidth()), color: colorIndex(pod.name) };
  };
  const podSource = (pod: TrackedPod): LogSource => {
    const label = namer.name(pod.name);
    return { pod: pod.name, container: pod.containers.length === 1 ? pod.containers[0] : '', label, prefix: podPrefix(label, labelWidth()), color: colorIndex(pod.name) };
  };
  const labelWidth = () => {
    let width = 0;
    for (const pod of tracked.values()) {
      const short = namer.name(pod.name);
      for (const c of pod.containers) {
        width = Math.max(width, pod.containers.length > 1 ? short.length + 1 + c.length : short.length);
      }
    }
    return width;
  };

  const start = (pod: V1Pod, initial: boolean) => {
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid || name;
    const all = (pod.spec?.containers ?? []).map((c) => c.name);
    const containers = options.container ? all.filter((c) => c === options.container) : all;
    const entry: TrackedPod = { name, uid, abort: new AbortController(), running: 0, leftList: false, containers };
    tracked.set(uid, entry);
    if (containers.length === 0) {
      entry.endReason = 'error';
      onEvent({ type: 'left', reason: 'error', message: `pod ${name} has no container ${options.container}`, ...podSource(entry) });
      return;
    }
    onEvent({ type: 'joined', initial, ...podSource(entry) });
    for (const container of containers) {
      entry.running++;
      const follower = followPodLog(kc, {
        namespace,
        pod: name,
        container,
        tailLines: initial ? options.tailLines : undefined,
        pods: lookup,
        signal: entry.abort.signal,
        ...options.follow,
        onEvent: (event) => {
          if (event.type === 'line') {
            onEvent({ type: 'line', text: event.text, time: event.time, ...source(entry, container) });
          } else if (event.type === 'ended') {
            if (entry.endReason === undefined || entry.endReason === 'stopped') {
              entry.endReason = event.reason === 'stopped' && entry.leftList ? 'podDeleted' : event.reason;
              entry.endMessage = event.message;
            }
          } else {
            onEvent({ type: 'status', event, ...source(entry, container) });
          }
        },
      }).then(() => {
        entry.running--;
        if (entry.running === 0) {
          clearTimeout(entry.graceTimer);
          if (!signal.aborted || entry.endReason !== 'stopped') {
            onEvent({ type: 'left', reason: entry.endReason ?? 'stopped', message: entry.endMessage ?? '', ...podSource(entry) });
          }
        }
      });
      followers.add(follower);
      void follower.finally(() => followers.delete(follower));
    }
  };

  const reconcile = (pods: V1Pod[]) => {
    snapshot = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
    const present = new Set(pods.map((p) => p.metadata?.uid || p.metadata?.name || ''));
    for (const pod of pods) {
      const uid = pod.metadata?.uid || pod.metadata?.name || '';
      if (!tracked.has(uid)) {
        start(pod, first);
      }
    }
    for (const [uid, entry] of tracked) {
      if (present.has(uid)) {
        continue;
      }
      if (entry.running > 0) {
        // Gone from the list: its follower should notice on its own when the stream ends; a
        // stream that hangs on is cut after a grace period.
        if (!entry.leftList) {
          entry.leftList = true;
          entry.graceTimer = setTimeout(() => entry.abort.abort(), leaveGraceMs);
        }
      } else {
        tracked.delete(uid);
        if (![...tracked.values()].some((t) => t.name === entry.name)) {
          namer.forget(entry.name);
        }
      }
    }
    first = false;
  };

  while (!signal.aborted) {
    try {
      const pods = await options.pods.listPods(namespace, options.labelSelector);
      if (signal.aborted) {
        break;
      }
      failures = 0;
      reconcile(pods.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')));
      await sleep(listIntervalMs, signal);
    } catch (e) {
      if (signal.aborted) {
        break;
      }
      failures++;
      const retryInMs = Math.min(30_000, listIntervalMs * 2 ** Math.min(failures - 1, 4));
      onEvent({ type: 'listError', message: (e as Error).message, retryInMs });
      await sleep(retryInMs, signal);
    }
  }
  for (const entry of tracked.values()) {
    clearTimeout(entry.graceTimer);
    entry.abort.abort();
  }
  await Promise.all([...followers]);
  onEvent({ type: 'ended' });
}
