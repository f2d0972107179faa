// Simulated time. Every delay is given in real k3d seconds and scaled by K3D_SIM_SPEED
// (default 0.1, 0 = no waiting). A "virtual" clock counts real k3d seconds so that
// `--timeout` behaves the same at any speed. SIGINT/SIGTERM abort the pending sleep.

export class Interrupted extends Error {
  readonly signal: string;
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
    this.signal = signal;
  }
}

export class DeadlineExceeded extends Error {
  constructor() {
    super('context deadline exceeded');
    this.name = 'DeadlineExceeded';
  }
}

export function simSpeed(env: NodeJS.ProcessEnv): number {
  const raw = env.K3D_SIM_SPEED;
  if (raw === undefined || raw.trim() === '') return 0.1;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : 0.1;
}

export class Clock {
  readonly speed: number;
  virtualSeconds = 0;
  private deadline: number | undefined;
  private interruptedBy: string | undefined;
  private wake: (() => void) | undefined;

  constructor(speed: number) {
    this.speed = speed;
  }

  /** Starts a `--timeout` budget, counted in real k3d seconds from now. */
  setTimeout(seconds: number | undefined): void {
    this.deadline = seconds && seconds > 0 ? this.virtualSeconds + seconds : undefined;
  }

  interrupt(signal: string): void {
    if (this.interruptedBy === undefined) this.interruptedBy = signal;
    this.wake?.();
  }

  get interrupted(): string | undefined {
    return this.interruptedBy;
  }

  check(): void {
    if (this.interruptedBy !== undefined) throw new Interrupted(this.interruptedBy);
    if (this.deadline !== undefined && this.virtualSeconds > this.deadline) throw new DeadlineExceeded();
  }

  /** Waits `seconds` of real k3d time (scaled). Throws Interrupted or DeadlineExceeded. */
  async sleep(seconds: number): Promise<void> {
    this.check();
    let step = seconds;
    if (this.deadline !== undefined && this.virtualSeconds + step > this.deadline) {
      step = Math.max(0, this.deadline - this.virtualSeconds) + 0.001;
    }
    const ms = step * this.speed * 1000;
    if (ms >= 1) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        const self = this;
        function done() {
          clearTimeout(timer);
          self.wake = undefined;
          resolve();
        }
        this.wake = done;
      });
    }
    this.virtualSeconds += step;
    this.check();
  }
}
