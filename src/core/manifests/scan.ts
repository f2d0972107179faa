import type { YMap, YNode, YPair, YScalar, YSeq } from './node.ts';
import { resolvePlain } from './scalars.ts';
import type { Span } from './text.ts';

/**
 * A fast, line-based reader for the block YAML that Kubernetes manifests are written in.
 *
 * Why: `yaml`'s full parse costs about 0.5 ms per typical manifest document, over a second for a
 * 5 MB file, which is too slow to recompute CodeLenses on each keystroke. This scanner handles
 * block mappings and sequences, plain and quoted one-line scalars, literal and folded block
 * scalars and one-line flow collections, in one pass without backtracking. Anything else
 * (anchors, aliases, tags, multi-line quoted or plain scalars, complex keys, odd indentation)
 * makes it give up on the document (it returns `undefined`) and the caller falls back to the
 * full parse, so it may be incomplete but is never knowingly wrong. It does not report syntax
 * errors: validation always uses the full parse.
 */

class GiveUp extends Error {}
/** Thrown, never created per use: an Error's stack trace costs more than the scan it ends. */
const GIVE_UP = new GiveUp();

type MSpan = { start: number; end: number };
type MMap = { kind: 'map'; span: MSpan; pairs: YPair[] };
type MSeq = { kind: 'seq'; span: MSpan; items: YNode[] };
type MPair = { key: string; keySpan: Span; value: YNode };

/**
 * Which parts of a document to read: a key maps to what to keep below it, `'[]'` to what to
 * keep of each sequence item, `true` keeps everything. Unlisted keys are skipped by
 * indentation alone, which is what makes an outline (kind, name, images) cheap to scan.
 */
export type Keep = true | { readonly [key: string]: Keep };

interface Frame {
  readonly type: 'map' | 'seq';
  readonly indent: number;
  readonly node: MMap | MSeq;
  /** What to keep of this node's children (pairs of a map, items of a sequence). */
  readonly keep: Keep;
  /** The last pair's value (or the last item) has not been written yet: deeper lines fill it. */
  open: boolean;
}

interface Block {
  readonly node: { kind: 'scalar'; span: MSpan; value: string; style: 'block' };
  readonly parentIndent: number;
  readonly folded: boolean;
  readonly chomp: 'clip' | 'strip' | 'keep';
  contentIndent: number;
  /** Raw line bounds `[start, end]` pairs, blank lines included. */
  readonly lines: number[];
  lastContent: number; // index in lines (pairs) of the last non-blank line, -1 if none
  maxBlankIndent: number; // widest blank line before the first content line
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQUOTE = 34;
const SQUOTE = 39;

/**
 * Scans the document content in `text[start, end)` (after its `---` line). Returns its tree,
 * `null` for a document with nothing but comments and blank lines, `undefined` when the
 * document uses YAML this scanner does not read (use the full parse instead).
 */
export function scanDocument(text: string, start: number, end: number, keep: Keep = true): YNode | null | undefined {
  try {
    return new Scanner(text, end, keep).run(start);
  } catch (e) {
    if (e instanceof GiveUp) {
      return undefined;
    }
    throw e;
  }
}

class Scanner {
  private readonly text: string;
  private readonly end: number;
  private readonly stack: Frame[] = [];
  private root: YNode | null = null;
  private block: Block | undefined;
  private lineStart = 0;

  private readonly keep: Keep;
  /** Skipping an unkept value: lines deeper than `indent` (and `- ` at it, when `dash`) are its. */
  private skipIndent = -1;
  private skipDash = false;

  constructor(text: string, end: number, keep: Keep) {
    this.text = text;
    this.end = end;
    this.keep = keep;
  }

