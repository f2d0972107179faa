// List + watch for one resource type across all namespaces, kept in a local cache.
// What client-node's informer does, with the failure handling it lacks (its informer stops for
// good on any error it does not know, and never resyncs by itself): watches resume from the
// last resourceVersion after a timeout or a dropped connection, re-list after 410 Gone, back
// off on repeated failures, and never stop by themselves.
import type { KubeHttp } from './http.ts';
import { KubeError } from './gateway.ts';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string | Date;
    deletionTimestamp?: string | Date;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
    generation?: number;
  };
}

export type ReflectorState = { kind: 'syncing' } | { kind: 'synced' } | { kind: 'error'; error: KubeError; retryInMs: number };

export interface ReflectorOptions<T> {
  /** e.g. `/api/v1/pods` or `/apis/apps/v1/deployments`. */
  path: string;
  /** Called with the keys (namespace/name) that changed, batched within `batchMs`. `reset` after a (re-)list. */
  onChange: (changed: ReadonlySet<string>, reset: boolean) => void;
  onState?: (state: ReflectorState) => void;
  batchMs?: number;
  /** For tests: how long the server may stay silent before the watch is re-opened. */
  idleTimeoutMs?: number;
  log?: (message: string) => void;
  /** Last-resort transform, e.g. to drop managedFields and save memory. */
  transform?: (obj: T) => T;
}

/** How long the server keeps a watch open before it ends it (and the reflector resumes it). */
const WATCH_SECONDS = 300;

/** Stamps of cache contents, unique across reflectors (see Reflector.version). */
let contentStamp = 0;

export function objectKey(obj: KubeObject): string {
  return obj.metadata?.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : (obj.metadata?.name ?? '');
}

export class Reflector<T extends KubeObject> {
  private readonly http: KubeHttp;
  private readonly options: ReflectorOptions<T>;
  private readonly store = new Map<string, T>();
  private resourceVersion = '';
  private abort: AbortController | undefined;
  private stopped = true;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private batch = new Set<string>();
  private batchReset = false;
  private batchTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private lastFlush = -Infinity;
  private synced = false;
  private state: ReflectorState['kind'] | undefined;
  private contentVersion = ++contentStamp;

  constructor(http: KubeHttp, options: ReflectorOptions<T>) {
    this.http = http;
    this.options = options;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** A new number after every change of the contents. */
  get version(): number {
    return this.contentVersion;
  }

  list(): T[] {
    return [...this.store.values()];
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    void this.run(true);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.batchTimer as NodeJS.Timeout);
    clearImmediate(this.batchTimer as NodeJS.Immediate);
    this.batchTimer = undefined;
    this.abort?.abort();
    this.abort = undefined;
  }

  private async run(relist: boolean): Promise<void> {
    while (!this.stopped) {
      try {
        if (relist) {
          this.report({ kind: 'syncing' });
          await this.relist();
          relist = false;
          this.synced = true;
          this.report({ kind: 'synced' });
        }
        await this.watch();
        this.failures = 0; // a watch that ended cleanly (server timeout): resume at once
      } catch (e) {
        if (this.stopped) {
          return;
        }
        const error = e instanceof KubeError ? e : new KubeError('failed', (e as Error).message);
        if (error.status === 410) {
          this.options.log?.(`${this.options.path}: resourceVersion too old (410 Gone); listing again`);
          relist = true;
          continue;
        }
        this.failures++;
        const retryInMs = Math.min(30_000, 500 * 2 ** Math.min(this.failures - 1, 6));
        this.options.log?.(`${this.options.path}: ${error.message}; retrying in ${retryInMs} ms`);
        this.report({ kind: 'error', error, retryInMs });
        await new Promise<void>((resolve) => {
          this.retryTimer = setTimeout(resolve, retryInMs);
        });
        // After a failure the cache may have missed events only if the watch cannot resume;
        // resume from the last resourceVersion, and re-list when the server says it is too old.
        relist = !this.synced;
      }
    }
  }

  private report(state: ReflectorState): void {
    this.state = state.kind;
    this.options.onState?.(state);
  }

  private async relist(): Promise<void> {
    this.abort = new AbortController();
    const list = await this.http.json<{ metadata?: { resourceVersion?: string }; items?: T[] }>(this.options.path, { signal: this.abort.signal });
    const fresh = new Map<string, T>();
    for (const item of list.items ?? []) {
      const obj = this.options.transform ? this.options.transform(item) : item;
      fresh.set(objectKey(obj), obj);
    }
    this.store.clear();
    for (const [k, v] of fresh) {
      this.store.set(k, v);
    }
    this.contentVersion = ++contentStamp;
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.queue(undefined, true);
  }

  private async watch(): Promise<void> {
    this.abort = new AbortController();
    let gone: KubeError | undefined;
    await this.http.lines(
      this.options.path,
      {
        query: { watch: 1, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_SECONDS },
        signal: this.abort.signal,
        // The server took the watch up again after a failure: the cache is live again.
        onResponse: () => this.state === 'error' && this.synced && this.report({ kind: 'synced' }),
        // A quiet namespace sends nothing for minutes: the server ends the watch after
        // timeoutSeconds; only a server silent beyond that (plus the request timeout) is stuck.
        idleTimeoutMs: this.options.idleTimeoutMs ?? WATCH_SECONDS * 1000 + this.http.timeouts.idleMs,
      },
      (line) => {
        if (line.trim() === '' || gone) {
          return;
        }
        let event: { type: string; object: T & { code?: number; message?: string } };
        try {
          event = JSON.parse(line);
        } catch {
          return;
        }
        const rv = event.object?.metadata?.resourceVersion;
        switch (event.type) {
          case 'ADDED':
          case 'MODIFIED': {
            const obj = this.options.transform ? this.options.transform(event.object) : event.object;
            const key = objectKey(obj);
            this.store.set(key, obj);
            this.contentVersion = ++contentStamp;
            this.queue(key, false);
            break;
          }
          case 'DELETED': {
            const key = objectKey(event.object);
            this.store.delete(key);
            this.contentVersion = ++contentStamp;
            this.queue(key, false);
            break;
          }
          case 'BOOKMARK':
            break;
          case 'ERROR':
            gone = new KubeError('failed', event.object?.message ?? 'watch error', event.object?.code);
            this.abort?.abort();
            return;
        }
        if (rv) {
          this.resourceVersion = rv;
        }
      },
    );
    if (gone) {
      throw gone;
    }
  }

  /**
   * Changes are handed on in batches at most one per `batchMs`: a change after a quiet moment goes
   * out as soon as the events that arrived with it are read (no added wait); during a burst, what
   * arrives within one batch interval of the last batch waits for the end of that interval.
   */
  private queue(key: string | undefined, reset: boolean): void {
    if (key !== undefined) {
      this.batch.add(key);
    }
    this.batchReset ||= reset;
    if (this.batchTimer === undefined) {
      const wait = Math.max(0, this.lastFlush + (this.options.batchMs ?? 16) - performance.now());
      this.batchTimer = wait === 0 ? setImmediate(() => this.flush()) : setTimeout(() => this.flush(), wait);
    }
  }

  private flush(): void {
    this.batchTimer = undefined;
    this.lastFlush = performance.now();
    const changed = this.batch;
    const reset = this.batchReset;
    this.batch = new Set();
    this.batchReset = false;
    if (!this.stopped) {
      this.options.onChange(changed, reset);
    }
  }
}
