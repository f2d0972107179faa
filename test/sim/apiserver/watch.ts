// The watch hub: fan-out of object changes, with a bounded history so watches can resume from a resourceVersion.
import type { Obj } from './util.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change { type: EventType; kind: string; rv: number; object: Obj; prev?: Obj }

export type Listener = (c: Change) => void;

export class WatchHub {
  private listeners = new Set<Listener>();
  private history: Change[] = [];
  private readonly capacity: number;
  /** Oldest resourceVersion a watch can still start from (exclusive). */
  compactedRV = 0;

  constructor(capacity = 5000) {
    this.capacity = capacity;
  }

  publish(c: Change): void {
    this.history.push(c);
    if (this.history.length > this.capacity) {
      const dropped = this.history.splice(0, this.history.length - this.capacity);
      this.compactedRV = dropped[dropped.length - 1]!.rv;
    }
    for (const l of [...this.listeners]) {
      try {
        l(c);
      } catch (e) {
        console.error('watch listener failed', e);
      }
    }
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Changes after rv; undefined when rv is older than the history kept (410 Gone). */
  since(rv: number): Change[] | undefined {
    if (rv < this.compactedRV) return undefined;
    return this.history.filter((c) => c.rv > rv);
  }

  /** Marks everything up to rv as compacted (e.g. after a restart, when history is lost). */
  compactTo(rv: number): void {
    this.compactedRV = Math.max(this.compactedRV, rv);
  }
}
