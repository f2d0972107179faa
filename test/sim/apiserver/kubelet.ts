// The simulated kubelets of all nodes: pod sandbox, image pulls (with back-off), container start, crashes with
// CrashLoopBackOff, readiness, graceful termination. Timing scales with K3D_SIM_SPEED.
// Images are resolved from facts (runtime/images.ts); a real image (imported with an ID, or pulled from a cluster
// registry) runs as a real Docker container (runtime/docker.ts), other images run the simulated programs of logs.ts.
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
import { followLogs, inspectImage, registryImage, removeContainers, removeContainersSync, runContainer, stopContainer, waitContainer } from './runtime/docker.ts';
import type { Exit } from './runtime/docker.ts';
import { connectionRefused, noSuchHost, pullAccessDenied, resolveImage, splitRef, tagNotFound } from './runtime/images.ts';
import type { ImageSource } from './runtime/images.ts';
import { containerEnv, expandVars } from './runtime/env.ts';

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
  /** Container name -> the Docker image ID it runs from, for containers whose image is real. */
  images: Map<string, { id: string; imageID: string }>;
  /** Container name -> the running Docker container, and the last exited one (for --previous). */
  real: Map<string, { current?: string; exited?: string }>;
  /** This pod's `docker run`s under way: its termination waits for them. */
  starting: Set<Promise<unknown>>;
}

/** A real container's lifecycle ended without an exit from the program (it could not start). */
const START_ERROR_EXIT = 128;

function containerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

export class Kubelet {
  private api: Api;
  private cluster: ClusterFile;
  private recorder: Recorder;
  private logs: LogStore;
  private runs = new Map<string, Runtime>();
  private pulled = new Map<string, Map<string, { id: string; imageID: string } | undefined>>();
  private ipCounter = new Map<string, number>();
  private stopped = false;
  /** Every Docker container this kubelet created and has not removed yet. */
  private dockerIds = new Set<string>();
  /** `docker run`s under way: a shutdown waits for them, so no container appears after it. */
  private starting = new Set<Promise<unknown>>();

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

  /** Stops every pod: the simulated programs end, the real containers are stopped and removed (synchronously: the API server exits next). */
  stop(): void {
    this.stopped = true;
    for (const uid of [...this.runs.keys()]) this.forget(uid, false);
    removeContainersSync([...this.dockerIds]);
    this.dockerIds.clear();
  }

