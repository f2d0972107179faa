import type { KubeContexts, CacheLease, CacheState } from '../../core/kube/contexts.ts';
import { EventIndex, type KubeEvent } from '../../core/kube/events.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import type { KubeError } from '../../core/kube/gateway.ts';
import { ClusterWorkloads, type WorkloadChange, type WorkloadKind } from '../../core/kube/workloads.ts';

export type SessionState =
  | { kind: 'connecting' }
  | { kind: 'ready' }
  | { kind: 'failed'; error: Error };

export interface SessionHooks {
  onChange: (change: WorkloadChange) => void;
  onState: () => void;
  /** Events came, changed or went (keys namespace/name of the Event objects); `reset` after a re-list. */
  onEvents?: (keys: ReadonlySet<string>, reset: boolean) => void;
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
  /** The context's events, watched while the tree shows it (rows' warnings, tooltips, Events nodes). */
  readonly events: CacheLease<KubeEvent & KubeObject>;
  private eventIndexCache: { version: number; index: EventIndex } | undefined;

  constructor(contexts: KubeContexts, contextName: string, fingerprint: string, hooks: SessionHooks) {
    this.contextName = contextName;
    this.fingerprint = fingerprint;
    this.hooks = hooks;
    this.workloads = new ClusterWorkloads(contexts, contextName, {
      onChange: (change) => this.hooks.onChange(change),
      onState: (kind, state) => this.cacheState(kind, state),
    });
    this.events = contexts.acquire<KubeEvent & KubeObject>(contextName, 'events', {
      onChange: (keys, reset) => this.hooks.onEvents?.(keys, reset),
    });
    // Caches other consumers already hold are synced (or failed) before we listen.
    for (const [kind, state] of this.workloads.states()) this.apply(kind, state);
  }

  /** The events by the object they involve, rebuilt when the events cache changed. */
  eventIndex(): EventIndex {
    if (this.eventIndexCache?.version !== this.events.version) {
      this.eventIndexCache = { version: this.events.version, index: new EventIndex(this.events.list()) };
    }
    return this.eventIndexCache.index;
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
    this.events.release();
  }
}
