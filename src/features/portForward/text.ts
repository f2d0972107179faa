// How a port forward is named in the view, the status bar and the messages.
import type { Forward } from './forwards.ts';

export function describe(f: Forward): string {
  return `localhost:${f.localPort} → ${f.kind}/${f.name}:${f.remotePort}`;
}

export function browserUrl(f: Pick<Forward, 'localPort'>): string {
  return `http://localhost:${f.localPort}`;
}

/** Why a forward's connection failed, in words a user can act on. */
export function explainFailure(message: string, f: Pick<Forward, 'remotePort' | 'pod' | 'kind' | 'name'>): string {
  if (/connection refused/i.test(message)) {
    return `Nothing listens on port ${f.remotePort} inside pod ${f.pod ?? f.name} (connection refused). Is the app listening on another port, or still starting?`;
  }
  return message;
}
