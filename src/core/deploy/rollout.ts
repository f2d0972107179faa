// The loop's rollout and first-log phases: `kubectl rollout status` until the new pods are
// available, or until one of them fails in a way that waiting will not fix — and then the
// reason in words and the fix: ImagePullBackOff with why (not imported, a registry name the
// nodes cannot reach, the pull policy), CrashLoopBackOff with the previous container's last log
// lines, a deadline. Then the new pod's first log line. Pure over a small API interface.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { labelSelector } from '../kube/pods.ts';
import { rolloutStatus } from '../kube/rollout.ts';
import { podSummary } from '../kube/status.ts';
import { sameImage } from '../manifests/imageReference.ts';

export interface RolloutApi {
  deployment(namespace: string, name: string, signal: AbortSignal): Promise<V1Deployment | undefined>;
  pods(namespace: string, selector: string, signal: AbortSignal): Promise<V1Pod[]>;
  /** The log's text (`kubectl logs [--previous] --tail N`); throws when there is none. */
  log(namespace: string, pod: string, query: { container?: string; previous?: boolean; tailLines?: number }, signal: AbortSignal): Promise<string>;
  /** `kubectl logs -f`: each line to `onLine` until the signal aborts or the stream ends. */
  follow(namespace: string, pod: string, container: string | undefined, signal: AbortSignal, onLine: (line: string) => void): Promise<void>;
  /**
   * Optional: calls `onChange` whenever the deployment changes (a watch, as `kubectl rollout
   * status` follows it) until the signal aborts: the follower then looks again at once instead
   * of at its next poll, so "rolled out" is seen when the cluster says it, not up to a poll later.
   */
  watchDeployment?(namespace: string, name: string, signal: AbortSignal, onChange: () => void): Promise<void>;
}

export type RolloutFailureKind = 'imagePull' | 'crashLoop' | 'podFailed' | 'deadline' | 'timedOut';

export interface RolloutFailure {
  readonly kind: RolloutFailureKind;
  /** One line: "pod hashapp-dep-5d9-x2 is CrashLoopBackOff (exit code 3)". */
  readonly reason: string;
  /** What to do. */
  readonly fix: string;
  readonly pod?: string;
  /** CrashLoopBackOff: the previous container's last log lines. */
  readonly lastLines?: readonly string[];
}

export type RolloutResult = { readonly ok: true; readonly pods: readonly V1Pod[] } | ({ readonly ok: false } & RolloutFailure);

export interface WatchRolloutOptions {
  readonly namespace: string;
  readonly name: string;
  /** The image the new pods run: pods of older ReplicaSets (still running the old one) are not judged. */
  readonly image?: string;
  /** How the image got to the cluster, for the pull failure's fix. */
  readonly delivery?: { readonly method: 'import' | 'push'; readonly cluster?: string };
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly pollMs?: number;
  readonly onProgress?: (message: string) => void;
}

const LAST_LINES = 10;

/** Polls the deployment and its pods until the rollout is done, fails, or the time is up. */
export async function watchRollout(api: RolloutApi, options: WatchRolloutOptions): Promise<RolloutResult> {
  const watching = new AbortController();
  const wake = new Wake();
  const stopWatching = () => watching.abort();
  options.signal.addEventListener('abort', stopWatching, { once: true });
  void api.watchDeployment?.(options.namespace, options.name, watching.signal, () => wake.fire()).catch(() => undefined);
  try {
    return await pollRollout(api, options, wake);
  } finally {
    options.signal.removeEventListener('abort', stopWatching);
    watching.abort();
  }
}

/** A poll's sleep that a watch event ends early (an event during a poll counts for the next sleep). */
class Wake {
  private pending = false;
  private resolve: (() => void) | undefined;
  /** How many sleeps a watch event ended early (for tests). */
  woken = 0;

