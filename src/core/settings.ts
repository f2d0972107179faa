// Coercion of the `k3d.*` settings: a workspace's settings.json may hold anything (a string
// where a number belongs, 0.001, -5, null), so every value is turned into a safe one here.
// Pure: src/config.ts reads VS Code's configuration and hands the raw values to these functions.
import { publishSettingFrom, type PublishSetting } from './publish/publish.ts';

/** A number of seconds within [min, max], or the default when the value is not a finite number. */
export interface SecondsRule {
  fallback: number;
  min: number;
  max?: number;
  /** `0` is allowed and means "off" even though it is below `min`. */
  zeroIsOff?: boolean;
}

export function secondsFrom(value: unknown, rule: SecondsRule): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return rule.fallback;
  }
  if (rule.zeroIsOff && value === 0) {
    return 0;
  }
  if (value < 0) {
    return rule.fallback;
  }
  return Math.min(Math.max(value, rule.min), rule.max ?? Number.MAX_SAFE_INTEGER);
}

export const SETTINGS = {
  /** Background `k3d cluster list`: never closer than every 2 s (0.001 would spawn k3d back to back). */
  refreshInterval: { fallback: 10, min: 2, max: 3600, zeroIsOff: true },
  operationTimeout: { fallback: 300, min: 30, max: 3600 },
  rolloutTimeout: { fallback: 120, min: 10, max: 3600 },
  /** Each API request: connecting, and silence while waiting for (or reading) an answer. */
  requestTimeout: { fallback: 30, min: 1, max: 600 },
  /** Deploy on Save's quiet time in ms (not seconds: read with millisecondsFrom). */
  deployOnSaveDelay: { fallback: 500, min: 100, max: 10_000 },
} satisfies Record<string, SecondsRule>;

/** A number of milliseconds within [min, max] (the same rule as seconds), or the default. */
export function millisecondsFrom(value: unknown, rule: SecondsRule): number {
  return Math.round(secondsFrom(value, rule));
}

/** A non-empty trimmed string (an executable, a path), or the default. */
export function stringFrom(value: unknown, fallback: string): string;
export function stringFrom(value: unknown, fallback?: undefined): string | undefined;
export function stringFrom(value: unknown, fallback?: string): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/** A boolean setting: only a real boolean counts, anything else is the default. */
export function booleanFrom(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/** A whole count within [0, max], or the default. */
export function countFrom(value: unknown, fallback: number, max = 100_000): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return fallback;
  }
  return Math.min(Math.floor(value), max);
}

export function enumFrom<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

export type SystemNamespacesSetting = 'grouped' | 'hidden' | 'shown';

export function systemNamespacesFrom(value: unknown): SystemNamespacesSetting {
  return enumFrom(value, ['grouped', 'hidden', 'shown'], 'grouped');
}

export { publishSettingFrom, type PublishSetting };
