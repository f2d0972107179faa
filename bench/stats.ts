// Small helpers shared by the bench cases: order statistics, rounding, and the JSON line format.

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: p99 of 500 samples is the 495th smallest.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

/** What every case reports besides its own numbers: the target, and whether and by how much it is missed. */
export interface Verdict {
  target: string;
  met: boolean;
  /** For a missed target: e.g. "p99 142 ms is 42 ms (42%) over 100 ms". */
  miss?: string;
}

/** A "lower is better" figure against a limit. */
export function under(label: string, value: number, limit: number, unit: string): Verdict {
  const met = value < limit;
  return {
    target: `${label} < ${limit} ${unit}`,
    met,
    ...(met ? {} : { miss: `${label} ${round(value)} ${unit} is ${round(value - limit)} ${unit} (${Math.round(((value - limit) / limit) * 100)}%) over ${limit} ${unit}` }),
  };
}

/** "At least `factor` times faster than the reference": speedup = reference / ours. */
export function faster(label: string, speedup: number, factor: number): Verdict {
  const met = speedup >= factor;
  return {
    target: `${label} >= ${factor}x faster than kubectl`,
    met,
    ...(met ? {} : { miss: `${label} is ${round(speedup, 2)}x, ${round(factor / speedup, 2)}x short of ${factor}x` }),
  };
}

export function combine(...verdicts: Verdict[]): Verdict {
  const misses = verdicts.filter((v) => !v.met).map((v) => v.miss);
  return {
    target: verdicts.map((v) => v.target).join('; '),
    met: misses.length === 0,
    ...(misses.length ? { miss: misses.join('; ') } : {}),
  };
}

/**
 * Times `work` on `base` as the first text this process sees (cold), then on `runs` fresh edits of
 * it (warm: a new text each run, nothing cached), with CPU time, since the machine may be shared.
 */
export function coldAndWarm<T>(base: string, runs: number, work: (text: string) => T): { cold: T; coldMs: number; warmMs: number[]; cpuMs: number[] } {
  let t = performance.now();
  const cold = work(`${base}\n`);
  const coldMs = performance.now() - t;
  const warmMs: number[] = [];
  const cpuMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const text = `${base}# edit ${r}\n`;
    const c = process.cpuUsage();
    t = performance.now();
    work(text);
    warmMs.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpuMs.push((used.user + used.system) / 1000);
  }
  return { cold, coldMs, warmMs, cpuMs };
}
