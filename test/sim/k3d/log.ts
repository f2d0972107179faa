// logrus' TextFormatter as k3d configures it (cmd/root.go initLogging): colours forced even when
// piped, INFO/DEBUG to stdout, WARN/ERRO/FATA to stderr, `[%04d]` seconds since start, the message
// padded to 44 columns. LOG_COLORS=false switches to logfmt, LOG_TIMESTAMPS / --timestamps to full time.

export type Level = 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal';

const levelRank: Record<Level, number> = { trace: 6, debug: 5, info: 4, warning: 3, error: 2, fatal: 1 };
const levelColor: Record<Level, number> = { trace: 37, debug: 37, info: 36, warning: 33, error: 31, fatal: 31 };

const startedAt = Date.now();

export interface LogOptions {
  colors: boolean;
  fullTimestamp: boolean;
  level: Level;
}

export const logOptions: LogOptions = {
  colors: true,
  fullTimestamp: false,
  level: 'info',
};

/** Go's strconv.ParseBool. */
export function parseGoBool(value: string | undefined): boolean | undefined {
  switch (value) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True': return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False': return false;
    default: return undefined;
  }
}

/** logrus.New()'s TextFormatter, in effect before k3d's initLogging: colours only on a terminal, level info. */
export function useDefaultLogger(stderrIsTerminal: boolean): void {
  logOptions.colors = stderrIsTerminal;
  logOptions.fullTimestamp = false;
  logOptions.level = 'info';
}

export function configureLogging(env: NodeJS.ProcessEnv, flags: { verbose: boolean; trace: boolean; timestamps: boolean }): void {
  const colors = parseGoBool(env.LOG_COLORS);
  logOptions.colors = colors ?? true;
  logOptions.fullTimestamp = flags.timestamps || (env.LOG_TIMESTAMPS ?? '') !== '';
  // cmd/root.go initLogging: --trace, else --verbose, else LOG_LEVEL through logrus.ParseLevel (ignored if invalid).
  if (flags.trace) {
    logOptions.level = 'trace';
  } else if (flags.verbose) {
    logOptions.level = 'debug';
  } else {
    const wanted = (env.LOG_LEVEL ?? '').toLowerCase();
    const byName: Record<string, Level> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warning', warning: 'warning', error: 'error', fatal: 'fatal' };
    logOptions.level = byName[wanted] ?? 'info';
  }
}

function rfc3339(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const offsetMin = -date.getTimezoneOffset();
  const zone = offsetMin === 0
    ? 'Z'
    : `${offsetMin > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}`;
}

/** Go's %q for the characters k3d messages contain. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

function needsQuoting(s: string): boolean {
  if (s === '') return true;
  return !/^[A-Za-z0-9\-._/@^+]+$/.test(s);
}

export function formatLine(level: Level, message: string, now = new Date()): string {
  if (!logOptions.colors) {
    // logrus keeps a trailing newline of the message in logfmt (quoted as \n); only printColored trims it.
    const msg = message;
    const value = needsQuoting(msg) ? goQuote(msg) : msg;
    return `time=${goQuote(rfc3339(now))} level=${level} msg=${value}\n`;
  }
  const msg = message.replace(/\n$/, '');
  const text = level.toUpperCase().slice(0, 4);
  const stamp = logOptions.fullTimestamp
    ? rfc3339(now)
    : String(Math.floor((now.getTime() - startedAt) / 1000)).padStart(4, '0');
  // Go pads %-44s by runes, not bytes.
  const runes = [...msg].length;
  const padded = runes < 44 ? msg + ' '.repeat(44 - runes) : msg;
  return `\x1b[${levelColor[level]}m${text}\x1b[0m[${stamp}] ${padded} \n`;
}

export function log(level: Level, message: string): void {
  if (levelRank[level] > levelRank[logOptions.level]) return;
  const line = formatLine(level, message);
  if (level === 'trace' || level === 'debug' || level === 'info') process.stdout.write(line);
  else process.stderr.write(line);
}

export const trace = (m: string) => log('trace', m);
export const debug = (m: string) => log('debug', m);
/** Whether `level` lines are printed (k3d builds some debug output only then: l.Log().GetLevel() >= …). */
export const enabled = (level: Level) => levelRank[level] <= levelRank[logOptions.level];
export const info = (m: string) => log('info', m);
export const warn = (m: string) => log('warning', m);
export const error = (m: string) => log('error', m);

/** Thrown to end the command the way logrus' Fatal does: a FATA line, then exit 1. */
export class FatalError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'FatalError';
    this.exitCode = exitCode;
  }
}

/** Ends the command with exit code `code` without a FATA line (cobra errors, os.Exit(1) paths). */
export class ExitError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitError';
    this.exitCode = exitCode;
  }
}

export function fatal(message: string): never {
  throw new FatalError(message);
}

export function printFatal(message: string): void {
  log('fatal', message);
}

/** fmt.Println to stdout. */
export function println(text = ''): void {
  process.stdout.write(text + '\n');
}
