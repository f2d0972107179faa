// The kubelet's RFC3339Nano timestamps (what `timestamps=true` puts before each line): parsing,
// ordering, the whole-second `sinceTime` of a resumed request, and dropping what it sends again.

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
