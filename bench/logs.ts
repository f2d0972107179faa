// How fast the log pipeline of src/core/logs/ is, and how much memory it holds:
// bytes in chunks -> LineSplitter -> timestamps parsed and deduped -> pod prefix -> LineBatcher.
// One JSON line per case. Run: node --expose-gc bench/logs.ts (without it, retainedHighMB is null).
// flood-*: pushed in one synchronous loop, as fast as the CPU goes; the batcher keeps the newest
// 10,000 lines, so retained memory must not grow from 100k to 1M lines. paced-*: a pod printing
// 20,000 lines/s for 5 s into a synchronous consumer (an output channel's append), then into one
// that takes 250 ms per batch.
import { performance } from 'node:perf_hooks';
import { LineBatcher } from '../src/core/logs/lineBatcher.ts';
import { LineSplitter } from '../src/core/logs/lineSplitter.ts';
import { podPrefix } from '../src/core/logs/podNames.ts';
import { parseTimestampedLine, TimestampDeduper } from '../src/core/logs/timestamps.ts';

const gc = (globalThis as { gc?: () => void }).gc;

/** `count` kubelet-style lines (~90 bytes each) as one buffer. */
function makeLog(count: number, start = Date.UTC(2025, 0, 1)): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = new Date(start + Math.floor(i / 20)).toISOString().replace('Z', `${String(i % 1_000_000).padStart(6, '0')}Z`);
    parts.push(`${t} level=info msg="request ${i} served" path=/api/items status=200 ✓\n`);
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** Cuts the buffer as a socket would: chunks of uneven size, often inside a line or a character. */
function chunks(log: Buffer, size = 16 * 1024): Buffer[] {
  const out: Buffer[] = [];
  let seed = 7;
  for (let i = 0; i < log.length; ) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = Math.max(1, Math.floor(size / 2 + (seed % size)));
    out.push(log.subarray(i, i + n));
    i += n;
  }
  return out;
}

interface Meter {
  /** Peak heapUsed, garbage included. */
  heapHigh: number;
  /** Peak heap still in use after a full GC (with --expose-gc): what the pipeline really holds. */
  retainedHigh: number;
  rssHigh: number;
  sample(): void;
}

function meter(): Meter {
  gc?.();
  const base = process.memoryUsage();
  let samples = 0;
  const m: Meter = {
    heapHigh: 0,
    retainedHigh: 0,
    rssHigh: 0,
    sample() {
      const now = process.memoryUsage();
      m.heapHigh = Math.max(m.heapHigh, now.heapUsed - base.heapUsed);
      m.rssHigh = Math.max(m.rssHigh, now.rss - base.rss);
      if (gc && ++samples % 50 === 0) {
        gc();
        m.retainedHigh = Math.max(m.retainedHigh, process.memoryUsage().heapUsed - base.heapUsed);
      }
    },
  };
  return m;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

interface Pipeline {
  feed(chunk: Buffer): void;
  end(): void;
  batcher: LineBatcher;
  shown(): number;
  batches(): number;
}

function pipeline(flush: (lines: string[]) => void | Promise<unknown>, options: { intervalMs?: number } = {}): Pipeline {
  const splitter = new LineSplitter();
  const dedupe = new TimestampDeduper();
  const prefix = podPrefix('x2k9l', 5);
  let shown = 0;
  let batches = 0;
  const batcher = new LineBatcher({
    intervalMs: options.intervalMs,
    flush: (lines) => {
      shown += lines.length;
      batches++;
      return flush(lines);
    },
  });
  const take = (lines: string[]) => {
    for (const raw of lines) {
      const { time, text } = parseTimestampedLine(raw);
      if (dedupe.accept(time)) {
        batcher.push(prefix + text);
      }
    }
  };
  return {
    feed: (chunk) => take(splitter.push(chunk)),
    end: () => {
      take(splitter.end());
      batcher.close();
    },
    batcher,
    shown: () => shown,
    batches: () => batches,
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** As fast as the CPU goes: the cost per line, and what the batcher keeps of a flood. */
async function flood(name: string, lines: number): Promise<void> {
  const parts = chunks(makeLog(lines));
  const m = meter();
  let appended = 0;
  const p = pipeline((batch) => void (appended += batch.join('\n').length));
  const t0 = performance.now();
  let paused = 0; // time spent in the meter's forced GCs, left out of the rate
  for (const c of parts) {
    p.feed(c);
    const s0 = performance.now();
    m.sample();
    paused += performance.now() - s0;
  }
  p.end();
  const seconds = (performance.now() - t0 - paused) / 1000;
  report({ case: name, lines, seconds: round(seconds), linesPerSec: Math.round(lines / seconds), shown: p.shown(), dropped: p.batcher.droppedTotal, heapHighMB: mb(m.heapHigh), retainedHighMB: gc ? mb(m.retainedHigh) : null, rssHighMB: mb(m.rssHigh) });
  void appended;
}

/** A pod printing `rate` lines/s into a consumer that takes `consumerMs` per batch (0: synchronous). */
async function paced(name: string, lines: number, rate: number, consumerMs: number): Promise<void> {
  const log = makeLog(lines);
  const m = meter();
  const p = pipeline((batch) => {
    void batch.join('\n');
    return consumerMs > 0 ? sleep(consumerMs) : undefined;
  });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const perTick = Math.ceil(rate / 100); // every 10 ms
  let offset = 0;
  let sent = 0;
  while (sent < lines) {
    // Cut at line ends for the pacing, then in uneven pieces as a socket would.
    let end = offset;
    for (let i = 0; i < perTick && end < log.length; i++) {
      end = log.indexOf(10, end) + 1 || log.length;
    }
    for (const c of chunks(log.subarray(offset, end), 4096)) {
      p.feed(c);
    }
    sent += perTick;
    offset = end;
    m.sample();
    const due = t0 + (sent / rate) * 1000;
    const wait = due - performance.now();
    await (wait > 1 ? sleep(wait) : tick());
  }
  p.end();
  while (p.batcher.pending > 0) {
    await sleep(20); // the slow consumer drains what was left when the pod stopped
  }
  await sleep(consumerMs + 20);
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  report({
    case: name,
    lines,
    rate,
    consumerMs,
    seconds: round(seconds),
    cpuPercent: Math.round(((used.user + used.system) / 1e6 / seconds) * 100),
    shown: p.shown(),
    dropped: p.batcher.droppedTotal,
    batches: p.batches(),
    heapHighMB: mb(m.heapHigh),
    retainedHighMB: gc ? mb(m.retainedHigh) : null,
    rssHighMB: mb(m.rssHigh),
  });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function report(result: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: 'logs', ...result }));
}

await flood('flood-100k', 100_000);
await flood('flood-1m', 1_000_000);
await paced('paced-20k-per-s', 100_000, 20_000, 0);
await paced('paced-20k-per-s-slow-consumer', 100_000, 20_000, 250);
