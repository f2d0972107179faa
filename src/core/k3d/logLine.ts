// k3d logs through logrus: `INFO[0003] Starting servers...`, coloured with ANSI codes even
// when piped, or logfmt (`time="..." level=info msg="..."`) with LOG_COLORS=false.

export type K3dLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'panic';

export interface K3dLogLine {
  level?: K3dLevel;
  /** Seconds since k3d started, from `[0003]`. */
  elapsed?: number;
  message: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const LEVELS: Record<string, K3dLevel> = {
  TRAC: 'trace', DEBU: 'debug', INFO: 'info', WARN: 'warn', ERRO: 'error', FATA: 'fatal', PANI: 'panic',
  trace: 'trace', debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', fatal: 'fatal', panic: 'panic',
};

// `[0003]` seconds since start, or the full time with --timestamps / LOG_TIMESTAMPS.
const TEXT_LINE = /^(TRAC|DEBU|INFO|WARN|ERRO|FATA|PANI)\[([^\]]+)\]\s?(.*)$/;
const LOGFMT_LEVEL = /(?:^|\s)level=("?)(\w+)\1/;
const LOGFMT_MSG = /(?:^|\s)msg=(?:"((?:[^"\\]|\\.)*)"|(\S+))/;

export function parseLogLine(raw: string): K3dLogLine {
  const line = stripAnsi(raw).replace(/\r$/, '');
  const text = line.match(TEXT_LINE);
  if (text) {
    return { level: LEVELS[text[1]], ...(/^\d+$/.test(text[2]) ? { elapsed: Number(text[2]) } : {}), message: text[3].trim() };
  }
  const level = line.match(LOGFMT_LEVEL);
  const msg = line.match(LOGFMT_MSG);
  if (level && msg) {
    const message = msg[1] !== undefined ? unquoteGo(msg[1]) : msg[2];
    return { level: LEVELS[level[2].toLowerCase()], message };
  }
  return { message: line };
}

const GO_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };

/** The inside of a Go %q string (logrus quotes logfmt values with it): \n, \t, \", \\, \xHH, \uHHHH. */
function unquoteGo(quoted: string): string {
  return quoted.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return GO_ESCAPES[e] ?? e;
  });
}

/**
 * The message of the first FATA (else the first ERRO) line: what k3d itself says went wrong. logrus prints a
 * message with newlines as it is, so the lines after it that carry no level belong to it (k3d's schema
 * validation lists one problem per line).
 */
export function lastErrorMessage(lines: readonly string[]): string | undefined {
  let error: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseLogLine(lines[i]);
    if (parsed.level === 'fatal' || parsed.level === 'panic') {
      return withContinuation(parsed.message, lines, i);
    }
    if (parsed.level === 'error' && error === undefined) {
      error = withContinuation(parsed.message, lines, i);
    }
  }
  return error;
}

function withContinuation(message: string, lines: readonly string[], at: number): string {
  const parts = [message];
  for (let j = at + 1; j < lines.length; j++) {
    const next = parseLogLine(lines[j]);
    if (next.level !== undefined || next.message.trim() === '' || /^(Error: |Usage:)/.test(next.message)) break;
    parts.push(next.message.trim());
  }
  return parts.join('\n');
}

/** Where a k3d line belongs in the extension's log: k3d's DEBU and TRAC lines are kept at trace level. */
export type LogSeverity = 'trace' | 'info' | 'warn' | 'error';

const SEVERITY: Record<K3dLevel, LogSeverity> = {
  trace: 'trace', debug: 'trace', info: 'info', warn: 'warn', error: 'error', fatal: 'error', panic: 'error',
};

export interface ReadLine {
  line: K3dLogLine;
  severity: LogSeverity;
  /** A later line of a message that spans lines (k3d's "Runtime Info:" dump, schema errors). */
  continuation: boolean;
}

/**
 * Reads k3d's output line by line. logrus prints a message with newlines as it is and ends it with
 * `<message> \n` (a space before the newline, text/coloured format): so a levelled line without that trailing
 * space opens a message whose following lines, up to one that ends with a space, carry its level. Kept per
 * stream, since stdout (INFO, DEBU, TRAC) and stderr (WARN, ERRO, FATA) arrive interleaved.
 */
export function createK3dLineReader(): (raw: string, stream?: 'stdout' | 'stderr') => ReadLine {
  const open = new Map<string, K3dLevel>();
  return (raw, stream = 'stdout') => {
    const text = stripAnsi(raw).replace(/\r$/, '');
    const openLevel = open.get(stream);
    if (openLevel !== undefined) {
      if (text.endsWith(' ')) open.delete(stream);
      return { line: { level: openLevel, message: text.trim() }, severity: SEVERITY[openLevel], continuation: true };
    }
    const line = parseLogLine(raw);
    if (line.level !== undefined && TEXT_LINE.test(text) && !text.endsWith(' ')) open.set(stream, line.level);
    return { line, severity: line.level ? SEVERITY[line.level] : 'info', continuation: false };
  };
}
