// Following a container's log as `kubectl logs -f` would, and further: waits for a container that
// has not started, goes on after a restart with no line twice or missing (timestamps + sinceTime),
// reconnects with backoff when the connection fails, and ends when the pod is deleted or done.
import type { KubeConfig, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { PodLogError, streamPodLog } from '../kube/podLogs.ts';
import { containerNames, containerStatus, defaultContainer, podDeleting, podFinished, type PodLookup } from '../kube/pods.ts';
import { abortableSleep } from '../sleep.ts';
import { parseTimestampedLine, sinceTimeParam, TimestampDeduper, type LogTimestamp } from './timestamps.ts';

export type FollowEvent =
  /** A log line; `text` without the timestamp, which is in `time`. */
  | { type: 'line'; text: string; time?: LogTimestamp }
  /** The log is streaming (again). `defaulted` when no container was named and several exist. */
  | { type: 'following'; container: string; resumed: boolean; defaulted?: { from: string[] } }
  /** No log to read yet; the follower polls the pod and starts when the container does. */
  | { type: 'waiting'; container: string; reason: string; message?: string; imagePull: boolean }
  /** The container restarted; the log goes on with the new instance. */
  | { type: 'restarted'; container: string; restartCount: number; exitCode?: number; exitReason?: string }
  /** The connection failed; the next try is in `delayMs`. */
  | { type: 'reconnecting'; attempt: number; delayMs: number; message: string }
  /** The last event: the follower stopped. */
  | FollowEnd;

export type FollowEndReason =
  /** The pod went away while it was followed. */
  | 'podDeleted'
  /** The pod does not exist (it never did while we looked). */
  | 'podNotFound'
  /** The pod finished (Succeeded/Failed) and its log is complete, or `previous` was read. */
  | 'completed'
  /** The signal stopped it. */
  | 'stopped'
  /** Nothing will change by waiting: a wrong container name, no permission... */
  | 'error';

export interface FollowEnd {
  type: 'ended';
  reason: FollowEndReason;
  message: string;
  error?: PodLogError;
  /** When the container was not found or not named: the pod's containers. */
  containers?: string[];
}

export interface FollowPodLogOptions {
  namespace: string;
  pod: string;
  /** Default: kubectl's choice (the default-container annotation, else the first container). */
  container?: string;
  /** Lines to show from before following started (first connection only). Default: all. */
  tailLines?: number;
  /** RFC3339: show lines from this time (first connection only). */
  sinceTime?: string;
  /** Read the log of the previous (crashed) instance once, and end. */
  previous?: boolean;
  pods: PodLookup;
  signal: AbortSignal;
  onEvent: (event: FollowEvent) => void;
  /** How often to look at a pod that is not running (yet). Default 1,000 ms. */
  pollMs?: number;
  /** First reconnect delay after a failure; it doubles up to maxBackoffMs. Defaults 500 / 30,000 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** For tests: the log request. */
  stream?: typeof streamPodLog;
}

/** Which run of the container a log request would read now (containerID, else the restart number). */
function instanceOf(status: V1ContainerStatus): string {
  const id = status.state?.running || status.state?.terminated ? (status.state.terminated?.containerID ?? status.containerID) : status.lastState?.terminated?.containerID;
  return id || `#${status.restartCount}`;
}

function hasLog(status: V1ContainerStatus | undefined): status is V1ContainerStatus {
  return !!status && !!(status.state?.running || status.state?.terminated || status.lastState?.terminated);
}

/** Why a container has no log yet, from the pod's status. */
function waitingOf(pod: V1Pod, status: V1ContainerStatus | undefined): { reason: string; message?: string; imagePull: boolean } {
  const waiting = status?.state?.waiting;
  if (waiting?.reason) {
    return { reason: waiting.reason, message: waiting.message, imagePull: /ImagePull|ErrImage|InvalidImageName/.test(waiting.reason) };
  }
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) {
    return { reason: unscheduled.reason ?? 'Unschedulable', message: unscheduled.message, imagePull: false };
  }
  return { reason: pod.status?.phase ?? 'Pending', imagePull: false };
}

/**
 * Follows a container's log until the pod is deleted, the pod finishes, or the signal stops it:
 * waits for a container that has not started, continues after a restart with no line twice or
 * missing (timestamps + sinceTime), and reconnects with backoff when the connection fails.
 * Resolves with the final event, which `onEvent` also gets; never rejects.
 */