  run(start: number): YNode | null {
    const { text, end } = this;
    let pos = start;
    while (pos < end) {
      let eol = text.indexOf('\n', pos);
      if (eol === -1 || eol > end) {
        eol = end;
      }
      let le = eol;
      if (le > pos && text.charCodeAt(le - 1) === 13) {
        le--;
      }
      this.lineStart = pos;
      if (this.skipIndent < 0 || !this.skipped(pos, le)) {
        this.line(pos, le);
      }
      pos = eol + 1;
    }
    if (this.block) {
      this.endBlock();
    }
    while (this.stack.length > 0) {
      this.pop();
    }
    return this.root;
  }

  private line(ls: number, le: number): void {
    const { text } = this;
    let i = ls;
    while (i < le && text.charCodeAt(i) === SPACE) {
      i++;
    }
    if (this.block) {
      if (this.blockLine(ls, le, i)) {
        return;
      }
    }
    if (i === le) {
      return;
    }
    const c = text.charCodeAt(i);
    if (c === HASH) {
      return;
    }
    if (c === TAB || c === 13) {
      if (this.restIsBlank(i, le)) {
        return;
      }
      throw GIVE_UP;
    }
    this.content(i - ls, i, le);
  }

  /** Places the line's first token (at column `col`) in the tree. */
  private content(col: number, i: number, le: number): void {
    const dash = this.isDash(i, le);
    const { stack } = this;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.indent > col || (top.indent === col && top.type === 'seq' && !dash)) {
        this.pop();
        continue;
      }
      break;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (this.root !== null) {
        throw GIVE_UP; // a second top-level node: not a manifest the scanner understands
      }
      this.startNode(col, i, le, undefined);
    } else if (top.indent === col) {
      if (top.type === 'seq') {
        this.item(top, i, le);
      } else if (dash) {
        // `key:` followed by `- item` at the key's own indentation.
        if (!top.open) {
          throw GIVE_UP;
        }
        this.startNode(col, i, le, top);
      } else {
        top.open = false;
        this.pair(top, i, le);
      }
    } else {
      if (!top.open) {
        throw GIVE_UP; // a continuation line of a multi-line plain scalar, or bad indentation
      }
      this.startNode(col, i, le, top);
    }
  }

  /** A new node at column `col` that fills `parent`'s open slot (or is the root). */
  private startNode(col: number, i: number, le: number, parent: Frame | undefined): void {
    if (this.isDash(i, le)) {
      const seq: MSeq = { kind: 'seq', span: { start: i, end: i + 1 }, items: [] };
      this.assign(parent, seq);
      const frame: Frame = { type: 'seq', indent: col, node: seq, open: false, keep: this.childKeep(parent) };
      this.stack.push(frame);
      this.item(frame, i, le);
      return;
    }
    const key = this.keyAt(i, le);
    if (key !== undefined) {
      const map: MMap = { kind: 'map', span: { start: i, end: key.keySpan.end }, pairs: [] };
      this.assign(parent, map);
      const frame: Frame = { type: 'map', indent: col, node: map, open: false, keep: this.childKeep(parent) };
      this.stack.push(frame);
      this.pairFrom(frame, key, le);
      return;
    }
    if (parent === undefined) {
      throw GIVE_UP; // a scalar document
    }
    this.assign(parent, this.value(i, le, parent.indent));
  }

  /** `- ...` in sequence `frame`: a new item, whose content may follow on the same line. */
  private item(frame: Frame, dashAt: number, le: number): void {
    const seq = frame.node as MSeq;
    let j = dashAt + 1;
    while (j < le && (this.text.charCodeAt(j) === SPACE || this.text.charCodeAt(j) === TAB)) {
      j++;
    }
    if (j === le || this.text.charCodeAt(j) === HASH) {
      seq.items.push(nullAt(dashAt + 1));
      frame.open = true;
      return;
    }
    if (this.text.charCodeAt(j - 1) === TAB) {
      throw GIVE_UP; // compact nested content after a tab: its indentation is ambiguous
    }
    seq.items.push(NO_VALUE);
    frame.open = true;
    this.startNode(j - this.lineStart, j, le, frame);
  }

  private pair(frame: Frame, i: number, le: number): void {
    const key = this.keyAt(i, le);
    if (key === undefined) {
      throw GIVE_UP; // a scalar where a key belongs: invalid, let the full parse say so
    }
    this.pairFrom(frame, key, le);
  }

  private pairFrom(frame: Frame, key: { key: string; keySpan: Span; after: number }, le: number): void {
    const map = frame.node as MMap;
    let j = key.after;
    if (frame.keep !== true && frame.keep[key.key] === undefined) {
      while (j < le && (this.text.charCodeAt(j) === SPACE || this.text.charCodeAt(j) === TAB)) {
        j++;
      }
      const c = this.text.charCodeAt(j);
      if (c === 38 || c === 42 || c === 33) {
        throw GIVE_UP; // an anchor may be used by a kept part
      }
      this.skipIndent = frame.indent;
      this.skipDash = j === le || c === HASH;
      frame.open = false;
      return;
    }
    while (j < le && (this.text.charCodeAt(j) === SPACE || this.text.charCodeAt(j) === TAB)) {
      j++;
    }
    if (j === le || this.text.charCodeAt(j) === HASH) {
      map.pairs.push({ key: key.key, keySpan: key.keySpan, value: nullAt(key.after) });
      frame.open = true;
      return;
    }
    // The value is read before the pair is stored so that no placeholder is allocated.
    map.pairs.push({ key: key.key, keySpan: key.keySpan, value: NO_VALUE });
    frame.open = true;
    this.assign(frame, this.value(j, le, frame.indent));
  }

  /** What to keep below the node that fills `parent`'s open slot. */
  private childKeep(parent: Frame | undefined): Keep {
    if (parent === undefined) {
      return this.keep;
    }
    if (parent.keep === true) {
      return true;
    }
    if (parent.type === 'seq') {
      return parent.keep['[]'] ?? {};
    }
    const pairs = (parent.node as MMap).pairs;
    return parent.keep[pairs[pairs.length - 1].key] ?? {};
  }

  /** Returns true when the line belongs to the value being skipped. */
  private skipped(ls: number, le: number): boolean {
    const { text } = this;
    let i = ls;
    while (i < le && text.charCodeAt(i) === SPACE) {
      i++;
    }
    const c = text.charCodeAt(i);
    if (i === le || c === HASH || c === TAB || c === 13) {
      return true; // blank, comment (or tab-indented, which YAML forbids anyway)
    }
    const indent = i - ls;
    if (indent > this.skipIndent || (indent === this.skipIndent && this.skipDash && this.isDash(i, le))) {
      return true;
    }
    this.skipIndent = -1;
    return false;
  }

  private assign(parent: Frame | undefined, node: YNode): void {
    if (parent === undefined) {
      this.root = node;
      return;
    }
    if (parent.type === 'map') {
      const pairs = (parent.node as MMap).pairs;
      (pairs[pairs.length - 1] as MPair).value = node;
    } else {
      const items = (parent.node as MSeq).items;
      items[items.length - 1] = node;
    }
    parent.open = false;
  }

  private pop(): void {
    const frame = this.stack.pop() as Frame;
    const node = frame.node;
    let last = node.span.end;
    if (node.kind === 'map') {
      const pair = node.pairs[node.pairs.length - 1];
      if (pair !== undefined) {
        last = Math.max(pair.keySpan.end, pair.value.span.end);
      }
    } else if (node.items.length > 0) {
      last = node.items[node.items.length - 1].span.end;
    }
    node.span.end = Math.max(node.span.end, last);
  }

  /** A value after `key: ` or `- ` (or alone on its line), which ends on this line. */
  private value(i: number, le: number, parentIndent: number): YNode {
    const { text } = this;
    const c = text.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      const q = this.quoted(i, le);
      if (q === undefined) {
        throw GIVE_UP;
      }
      this.expectLineEnd(q.end, le);
      return { kind: 'scalar', span: { start: i, end: q.end }, value: q.value, style: c === DQUOTE ? 'double' : 'single' };
    }
    if (c === 124 || c === 62) {
      return this.startBlock(i, le, parentIndent, c === 62);
    }
    if (c === 91 || c === 123) {
      const flow = new FlowReader(text, le).read(i);
      this.expectLineEnd(flow.span.end, le);
      return flow;
    }
    if (isIndicatorStart(text, i, le)) {
      throw GIVE_UP;
    }
    const valueEnd = plainEnd(text, i, le);
    const source = text.slice(i, valueEnd);
    if (source.includes(': ') || source.includes(':\t') || source.endsWith(':')) {
      throw GIVE_UP;
    }
    return { kind: 'scalar', span: { start: i, end: valueEnd }, value: resolvePlain(source), style: 'plain' } satisfies YScalar;
  }

  /** A key at `i` (`name:`, `"a.b/c":`), or undefined when the line holds no key there. */
  private keyAt(i: number, le: number): { key: string; keySpan: Span; after: number } | undefined {
    const { text } = this;
    const c = text.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      const q = this.quoted(i, le);
      if (q === undefined) {
        return undefined;
      }
      let j = q.end;
      while (j < le && text.charCodeAt(j) === SPACE) {
        j++;
      }
      if (text.charCodeAt(j) === COLON && (j + 1 === le || isBlank(text.charCodeAt(j + 1)))) {
        return { key: q.value, keySpan: { start: i, end: q.end }, after: j + 1 };
      }
      return undefined;
    }
    if (c === 63 && (i + 1 === le || isBlank(text.charCodeAt(i + 1)))) {
      throw GIVE_UP; // `? complex key`
    }
    if (c === 91 || c === 123 || c === 124 || c === 62) {
      return undefined;
    }
    for (let j = i; j < le; j++) {
      const d = text.charCodeAt(j);
      if (d === COLON && (j + 1 === le || isBlank(text.charCodeAt(j + 1)))) {
        if (isIndicatorStart(text, i, le)) {
          throw GIVE_UP;
        }
        let k = j;
        while (k > i && isBlank(text.charCodeAt(k - 1))) {
          k--;
        }
        const key = text.slice(i, k);
        if (key === '' || key === '<<') {
          throw GIVE_UP; // empty keys and merge keys: leave them to the full parse
        }
        return { key, keySpan: { start: i, end: k }, after: j + 1 };
      }
      if (d === HASH && j > i && isBlank(text.charCodeAt(j - 1))) {
        return undefined;
      }
    }
    return undefined;
  }

  /** A one-line quoted scalar at `i`; undefined when it does not close on this line. */
  private quoted(i: number, le: number): { value: string; end: number } | undefined {
    return readQuoted(this.text, i, le);
  }

  private expectLineEnd(j: number, le: number): void {
    const { text } = this;
    let k = j;
    while (k < le && isBlank(text.charCodeAt(k))) {
      k++;
    }
    if (k < le && !(text.charCodeAt(k) === HASH && k > j)) {
      throw GIVE_UP;
    }
  }

  private isDash(i: number, le: number): boolean {
    return this.text.charCodeAt(i) === DASH && (i + 1 === le || isBlank(this.text.charCodeAt(i + 1)));
  }

  private restIsBlank(i: number, le: number): boolean {
    for (let k = i; k < le; k++) {
      const c = this.text.charCodeAt(k);
      if (c === HASH) {
        return true;
      }
      if (!isBlank(c) && c !== 13) {
        return false;
      }
    }
    return true;
  }

  // --- block scalars -------------------------------------------------------------------

  private startBlock(i: number, le: number, parentIndent: number, folded: boolean): YNode {
    const { text } = this;
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
    this.expectLineEnd(j, le);
    const node: Block['node'] = { kind: 'scalar', span: { start: i, end: j }, value: '', style: 'block' };
    this.block = { node, parentIndent, folded, chomp, contentIndent: -1, lines: [], lastContent: -1, maxBlankIndent: 0 };
    return node;
  }

  /** Returns true when the line belongs to the open block scalar. */
  private blockLine(ls: number, le: number, firstNonSpace: number): boolean {
    const block = this.block as Block;
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
        this.endBlock();
        return false;
      }
      if (block.maxBlankIndent > indent) {
        throw GIVE_UP;
      }
      block.contentIndent = indent;
    } else if (indent < block.contentIndent) {
      this.endBlock();
      return false;
    }
    block.lastContent = block.lines.length;
    block.lines.push(ls, le);
    return true;
  }

  private endBlock(): void {
    const block = this.block as Block;
    this.block = undefined;
    const { text } = this;
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
      const isContent = le - ls > 0 && !this.isBlankRaw(ls, le);
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

  private isBlankRaw(ls: number, le: number): boolean {
    for (let k = ls; k < le; k++) {
      if (this.text.charCodeAt(k) !== SPACE) {
        return false;
      }
    }
    return true;
  }
}

