// Live cluster state, owned in one place: per kubeconfig context one connection (one KubeHttp)
// and shared list+watch caches, one per resource kind, reference-counted. A cache's watch starts
// when its first consumer acquires it and stops when the last one releases it; every consumer
// of a context (the tree, a rollout being followed, the image diagnostics) reads the same cache.
import { promises as fs } from 'node:fs';
import { connectContext } from './connect.ts';
import type { KubeHttp } from './http.ts';
import { readKubeconfig, type KubeconfigView } from './kubeconfig.ts';
import { objectKey, Reflector, type KubeObject, type ReflectorState } from './reflector.ts';

export type CacheKind = 'namespaces' | 'nodes' | 'deployments' | 'replicasets' | 'pods' | 'services' | 'events';

export const CACHE_PATHS: Record<CacheKind, string> = {
  namespaces: '/api/v1/namespaces',
  nodes: '/api/v1/nodes',
  deployments: '/apis/apps/v1/deployments',
  replicasets: '/apis/apps/v1/replicasets',
  pods: '/api/v1/pods',
  services: '/api/v1/services',
  events: '/api/v1/events',
};

/**
 * `connecting`: waiting for the context's connection; `failed`: the connection could not be
 * made (no such context, unreadable credentials); `suspended`: the context is not live (a stopped
 * cluster), so nothing is watched; otherwise the watch's own state.
 */
export type CacheState = { kind: 'connecting' } | { kind: 'failed'; error: Error } | { kind: 'suspended' } | ReflectorState;

export interface CacheListener {
  /** The keys (namespace/name) that changed; `reset` when the whole cache was (re-)listed or emptied. */
  onChange?: (keys: ReadonlySet<string>, reset: boolean) => void;
  onState?: (state: CacheState) => void;
}

/** What a consumer reads: the cache's contents as last listed and watched. */
export interface Cache<T extends KubeObject> {
  list(): T[];
  get(key: string): T | undefined;
  readonly synced: boolean;
  /** Changes whenever the contents change (unique across caches): for indexes built over list(). */
  readonly version: number;
  readonly state: CacheState;
}

export interface CacheLease<T extends KubeObject> extends Cache<T> {
  readonly context: string;
  readonly kind: CacheKind;
  /** Gives the cache back; the watch stops when nobody holds it. Idempotent. */
  release(): void;
}

export interface KubeContextsOptions {
  kubeconfigFiles: () => string[];
  /** How a context is connected; tests and benchmarks may substitute. */
  connect?: (context: string, kubeconfigFiles: string[]) => Promise<KubeHttp>;
  log?: (message: string) => void;
  /** Change batching of the caches (ms); default the reflector's one frame. */
  batchMs?: number;
}

/** Drops what no consumer reads (managedFields are often half an object). */
function slim<T extends KubeObject>(obj: T): T {
  if (obj.metadata && 'managedFields' in obj.metadata) {
    delete (obj.metadata as Record<string, unknown>).managedFields;
  }
  return obj;
}

class SharedCache implements Cache<KubeObject> {
  readonly kind: CacheKind;
  readonly listeners = new Set<CacheListener>();
  reflector: Reflector<KubeObject> | undefined;
  state: CacheState = { kind: 'connecting' };

  constructor(kind: CacheKind) {
    this.kind = kind;
  }

  list(): KubeObject[] {
    return this.reflector?.list() ?? [];
  }

  get(key: string): KubeObject | undefined {
    return this.reflector?.get(key);
  }

  get synced(): boolean {
    return this.reflector?.hasSynced ?? false;
  }

  get version(): number {
    return this.reflector?.version ?? -1;
  }

  setState(state: CacheState): void {
    this.state = state;
    for (const l of [...this.listeners]) l.onState?.(state);
  }

  changed(keys: ReadonlySet<string>, reset: boolean): void {
    for (const l of [...this.listeners]) l.onChange?.(keys, reset);
  }

  /** Stops the watch and empties the cache (its consumers are told the cache was reset). */
  detach(state: CacheState): void {
    const had = this.reflector !== undefined;
    this.reflector?.stop();
    this.reflector = undefined;
    this.setState(state);
    if (had) this.changed(new Set(), true);
  }
}

