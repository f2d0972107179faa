import type { YScalar } from './node.ts';
import { DASH, expectLineEnd, GIVE_UP, isBlank, SPACE } from './scanTokens.ts';

/**
 * Literal (`|`) and folded (`>`) block scalars for the fast scanner (scan.ts): the header, which
 * lines belong to the scalar, and its value as `yaml` reads it. Anything unusual (indentation
 * indicators, more-indented folded lines, kept trailing blanks of an empty scalar) gives up.
 */
export interface Block {
  readonly node: YScalar & { span: { start: number; end: number }; value: string };
  readonly parentIndent: number;
  readonly folded: boolean;
  readonly chomp: 'clip' | 'strip' | 'keep';
  contentIndent: number;
  /** Raw line bounds `[start, end]` pairs, blank lines included. */
  readonly lines: number[];
  lastContent: number; // index in lines (pairs) of the last non-blank line, -1 if none
  maxBlankIndent: number; // widest blank line before the first content line
}

/** The block scalar whose header (`|`, `>-`, `|+`) is at `i`. */
export function startBlock(text: string, i: number, le: number, parentIndent: number, folded: boolean): Block {
  let j = i + 1;
  let chomp: Block['chomp'] = 'clip';
  const c = text.charCodeAt(j);
  if (c === DASH) {
    chomp = 'strip';
    j++;
  } else if (c === 43) {
    chomp = 'keep';
    j++;
  }
  if (j < le && !isBlank(text.charCodeAt(j))) {
    throw GIVE_UP; // an explicit indentation indicator, or garbage
  }
  expectLineEnd(text, j, le);
  const node: Block['node'] = { kind: 'scalar', span: { start: i, end: j }, value: '', style: 'block' };
  return { node, parentIndent, folded, chomp, contentIndent: -1, lines: [], lastContent: -1, maxBlankIndent: 0 };
}

/**
 * Returns true when the line belongs to the block scalar; false when it ends it (then call
 * `endBlock`).
 */
export function blockLine(block: Block, ls: number, le: number, firstNonSpace: number): boolean {
  const indent = firstNonSpace - ls;
  const blank = firstNonSpace === le;
  if (blank) {
    block.lines.push(ls, le);
    if (block.contentIndent === -1) {
      block.maxBlankIndent = Math.max(block.maxBlankIndent, indent);
    }
    return true;
  }
  if (block.contentIndent === -1) {
    if (indent <= block.parentIndent) {
      return false;
    }
    if (block.maxBlankIndent > indent) {
      throw GIVE_UP;
    }
    block.contentIndent = indent;
  } else if (indent < block.contentIndent) {
    return false;
  }
  block.lastContent = block.lines.length;
  block.lines.push(ls, le);
  return true;
}

/** Computes the scalar's value and span from its lines. */
export function endBlock(text: string, block: Block): void {
  const { lines, contentIndent, lastContent } = block;
  if (lastContent === -1) {
    if (block.chomp === 'keep' && lines.length > 0) {
      throw GIVE_UP;
    }
    return; // empty: value '' and the header's span
  }
  const parts: string[] = [];
  let pendingBlanks = 0;
  let first = true;
  for (let k = 0; k <= lastContent; k += 2) {
    const ls = lines[k];
    const le = lines[k + 1];
    const isContent = le - ls > 0 && !isBlankRaw(text, ls, le);
    if (!isContent) {
      if (block.folded) {
        pendingBlanks++;
      } else {
        parts.push(le - ls > contentIndent ? text.slice(ls + contentIndent, le) : '');
        parts.push('\n');
      }
      continue;
    }
    const line = text.slice(ls + contentIndent, le);
    if (block.folded) {
      if (line.startsWith(' ') || line.startsWith('\t')) {
        throw GIVE_UP; // more-indented lines are not folded; leave that to the full parse
      }
      if (first) {
        parts.push('\n'.repeat(pendingBlanks));
      } else {
        parts.push(pendingBlanks > 0 ? '\n'.repeat(pendingBlanks) : ' ');
      }
      pendingBlanks = 0;
      parts.push(line);
    } else {
      parts.push(line);
      if (k < lastContent) {
        parts.push('\n');
      }
    }
    first = false;
  }
  const lastEnd = lines[lastContent + 1];
  // `yaml` (like the spec's examples) ends a clipped scalar with a line break even at the end of the file.
  let value = parts.join('');
  if (block.chomp !== 'strip') {
    value += '\n';
  }
  if (block.chomp === 'keep') {
    const trailing = (lines.length - lastContent - 2) / 2;
    value += '\n'.repeat(trailing);
  }
  block.node.value = value;
  block.node.span.end = lastEnd;
}

function isBlankRaw(text: string, ls: number, le: number): boolean {
  for (let k = ls; k < le; k++) {
    if (text.charCodeAt(k) !== SPACE) {
      return false;
    }
  }
  return true;
}