/**
 * How deep a one-line flow collection the scanner follows (it recurses once per level); deeper
 * ones go to the full parse, which has its own limit (YAML_FLOW_DEPTH_MAX).
 */
const FLOW_DEPTH_MAX = 64;

/** Reads a one-line flow collection (`["sh", "-c"]`, `{}`, `{a: 1}`), or gives up. */
class FlowReader {
  private readonly text: string;
  private readonly le: number;
  private depth = 0;

  constructor(text: string, le: number) {
    this.text = text;
    this.le = le;
  }

  read(i: number): YMap | YSeq {
    if (++this.depth > FLOW_DEPTH_MAX) {
      throw GIVE_UP;
    }
    const open = this.text.charCodeAt(i);
    const close = open === 91 ? 93 : 125;
    const items: YNode[] = [];
    const pairs: YPair[] = [];
    let j = this.skip(i + 1);
    if (this.text.charCodeAt(j) === close) {
      return this.done(open, i, j + 1, items, pairs);
    }
    for (;;) {
      if (open === 91) {
        const node = this.node(j);
        items.push(node);
        j = this.skip(node.span.end);
        if (this.text.charCodeAt(j) === COLON) {
          throw GIVE_UP; // `[a: b]` single-pair maps
        }
      } else {
        const key = this.node(j);
        if (key.kind !== 'scalar' || key.value === null) {
          throw GIVE_UP;
        }
        j = this.skip(key.span.end);
        let value: YNode = nullAt(j);
        if (this.text.charCodeAt(j) === COLON) {
          j = this.skip(j + 1);
          const c = this.text.charCodeAt(j);
          if (c !== 44 && c !== close) {
            value = this.node(j);
            j = this.skip(value.span.end);
          } else {
            value = nullAt(j);
          }
        }
        pairs.push({ key: String(key.value), keySpan: key.span, value });
      }
      const c = this.text.charCodeAt(j);
      if (c === close) {
        return this.done(open, i, j + 1, items, pairs);
      }
      if (c !== 44) {
        throw GIVE_UP;
      }
      j = this.skip(j + 1);
      if (this.text.charCodeAt(j) === close) {
        return this.done(open, i, j + 1, items, pairs);
      }
    }
  }