  fire(): void {
    if (this.resolve) {
      this.woken++;
      this.resolve();
    } else this.pending = true;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending) {
      this.pending = false;
      this.woken++;
      return Promise.resolve();
    }
    // Woken early, the timer is cleared too (no poll timer outlives the follower).
    const early = new AbortController();
    this.resolve = () => early.abort();
    return sleep(ms, AbortSignal.any([signal, early.signal])).finally(() => {
      this.resolve = undefined;
    });
  }
}

async function pollRollout(api: RolloutApi, options: WatchRolloutOptions, wake: Wake): Promise<RolloutResult> {
  const { namespace, name, signal } = options;
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  while (!signal.aborted) {
    const d = await api.deployment(namespace, name, signal).catch(() => undefined);
    if (d) {
      const status = rolloutStatus(d);
      if (status.message !== last) {
        last = status.message;
        options.onProgress?.(last);
      }
      const selector = labelSelector(d.spec?.selector?.matchLabels ?? {});
      const pods = (await api.pods(namespace, selector, signal).catch(() => [] as V1Pod[])).filter((p) => isNewPod(p, options.image));
      if (status.done) return { ok: true, pods: pods.filter((p) => !p.metadata?.deletionTimestamp) };
      const failing = pods.map((p) => ({ pod: p, failure: podFailure(p) })).find((x) => x.failure !== undefined);
      if (failing?.failure) return { ok: false, ...(await explain(api, namespace, failing.pod, failing.failure, options)) };
      if (status.failed) {
        return { ok: false, kind: 'deadline', reason: status.message, fix: `The deployment's pods did not become available within its progressDeadlineSeconds: look at its pods and events (Show Events).` };
      }
    }
    if (Date.now() >= deadline) {
      return {
        ok: false,
        kind: 'timedOut',
        reason: `deployment/${name} has not finished rolling out after ${Math.round(options.timeoutMs / 1000)} s${last ? ` (${last})` : ''}`,
        fix: 'It may still complete: watch it in the k3d view, or raise k3d.rolloutTimeout.',
      };
    }
    await wake.sleep(options.pollMs ?? 200, signal);
  }
  throw new DOMException('The rollout watch was cancelled.', 'AbortError');
}

function isNewPod(pod: V1Pod, image: string | undefined): boolean {
  if (image === undefined) return true;
  return (pod.spec?.containers ?? []).some((c) => c.image !== undefined && sameImage(c.image, image));
}

interface PodFailure {
  readonly status: string;
  readonly container?: string;
  readonly message?: string;
  readonly exitCode?: number;
  readonly restarts: number;
}

/** A failure that waiting will not fix, or undefined while the pod is fine or still starting. */
export function podFailure(pod: V1Pod): PodFailure | undefined {
  const summary = podSummary(pod);
  if (summary.health !== 'failed') return undefined;
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = c.state?.waiting;
    const terminated = c.state?.terminated ?? c.lastState?.terminated;
    if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
      // A container that exited once and is restarting is not yet a crash loop: wait for the back-off.
      return { status: waiting.reason, container: c.name, message: waiting.message, exitCode: c.lastState?.terminated?.exitCode, restarts: c.restartCount ?? 0 };
    }
    if (c.state?.terminated && (c.state.terminated.exitCode ?? 0) !== 0 && (c.restartCount ?? 0) >= 2) {
      return { status: c.state.terminated.reason ?? 'Error', container: c.name, message: c.state.terminated.message, exitCode: terminated?.exitCode, restarts: c.restartCount ?? 0 };
    }
  }
  return summary.status === 'Error' || summary.status.startsWith('ExitCode:') ? undefined : { status: summary.status, restarts: summary.restarts, message: summary.problems[0] };
}

