// Small helpers shared by the simulator: cloning, random names, simulated time.
import { randomBytes } from 'node:crypto';

export type Obj = Record<string, any>;

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Kubernetes' rand.String alphabet: no vowels, no confusable characters.
const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

export function nowISO(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Factor of real time for simulated delays (K3D_SIM_SPEED, default 0.1; 0 = as fast as possible). */
export function simSpeed(): number {
  const raw = process.env.K3D_SIM_SPEED;
  if (raw === undefined || raw === '') return 0.1;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : 0.1;
}

/** A real-world delay in ms, scaled by K3D_SIM_SPEED. */
export function simDelay(realMs: number): number {
  return Math.round(realMs * simSpeed());
}

export function later(realMs: number, fn: () => void): NodeJS.Timeout {
  const t = setTimeout(fn, simDelay(realMs));
  return t;
}

/** FNV-1a 32-bit, as Kubernetes' ComputeHash uses for pod-template-hash. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncode(n: number): string {
  const s = String(n);
  let out = '';
  for (const ch of s) out += ALNUM[ch.charCodeAt(0) % ALNUM.length];
  return out;
}

export function uid(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Go's duration.HumanDuration, used for AGE columns. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export function ageOf(ts: string | undefined): string {
  if (!ts) return '<unknown>';
  return humanDuration(Date.now() - Date.parse(ts));
}

/** Parses a Go duration such as "3s", "1m30s", "500ms". */
export function parseGoDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60000 : n * 3600000;
    consumed += m[0].length;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}
