// Container output: per-container-instance log buffers, the simulated programs that write them, and the
// /pods/<name>/log endpoint with follow, tailLines, timestamps, sinceSeconds, sinceTime, limitBytes, previous, container.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ApiError, badRequest } from './status.ts';
import { simSpeed } from './util.ts';
import type { Obj } from './util.ts';

/**
 * t: when (ms); ts: the runtime's own timestamp when it has one (Docker's RFC 3339 with nanoseconds);
 * partial: the program's last output ended without a newline, and so does the log.
 */
export interface LogLine { t: number; text: string; ts?: string; partial?: boolean }

const MAX_LINES = 100_000;

/** Output of one container instance (one run: a restart starts a new buffer). */
export class LogBuffer {
  lines: LogLine[] = [];
  closed = false;
  private followers = new Set<(l: LogLine | null) => void>();

  write(text: string, t = Date.now(), ts?: string, partial = false): void {
    if (this.closed) return;
    const line: LogLine = ts ? { t, text, ts } : { t, text };
    if (partial) line.partial = true;
    // stdout and stderr of a real container arrive on two streams: keep the lines in the runtime's time order.
    let at = this.lines.length;
    if (ts) while (at > 0 && this.lines[at - 1]!.ts !== undefined && this.lines[at - 1]!.ts! > ts) at--;
    if (at === this.lines.length) this.lines.push(line);
    else this.lines.splice(at, 0, line);
    // Trim in batches: dropping one line per write would copy the whole buffer every time.
    if (this.lines.length > MAX_LINES * 1.25) this.lines = this.lines.slice(-MAX_LINES);
    for (const f of this.followers) f(line);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.followers) f(null);
    this.followers.clear();
  }

  follow(f: (l: LogLine | null) => void): () => void {
    this.followers.add(f);
    return () => this.followers.delete(f);
  }
}

/** Log buffers by pod uid / container name / restart count. */
export class LogStore {
  private buffers = new Map<string, LogBuffer>();

  private key(podUid: string, container: string, run: number): string {
    return `${podUid}/${container}/${run}`;
  }

  open(podUid: string, container: string, run: number): LogBuffer {
    const k = this.key(podUid, container, run);
    const old = this.buffers.get(k);
    if (old && !old.closed) return old;
    const b = new LogBuffer();
    this.buffers.set(k, b);
    return b;
  }

  get(podUid: string, container: string, run: number): LogBuffer | undefined {
    return this.buffers.get(this.key(podUid, container, run));
  }

  dropPod(podUid: string): void {
    for (const [k, b] of this.buffers) {
      if (k.startsWith(`${podUid}/`)) {
        b.close();
        this.buffers.delete(k);
      }
    }
  }
}

const HASH_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export function randomHash(n = 6): string {
  let s = '';
  for (const b of randomBytes(n)) s += HASH_ALPHABET[b % HASH_ALPHABET.length];
  return s;
}

function envOf(container: Obj, name: string): string | undefined {
  return (container.env ?? []).find((e: Obj) => e.name === name)?.value;
}

function repoOf(image: string): string {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', slash + 1);
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest;
}

/** Interval of an app's periodic output: real-time period scaled by K3D_SIM_SPEED, never below 50 ms. */
function appPeriod(realMs: number): number {
  return Math.max(50, realMs * simSpeed());
}

/**
 * Starts the simulated program of a container writing to `out`. Returns a stop function.
 * - env SIM_LOG_RATE=N: N lines per second ("<seq> <ISO time> sim log line"), for throughput tests.
 * - jakousa/dwk-app1: a random 6-character hash every 5 s (scaled by K3D_SIM_SPEED).
 * - other known images: a few startup lines.
 */
export function startProgram(container: Obj, out: LogBuffer): () => void {
  const timers: NodeJS.Timeout[] = [];
  const image = String(container.image ?? '');
  const repo = repoOf(image);
  const rate = Number(envOf(container, 'SIM_LOG_RATE') ?? 0);
  if (rate > 0) {
    let seq = 0;
    let owed = 0;
    let last = Date.now();
    const tick = (): void => {
      const now = Date.now();
      owed += ((now - last) / 1000) * rate;
      last = now;
      const n = Math.floor(owed);
      owed -= n;
      const iso = new Date(now).toISOString();
      for (let i = 0; i < n; i++) out.write(`${++seq} ${iso} sim log line`, now);
    };
    timers.push(setInterval(tick, 10));
  } else if (repo.endsWith('jakousa/dwk-app1') || repo === 'dwk-app1') {
    const emit = (): void => out.write(randomHash());
    emit();
    timers.push(setInterval(emit, appPeriod(5000)));
  } else if (repo.endsWith('nginx')) {
    for (const l of [
      '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
      '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
      `${new Date().toISOString().replace('T', ' ').slice(0, 19).replace(/-/g, '/')} [notice] 1#1: nginx/1.27.3`,
      `${new Date().toISOString().replace('T', ' ').slice(0, 19).replace(/-/g, '/')} [notice] 1#1: start worker processes`,
    ]) out.write(l);
  } else if (repo.includes('coredns')) {
    out.write('.:53');
    out.write('[INFO] plugin/reload: Running configuration SHA512 = 3c8ba79cc4a1ac8e8f2b0e3a1d7a4bb4');
    out.write('CoreDNS-1.12.0');
    out.write('linux/amd64, go1.23.3, 51e11f1');
  } else if (repo.includes('traefik')) {
    out.write(`time="${new Date().toISOString()}" level=info msg="Configuration loaded from flags."`);
  } else if (repo.includes('metrics-server')) {
    out.write('I0101 00:00:00.000000       1 serving.go:374] Generated self-signed cert (/tmp/apiserver.crt, /tmp/apiserver.key)');
  } else if (repo.includes('local-path-provisioner')) {
    out.write('time="' + new Date().toISOString() + '" level=info msg="Provisioner started"');
  } else if (repo.includes('sim/crash')) {
    out.write('starting');
  }
  return () => {
    for (const t of timers) clearInterval(t);
  };
}