async function explain(api: RolloutApi, namespace: string, pod: V1Pod, failure: PodFailure, options: WatchRolloutOptions): Promise<RolloutFailure> {
  const podName = pod.metadata?.name ?? '';
  if (/ImagePull|ErrImage|InvalidImageName/.test(failure.status)) {
    const spec = (pod.spec?.containers ?? []).find((c) => c.name === failure.container) ?? pod.spec?.containers?.[0];
    const why = explainPullFailure({ status: failure.status, message: failure.message ?? '', image: spec?.image ?? options.image ?? '', pullPolicy: spec?.imagePullPolicy, delivery: options.delivery });
    return { kind: 'imagePull', pod: podName, reason: `pod ${podName} is ${failure.status}: ${why.why}`, fix: why.fix };
  }
  if (failure.status === 'CrashLoopBackOff' || failure.exitCode !== undefined) {
    let lastLines: string[] = [];
    for (const previous of [true, false]) {
      const text = await api.log(namespace, podName, { container: failure.container, previous, tailLines: LAST_LINES }, options.signal).catch(() => '');
      lastLines = text.split('\n').filter((l) => l.trim() !== '').slice(-LAST_LINES);
      if (lastLines.length > 0) break;
    }
    const code = failure.exitCode !== undefined ? ` (exit code ${failure.exitCode}, ${failure.restarts} restart${failure.restarts === 1 ? '' : 's'})` : '';
    return {
      kind: 'crashLoop',
      pod: podName,
      reason: `pod ${podName} ${failure.status === 'CrashLoopBackOff' ? 'is CrashLoopBackOff' : `exited (${failure.status}) and is restarting: CrashLoopBackOff`}${code}: the container starts and exits${lastLines.length ? `; its last lines: ${lastLines.slice(-3).join(' | ')}` : ' without printing anything'}`,
      fix: 'The new version exits at start: read its last log lines (kubectl logs --previous), fix the app or its configuration and save again.',
      lastLines,
    };
  }
  return {
    kind: 'podFailed',
    pod: podName,
    reason: `pod ${podName} is ${failure.status}${failure.message ? `: ${failure.message}` : ''}`,
    fix: 'Look at the pod (Show Pod) and its events (Show Events).',
  };
}

export interface PullFailureInput {
  readonly status: string;
  readonly message: string;
  readonly image: string;
  readonly pullPolicy?: string;
  readonly delivery?: { readonly method: 'import' | 'push'; readonly cluster?: string };
}

/** Why a node cannot pull the image, and the fix: from the kubelet's message and how the loop delivered it. */
export function explainPullFailure(input: PullFailureInput): { why: string; fix: string } {
  const { message, image } = input;
  const imported = input.delivery?.method === 'import';
  if (input.status === 'InvalidImageName') return { why: `"${image}" is not a valid image name`, fix: 'Correct the image: line.' };
  if (input.status === 'ErrImageNeverPull') {
    return { why: `imagePullPolicy is Never and the nodes do not have ${image}`, fix: `Import it: k3d image import ${image} -c ${input.delivery?.cluster ?? 'CLUSTER'}.` };
  }
  if (imported && input.pullPolicy === 'Always') {
    return {
      why: `the image was imported into the nodes, but imagePullPolicy: Always makes the kubelet pull it from a registry, where it does not exist`,
      fix: 'Set imagePullPolicy: IfNotPresent for this container (the Quick Fix on the image line shows the change).',
    };
  }
  if (/no such host|server misbehaving|connection refused|dial tcp|i\/o timeout|network is unreachable/i.test(message)) {
    return {
      why: `the nodes cannot reach the registry ${registryOf(image)} (${shortPullMessage(message)})`,
      fix: 'Name the registry as the nodes know it (for a k3d registry k3d-NAME:PORT, as kube-public/local-registry-hosting says), and check that it runs (k3d registry list).',
    };
  }
  if (/manifest unknown|not found|pull access denied|repository does not exist|may require authorization|unauthorized/i.test(message)) {
    if (imported || registryOf(image) === 'docker.io') {
      return {
        why: `${image} is not on the nodes and no registry has it (${shortPullMessage(message)})`,
        fix: `Import the image into the cluster (k3d image import ${image} -c ${input.delivery?.cluster ?? 'CLUSTER'}) and use imagePullPolicy: IfNotPresent, or push it to the cluster's registry.`,
      };
    }
    return { why: `the registry ${registryOf(image)} has no ${image} (${shortPullMessage(message)})`, fix: `Push the image there (docker push), or correct the tag.` };
  }
  return { why: shortPullMessage(message) || 'the kubelet cannot pull the image', fix: 'Look at the pod\'s events (Show Events).' };
}

