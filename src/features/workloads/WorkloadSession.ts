import { connectContext } from '../../core/kube/connect.ts';
import type { KubeError } from '../../core/kube/gateway.ts';
import type { ReflectorState } from '../../core/kube/reflector.ts';
import { ClusterWorkloads, type WorkloadChange, type WorkloadKind } from '../../core/kube/workloads.ts';

export type SessionState =
  | { kind: 'connecting' }
  | { kind: 'ready' }
  | { kind: 'failed'; error: Error };

export interface SessionHooks {
  kubeconfigFiles: () => string[];
  onChange: (change: WorkloadChange) => void;
  onState: () => void;
  log: (message: string) => void;
}

/** The live workloads of one kubeconfig context, while its tree node is expanded. */
export class WorkloadSession {
  readonly contextName: string;
  /** What the connection was made for: a new port or CA (a re-created cluster) means a new session. */
  readonly fingerprint: string;
  state: SessionState = { kind: 'connecting' };
  workloads: ClusterWorkloads | undefined;
  /** Kinds whose watch is failing right now (the cache shows the last known state). */
  readonly degraded = new Map<WorkloadKind, KubeError>();
  private disposed = false;
  private readonly hooks: SessionHooks;

  constructor(contextName: string, fingerprint: string, hooks: SessionHooks) {
    this.contextName = contextName;
    this.fingerprint = fingerprint;
    this.hooks = hooks;
  }

  async start(): Promise<void> {
    try {
      const http = await connectContext(this.contextName, this.hooks.kubeconfigFiles());
      if (this.disposed) {
        return;
      }
      const workloads = new ClusterWorkloads(http, {
        onChange: (change) => this.hooks.onChange(change),
        onState: (kind, state) => this.reflectorState(kind, state),
        log: (m) => this.hooks.log(`[${this.contextName}] ${m}`),
      });
      this.workloads = workloads;
      workloads.start();
    } catch (e) {
      this.state = { kind: 'failed', error: e as Error };
      this.hooks.onState();
    }
  }

  private reflectorState(kind: WorkloadKind, state: ReflectorState): void {
    const before = this.summary();
    if (state.kind === 'error') {
      this.degraded.set(kind, state.error);
    } else if (state.kind === 'synced') {
      this.degraded.delete(kind);
    }
    if (this.workloads?.synced && this.state.kind !== 'ready') {
      this.state = { kind: 'ready' };
    }
    if (before !== this.summary()) {
      this.hooks.onState();
    }
  }

  private summary(): string {
    return `${this.state.kind}:${[...this.degraded.keys()].join(',')}`;
  }

  dispose(): void {
    this.disposed = true;
    this.workloads?.stop();
  }
}