  /** After stop(): waits for container starts under way (at most 4 s: the simulated k3d kills after 5 s, then removes what is left by label), then removes what they made. */
  async drained(): Promise<void> {
    if (!this.starting.size) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.starting]), new Promise((r) => { timer = setTimeout(r, 4_000); })]);
    clearTimeout(timer);
    await removeContainers([...this.dockerIds]);
    this.dockerIds.clear();
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
      if (!this.stopped) void this.removeReal(rt);
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
      // Resumed after an API server restart: the simulated programs go on; real containers (removed when the
      // API server stopped) are started again from the image the cluster has.
      void this.resume(rt, pod, cs).catch((e: unknown) => console.error(`kubelet ${rt.ns}/${rt.name}:`, (e as Error).message));
      return;
    }
    this.after(rt, TIMING.sandbox, () => this.sandbox(rt!));
  }

  private newRuntime(pod: Obj): Runtime {
    const rt: Runtime = { uid: pod.metadata.uid, ns: pod.metadata.namespace, name: pod.metadata.name, timers: new Set(), stops: new Map(), pullFailures: new Map(), crashes: new Map(), terminating: false, images: new Map(), real: new Map(), starting: new Set() };
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
    const invalid = invalidImageReason(image);
    if (invalid) {
      const message = `Failed to apply default image tag "${image}": ${invalid}`;
      this.waiting(rt, c.name, 'InvalidImageName', message);
      this.event(pod, 'Warning', 'InspectFailed', message, c.name);
      this.event(pod, 'Warning', 'Failed', 'Error: InvalidImageName', c.name);
      return;
    }
    const cfg = this.cluster.read();
    this.whenDone(rt, resolveImage(image, cfg), (src) => this.prepareFrom(rt, i, c, src, cfg.importedImages));
  }

  /** Runs `then` with the promise's value unless the pod went away (or the kubelet stopped) meanwhile. */
  private whenDone<T>(rt: Runtime, p: Promise<T>, then: (v: T) => void): void {
    p.then((v) => {
      if (this.stopped || this.runs.get(rt.uid) !== rt || rt.terminating) return;
      then(v);
    }).catch((e: unknown) => console.error(`kubelet ${rt.ns}/${rt.name}:`, (e as Error).message));
  }

  /** `importedNames`: cluster.json's importedImages as read together with the facts `src` was decided from. */
  private prepareFrom(rt: Runtime, i: number, c: Obj, src: ImageSource, importedNames: string[]): void {
    const pod = this.pod(rt);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const image = String(c.image);
    const canonical = normalizeImage(image);
    const node = pod.spec.nodeName;
    const imported = src.kind === 'imported' || isImported(image, importedNames);
    const onNodeHas = this.pulled.get(node)?.has(canonical) ?? false;
    const onNode = this.pulled.get(node)?.get(canonical);
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    rt.images.delete(c.name);
    if (policy === 'Never' && !imported && !onNodeHas) {
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
    if (policy !== 'Always' && (imported || onNodeHas)) {
      const present = (): void => {
        this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, c.name);
        this.prepare(rt, i + 1);
      };
      const id = src.kind === 'imported' ? src.id : onNode?.id;
      if (!id) return present();
      // A real image runs from the host's Docker: it has to be reachable.
      this.whenDone(rt, inspectImage(id), (found) => {
        if ('id' in found) {
          rt.images.set(c.name, { id, imageID: onNode?.imageID ?? id });
          present();
        } else this.pullFailed(rt, i, c, `failed to pull and unpack image "${canonical}": ${'down' in found ? found.down : `image ${id} is no longer in the host's Docker`}`);
      });
      return;
    }
    this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, c.name);
    const began = Date.now();
    this.after(rt, TIMING.pull, () => {
      const p = this.pod(rt);
      if (!p || p.metadata.deletionTimestamp) return;
      const pulled = (size: number, real?: { id: string; imageID: string }): void => {
        const secs = ((Date.now() - began) / 1000).toFixed(3);
        if (!this.pulled.has(node)) this.pulled.set(node, new Map());
        this.pulled.get(node)!.set(canonical, real);
        if (real) rt.images.set(c.name, real);
        this.event(p, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${size} bytes.`, c.name);
        this.prepare(rt, i + 1);
      };
      // Always asks the registry, also for an imported image.
      const from = src.kind === 'imported' ? resolveImage(image, { ...this.cluster.read(), importedImageIds: {} }) : Promise.resolve(src);
      this.whenDone(rt, from, (s) => this.pull(rt, i, c, s, pulled));
    });
  }

  /** The pull itself, by where the image comes from. */
  private pull(rt: Runtime, i: number, c: Obj, src: ImageSource, pulled: (size: number, real?: { id: string; imageID: string }) => void): void {
    const image = String(c.image);
    const canonical = normalizeImage(image);
    switch (src.kind) {
      case 'scripted':
      case 'imported':
        if (imageMissing(image)) this.pullFailed(rt, i, c, pullFailureMessage(image));
        else pulled(imageSize(image));
        return;
      case 'hostOnly':
        this.pullFailed(rt, i, c, pullAccessDenied(canonical));
        return;
      case 'unresolvable':
        this.pullFailed(rt, i, c, noSuchHost(canonical, src.host, src.repo, src.tag));
        return;
      case 'refused':
        this.pullFailed(rt, i, c, connectionRefused(canonical, src.host, src.repo, src.tag, src.host));
        return;
      case 'registry': {
        const { host } = splitRef(canonical);
        this.whenDone(rt, registryImage(src.hostPort, src.repo, src.tag), (got) => {
          if ('missing' in got) return this.pullFailed(rt, i, c, tagNotFound(canonical));
          if ('unreachable' in got) return this.pullFailed(rt, i, c, connectionRefused(canonical, host, src.repo, src.tag, host).replace(/connect: connection refused$/, got.unreachable));
          if ('error' in got) return this.pullFailed(rt, i, c, `failed to pull and unpack image "${canonical}": ${got.error}`);
          pulled(got.size, { id: got.id, imageID: got.digest ? `${host}/${src.repo}@${got.digest}` : got.id });
        });
        return;
      }
    }
  }

  /** ErrImagePull, then ImagePullBackOff, and another try after the back-off. */
  private pullFailed(rt: Runtime, i: number, c: Obj, msg: string): void {
    const p = this.pod(rt);
    if (!p) return;
    const image = String(c.image);
    const n = (rt.pullFailures.get(c.name) ?? 0) + 1;
    rt.pullFailures.set(c.name, n);
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
    const real = rt.images.get(c.name);
    if (real) {
      this.startReal(rt, pod, c, restarts, real);
      return;
    }
    this.event(pod, 'Normal', 'Created', `Created container ${c.name}`, c.name);
    this.event(pod, 'Normal', 'Started', `Started container ${c.name}`, c.name);
    this.running(rt, c, restarts, containerId(), `${normalizeImage(String(c.image)).replace(/:[^:/@]+$/, '')}@sha256:${imageDigest(String(c.image))}`, nowISO());
    this.run(rt, pod, c, restarts);
  }

  private running(rt: Runtime, c: Obj, restarts: number, containerID: string, imageID: string, startedAt: string): void {
    this.setStatus(rt, (s) => {
      const cs = (s.containerStatuses ?? []).find((x: Obj) => x.name === c.name);
      if (!cs) return;
      cs.state = { running: { startedAt } };
      cs.ready = true;
      cs.started = true;
      cs.restartCount = restarts;
      cs.containerID = containerID;
      cs.imageID = imageID;
    });
  }

  /** Runs the container as a real Docker container: its output is the log, its exit drives restarts. */
  private startReal(rt: Runtime, pod: Obj, c: Obj, restarts: number, image: { id: string; imageID: string }): void {
    const env = containerEnv(this.api, pod, c);
    const vars = new Map(env);
    const spec = {
      cluster: this.cluster.read().name,
      namespace: rt.ns,
      pod: rt.name,
      container: c.name,
      restart: restarts,
      image: image.id,
      hostname: String(pod.spec.hostname ?? rt.name).slice(0, 63),
      env,
      ...(c.command ? { command: (c.command as string[]).map((a) => expandVars(String(a), vars)) } : {}),
      ...(c.args ? { args: (c.args as string[]).map((a) => expandVars(String(a), vars)) } : {}),
      ...(c.workingDir ? { workingDir: String(c.workingDir) } : {}),
    };
    const slot = rt.real.get(c.name) ?? {};
    rt.real.set(c.name, slot);
    const started = runContainer(spec);
    this.starting.add(started);
    rt.starting.add(started);
    void started.finally(() => {
      this.starting.delete(started);
      rt.starting.delete(started);
    });
    started.then((r) => {
      if ('id' in r) this.dockerIds.add(r.id);
      if (!this.stopped && this.runs.get(rt.uid) === rt && rt.terminating) {
        // The pod is being deleted: its termination waits for this start and removes the container.
        if ('id' in r) slot.current = r.id;
        return;
      }
      if (this.stopped || this.runs.get(rt.uid) !== rt) {
        if ('id' in r) void this.removeIds([r.id]);
        return;
      }
      const p = this.pod(rt) ?? pod;
      if ('error' in r) {
        this.event(p, 'Warning', 'Failed', `Error: failed to create containerd task: ${r.error}`, c.name);
        this.exited(rt, c.name, { exitCode: START_ERROR_EXIT, reason: 'StartError', message: r.error });
        return;
      }
      slot.current = r.id;
      this.event(p, 'Normal', 'Created', `Created container ${c.name}`, c.name);
      this.event(p, 'Normal', 'Started', `Started container ${c.name}`, c.name);
      this.running(rt, c, restarts, `containerd://${r.id}`, image.imageID, nowISO());
      const buf = this.logs.open(rt.uid, c.name, restarts);
      let logsEnded = false;
      let exit: Exit | undefined;
      const ended = (): void => {
        if (!logsEnded || !exit) return;
        buf.close();
        rt.stops.delete(c.name);
        if (this.stopped || this.runs.get(rt.uid) !== rt || rt.terminating || slot.current !== r.id) return;
        const previous = slot.exited;
        slot.exited = r.id;
        slot.current = undefined;
        // Kubernetes keeps the last exited container (for --previous), not the older ones.
        if (previous) void this.removeIds([previous]);
        this.exited(rt, c.name, exit);
      };
      const stopLogs = followLogs(r.id, (ts, text, partial) => buf.write(text, ts ? Date.parse(ts) || Date.now() : Date.now(), ts || undefined, partial), () => {
        logsEnded = true;
        ended();
      });
      rt.stops.set(c.name, () => {
        stopLogs();
        buf.close();
      });
      void waitContainer(r.id).then((w) => {
        exit = 'error' in w ? { exitCode: START_ERROR_EXIT, reason: 'Error', message: w.error } : w;
        ended();
      });
    }).catch((e: unknown) => console.error(`kubelet ${rt.ns}/${rt.name}:`, (e as Error).message));
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

  /** A simulated program's crash (exit code 1). */
  private crash(rt: Runtime, name: string): void {
    const pod = this.pod(rt);
    if (!pod) return;
    const buf = this.logs.get(rt.uid, name, (pod.status?.containerStatuses ?? []).find((x: Obj) => x.name === name)?.restartCount ?? 0);
    buf?.write('fatal: simulated crash (exit code 1)');
    rt.stops.get(name)?.();
    rt.stops.delete(name);
    this.exited(rt, name, { exitCode: 1, reason: 'Error' });
  }

  /** A container ended: terminated state, then a restart (with CrashLoopBackOff) as the restart policy says. */
  private exited(rt: Runtime, name: string, exit: Exit): void {
    const pod = this.pod(rt);
    if (!pod) return;
    const c = pod.spec.containers.find((x: Obj) => x.name === name);
    const finishedAt = exit.finishedAt ?? nowISO();
    let terminated: Obj = {};
    this.setStatus(rt, (s) => {
      const cs = (s.containerStatuses ?? []).find((x: Obj) => x.name === name);
      if (!cs) return;
      terminated = { exitCode: exit.exitCode, reason: exit.reason, ...(exit.message ? { message: exit.message } : {}), startedAt: exit.startedAt ?? cs.state?.running?.startedAt ?? finishedAt, finishedAt, ...(cs.containerID ? { containerID: cs.containerID } : {}) };
      if (exit.reason === 'StartError') terminated.startedAt = '1970-01-01T00:00:00Z';
      cs.state = { terminated };
      cs.ready = false;
      cs.started = false;
    });
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Never' || (policy === 'OnFailure' && exit.exitCode === 0)) return;
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

  /** After an API server restart: real containers start again from the image the cluster has, simulated programs go on. */
  private async resume(rt: Runtime, pod: Obj, cs: Obj[]): Promise<void> {
    const cfg = this.cluster.read();
    for (const c of pod.spec.containers as Obj[]) {
      const src = await resolveImage(String(c.image), cfg);
      let id: string | undefined;
      if (src.kind === 'imported') id = src.id;
      else if (src.kind === 'registry') {
        const found = await registryImage(src.hostPort, src.repo, src.tag, false);
        if ('id' in found) id = found.id;
      }
      if (this.stopped || this.runs.get(rt.uid) !== rt || rt.terminating) return;
      const status = cs.find((s) => s.name === c.name);
      if (id) rt.images.set(c.name, { id, imageID: status?.imageID || id });
      const restarts = status?.restartCount ?? 0;
      if (id) this.startReal(rt, pod, c, restarts, rt.images.get(c.name)!);
      else this.run(rt, pod, c, restarts);
    }
  }

  private async removeIds(ids: string[]): Promise<void> {
    await removeContainers(ids);
    for (const id of ids) this.dockerIds.delete(id);
  }

  /** Removes every Docker container of the pod (running and exited). */
  private async removeReal(rt: Runtime): Promise<void> {
    const ids = [...rt.real.values()].flatMap((s) => [s.current, s.exited]).filter((x): x is string => !!x);
    rt.real.clear();
    await this.removeIds(ids);
  }

  private terminate(rt: Runtime, pod: Obj): void {
    if (rt.terminating) return;
    rt.terminating = true;
    for (const t of rt.timers) clearTimeout(t);
    rt.timers.clear();
    const running = (pod.status?.containerStatuses ?? []).filter((c: Obj) => c.state?.running);
    for (const c of running) this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, c.name);
    const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
    const realRunning = [...rt.real.values()].map((s) => s.current).filter((x): x is string => !!x);
    const simulated = running.filter((c: Obj) => !rt.real.get(c.name)?.current);
    // Programs that ignore SIGTERM (like the course's Node.js app) run until the grace period ends.
    const ms = simulated.length ? Math.min(grace, 30) * 1000 : 0;
    // Real containers get SIGTERM, then SIGKILL after the grace period (scaled like every other delay).
    const stopped = Promise.all([...realRunning.map((id) => stopContainer(id, simDelay(Math.min(grace, 30) * 1000) / 1000)), ...rt.starting]);
    const t = setTimeout(() => {
      void stopped.then(async () => {
        for (const s of rt.stops.values()) s();
        rt.stops.clear();
        await this.removeReal(rt);
        if (this.runs.get(rt.uid) === rt) this.runs.delete(rt.uid);
        if (!this.stopped) this.api.finalize(kindOf('Pod'), rt.ns, rt.name);
      }).catch((e: unknown) => console.error(`kubelet ${rt.ns}/${rt.name}:`, (e as Error).message));
    }, simDelay(ms));
    rt.timers.add(t);
  }
}
