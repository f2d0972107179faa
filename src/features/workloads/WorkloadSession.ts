import type { KubeContexts, CacheState } from '../../core/kube/contexts.ts';
import type { KubeError } from '../../core/kube/gateway.ts';
import { ClusterWorkloads, type WorkloadChange, type WorkloadKind } from '../../core/kube/workloads.ts';

export type SessionState =
  | { kind: 'connecting' }
  | { kind: 'ready' }
  | { kind: 'failed'; error: Error };

export interface SessionHooks {
  onChange: (change: WorkloadChange) => void;
  onState: () => void;
}

/** What the tree holds of one kubeconfig context while its node is expanded: leases on the context's shared caches. */
export class WorkloadSession {
  readonly contextName: string;
  /** What the connection was made for: a new port or CA (a re-created cluster) means a new session. */
  readonly fingerprint: string;
  state: SessionState = { kind: 'connecting' };
  readonly workloads: ClusterWorkloads;
  /** Kinds whose watch is failing right now (the cache shows the last known state). */
  readonly degraded = new Map<WorkloadKind, KubeError>();
  private readonly hooks: SessionHooks;

  constructor(contexts: KubeContexts, contextName: string, fingerprint: string, hooks: SessionHooks) {
    this.contextName = contextName;
    this.fingerprint = fingerprint;
    this.hooks = hooks;
    this.workloads = new ClusterWorkloads(contexts, contextName, {
      onChange: (change) => this.hooks.onChange(change),
      onState: (kind, state) => this.cacheState(kind, state),
    });
    // Caches other consumers already hold are synced (or failed) before we listen.
    for (const [kind, state] of this.workloads.states()) this.apply(kind, state);
  }

  private cacheState(kind: WorkloadKind, state: CacheState): void {
    const before = this.summary();
    this.apply(kind, state);
    if (before !== this.summary()) {
      this.hooks.onState();
    }
  }

  private apply(kind: WorkloadKind, state: CacheState): void {
    if (state.kind === 'failed') {
      this.state = { kind: 'failed', error: state.error };
      return;
    }
    if (state.kind === 'error') {
      this.degraded.set(kind, state.error);
    } else if (state.kind === 'synced') {
      this.degraded.delete(kind);
    }
    if (this.workloads?.synced) {
      this.state = { kind: 'ready' };
    } else if (this.state.kind === 'failed' && state.kind !== 'suspended') {
      this.state = { kind: 'connecting' };
    }
  }

  private summary(): string {
    return `${this.state.kind}:${[...this.degraded.keys()].join(',')}`;
  }

  dispose(): void {
    this.workloads.stop();
  }
}
