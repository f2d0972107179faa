// Polling until something a test waits for holds: the extension and the simulated cluster
// work asynchronously. Shared by the unit, integration and e2e suites.

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** How to show the last value in the timeout message. */
  describe?: (value: unknown) => string;
}

/** Reads until `accept` holds and returns that value; throws with the last value or error read. */
export async function pollUntil<T>(what: string, read: () => T | Promise<T>, accept: (value: T) => boolean, options: PollOptions = {}): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 25, describe = (v) => JSON.stringify(v) } = options;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const detail = lastError ? `last error: ${lastError instanceof Error ? lastError.message : String(lastError)}` : `last value: ${describe(last)}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${detail})`);
}
