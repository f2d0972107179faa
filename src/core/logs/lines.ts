// From bytes on a socket to lines in an output channel: splitting chunks into lines, the
// kubelet's RFC3339Nano timestamps, short pod prefixes like stern's, and a bounded batcher.
// Nothing here knows about HTTP or VS Code.

/** Lines longer than this are cut: a program that never prints '\n' must not grow memory. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a byte (or text) stream into lines. Multi-byte UTF-8 characters and '\r\n' split across
 * chunk boundaries come out whole; a lone '\r' inside a line is kept (progress bars print them).
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';
  private readonly maxLineChars: number;

  constructor(maxLineChars = MAX_LINE_CHARS) {
    this.maxLineChars = maxLineChars;
  }

  /** The complete lines this chunk finishes; the unfinished tail waits for the next chunk. */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl < 0) {
      this.partial += text;
    } else {
      lines.push(trimCr(this.partial + text.slice(0, nl)));
      this.partial = '';
      start = nl + 1;
      while ((nl = text.indexOf('\n', start)) >= 0) {
        lines.push(trimCr(text.slice(start, nl)));
        start = nl + 1;
      }
      this.partial = text.slice(start);
    }
    while (this.partial.length > this.maxLineChars) {
      lines.push(this.partial.slice(0, this.maxLineChars));
      this.partial = this.partial.slice(this.maxLineChars);
    }
    return lines;
  }

  /** The stream ended: whatever is left is the last line (without a trailing newline). */
  end(): string[] {
    const rest = trimCr(this.partial + this.decoder.decode());
    this.partial = '';
    return rest ? [rest] : [];
  }
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** A point in time with the kubelet's nanosecond precision; compare with `compareTimestamps`. */
export interface LogTimestamp {
  /** Seconds since the epoch (UTC). */
  seconds: number;
  /** 0..999,999,999 */
  nanos: number;
  /** As the server wrote it. */
  raw: string;
}

export interface TimestampedLine {
  /** Missing when the line does not start with a timestamp. */
  time?: LogTimestamp;
  /** The line without its timestamp and the one space after it. */
  text: string;
}

// RFC3339Nano as Go writes it: trailing zeros of the fraction are dropped, the fraction may be absent.
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) ?/;

/** Splits `2024-05-01T10:00:00.123456789Z message` (what `timestamps=true` gives) into time and text. */
export function parseTimestampedLine(line: string): TimestampedLine {
  const m = line.match(TIMESTAMP);
  if (!m) {
    return { text: line };
  }
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) {
    return { text: line };
  }
  const raw = m[0].endsWith(' ') ? m[0].slice(0, -1) : m[0];
  return { time: { seconds: ms / 1000, nanos: Number((m[2] ?? '').padEnd(9, '0')), raw }, text: line.slice(m[0].length) };
}

export function compareTimestamps(a: LogTimestamp, b: LogTimestamp): number {
  return a.seconds - b.seconds || a.nanos - b.nanos;
}

/** For `sinceTime`: whole seconds, rounded down, so nothing at or after `t` is left out. */
export function sinceTimeParam(t: LogTimestamp): string {
  return new Date(t.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Drops the lines a reconnect with `sinceTime` sends again. `sinceTime` has whole seconds, so the
 * server repeats up to a second of lines; lines can share a timestamp (one write of several lines),
 * so equal timestamps are told apart by how many of them were already seen, not dropped wholesale.
 */
export class TimestampDeduper {
  private last: LogTimestamp | undefined;
  private seenAtLast = 0;
  private toSkipAtLast = 0;

  /** The last timestamp passed on: where to resume. */
  get lastSeen(): LogTimestamp | undefined {
    return this.last;
  }

  /** Call before reading a resumed stream. */
  resume(): void {
    this.toSkipAtLast = this.seenAtLast;
  }

  /** True if the line is new and should be shown. Lines without a timestamp always pass. */
  accept(time: LogTimestamp | undefined): boolean {
    if (!time) {
      return true;
    }
    if (this.last) {
      const order = compareTimestamps(time, this.last);
      if (order < 0) {
        return false;
      }
      if (order === 0) {
        if (this.toSkipAtLast > 0) {
          this.toSkipAtLast--;
          return false;
        }
        this.seenAtLast++;
        return true;
      }
    }
    this.last = time;
    this.seenAtLast = 1;
    this.toSkipAtLast = 0;
    return true;
  }
}

/** The extension's own lines in a log channel; the grammar colours them apart from the app's. */
export function markerLine(text: string): string {
  return `--- ${text} ---`;
}

/**
 * Short names for pods, like stern's but shorter: `hashgenerator-dep-5d8f7c9b4-x2k9l` -> `x2k9l`.
 * A name keeps the shortest run of trailing dash-separated parts that is at least `minChars` long
 * and unique among the pods that are named at the same time; a name, once given, does not change.
 */
export class PodNamer {
  private readonly names = new Map<string, string>();
  private readonly minChars: number;

  constructor(minChars = 4) {
    this.minChars = minChars;
  }

  /** The short name of `pod`, choosing one if it has none yet. */
  name(pod: string): string {
    const known = this.names.get(pod);
    if (known !== undefined) {
      return known;
    }
    const taken = new Set(this.names.values());
    const parts = pod.split('-');
    let short = pod;
    for (let n = 1; n <= parts.length; n++) {
      const candidate = parts.slice(-n).join('-');
      if (candidate.length >= this.minChars && !taken.has(candidate)) {
        short = candidate;
        break;
      }
    }
    this.names.set(pod, short);
    return short;
  }

  /** The pod left: its short name may be given again. */
  forget(pod: string): void {
    this.names.delete(pod);
  }

  /** The widest short name in use, for aligning prefixes. */
  get width(): number {
    let width = 0;
    for (const short of this.names.values()) {
      width = Math.max(width, short.length);
    }
    return width;
  }
}

/** `[x2k9l]` padded to `width` so the text after it lines up: `[x2k9l] `, `[web-0] `. */
export function podPrefix(short: string, width = 0): string {
  return `[${short}]`.padEnd(width + 2) + ' ';
}

/** A stable colour slot for a pod, for adapters that can colour (FNV-1a of the name). */
export function colorIndex(name: string, colors = 6): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % colors;
}

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
