// The simulated kubelets of all nodes: pod sandbox, image pulls (with back-off), container start, crashes with
// CrashLoopBackOff, readiness, graceful termination. Timing scales with K3D_SIM_SPEED.
import type { Api } from './rest.ts';
import type { ClusterFile } from './cluster.ts';
import type { Recorder } from './events.ts';
import { kindOf } from './kinds.ts';
import { startProgram } from './logs.ts';
import type { LogStore } from './logs.ts';
import { imageDigest, imageMissing, imageSize, invalidImageReason, isImported, pullFailureMessage } from './images.ts';
import { normalizeImage } from './cluster.ts';
import { clone, nowISO, parseGoDuration, simDelay, simSpeed } from './util.ts';
import type { Obj } from './util.ts';
import { randomBytes } from 'node:crypto';

/** Real-world durations the simulation mimics (ms), before K3D_SIM_SPEED scaling. */
export const TIMING = { sandbox: 1000, pull: 3000, start: 300, backoffBase: 10_000, backoffMax: 300_000, crashDefault: 3000, neverPullRecheck: 2000 };

interface Runtime {
  uid: string;
  ns: string;
  name: string;
  timers: Set<NodeJS.Timeout>;
  stops: Map<string, () => void>;
  pullFailures: Map<string, number>;
  crashes: Map<string, number>;
  terminating: boolean;
}

function containerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

export class Kubelet {
  private api: Api;
  private cluster: ClusterFile;
  private recorder: Recorder;
  private logs: LogStore;
  private runs = new Map<string, Runtime>();
  private pulled = new Map<string, Set<string>>();
  private ipCounter = new Map<string, number>();
  private stopped = false;

  constructor(api: Api, cluster: ClusterFile, recorder: Recorder, logs: LogStore) {
    this.api = api;
    this.cluster = cluster;
    this.recorder = recorder;
    this.logs = logs;
    api.store.hub.subscribe((c) => {
      if (c.kind !== 'Pod') return;
      if (c.type === 'DELETED') this.forget(c.object.metadata.uid, true);
      else if (c.object.spec?.nodeName) this.ensure(c.object);
    });
    for (const p of api.store.list('Pod')) if (p.spec?.nodeName) this.ensure(clone(p));
  }

  stop(): void {
    this.stopped = true;
    for (const uid of [...this.runs.keys()]) this.forget(uid, false);
  }