export async function followPodLog(kc: KubeConfig, options: FollowPodLogOptions): Promise<FollowEnd> {
  const { namespace, signal } = options;
  // A consumer that throws loses that event, not the stream.
  const onEvent = (event: FollowEvent) => {
    try {
      options.onEvent(event);
    } catch {
      // ignored
    }
  };
  const pollMs = options.pollMs ?? 1_000;
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const stream = options.stream ?? streamPodLog;
  const podName = options.pod;
  const dedupe = new TimestampDeduper();
  let container = options.container;
  let uid: string | undefined;
  let failures = 0;
  let opened = false; // a stream has been opened at least once
  let streamedInstance: string | undefined; // the run whose log we last read
  let endedInstance: string | undefined; // the run whose log ended (eof)
  let rereadAfterEof = false;
  let lastWaiting = '';
  let openedAt = 0;

  const end = (reason: FollowEndReason, message: string, extra: Partial<FollowEnd> = {}): FollowEnd => {
    const event: FollowEnd = { type: 'ended', reason, message, ...extra };
    onEvent(event);
    return event;
  };
  const stopped = () => end('stopped', 'Stopped following.');
  const gone = () => end('podDeleted', `Pod ${podName} was deleted.`);
  const wait = (pod: V1Pod, status: V1ContainerStatus | undefined) => {
    const w = waitingOf(pod, status);
    const key = `${w.reason}\n${w.message ?? ''}`;
    if (key !== lastWaiting) {
      lastWaiting = key;
      onEvent({ type: 'waiting', container: container ?? '', ...w });
    }
    return abortableSleep(pollMs, signal);
  };
  const backoff = (message: string) => {
    failures++;
    const delayMs = Math.min(maxBackoffMs, backoffMs * 2 ** (failures - 1));
    onEvent({ type: 'reconnecting', attempt: failures, delayMs, message });
    return abortableSleep(delayMs, signal);
  };

  while (!signal.aborted) {
    let pod: V1Pod | undefined;
    try {
      pod = await options.pods.getPod(namespace, podName);
    } catch (e) {
      if (signal.aborted) {
        break;
      }
      await backoff((e as Error).message);
      continue;
    }
    if (signal.aborted) {
      break;
    }
    if (!pod || (uid !== undefined && pod.metadata?.uid !== undefined && pod.metadata.uid !== uid)) {
      return uid !== undefined ? gone() : end('podNotFound', `There is no pod ${podName} in namespace ${namespace}.`);
    }
    uid ??= pod.metadata?.uid ?? '';
    const names = containerNames(pod);
    const all = [...names.containers, ...names.initContainers];
    let defaulted: { from: string[] } | undefined;
    if (container === undefined) {
      container = defaultContainer(pod);
      if (container === undefined) {
        return end('error', `Pod ${podName} has no containers.`);
      }
      if (names.containers.length > 1) {
        defaulted = { from: names.containers };
      }
    }
    if (!all.includes(container)) {
      return end('error', `Pod ${podName} has no container named ${container}; its containers: ${all.join(', ')}.`, { containers: all });
    }
    const status = containerStatus(pod, container);

    if (options.previous) {
      return readPrevious(kc, stream, options, container, all, onEvent);
    }
    if (!hasLog(status)) {
      if (podDeleting(pod)) {
        return gone();
      }
      if (podFinished(pod)) {
        return end('completed', `Pod ${podName} finished without running ${container}.`);
      }
      await wait(pod, status);
      continue;
    }
    const instance = instanceOf(status);
    if (instance === endedInstance) {
      // This run's log has been read to its end: wait for the next run, or for the pod to go.
      if (podDeleting(pod)) {
        return gone();
      }
      if (podFinished(pod) || (status.state?.terminated && pod.spec?.restartPolicy === 'Never')) {
        return end('completed', `Container ${container} exited${exitText(status.state?.terminated ?? status.lastState?.terminated)}; its log is complete.`);
      }
      if (!status.state?.running || !rereadAfterEof) {
        // Running: the status may lag behind the exit. Look again once, then ask the server again
        // (it may have closed the stream for its own reasons); the dedupe drops what repeats.
        rereadAfterEof = !!status.state?.running;
        if (status.state?.waiting) {
          await wait(pod, status);
        } else {
          await abortableSleep(pollMs, signal);
        }
        continue;
      }
    }
    lastWaiting = '';
    const resumed = opened;
    const restarted = streamedInstance !== undefined && instance !== streamedInstance;
    const last = dedupe.lastSeen;
    dedupe.resume();
    try {
      const outcome = await stream(kc, {
        namespace,
        pod: podName,
        container,
        follow: true,
        timestamps: true,
        // Resume after the last line seen; if none was, ask as the first time did.
        ...(opened && last ? { sinceTime: sinceTimeParam(last) } : { tailLines: options.tailLines, sinceTime: options.sinceTime }),
        signal,
        onOpen: () => {
          opened = true;
          openedAt = Date.now();
          streamedInstance = instance;
          endedInstance = undefined;
          rereadAfterEof = false;
          if (restarted) {
            const previous = status.lastState?.terminated;
            onEvent({ type: 'restarted', container: container as string, restartCount: status.restartCount, exitCode: previous?.exitCode, exitReason: previous?.reason });
          }
          onEvent({ type: 'following', container: container as string, resumed: resumed && !restarted, ...(defaulted ? { defaulted } : {}) });
          defaulted = undefined;
        },
        onLine: (raw) => {
          const { time, text } = parseTimestampedLine(raw);
          if (dedupe.accept(time)) {
            failures = 0;
            onEvent({ type: 'line', text, time });
          }
        },
      });
      if (outcome === 'aborted') {
        break;
      }
      endedInstance = instance;
    } catch (e) {
      if (signal.aborted) {
        break;
      }
      const error = e instanceof PodLogError ? e : new PodLogError('failed', (e as Error).message);
      switch (error.reason) {
        case 'waiting':
        case 'imagePull':
          // The pod's status lags behind the kubelet: wait as if it had said so.
          if (error.waitingReason && `${error.waitingReason}\n` !== lastWaiting) {
            lastWaiting = `${error.waitingReason}\n`;
            onEvent({ type: 'waiting', container, reason: error.waitingReason, message: error.message, imagePull: error.reason === 'imagePull' });
          }
          await abortableSleep(pollMs, signal);
          continue;
        case 'podNotFound':
          await abortableSleep(pollMs, signal); // the next look at the pod tells deleted from not-yet-known
          continue;
        case 'containerNotFound':
        case 'containerRequired':
          return end('error', error.message, { error, containers: all });
        case 'previousNotFound':
        case 'unauthorized':
        case 'forbidden':
        case 'failed':
          return end('error', error.message, { error });
        default:
          if (openedAt && Date.now() - openedAt > 10_000) {
            failures = 0; // it streamed for a while: a new incident, not the same one again
          }
          openedAt = 0;
          await backoff(error.message);
          continue;
      }
    }
  }
  return stopped();
}