class ContextEntry {
  readonly name: string;
  readonly caches = new Map<CacheKind, SharedCache>();
  connection: Promise<KubeHttp> | undefined;
  /** Bumped on every reconnect: a connection that resolves for an older generation is dropped. */
  generation = 0;
  fingerprint: string | undefined;
  /** The kubeconfig files' sizes and times when the connection was asked for. */
  stamp = '';

  constructor(name: string) {
    this.name = name;
  }
}

export class KubeContexts {
  private readonly options: KubeContextsOptions;
  private readonly entries = new Map<string, ContextEntry>();
  /** Contexts the clusters view said are not live (stopped clusters): nothing of theirs is watched. */
  private readonly suspended = new Set<string>();
  /** The last setLive: until the first, every context counts as live. */
  private live: ReadonlyMap<string, string> | undefined;
  private disposed = false;

  constructor(options: KubeContextsOptions) {
    this.options = options;
  }

  /** The kubeconfig as kubectl merges it (contexts, current-context, problems). */
  kubeconfig(): Promise<KubeconfigView> {
    return readKubeconfig(this.options.kubeconfigFiles());
  }

  /** kubeconfig's current-context, read now. */
  async currentContext(): Promise<string | undefined> {
    return (await this.kubeconfig()).currentContext;
  }

  /**
   * The context's connection, made once and shared. A failed connection is not kept: the next
   * call tries again; nor is one made before the kubeconfig last changed (a re-created cluster
   * has a new port and certificate), even while the clusters view is not there to say so.
   */
  async http(context: string): Promise<KubeHttp> {
    const entry = this.entry(context);
    const stamp = await kubeconfigStamp(this.options.kubeconfigFiles());
    if (entry.connection && entry.stamp !== stamp) {
      entry.connection = undefined;
    }
    entry.stamp = stamp;
    return this.connection(entry);
  }

  /** A shared cache of one kind of object in a context; its watch runs while any lease on it is held. */
  acquire<T extends KubeObject>(context: string, kind: CacheKind, listener: CacheListener = {}): CacheLease<T> {
    if (this.disposed) throw new Error('The Kubernetes connections were closed with the extension.');
    const entry = this.entry(context);
    let cache = entry.caches.get(kind);
    if (!cache) {
      cache = new SharedCache(kind);
      entry.caches.set(kind, cache);
    }
    cache.listeners.add(listener);
    if (cache.listeners.size === 1) this.startCache(entry, cache);
    const shared = cache;
    let released = false;
    return {
      context,
      kind,
      list: () => shared.list() as T[],
      get: (key: string) => shared.get(key) as T | undefined,
      get synced() {
        return shared.synced;
      },
      get version() {
        return shared.version;
      },
      get state() {
        return shared.state;
      },
      release: () => {
        if (released) return;
        released = true;
        shared.listeners.delete(listener);
        if (shared.listeners.size === 0 && entry.caches.get(kind) === shared) {
          entry.caches.delete(kind);
          shared.detach({ kind: 'suspended' });
          this.options.log?.(`[${context}] ${kind}: nobody reads it any more; its watch stopped`);
        }
      },
    };
  }

  /**
   * Which contexts may be watched, with what identifies their API server (address, certificate,
   * when the cluster was made). A context that left the set stops its watches and drops its
   * connection; one whose fingerprint changed (a re-created cluster) reconnects; one that came
   * back resumes. Consumers keep their leases throughout.
   */
  setLive(live: ReadonlyMap<string, string>): void {
    this.live = live;
    for (const entry of this.entries.values()) {
      const fingerprint = live.get(entry.name);
      if (fingerprint === undefined) {
        if (!this.suspended.has(entry.name)) {
          this.suspended.add(entry.name);
          entry.generation++;
          entry.connection = undefined;
          if (entry.caches.size > 0) this.options.log?.(`[${entry.name}] not running: its watches stopped`);
          for (const cache of entry.caches.values()) cache.detach({ kind: 'suspended' });
        }
      } else if (this.suspended.delete(entry.name)) {
        entry.fingerprint = fingerprint;
        this.reconnect(entry, 'it is live again');
      } else if (entry.fingerprint !== undefined && entry.fingerprint !== fingerprint) {
        entry.fingerprint = fingerprint;
        this.reconnect(entry, 'the cluster changed (new address or certificate)');
      } else {
        entry.fingerprint = fingerprint;
      }
    }
  }