function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function waitingMessage(reason: string): string {
  if (reason === 'ErrImagePull') return 'trying and failing to pull image';
  if (reason === 'ImagePullBackOff') return 'image can\'t be pulled';
  return reason;
}

/** Serves GET /api/v1/namespaces/<ns>/pods/<name>/log. */
export function logHandler(logs: LogStore) {
  return (pod: Obj, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void => {
    const names: string[] = (pod.spec?.containers ?? []).map((c: Obj) => c.name);
    const initNames: string[] = (pod.spec?.initContainers ?? []).map((c: Obj) => c.name);
    let container = q.get('container') ?? '';
    const podName = pod.metadata.name;
    if (!container) {
      if (names.length !== 1) {
        throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]${initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : ''}`);
      }
      container = names[0]!;
    }
    if (!names.includes(container) && !initNames.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${podName}`);
    }
    const status: Obj | undefined = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c: Obj) => c.name === container);
    const previous = q.get('previous') === 'true';
    const restarts = status?.restartCount ?? 0;
    let buf: LogBuffer | undefined;
    if (previous) {
      buf = restarts > 0 ? logs.get(pod.metadata.uid, container, restarts - 1) : undefined;
      if (!buf) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    } else {
      const waiting = status?.state?.waiting;
      buf = logs.get(pod.metadata.uid, container, restarts);
      // In CrashLoopBackOff the latest output is the last run's.
      if (!buf && waiting?.reason === 'CrashLoopBackOff' && restarts > 0) buf = logs.get(pod.metadata.uid, container, restarts - 1);
      if (!buf && waiting) {
        throw new ApiError(400, 'BadRequest', `container "${container}" in pod "${podName}" is waiting to start: ${waitingMessage(waiting.reason ?? 'ContainerCreating')}`);
      }
      if (!buf && !status?.state?.running && !status?.state?.terminated) {
        throw new ApiError(400, 'BadRequest', `container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
      }
      if (!buf) buf = logs.open(pod.metadata.uid, container, restarts);
    }
    const follow = q.get('follow') === 'true' && !previous;
    const timestamps = q.get('timestamps') === 'true';
    const tail = q.get('tailLines') !== null ? Number(q.get('tailLines')) : -1;
    let limit = q.get('limitBytes') !== null ? Number(q.get('limitBytes')) : -1;
    let since = 0;
    if (q.get('sinceSeconds') !== null) since = Date.now() - Number(q.get('sinceSeconds')) * 1000;
    if (q.get('sinceTime') !== null) {
      const t = Date.parse(q.get('sinceTime')!);
      if (Number.isNaN(t)) throw badRequest(`parsing time "${q.get('sinceTime')}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
      since = Math.max(since, t);
    }
    let lines = buf.lines.filter((l) => l.t >= since);
    if (tail >= 0) lines = tail === 0 ? [] : lines.slice(-tail);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', ...(follow ? { 'Transfer-Encoding': 'chunked' } : {}) });
    // As the kubelet and the API server do: the headers go out before the first line.
    if (follow) res.flushHeaders();
    const format = (l: LogLine): string => `${timestamps ? `${l.ts ?? rfc3339Nano(l.t)} ` : ''}${l.text}${l.partial ? '' : '\n'}`;
    const emit = (text: string): boolean => {
      if (limit < 0) {
        res.write(text);
        return true;
      }
      const b = Buffer.from(text);
      if (b.length >= limit) {
        res.write(b.subarray(0, limit));
        limit = 0;
        return false;
      }
      limit -= b.length;
      res.write(b);
      return true;
    };
    let open = true;
    let chunk = '';
    for (const l of lines) {
      chunk += format(l);
      if (chunk.length > 65536) {
        open = emit(chunk);
        chunk = '';
        if (!open) break;
      }
    }
    if (open && chunk) open = emit(chunk);
    if (!follow || !open || buf.closed) {
      res.end();
      return;
    }
    let pending = '';
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      flushTimer = undefined;
      if (!pending || res.writableEnded) return;
      const text = pending;
      pending = '';
      if (!emit(text)) finish();
    };
    const unfollow = buf.follow((l) => {
      if (l === null) {
        flush();
        finish();
        return;
      }
      pending += format(l);
      if (pending.length > 65536) flush();
      else if (!flushTimer) flushTimer = setTimeout(flush, 5);
    });
    function finish(): void {
      unfollow();
      if (flushTimer) clearTimeout(flushTimer);
      if (!res.writableEnded) res.end();
    }
    req.on('close', finish);
    res.on('close', finish);
  };
}
