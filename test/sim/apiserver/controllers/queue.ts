// A deduplicating work queue: each key is reconciled at most once per tick, errors are retried later.
import { simDelay } from '../util.ts';
import type { Obj } from '../util.ts';

export class WorkQueue {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly work: (key: string) => void;
  private readonly delayMs: number;

  constructor(work: (key: string) => void, realDelayMs = 50) {
    this.work = work;
    this.delayMs = realDelayMs;
  }

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.timer) this.timer = setTimeout(() => this.drain(), simDelay(this.delayMs));
  }

  private drain(): void {
    this.timer = undefined;
    const keys = [...this.pending];
    this.pending.clear();
    for (const k of keys) {
      try {
        this.work(k);
      } catch (e) {
        console.error(`reconcile ${k} failed:`, (e as Error).message);
        setTimeout(() => this.add(k), Math.max(50, simDelay(1000)));
      }
    }
  }

  /** Queues an object by its namespace/name. */
  addObject(o: Obj): void {
    this.add(`${o.metadata.namespace}/${o.metadata.name}`);
  }

  /** Queues the object of `kind` that controls `o` (its owner with controller: true), if any. */
  addController(o: Obj, kind: string): void {
    const ref = controllerOf(o);
    if (ref?.kind === kind) this.add(`${o.metadata.namespace}/${ref.name}`);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

export function controllerOf(o: Obj): { uid: string; kind: string; name: string } | undefined {
  return (o.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller);
}
