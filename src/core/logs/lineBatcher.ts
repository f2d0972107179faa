// Lines to an output channel in bounded batches: one append per interval however chatty the pod,
// and the oldest lines dropped (and counted) when the consumer cannot keep up.
import { markerLine } from './channelText.ts';

export interface LineBatcherOptions {
  /** Gets each batch, in order. A returned promise holds the next batch back until it settles. */
  flush: (lines: string[]) => void | Promise<unknown>;
  /** How long a line may wait before its batch goes out. Default 75 ms. */
  intervalMs?: number;
  /**
   * At most this many lines per batch, so at most maxBatchLines / intervalMs lines a second reach
   * the consumer (default 2,000 per 75 ms: 26,000 lines/s); faster logs lose their oldest lines.
   */
  maxBatchLines?: number;
  /** At most this many lines wait; beyond it the oldest are dropped. Default 10,000. */
  maxPendingLines?: number;
  /** At most this many characters wait; beyond it the oldest lines are dropped. Default 4 Mi. */
  maxPendingChars?: number;
  /** How the batcher says it dropped lines. */
  skippedLine?: (count: number) => string;
}

/**
 * Collects lines and hands them on in batches, at most one batch per interval, so a chatty pod
 * costs one append per interval, not one per line. Memory stays bounded when the producer is
 * faster than the batches (or than an async consumer): the oldest waiting lines are dropped, and
 * the next batch starts with a line saying how many.
 */
export class LineBatcher {
  private readonly options: Required<Omit<LineBatcherOptions, 'flush' | 'skippedLine'>> & Pick<LineBatcherOptions, 'flush' | 'skippedLine'>;
  // A ring buffer: dropping the oldest line is O(1) however many wait.
  private readonly ring: Array<string | undefined>;
  private head = 0;
  private size = 0;
  private chars = 0;
  private skipped = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private closed = false;
  /** Lines dropped over the batcher's life. */
  droppedTotal = 0;

  constructor(options: LineBatcherOptions) {
    // `??`, not a spread: an option passed as undefined (from a setting) keeps its default.
    const maxPendingLines = Math.max(1, options.maxPendingLines ?? 10_000);
    this.options = {
      flush: options.flush,
      skippedLine: options.skippedLine,
      intervalMs: options.intervalMs ?? 75,
      maxBatchLines: Math.max(1, Math.min(options.maxBatchLines ?? 2_000, maxPendingLines)),
      maxPendingLines,
      maxPendingChars: options.maxPendingChars ?? 4 * 1024 * 1024,
    };
    this.ring = new Array<string | undefined>(maxPendingLines);
  }

  get pending(): number {
    return this.size;
  }

  push(line: string): void {
    if (this.closed) {
      return;
    }
    if (this.size === this.ring.length) {
      this.dropOldest();
    }
    this.ring[(this.head + this.size) % this.ring.length] = line;
    this.size++;
    this.chars += line.length;
    while (this.chars > this.options.maxPendingChars && this.size > 1) {
      this.dropOldest();
    }
    this.schedule();
  }

  pushAll(lines: readonly string[]): void {
    for (const line of lines) {
      this.push(line);
    }
  }

  /** Sends what waits now (if the consumer is not busy), e.g. before the stream's last line. */
  flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.busy || (this.size === 0 && this.skipped === 0)) {
      return;
    }
    const count = Math.min(this.size, this.options.maxBatchLines);
    const batch: string[] = [];
    if (this.skipped > 0) {
      batch.push(this.options.skippedLine?.(this.skipped) ?? markerLine(`${this.skipped} lines skipped: the log came faster than it could be shown`));
      this.skipped = 0;
    }
    for (let i = 0; i < count; i++) {
      const index = (this.head + i) % this.ring.length;
      batch.push(this.ring[index] as string);
      this.chars -= (this.ring[index] as string).length;
      this.ring[index] = undefined;
    }
    this.head = (this.head + count) % this.ring.length;
    this.size -= count;
    let result: void | Promise<unknown>;
    try {
      result = this.options.flush(batch);
    } catch {
      result = undefined; // a consumer that throws loses its batch, not the stream
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      this.busy = true;
      const done = () => {
        this.busy = false;
        this.afterFlush();
      };
      (result as Promise<unknown>).then(done, done);
    } else {
      this.afterFlush();
    }
  }

  /** Takes no more lines; what waits still goes out, at once. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushNow();
  }

  private afterFlush(): void {
    if (this.size === 0 && this.skipped === 0) {
      return;
    }
    if (this.closed) {
      this.flushNow();
    } else {
      this.schedule();
    }
  }

  private dropOldest(): void {
    const line = this.ring[this.head] as string;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.size--;
    this.chars -= line.length;
    this.skipped++;
    this.droppedTotal++;
  }

  private schedule(): void {
    if (this.timer === undefined && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flushNow();
      }, this.options.intervalMs);
    }
  }
}