  private after(rt: Runtime, realMs: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      rt.timers.delete(t);
      if (this.stopped || !this.runs.has(rt.uid)) return;
      try {
        fn();
      } catch (e) {
        console.error(`kubelet ${rt.ns}/${rt.name}:`, (e as Error).message);
      }
    }, simDelay(realMs));
    rt.timers.add(t);
  }

  private forget(uid: string, dropLogs: boolean): void {
    const rt = this.runs.get(uid);
    if (rt) {
      for (const t of rt.timers) clearTimeout(t);
      for (const s of rt.stops.values()) s();
      this.runs.delete(uid);
    }
    if (dropLogs) this.logs.dropPod(uid);
  }

  private pod(rt: Runtime): Obj | undefined {
    const p = this.api.tryGet(kindOf('Pod'), rt.ns, rt.name);
    return p && p.metadata.uid === rt.uid ? p : undefined;
  }

  private host(pod: Obj): string {
    return pod.spec.nodeName;
  }

  private event(pod: Obj, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    this.recorder.record(pod, type, reason, message, { component: 'kubelet', host: this.host(pod) }, container ? `spec.containers{${container}}` : undefined);
  }

  /** Mutates the pod's status through `fn` and writes it, recomputing conditions and phase. */
  private setStatus(rt: Runtime, fn: (status: Obj, pod: Obj) => void): Obj | undefined {
    const pod = this.pod(rt);
    if (!pod) return undefined;
    const status = clone(pod.status ?? {});
    fn(status, pod);
    this.derive(pod, status);
    return this.api.updateStatus('Pod', { ...pod, status });
  }

  private derive(pod: Obj, status: Obj): void {
    const cs: Obj[] = status.containerStatuses ?? [];
    const unready = cs.filter((c) => !c.ready).map((c) => c.name);
    const ready = cs.length > 0 && unready.length === 0;
    const prev: Obj[] = status.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string, message?: string): Obj => {
      const p = prev.find((c) => c.type === type);
      const st = ok ? 'True' : 'False';
      const c: Obj = { type, status: st, lastProbeTime: null, lastTransitionTime: p && p.status === st ? p.lastTransitionTime : nowISO() };
      if (!ok && reason) {
        c.reason = reason;
        c.message = message;
      }
      return c;
    };
    const sandbox = !!status.podIP;
    const msg = `containers with unready status: [${unready.join(' ')}]`;
    status.conditions = [
      cond('PodReadyToStartContainers', sandbox),
      cond('Initialized', true),
      cond('Ready', ready, 'ContainersNotReady', msg),
      cond('ContainersReady', ready, 'ContainersNotReady', msg),
      cond('PodScheduled', true),
    ];
    const terminated = cs.filter((c) => c.state?.terminated);
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (cs.length && terminated.length === cs.length && policy !== 'Always') {
      const failed = terminated.some((c) => c.state.terminated.exitCode !== 0);
      if (policy === 'Never' || !failed) status.phase = failed ? 'Failed' : 'Succeeded';
    } else if (cs.some((c) => c.state?.running || c.lastState?.terminated || c.state?.terminated)) status.phase = 'Running';
    else status.phase = 'Pending';
  }

  private ensure(pod: Obj): void {
    if (this.stopped) return;
    const uid = pod.metadata.uid;
    let rt = this.runs.get(uid);
    if (pod.metadata.deletionTimestamp) {
      if (!rt) {
        rt = this.newRuntime(pod);
      }
      this.terminate(rt, pod);
      return;
    }
    if (rt) return;
    rt = this.newRuntime(pod);
    const cs: Obj[] = pod.status?.containerStatuses ?? [];
    const allRunning = cs.length > 0 && cs.length === (pod.spec.containers ?? []).length && cs.every((c) => c.state?.running);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    if (allRunning) {
      // Resumed after an API server restart: the containers are still running.
      for (const c of pod.spec.containers) this.run(rt, pod, c, cs.find((s) => s.name === c.name)?.restartCount ?? 0);
      return;
    }
    this.after(rt, TIMING.sandbox, () => this.sandbox(rt!));
  }

  private newRuntime(pod: Obj): Runtime {
    const rt: Runtime = { uid: pod.metadata.uid, ns: pod.metadata.namespace, name: pod.metadata.name, timers: new Set(), stops: new Map(), pullFailures: new Map(), crashes: new Map(), terminating: false };
    this.runs.set(rt.uid, rt);
    return rt;
  }

  private podIP(node: string): string {
    const n = (this.ipCounter.get(node) ?? 1) + 1;
    this.ipCounter.set(node, n);
    const nodeObj = this.api.store.peek('Node', undefined, node);
    const cidr: string = nodeObj?.spec?.podCIDR ?? '10.42.0.0/24';
    const base = cidr.split('.').slice(0, 3).join('.');
    return `${base}.${(n % 250) + 2}`;
  }

  private nodeIP(node: string): string {
    const n = this.api.store.peek('Node', undefined, node);
    return (n?.status?.addresses ?? []).find((a: Obj) => a.type === 'InternalIP')?.address ?? '172.18.0.2';
  }

  private sandbox(rt: Runtime): void {
    const pod = this.setStatus(rt, (s, pod) => {
      const hostIP = this.nodeIP(pod.spec.nodeName);
      s.hostIP = hostIP;
      s.hostIPs = [{ ip: hostIP }];
      s.podIP = this.podIP(pod.spec.nodeName);
      s.podIPs = [{ ip: s.podIP }];
      s.startTime = s.startTime ?? nowISO();
      s.containerStatuses = (pod.spec.containers ?? []).map((c: Obj) => ({
        name: c.name,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: c.image,
        imageID: '',
        started: false,
      }));
    });
    if (pod) this.prepare(rt, 0);
  }

  /** Makes the image of container i available, then the next; starts all containers once done. */
  private prepare(rt: Runtime, i: number): void {
    const pod = this.pod(rt);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const containers: Obj[] = pod.spec.containers ?? [];
    if (i >= containers.length) {
      this.after(rt, TIMING.start, () => {
        const p = this.pod(rt);
        if (!p) return;
        for (const c of p.spec.containers) {
          const restarts = (p.status?.containerStatuses ?? []).find((s: Obj) => s.name === c.name)?.restartCount ?? 0;
          this.start(rt, p, c, restarts);
        }
      });
      return;
    }
    const c = containers[i]!;
    const image = String(c.image);
    const node = pod.spec.nodeName;
    const invalid = invalidImageReason(image);
    if (invalid) {
      const message = `Failed to apply default image tag "${image}": ${invalid}`;
      this.waiting(rt, c.name, 'InvalidImageName', message);
      this.event(pod, 'Warning', 'InspectFailed', message, c.name);
      this.event(pod, 'Warning', 'Failed', 'Error: InvalidImageName', c.name);
      return;
    }
    const imported = isImported(image, this.cluster.read().importedImages);
    const onNode = this.pulled.get(node)?.has(normalizeImage(image)) ?? false;
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    if (policy === 'Never' && !imported && !onNode) {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      if (!rt.pullFailures.has(c.name)) {
        this.waiting(rt, c.name, 'ErrImageNeverPull', message);
        this.event(pod, 'Warning', 'ErrImageNeverPull', message, c.name);
        this.event(pod, 'Warning', 'Failed', 'Error: ErrImageNeverPull', c.name);
        rt.pullFailures.set(c.name, 1);
      }
      this.after(rt, TIMING.neverPullRecheck, () => this.prepare(rt, i));
      return;
    }
    if (policy !== 'Always' && (imported || onNode)) {
      this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, c.name);
      this.prepare(rt, i + 1);
      return;
    }
    this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, c.name);
    const began = Date.now();
    this.after(rt, TIMING.pull, () => {
      const p = this.pod(rt);
      if (!p || p.metadata.deletionTimestamp) return;
      if (imageMissing(image)) {
        const n = (rt.pullFailures.get(c.name) ?? 0) + 1;
        rt.pullFailures.set(c.name, n);
        const msg = pullFailureMessage(image);
        this.waiting(rt, c.name, 'ErrImagePull', msg);
        this.event(p, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`, c.name);
        this.event(p, 'Warning', 'Failed', 'Error: ErrImagePull', c.name);
        const backoff = Math.min(TIMING.backoffBase * 2 ** (n - 1), TIMING.backoffMax);
        this.after(rt, 1000, () => {
          const p2 = this.pod(rt);
          if (!p2) return;
          this.waiting(rt, c.name, 'ImagePullBackOff', `Back-off pulling image "${image}": ErrImagePull: ${msg}`);
          this.event(p2, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, c.name);
          this.event(p2, 'Warning', 'Failed', 'Error: ImagePullBackOff', c.name);
        });
        this.after(rt, backoff, () => this.prepare(rt, i));
        return;
      }
      const secs = ((Date.now() - began) / 1000).toFixed(3);
      this.pulled.set(node, (this.pulled.get(node) ?? new Set()).add(normalizeImage(image)));
      this.event(p, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${imageSize(image)} bytes.`, c.name);
      this.prepare(rt, i + 1);
    });
  }

  private waiting(rt: Runtime, name: string, reason: string, message?: string): void {
    this.setStatus(rt, (s) => {
      const cs = (s.containerStatuses ?? []).find((c: Obj) => c.name === name);
      if (!cs) return;
      cs.state = { waiting: message ? { reason, message } : { reason } };
      cs.ready = false;
      cs.started = false;
    });
  }

  private start(rt: Runtime, pod: Obj, c: Obj, restarts: number): void {
    this.event(pod, 'Normal', 'Created', `Created container ${c.name}`, c.name);
    this.event(pod, 'Normal', 'Started', `Started container ${c.name}`, c.name);
    const startedAt = nowISO();
    this.setStatus(rt, (s) => {
      const cs = (s.containerStatuses ?? []).find((x: Obj) => x.name === c.name);
      if (!cs) return;
      cs.state = { running: { startedAt } };
      cs.ready = true;
      cs.started = true;
      cs.restartCount = restarts;
      cs.containerID = containerId();
      cs.imageID = `${normalizeImage(String(c.image)).replace(/:[^:/@]+$/, '')}@sha256:${imageDigest(String(c.image))}`;
    });
    this.run(rt, pod, c, restarts);
  }

  /** Runs the container's program; schedules its crash when it is one that crashes. */
  private run(rt: Runtime, pod: Obj, c: Obj, restarts: number): void {
    const buf = this.logs.open(rt.uid, c.name, restarts);
    rt.stops.get(c.name)?.();
    const stopProgram = startProgram(c, buf);
    rt.stops.set(c.name, () => {
      stopProgram();
      buf.close();
    });
    const crashEnv = (c.env ?? []).find((e: Obj) => e.name === 'SIM_CRASH_AFTER')?.value;
    const crashImage = /(^|\/)sim\/crash(:|@|$)/.test(String(c.image)) || String(c.image).startsWith('sim/crash');
    let crashMs: number | undefined;
    if (crashEnv) crashMs = parseGoDuration(String(crashEnv));
    else if (crashImage) crashMs = simDelay(TIMING.crashDefault);
    if (crashMs === undefined) return;
    const t = setTimeout(() => {
      rt.timers.delete(t);
      if (this.runs.has(rt.uid) && !rt.terminating) this.crash(rt, c.name);
    }, Math.max(crashMs, simSpeed() === 0 ? 20 : 0));
    rt.timers.add(t);
    void pod;
  }

  private crash(rt: Runtime, name: string): void {
    const pod = this.pod(rt);
    if (!pod) return;
    const stop = rt.stops.get(name);
    const c = pod.spec.containers.find((x: Obj) => x.name === name);
    const buf = this.logs.get(rt.uid, name, (pod.status?.containerStatuses ?? []).find((x: Obj) => x.name === name)?.restartCount ?? 0);
    buf?.write('fatal: simulated crash (exit code 1)');
    stop?.();
    rt.stops.delete(name);
    const finishedAt = nowISO();
    let terminated: Obj = {};
    this.setStatus(rt, (s) => {
      const cs = (s.containerStatuses ?? []).find((x: Obj) => x.name === name);
      if (!cs) return;
      terminated = { exitCode: 1, reason: 'Error', startedAt: cs.state?.running?.startedAt ?? finishedAt, finishedAt, containerID: cs.containerID };
      cs.state = { terminated };
      cs.ready = false;
      cs.started = false;
    });
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Never') return;
    const n = (rt.crashes.get(name) ?? 0) + 1;
    rt.crashes.set(name, n);
    const backoffMs = n === 1 ? 0 : Math.min(TIMING.backoffBase * 2 ** (n - 2), TIMING.backoffMax);
    this.after(rt, 500, () => {
      const p = this.pod(rt);
      if (!p || p.metadata.deletionTimestamp) return;
      let restarts = 0;
      this.setStatus(rt, (s) => {
        const cs = (s.containerStatuses ?? []).find((x: Obj) => x.name === name);
        if (!cs) return;
        cs.restartCount = (cs.restartCount ?? 0) + 1;
        restarts = cs.restartCount;
        cs.lastState = { terminated };
        if (backoffMs > 0) {
          cs.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(backoffMs / 1000)}s restarting failed container=${name} pod=${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})` } };
        }
      });
      if (backoffMs > 0) this.event(p, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`, name);
      this.after(rt, backoffMs, () => {
        const p2 = this.pod(rt);
        if (!p2 || p2.metadata.deletionTimestamp || !c) return;
        this.start(rt, p2, c, restarts);
      });
    });
  }

  private terminate(rt: Runtime, pod: Obj): void {
    if (rt.terminating) return;
    rt.terminating = true;
    for (const t of rt.timers) clearTimeout(t);
    rt.timers.clear();
    const running = (pod.status?.containerStatuses ?? []).filter((c: Obj) => c.state?.running);
    for (const c of running) this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, c.name);
    const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
    // Programs that ignore SIGTERM (like the course's Node.js app) run until the grace period ends.
    const ms = running.length ? Math.min(grace, 30) * 1000 : 0;
    const t = setTimeout(() => {
      for (const s of rt.stops.values()) s();
      rt.stops.clear();
      this.runs.delete(rt.uid);
      this.api.finalize(kindOf('Pod'), rt.ns, rt.name);
    }, simDelay(ms));
    rt.timers.add(t);
  }
}