async function readPrevious(
  kc: KubeConfig,
  stream: typeof streamPodLog,
  options: FollowPodLogOptions,
  container: string,
  all: string[],
  onEvent: (event: FollowEvent) => void,
): Promise<FollowEnd> {
  const { signal } = options;
  try {
    const outcome = await stream(kc, {
      namespace: options.namespace,
      pod: options.pod,
      container,
      previous: true,
      timestamps: true,
      tailLines: options.tailLines,
      signal,
      onLine: (raw) => onEvent({ type: 'line', ...parseTimestampedLine(raw) }),
    });
    const event: FollowEnd =
      outcome === 'aborted'
        ? { type: 'ended', reason: 'stopped', message: 'Stopped.' }
        : { type: 'ended', reason: 'completed', message: `End of the log of ${container}'s previous run.` };
    onEvent(event);
    return event;
  } catch (e) {
    const error = e instanceof PodLogError ? e : new PodLogError('failed', (e as Error).message);
    const message = error.reason === 'previousNotFound' ? `Container ${container} has not restarted: there is no previous log.` : error.message;
    const event: FollowEnd = { type: 'ended', reason: 'error', message, error, ...(error.reason === 'containerNotFound' ? { containers: all } : {}) };
    onEvent(event);
    return event;
  }
}

function exitText(terminated: { exitCode?: number; reason?: string } | undefined): string {
  if (!terminated) {
    return '';
  }
  return ` (exit code ${terminated.exitCode ?? '?'}${terminated.reason ? `, ${terminated.reason}` : ''})`;
}
