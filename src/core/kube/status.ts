// What `kubectl get` prints, computed the way kubectl's printers do
// (k8s.io/kubernetes pkg/printers/internalversion/printers.go), so the tree says exactly
// what the terminal would.
import type { V1Deployment, V1Pod, V1ReplicaSet, V1Node, V1ContainerStatus } from '@kubernetes/client-node';

export type Health = 'ok' | 'progressing' | 'failed' | 'done' | 'unknown';

export interface PodSummary {
  /** kubectl's STATUS column: Running, Pending, ContainerCreating, CrashLoopBackOff, Completed, Terminating... */
  status: string;
  /** READY: ready/total containers. */
  ready: string;
  restarts: number;
  /** When the last restart happened (for "3 (2m ago)"). */
  lastRestart?: Date;
  node?: string;
  health: Health;
  /** The reason and message of a failure, for tooltips. */
  problems: string[];
}

const FAILED_REASONS = new Set([
  'CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError',
  'CreateContainerError', 'RunContainerError', 'Error', 'OOMKilled', 'ContainerCannotRun', 'Evicted', 'Unknown', 'NodeLost',
  'ImageInspectError', 'RegistryUnavailable', 'DeadlineExceeded', 'BackOff',
]);

export function podSummary(pod: V1Pod): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  let reason = status.reason || status.phase || 'Unknown';
  let restarts = 0;
  let readyContainers = 0;
  let lastRestart: Date | undefined;
  const problems: string[] = [];
  const noteRestart = (c: V1ContainerStatus) => {
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished && (!lastRestart || new Date(finished) > lastRestart)) {
      lastRestart = new Date(finished);
    }
  };

  let initializing = false;
  const initSpecs = spec?.initContainers ?? [];
  const initStatuses = status.initContainerStatuses ?? [];
  let sidecarRestarts = 0;
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    noteRestart(c);
    const sidecar = initSpecs.find((s) => s.name === c.name)?.restartPolicy === 'Always';
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && terminated.exitCode === 0) {
      continue;
    }
    if (sidecar && c.started) {
      continue;
    }
    if (terminated) {
      reason = terminated.reason ? `Init:${terminated.reason}` : terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
      if (waiting.message) problems.push(`${c.name}: ${waiting.reason}: ${waiting.message}`);
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  const initializedCondition = status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false;
  const containers = status.containerStatuses ?? [];
  if (!initializing || initializedCondition) {
    restarts = sidecarRestarts;
    let hasRunning = false;
    for (let i = containers.length - 1; i >= 0; i--) {
      const c = containers[i];
      restarts += c.restartCount ?? 0;
      noteRestart(c);
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
        if (waiting.message) problems.push(`${c.name}: ${waiting.reason}: ${waiting.message}`);
      } else if (terminated?.reason) {
        reason = terminated.reason;
        if (terminated.message) problems.push(`${c.name}: ${terminated.reason}: ${terminated.message}`);
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (pod.metadata?.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') {
    reason = 'Terminating';
  }
  if (status.phase === 'Pending') {
    for (const c of status.conditions ?? []) {
      if (c.status === 'False' && c.reason === 'Unschedulable') problems.push(`Unschedulable: ${c.message ?? ''}`);
    }
  }

  const total = spec?.containers?.length ?? containers.length;
  return {
    status: reason,
    ready: `${readyContainers}/${total}`,
    restarts,
    lastRestart,
    node: spec?.nodeName,
    health: podHealth(reason, readyContainers, total, status.phase),
    problems,
  };
}

function podHealth(reason: string, ready: number, total: number, phase?: string): Health {
  const base = reason.startsWith('Init:') ? reason.slice(5) : reason;
  if (FAILED_REASONS.has(base) || base.startsWith('ExitCode:') || base.startsWith('Signal:') || phase === 'Failed') {
    return 'failed';
  }
  if (reason === 'Completed' || phase === 'Succeeded') {
    return 'done';
  }
  if (reason === 'Running' && ready === total) {
    return 'ok';
  }
  return 'progressing';
}

export interface DeploymentSummary {
  /** READY: readyReplicas/spec.replicas. */
  ready: string;
  upToDate: number;
  available: number;
  images: string[];
  health: Health;
  /** Progressing/Available conditions that are not fine, for tooltips. */
  problems: string[];
}

export function deploymentSummary(d: V1Deployment): DeploymentSummary {
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const ready = s.readyReplicas ?? 0;
  const problems = (s.conditions ?? [])
    .filter((c) => c.status !== 'True' || c.reason === 'ProgressDeadlineExceeded')
    .map((c) => `${c.type}: ${c.reason ?? ''}${c.message ? ` — ${c.message}` : ''}`);
  const stalled = (s.conditions ?? []).some((c) => c.type === 'Progressing' && c.status === 'False');
  const observed = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  const complete = observed && (s.updatedReplicas ?? 0) === desired && ready === desired && (s.replicas ?? 0) === desired && (s.availableReplicas ?? 0) === desired;
  return {
    ready: `${ready}/${desired}`,
    upToDate: s.updatedReplicas ?? 0,
    available: s.availableReplicas ?? 0,
    images: (d.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
    health: stalled ? 'failed' : complete ? 'ok' : 'progressing',
    problems,
  };
}

export interface ReplicaSetSummary {
  desired: number;
  current: number;
  ready: number;
  revision?: string;
  health: Health;
}

export function replicaSetSummary(rs: V1ReplicaSet): ReplicaSetSummary {
  const desired = rs.spec?.replicas ?? 1;
  const current = rs.status?.replicas ?? 0;
  const ready = rs.status?.readyReplicas ?? 0;
  return {
    desired,
    current,
    ready,
    revision: rs.metadata?.annotations?.['deployment.kubernetes.io/revision'],
    health: desired === 0 ? 'done' : ready === desired && current === desired ? 'ok' : 'progressing',
  };
}

export interface NodeSummary {
  status: string;
  roles: string;
  version: string;
  health: Health;
}

/** `kubectl get nodes`: STATUS Ready / NotReady (+ SchedulingDisabled), ROLES, VERSION. */
export function nodeSummary(node: V1Node): NodeSummary {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const statuses = [ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown'];
  if (node.spec?.unschedulable) {
    statuses.push('SchedulingDisabled');
  }
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length))
    .sort();
  return {
    status: statuses.join(','),
    roles: roles.join(',') || '<none>',
    version: node.status?.nodeInfo?.kubeletVersion ?? '',
    health: statuses[0] === 'Ready' ? 'ok' : 'failed',
  };
}

/** kubectl's AGE: 45s, 5m10s, 3h4m, 2d5h, 400d... (k8s.io/apimachinery duration.HumanDuration). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export function age(created: Date | string | undefined, now: number = Date.now()): string {
  return created ? humanDuration(now - new Date(created).getTime()) : '<unknown>';
}

/** RESTARTS as kubectl prints it: `0`, or `3 (2m ago)`. */
export function restartsText(summary: Pick<PodSummary, 'restarts' | 'lastRestart'>, now: number = Date.now()): string {
  return summary.restarts > 0 && summary.lastRestart
    ? `${summary.restarts} (${humanDuration(now - summary.lastRestart.getTime())} ago)`
    : String(summary.restarts);
}
