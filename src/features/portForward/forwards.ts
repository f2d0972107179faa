// The running port forwards: each a local listener (core/kube/portForward.ts) whose connections go to the pod
// its target resolves to now. A deployment's or service's forward reads the context's shared pod cache
// (ctx.kube), so after a rollout the next connection reaches the new pod, and the view says which one.
import * as vscode from 'vscode';
import type { V1Pod } from '@kubernetes/client-node';
import { waitForSync, type CacheLease } from '../../core/kube/contexts.ts';
import { KubeError } from '../../core/kube/gateway.ts';
import { pickPod, podNotForwardable, PortForwarder } from '../../core/kube/portForward.ts';
import type { Ctx } from '../../ctx.ts';

export type ForwardKind = 'pod' | 'deployment' | 'service';

export interface ForwardSpec {
  context: string;
  namespace: string;
  kind: ForwardKind;
  name: string;
  /** The pods a deployment's or service's forward may reach. */
  selector?: Record<string, string>;
  remotePort: number;
  localPort: number;
}

export interface Forward extends ForwardSpec {
  readonly id: string;
  /** The port actually opened; `taken` says why it differs from the one asked for. */
  localPort: number;
  taken?: string;
  /** The pod connections go to now, or undefined with `problem` saying why there is none. */
  pod?: string;
  problem?: string;
  /** The last connection's failure, if the last connection failed. */
  lastError?: string;
  connections: number;
}

interface Running {
  forward: Forward;
  forwarder: PortForwarder;
  pods: CacheLease<V1Pod>;
  /** When each message was last shown, so a browser's retries do not stack notifications. */
  shown: Map<string, number>;
}

export interface ForwardErrorEvent {
  forward: Forward;
  message: string;
}

export class Forwards implements vscode.Disposable {
  private readonly ctx: Ctx;
  private readonly running = new Map<string, Running>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly failed = new vscode.EventEmitter<ForwardErrorEvent>();
  /** A connection failed (shown to the user at most every 30 s per message and forward). */
  readonly onDidFail = this.failed.event;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  list(): Forward[] {
    return [...this.running.values()].map((r) => r.forward);
  }

  get(id: string): Forward | undefined {
    return this.running.get(id)?.forward;
  }

  /** Starts a forward; an equal one (same target and remote port) already running is returned instead. */
  async start(spec: ForwardSpec): Promise<{ forward: Forward; existing: boolean }> {
    const id = `${spec.context}/${spec.namespace}/${spec.kind}/${spec.name}:${spec.remotePort}`;
    const existing = this.running.get(id);
    if (existing) return { forward: existing.forward, existing: true };
    const forward: Forward = { ...spec, id, connections: 0 };
    const pods = this.ctx.kube.acquire<V1Pod>(spec.context, 'pods', {
      onChange: () => this.follow(id),
      onState: () => this.follow(id),
    });
    const forwarder = new PortForwarder({
      http: () => this.ctx.kube.http(spec.context),
      namespace: spec.namespace,
      remotePort: spec.remotePort,
      pod: () => {
        const r = this.running.get(id);
        const why = r ? this.resolve(r) : 'The forward was stopped.';
        if (why || !forward.pod) throw new KubeError('failed', why ?? 'No pod to forward to.');
        return forward.pod;
      },
      onConnection: (pod) => {
        forward.connections++;
        forward.lastError = undefined;
        this.ctx.log.info(`Port forward localhost:${forward.localPort} → ${spec.kind}/${spec.name}:${spec.remotePort}: a connection to pod ${pod}`);
        this.changed.fire();
      },
      onError: (message, pod) => {
        forward.lastError = message;
        this.ctx.log.warn(`Port forward localhost:${forward.localPort} → ${spec.kind}/${spec.name}:${spec.remotePort}${pod ? ` (pod ${pod})` : ''}: ${message}`);
        this.changed.fire();
        const r = this.running.get(id);
        const last = r?.shown.get(message) ?? 0;
        if (r && Date.now() - last > 30_000) {
          r.shown.set(message, Date.now());
          this.failed.fire({ forward, message });
        }
      },
    });
    const running: Running = { forward, forwarder, pods, shown: new Map() };
    try {
      const listener = await forwarder.start(spec.localPort);
      forward.localPort = listener.port;
      forward.taken = listener.taken;
    } catch (e) {
      pods.release();
      throw new KubeError('failed', `Cannot listen on localhost:${spec.localPort}: ${(e as Error).message}`);
    }
    this.running.set(id, running);
    // The pod list first: the forward says at once which pod it reaches, or why none.
    await waitForSync(pods, 10_000);
    if (this.running.get(id) !== running) throw new KubeError('failed', 'The forward was stopped while it started.');
    this.resolve(running);
    this.ctx.log.info(`Port forward started: localhost:${forward.localPort} → ${spec.kind}/${spec.name}:${spec.remotePort} in ${spec.namespace} (${spec.context})${forward.taken ? `; ${forward.taken}` : ''}`);
    this.changed.fire();
    return { forward, existing: false };
  }

  stop(id: string): boolean {
    const r = this.running.get(id);
    if (!r) return false;
    this.running.delete(id);
    r.forwarder.stop();
    r.pods.release();
    this.ctx.log.info(`Port forward stopped: localhost:${r.forward.localPort} → ${r.forward.kind}/${r.forward.name}:${r.forward.remotePort}`);
    this.changed.fire();
    return true;
  }

  /** Which pod the forward reaches now (forward.pod, forward.problem); returns the problem, if any. */
  private resolve(r: Running): string | undefined {
    const f = r.forward;
    let pod: string | undefined;
    let problem: string | undefined;
    if (!r.pods.synced) {
      // Not listed yet (or the cache is reconnecting): a pod's own name is still the best guess.
      pod = f.kind === 'pod' ? f.name : f.pod;
      problem = pod ? undefined : 'Waiting for the pod list…';
    } else if (f.kind === 'pod') {
      problem = podNotForwardable(r.pods.get(`${f.namespace}/${f.name}`), f.name);
      pod = problem ? undefined : f.name;
    } else {
      pod = pickPod(r.pods.list(), f.namespace, f.selector ?? {})?.metadata?.name;
      problem = pod ? undefined : `No running pod of ${f.kind} ${f.name} to forward to.`;
    }
    if (pod !== f.pod && pod && f.pod) this.ctx.log.info(`Port forward localhost:${f.localPort} → ${f.kind}/${f.name}: now to pod ${pod} (was ${f.pod})`);
    f.pod = pod;
    f.problem = problem;
    return problem;
  }

  private follow(id: string): void {
    const r = this.running.get(id);
    if (!r) return;
    const before = `${r.forward.pod}|${r.forward.problem}`;
    this.resolve(r);
    if (`${r.forward.pod}|${r.forward.problem}` !== before) this.changed.fire();
  }

  dispose(): void {
    for (const id of [...this.running.keys()]) this.stop(id);
    this.changed.dispose();
    this.failed.dispose();
  }
}