  private done(open: number, start: number, end: number, items: YNode[], pairs: YPair[]): YMap | YSeq {
    this.depth--;
    return open === 91 ? { kind: 'seq', span: { start, end }, items } : { kind: 'map', span: { start, end }, pairs };
  }

  private node(j: number): YNode {
    const { text, le } = this;
    if (j >= le) {
      throw GIVE_UP; // continues on the next line
    }
    const c = text.charCodeAt(j);
    if (c === 91 || c === 123) {
      return this.read(j);
    }
    if (c === DQUOTE || c === SQUOTE) {
      const q = readQuoted(text, j, le);
      if (q === undefined) {
        throw GIVE_UP;
      }
      return { kind: 'scalar', span: { start: j, end: q.end }, value: q.value, style: c === DQUOTE ? 'double' : 'single' };
    }
    if (isIndicatorStart(text, j, le) || c === 44 || c === 93 || c === 125 || c === HASH) {
      throw GIVE_UP;
    }
    let k = j;
    for (; k < le; k++) {
      const d = text.charCodeAt(k);
      if (d === 44 || d === 91 || d === 93 || d === 123 || d === 125) {
        break;
      }
      if (d === COLON && (k + 1 === le || isBlank(text.charCodeAt(k + 1)) || ',[]{}'.includes(text[k + 1]))) {
        break;
      }
      if (d === HASH && isBlank(text.charCodeAt(k - 1))) {
        throw GIVE_UP;
      }
    }
    let e = k;
    while (e > j && isBlank(text.charCodeAt(e - 1))) {
      e--;
    }
    return { kind: 'scalar', span: { start: j, end: e }, value: resolvePlain(text.slice(j, e)), style: 'plain' };
  }

