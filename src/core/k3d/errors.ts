import { lastErrorMessage, stripAnsi } from './logLine.ts';

export type K3dErrorKind =
  | 'notInstalled' // the executable was not found
  | 'dockerDown' // k3d runs, Docker does not answer
  | 'nameTaken' // create: a cluster with that name exists
  | 'notFound' // the cluster is gone (deleted meanwhile)
  | 'invalidName'
  | 'cancelled'
  | 'timedOut'
  | 'badOutput' // k3d printed something we cannot read
  | 'rejectedArgs' // k3d (cobra) did not accept the command line: an unknown flag or command, a bad value
  | 'failed'; // anything else: k3d's own message says why

export class K3dError extends Error {
  override readonly name = 'K3dError';
  readonly kind: K3dErrorKind;
  /** k3d's own explanation (its FATA/ERRO message), when it gave one. */
  readonly detail?: string;
  readonly exitCode?: number | null;

  constructor(kind: K3dErrorKind, message: string, detail?: string, exitCode?: number | null) {
    super(message);
    this.kind = kind;
    this.detail = detail;
    this.exitCode = exitCode;
  }
}

const DOCKER_DOWN = [
  /Cannot connect to the Docker daemon/i,
  /Is the docker daemon running/i,
  /docker failed to get containers/i,
  /error during connect/i,
  /failed to connect to the docker API/i,
  /permission denied while trying to connect to the Docker daemon/i,
];

/**
 * Turns a failed k3d run into a typed error. `output` is everything k3d printed, stdout
 * and stderr interleaved as they came.
 */
export function classifyFailure(args: readonly string[], exitCode: number | null, output: readonly string[]): K3dError {
  const text = output.map(stripAnsi).join('\n');
  const detail = lastErrorMessage(output);
  const command = `k3d ${args.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ')}`;
  const subject = args[0] === 'cluster' || args[0] === 'kubeconfig' ? args.slice(2).find((a) => !a.startsWith('-')) : undefined;

  if (DOCKER_DOWN.some((re) => re.test(text))) {
    return new K3dError('dockerDown', 'Docker is not running, or k3d cannot reach it.', detail, exitCode);
  }
  if (/because a cluster with that name already exists/i.test(text)) {
    return new K3dError('nameTaken', `A cluster named '${subject ?? '?'}' already exists.`, detail, exitCode);
  }
  if (/No nodes found for (given )?cluster/i.test(text) || /Failed to get cluster/i.test(text)) {
    return new K3dError('notFound', `Cluster '${subject ?? '?'}' does not exist (any more).`, detail, exitCode);
  }
  if (/Hostname|Invalid cluster name|not a valid/i.test(detail ?? '') && args[1] === 'create') {
    return new K3dError('invalidName', detail ?? 'Invalid cluster name.', detail, exitCode);
  }
  // cobra rejects a command line with "Error: …" and the usage; k3d then logs the same text as FATA, in logrus'
  // default format (logfmt when piped) because its own logging is not set up yet (k3d-io/k3d cmd/root.go).
  const rejected = cobraError(output);
  if (rejected !== undefined) {
    const why = oneLine(detail ?? rejected);
    const hint = /^unknown (shorthand )?(flag|command)/.test(why) ? ' The installed k3d may not support it ("k3d version" shows which it is).' : '';
    return new K3dError('rejectedArgs', `${command} did not accept its arguments: ${why}.${hint}`, detail ?? rejected, exitCode);
  }
  const why = detail ?? (text.trim().split('\n').pop() || `exit code ${exitCode}`);
  return new K3dError('failed', `${command} failed: ${why}`, detail, exitCode);
}

/** The message of cobra's "Error: …" line (the first line of it), when k3d printed one. */
function cobraError(output: readonly string[]): string | undefined {
  for (const raw of output) {
    const line = stripAnsi(raw);
    if (line.startsWith('Error: ')) return line.slice('Error: '.length).trim();
  }
  return undefined;
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}
