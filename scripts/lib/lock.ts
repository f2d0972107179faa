// A lock folder per shared resource (the code-server install, the e2e and integration work
// folders), so that two runs in one checkout wait for each other instead of wiping each other's
// files. A lock whose holder process is gone is taken over.
import * as fs from 'node:fs';
import * as path from 'node:path';

function holderAlive(lockDir: string): { pid: number; alive: boolean } {
  let pid = 0;
  try {
    pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8')) || 0;
  } catch {
    // being created right now, or half-removed: treat as alive briefly
    return { pid: 0, alive: true };
  }
  try {
    if (pid > 0) process.kill(pid, 0);
    return { pid, alive: pid > 0 };
  } catch {
    return { pid, alive: false };
  }
}

/** Runs `body` while holding `lockDir`; waits (logging every 30 s) while another process holds it. */
export async function withLock<T>(lockDir: string, what: string, log: (line: string) => void, body: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  let waitedSince = 0;
  let lastSaid = 0;
  let unknownSince = 0;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch {
      const holder = holderAlive(lockDir);
      if (holder.pid === 0) unknownSince ||= Date.now();
      else unknownSince = 0;
      if (!holder.alive || (unknownSince && Date.now() - unknownSince > 10_000)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      waitedSince ||= Date.now();
      if (Date.now() - lastSaid > 30_000) {
        log(`waiting for another ${what} (pid ${holder.pid}) to finish...`);
        lastSaid = Date.now();
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const release = () => fs.rmSync(lockDir, { recursive: true, force: true });
  process.once('exit', release);
  try {
    return await body();
  } finally {
    process.removeListener('exit', release);
    release();
  }
}
