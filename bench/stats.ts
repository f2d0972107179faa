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
 * A string as the editor hands it over: `document.getText()` is one flat string, while the bench's
 * concatenations are ropes that the first look at would copy (5 MB: several ms that are not ours).
 * `Number(s)` makes V8 flatten the rope in place.
 */
export function flat(s: string): string {
  void Number(s);
  return s;
}

/**
 * Times `work` as the editor runs it on a manifest:
 * - cold: `base`, the first text this process sees (the extension host's first lens request);
 * - reread: `runs` fresh texts (a character appended), each read whole, nothing cached (what a version
 *   costs when no previous version was read: a file opened again after the cache dropped it);
 * - edit: 3 x `runs` keystrokes, each a character typed at a different place in the middle of the file, each
 *   version read as an edit of the one before (`previous`), as the lens cache does.
 * Wall and CPU time, since the machine may be shared.
 */
export function coldRereadAndEdits<T>(base: string, runs: number, work: (text: string, previous?: T) => T): {
  cold: T;
  coldMs: number;
  rereadMs: number[];
  rereadCpuMs: number[];
  editMs: number[];
  editCpuMs: number[];
  last: T;
} {
  const timed = (f: () => T, ms: number[], cpu: number[]): T => {
    const c = process.cpuUsage();
    const t = performance.now();
    const result = f();
    ms.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    return result;
  };
  const first = flat(`${base}\n`);
  const t = performance.now();
  const cold = work(first);
  const coldMs = performance.now() - t;
  const rereadMs: number[] = [];
  const rereadCpuMs: number[] = [];
  let previous = cold;
  let text = first;
  for (let r = 0; r < runs; r++) {
    text = flat(`${base}# edit ${r}\n`);
    previous = timed(() => work(text), rereadMs, rereadCpuMs);
  }
  const editMs: number[] = [];
  const editCpuMs: number[] = [];
  // Keystrokes are cheap and a garbage collection of the previous versions' texts (5 MB each) lands in
  // some of them: three times as many samples.
  const keystrokes = runs * 3;
  for (let r = 0; r < keystrokes; r++) {
    // A digit typed at the end of a line between 30% and 70% into the file.
    const at = text.indexOf('\n', Math.floor(text.length * (0.3 + (0.4 * r) / Math.max(1, keystrokes - 1))));
    text = flat(`${text.slice(0, at)}${r % 10}${text.slice(at)}`);
    const before = previous;
    previous = timed(() => work(text, before), editMs, editCpuMs);
  }
  return { cold, coldMs, rereadMs, rereadCpuMs, editMs, editCpuMs, last: previous };
}
