// From bytes on a socket to lines: chunk boundaries inside a line or a UTF-8 character, '\r\n',
// and lines too long to keep whole. Nothing here knows about HTTP or VS Code.
import { StringDecoder } from 'node:string_decoder';

/** Lines longer than this are cut: a program that never prints '\n' must not grow memory. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a byte (or text) stream into lines. Multi-byte UTF-8 characters and '\r\n' split across
 * chunk boundaries come out whole; a lone '\r' inside a line is kept (progress bars print them).
 */
export class LineSplitter {
  // Node's own decoder: two to six times faster than TextDecoder in stream mode on a log flood.
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private readonly maxLineChars: number;

  constructor(maxLineChars = MAX_LINE_CHARS) {
    this.maxLineChars = maxLineChars;
  }

  /** The complete lines this chunk finishes; the unfinished tail waits for the next chunk. */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl < 0) {
      this.partial += text;
    } else {
      lines.push(trimCr(this.partial + text.slice(0, nl)));
      this.partial = '';
      start = nl + 1;
      while ((nl = text.indexOf('\n', start)) >= 0) {
        lines.push(trimCr(text.slice(start, nl)));
        start = nl + 1;
      }
      this.partial = text.slice(start);
    }
    while (this.partial.length > this.maxLineChars) {
      lines.push(this.partial.slice(0, this.maxLineChars));
      this.partial = this.partial.slice(this.maxLineChars);
    }
    return lines;
  }

  /** The stream ended: whatever is left is the last line (without a trailing newline). */
  end(): string[] {
    const rest = trimCr(this.partial + this.decoder.end());
    this.partial = '';
    return rest ? [rest] : [];
  }
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
