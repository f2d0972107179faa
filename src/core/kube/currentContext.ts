// A cache that follows kubeconfig's current-context: after `kubectl config use-context`, the
// next read releases the old context's cache (its watch stops unless someone else reads it)
// and acquires the new one's.
import type { CacheKind, CacheLease, CacheListener, KubeContexts } from './contexts.ts';
import type { KubeObject } from './reflector.ts';

export class CurrentContextCache<T extends KubeObject> {
  private readonly contexts: KubeContexts;
  private readonly kind: CacheKind;
  private readonly listener: CacheListener;
  private lease: CacheLease<T> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(contexts: KubeContexts, kind: CacheKind, listener: CacheListener = {}) {
    this.contexts = contexts;
    this.kind = kind;
    this.listener = listener;
  }

  /** The current context's cache (acquired on first use), or undefined when there is no current context. */
  get(): Promise<CacheLease<T> | undefined> {
    const next = this.queue.then(async () => {
      const context = await this.contexts.currentContext();
      if (this.disposed) return undefined;
      if (this.lease?.context !== context) {
        this.lease?.release();
        this.lease = context ? this.contexts.acquire<T>(context, this.kind, this.listener) : undefined;
      }
      return this.lease;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    this.disposed = true;
    this.lease?.release();
    this.lease = undefined;
  }
}
