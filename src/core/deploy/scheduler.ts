// When Deploy on Save runs: a burst of saves (Save All, a formatter, git checkout) is one run
// (debounced); a save while a run is under way queues exactly one more run, which starts when
// the current one ends and builds what is saved by then; Cancel stops the running one and
// drops the queued one.

export interface SchedulerClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: SchedulerClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface DeploySchedulerOptions {
  /** Quiet time after the last change before a run starts. */
  readonly debounceMs: number;
  /** One loop; it should end soon after `signal` aborts. Its errors are its own business (caught here). */
  readonly run: (signal: AbortSignal) => Promise<void>;
  readonly clock?: SchedulerClock;
}

export class DeployScheduler {
  private readonly options: DeploySchedulerOptions;
  private readonly clock: SchedulerClock;
  private timer: unknown;
  private current: { abort: AbortController; done: Promise<void> } | undefined;
  private queued = false;
  private disposed = false;

  constructor(options: DeploySchedulerOptions) {
    this.options = options;
    this.clock = options.clock ?? realClock;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Whether a change arrived during the running loop, so that one more run follows it. */
  get pending(): boolean {
    return this.queued || this.timer !== undefined;
  }

  /** A file of the build context changed. */
  trigger(): void {
    if (this.disposed) return;
    if (this.current) {
      this.queued = true;
      return;
    }
    this.arm();
  }

  /** Stops the running loop and forgets any change waiting for its turn. */
  cancel(): void {
    this.disarm();
    this.queued = false;
    this.current?.abort.abort();
  }

  /** Resolves once nothing runs and nothing waits (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.current || this.timer !== undefined) {
      if (this.current) await this.current.done;
      else await new Promise((r) => setTimeout(r, 5));
    }
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
  }

  private arm(): void {
    this.disarm();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, this.options.debounceMs);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.disposed) return;
    const abort = new AbortController();
    const done = this.options
      .run(abort.signal)
      .catch(() => undefined)
      .then(() => {
        this.current = undefined;
        if (this.queued && !this.disposed) {
          this.queued = false;
          this.arm();
        }
      });
    this.current = { abort, done };
  }
}