  private skip(j: number): number {
    while (j < this.le && isBlank(this.text.charCodeAt(j))) {
      j++;
    }
    return j;
  }
}

function readQuoted(text: string, i: number, le: number): { value: string; end: number } | undefined {
  const q = text.charCodeAt(i);
  if (q === SQUOTE) {
    for (let j = i + 1; j < le; j++) {
      if (text.charCodeAt(j) === SQUOTE) {
        if (text.charCodeAt(j + 1) === SQUOTE && j + 1 < le) {
          j++;
          continue;
        }
        return { value: text.slice(i + 1, j).replaceAll("''", "'"), end: j + 1 };
      }
    }
    return undefined;
  }
  let escaped = false;
  for (let j = i + 1; j < le; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) {
      escaped = true;
      j++;
      continue;
    }
    if (c === DQUOTE) {
      const raw = text.slice(i + 1, j);
      if (!escaped) {
        return { value: raw, end: j + 1 };
      }
      // YAML's escapes are a superset of JSON's; the common ones (\" \\ \n \t \uXXXX) agree.
      try {
        return { value: JSON.parse(`"${raw}"`) as string, end: j + 1 };
      } catch {
        throw GIVE_UP;
      }
    }
  }
  return undefined;
}

/** The end of a plain scalar in block context: before a ` #` comment or trailing blanks. */
function plainEnd(text: string, i: number, le: number): number {
  let end = le;
  for (let j = i + 1; j < le; j++) {
    if (text.charCodeAt(j) === HASH && isBlank(text.charCodeAt(j - 1))) {
      end = j;
      break;
    }
  }
  while (end > i && isBlank(text.charCodeAt(end - 1))) {
    end--;
  }
  return end;
}

/** Anchors, aliases, tags, directives, reserved characters: the scanner does not read them. */
function isIndicatorStart(text: string, i: number, le: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 38 || c === 42 || c === 33 || c === 37 || c === 64 || c === 96) {
    return true;
  }
  // `-`, `?` and `:` start a plain scalar only when a non-blank follows.
  if (c === DASH || c === 63 || c === COLON) {
    return i + 1 >= le || isBlank(text.charCodeAt(i + 1));
  }
  return c === 44 || c === 93 || c === 125;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** Stands for a value about to be assigned; never left in a finished tree. */
const NO_VALUE: YScalar = { kind: 'scalar', span: { start: 0, end: 0 }, value: null, style: 'plain' };

function nullAt(offset: number): YScalar {
  return { kind: 'scalar', span: { start: offset, end: offset }, value: null, style: 'plain' };
}