function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

function shortPullMessage(message: string): string {
  const m = message.replace(/^Back-off pulling image "[^"]*": (ErrImagePull: )?/, '');
  const tail = m.match(/(pull access denied[^,]*|manifest unknown[^,]*|no such host|connection refused|not found)/i)?.[0];
  return (tail ?? m).slice(0, 200);
}

export interface SettleOptions {
  readonly namespace: string;
  readonly pods: readonly V1Pod[];
  /** How long the new pods must stay up. */
  readonly windowMs: number;
  readonly signal: AbortSignal;
  readonly pollMs?: number;
  readonly delivery?: WatchRolloutOptions['delivery'];
}

/**
 * A pod without a readiness probe is "available" the moment it runs, so `kubectl rollout status`
 * says "successfully rolled out" for a version that exits a moment later. The loop watches the
 * new pods a little longer: a container that exits or restarts in the window is a crash, told
 * with its last log lines.
 */
export async function watchSettle(api: RolloutApi, options: SettleOptions): Promise<RolloutResult> {
  const { namespace, signal } = options;
  const restarts = new Map(options.pods.map((p) => [p.metadata?.name ?? '', totalRestarts(p)]));
  const deadline = Date.now() + options.windowMs;
  const names = new Set(restarts.keys());
  const selector = labelSelector(options.pods[0]?.metadata?.labels ?? {});
  let current: V1Pod[] = [...options.pods];
  while (!signal.aborted) {
    current = (await api.pods(namespace, selector, signal).catch(() => current)).filter((p) => names.has(p.metadata?.name ?? ''));
    for (const pod of current) {
      const crashed = (pod.status?.containerStatuses ?? []).find((c) => (c.restartCount ?? 0) > 0 || c.state?.terminated !== undefined || c.state?.waiting?.reason === 'CrashLoopBackOff');
      if (crashed && (totalRestarts(pod) > (restarts.get(pod.metadata?.name ?? '') ?? 0) || crashed.state?.terminated || crashed.state?.waiting)) {
        const exitCode = crashed.state?.terminated?.exitCode ?? crashed.lastState?.terminated?.exitCode;
        const failure: PodFailure = { status: crashed.state?.waiting?.reason ?? crashed.state?.terminated?.reason ?? 'Error', container: crashed.name, exitCode: exitCode ?? 1, restarts: crashed.restartCount ?? 0 };
        return { ok: false, ...(await explain(api, namespace, pod, failure, { namespace, name: '', timeoutMs: 0, signal, delivery: options.delivery })) };
      }
    }
    if (Date.now() >= deadline) return { ok: true, pods: current };
    await sleep(options.pollMs ?? 200, signal);
  }
  throw new DOMException('The settle watch was cancelled.', 'AbortError');
}

function totalRestarts(pod: V1Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

export interface FirstLogOptions {
  readonly namespace: string;
  readonly pods: readonly V1Pod[];
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** The first log line of any of the new pods, or undefined when none printed within the time. */
export async function firstLogLine(api: RolloutApi, options: FirstLogOptions): Promise<{ pod: string; line: string } | undefined> {
  if (options.pods.length === 0) return undefined;
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, options.signal, AbortSignal.timeout(options.timeoutMs)]);
  let first: { pod: string; line: string } | undefined;
  await Promise.race([
    ...options.pods.map((pod) => {
      const name = pod.metadata?.name ?? '';
      return api
        .follow(options.namespace, name, pod.spec?.containers?.[0]?.name, signal, (line) => {
          if (first === undefined && line.trim() !== '') {
            first = { pod: name, line };
            stop.abort();
          }
        })
        .catch(() => undefined)
        .then(() => (first ? undefined : new Promise<void>(() => undefined))); // a stream that ended empty does not end the wait
    }),
    new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }))),
  ]);
  stop.abort();
  return first;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