  /** Connects the context again and re-lists every cache it has (Retry). */
  retry(context: string): void {
    const entry = this.entries.get(context);
    if (entry) this.reconnect(entry, 'retry');
  }

  /** How many watches are running (one per cache that has readers); for tests and benchmarks. */
  activeWatches(context?: string): number {
    let n = 0;
    for (const entry of this.entries.values()) {
      if (context !== undefined && entry.name !== context) continue;
      for (const cache of entry.caches.values()) if (cache.reflector) n++;
    }
    return n;
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of this.entries.values()) {
      entry.generation++;
      for (const cache of entry.caches.values()) {
        cache.reflector?.stop();
        cache.reflector = undefined;
        cache.listeners.clear();
      }
    }
    this.entries.clear();
  }

  private entry(context: string): ContextEntry {
    let entry = this.entries.get(context);
    if (!entry) {
      entry = new ContextEntry(context);
      entry.fingerprint = this.live?.get(context);
      if (this.live && entry.fingerprint === undefined) this.suspended.add(context);
      this.entries.set(context, entry);
    }
    return entry;
  }

  private connection(entry: ContextEntry): Promise<KubeHttp> {
    if (!entry.connection) {
      const connect = this.options.connect ?? connectContext;
      const made = connect(entry.name, this.options.kubeconfigFiles());
      entry.connection = made;
      made.catch(() => {
        if (entry.connection === made) entry.connection = undefined;
      });
    }
    return entry.connection;
  }

  private reconnect(entry: ContextEntry, why: string): void {
    entry.generation++;
    entry.connection = undefined;
    if (entry.caches.size > 0) this.options.log?.(`[${entry.name}] reconnecting: ${why}`);
    for (const cache of entry.caches.values()) {
      cache.detach({ kind: 'connecting' });
      this.startCache(entry, cache);
    }
  }

  private startCache(entry: ContextEntry, cache: SharedCache): void {
    if (this.suspended.has(entry.name)) {
      cache.setState({ kind: 'suspended' });
      return;
    }
    const generation = entry.generation;
    cache.setState({ kind: 'connecting' });
    this.connection(entry).then(
      (http) => {
        // Released, reconnected or suspended while connecting: nothing to start.
        if (entry.generation !== generation || entry.caches.get(cache.kind) !== cache || cache.listeners.size === 0 || cache.reflector) return;
        const reflector: Reflector<KubeObject> = new Reflector<KubeObject>(http, {
          path: CACHE_PATHS[cache.kind],
          batchMs: this.options.batchMs,
          transform: slim,
          log: this.options.log && ((m) => this.options.log?.(`[${entry.name}] ${m}`)),
          onChange: (keys, reset) => cache.reflector === reflector && cache.changed(keys, reset),
          onState: (state) => cache.reflector === reflector && cache.setState(state),
        });
        cache.reflector = reflector;
        reflector.start();
      },
      (error: unknown) => {
        if (entry.generation !== generation || entry.caches.get(cache.kind) !== cache) return;
        cache.setState({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
  }
}

/**
 * Resolves true once the cache is synced; false at once when it cannot be (no connection, a stopped
 * cluster, a failing watch) or after `timeoutMs`.
 */
export async function waitForSync(cache: Cache<KubeObject>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cache.synced) {
    if (['failed', 'suspended', 'error'].includes(cache.state.kind) || Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function kubeconfigStamp(files: string[]): Promise<string> {
  const stats = await Promise.all(files.map((f) => fs.stat(f).then((s) => `${s.size}@${s.mtimeMs}`, () => '-')));
  return stats.join('|');
}

export { objectKey };
