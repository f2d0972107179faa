// A tiny suite/test runner for code that runs inside the extension host, where neither mocha nor
// node:test's reporter is at hand. The same suites run in code-server (via the runner extension)
// and under @vscode/test-electron (via electron/index.ts).
import { pollUntil } from '../../lib/poll.ts';

export interface TestResult {
  suite: string;
  name: string;
  ok: boolean;
  error?: string;
  durationMs: number;
}

export interface Report {
  results: TestResult[];
  passed: number;
  failed: number;
  /** Versions, for the runner's log. */
  vscodeVersion?: string;
}

interface TestCase {
  name: string;
  fn: () => Promise<void> | void;
  timeoutMs: number;
}

interface Suite {
  name: string;
  tests: TestCase[];
  before: (() => Promise<void> | void)[];
}

const suites: Suite[] = [];
let current: Suite | undefined;

/** Declares a suite; call test() and before() inside `body`. */
export function suite(name: string, body: () => void): void {
  const s: Suite = { name, tests: [], before: [] };
  suites.push(s);
  current = s;
  try {
    body();
  } finally {
    current = undefined;
  }
}

export function test(name: string, fn: () => Promise<void> | void, timeoutMs = 30_000): void {
  if (!current) throw new Error(`test('${name}') outside a suite()`);
  current.tests.push({ name, fn, timeoutMs });
}

/** Runs once before the suite's tests; if it fails, every test of the suite fails with its error. */
export function before(fn: () => Promise<void> | void): void {
  if (!current) throw new Error('before() outside a suite()');
  current.before.push(fn);
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

function withTimeout(fn: () => Promise<void> | void, timeoutMs: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    Promise.resolve().then(fn),
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs every declared suite in order; `log` gets one line per test. */
export async function runAll(log: (line: string) => void = () => {}): Promise<Report> {
  const results: TestResult[] = [];
  for (const s of suites) {
    log(`${s.name}`);
    let setupError: string | undefined;
    for (const hook of s.before) {
      try {
        await withTimeout(hook, 60_000, `before() of '${s.name}'`);
      } catch (err) {
        setupError = `before() failed: ${describeError(err)}`;
        break;
      }
    }
    for (const t of s.tests) {
      const started = Date.now();
      let error = setupError;
      if (!error) {
        try {
          await withTimeout(t.fn, t.timeoutMs, `'${t.name}'`);
        } catch (err) {
          error = describeError(err);
        }
      }
      const result: TestResult = { suite: s.name, name: t.name, ok: !error, error, durationMs: Date.now() - started };
      results.push(result);
      log(`  ${result.ok ? 'ok  ' : 'FAIL'} ${t.name} (${result.durationMs} ms)${error ? `\n       ${error.split('\n').join('\n       ')}` : ''}`);
    }
  }
  const passed = results.filter((r) => r.ok).length;
  return { results, passed, failed: results.length - passed };
}

/** Polls `read` until `accept` holds (the extension loads clusters asynchronously). */
export function eventually<T>(what: string, read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  return pollUntil(what, read, accept, { timeoutMs, intervalMs: 200 });
}
