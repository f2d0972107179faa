// Rollout failures that come close together, reported together. VS Code lists a toast that comes when
// three others came in the last 800 ms only in its bell (its spam protection): three deployments of one
// apply failing at once (one image built on the host for all of them, none imported) showed one or two
// of their notifications and hid the rest, each with its fix.

export interface FailureBatchOptions {
  /** How long after the latest failure of a batch another may join it. */
  readonly windowMs: number;
  /** The longest a failure waits for others (from the batch's first). */
  readonly maxWaitMs: number;
  readonly setTimer?: (f: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
}

/**
 * Collects failures (`add`) and reports them (`report`, one call per batch) once `windowMs` has
 * passed with no other (or `maxWaitMs` since the batch's first), or at once when `flush` says
 * nothing more can join (every rollout has ended). Each `add` resolves with what `report` gave for
 * its item.
 */
export class FailureBatch<T, R> {
  private pending: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private timer: unknown;
  private firstAt = 0;
  private readonly now: () => number;
  private readonly options: FailureBatchOptions;
  private readonly report: (items: readonly T[]) => Promise<readonly R[]>;

  constructor(options: FailureBatchOptions, report: (items: readonly T[]) => Promise<readonly R[]>, now: () => number = Date.now) {
    this.options = options;
    this.report = report;
    this.now = now;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.pending.length === 0) this.firstAt = this.now();
      this.pending.push({ item, resolve, reject });
      this.stopTimer();
      const wait = Math.max(0, Math.min(this.options.windowMs, this.firstAt + this.options.maxWaitMs - this.now()));
      const set = this.options.setTimer ?? ((f: () => void, ms: number) => setTimeout(f, ms));
      this.timer = set(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
    });
  }

  /** Reports what is pending now. */
  flush(): void {
    this.stopTimer();
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.report(batch.map((b) => b.item)).then(
      (results) => batch.forEach((b, i) => b.resolve(results[i])),
      (e: unknown) => batch.forEach((b) => b.reject(e)),
    );
  }

  private stopTimer(): void {
    if (this.timer !== undefined) {
      (this.options.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>)))(this.timer);
      this.timer = undefined;
    }
  }
}
