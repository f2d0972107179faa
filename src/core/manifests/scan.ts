import type { YNode } from './node.ts';
import { blockLine, endBlock, startBlock } from './scanBlockScalar.ts';
import type { Block } from './scanBlockScalar.ts';
import { keepBelow, keptKey, keysOf } from './scanKeep.ts';
import type { Keep } from './scanKeep.ts';
import { lineValue } from './scanLineValues.ts';
import { addItem, addPair, closeNode, FramePool, OPEN, PENDING } from './scanFrames.ts';
import type { Frame, MMap, MSeq } from './scanFrames.ts';
import { GIVE_UP, GiveUp, HASH, isDash, keyBounds, NO_VALUE, nullAt, restIsBlank, SPACE, TAB } from './scanTokens.ts';
import type { KeyBounds } from './scanTokens.ts';
import type { LineIndex } from './text.ts';

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

/**
 * Scans the document content in `text[start, end)` (after its `---` line). Returns its tree,
 * `null` for a document with nothing but comments and blank lines, `undefined` when the
 * document uses YAML this scanner does not read (use the full parse instead).
 */
export function scanDocument(text: string, start: number, end: number, keep: Keep = true, lines?: LineIndex): YNode | null | undefined {
  // One scanner for every document (7,000 in a 5 MB file): its frames and key bounds are reused.
  const scanner = spare ?? new Scanner();
  spare = undefined;
  try {
    return scanner.run(text, end, keep, start, lines?.starts, lines === undefined ? 0 : lines.lineOf(start));
  } catch (e) {
    if (e instanceof GiveUp) {
      return undefined;
    }
    throw e;
  } finally {
    scanner.clear();
    spare = scanner;
  }
}

let spare: Scanner | undefined;

class Scanner {
  private text = '';
  private readonly stack: Frame[] = [];
  private readonly frames = new FramePool();
  private root: YNode | null = null;
  private block: Block | undefined;
  private lineStart = 0;

  private keep: Keep = true;
  /** Skipping an unkept value: lines deeper than `indent` (and `- ` at it, when `dash`) are its. */
  private skipIndent = -1;
  private skipDash = false;
  /** Where the key of the line at hand is (keyBounds): one object for the whole scan. */
  private readonly key: KeyBounds = { start: 0, end: 0, after: 0, quoted: undefined };

  /**
   * `starts`: the file's line starts (text.ts LineIndex), when known, and `line` the line that
   * holds `start`: then lines are not searched for again.
   */
  run(text: string, end: number, keep: Keep, start: number, starts: Uint32Array | undefined, line: number): YNode | null {
    this.text = text;
    this.keep = keep;
    const count = starts === undefined ? 0 : starts.length;
    let next = line + 1;
    let pos = start;
    while (pos < end) {
      let eol: number;
      if (starts !== undefined) {
        eol = next < count ? starts[next] - 1 : text.length;
        next++;
      } else {
        eol = text.indexOf('\n', pos);
        if (eol === -1) {
          eol = end;
        }
      }
      if (eol > end) {
        eol = end;
      }
      let le = eol;
      if (le > pos && text.charCodeAt(le - 1) === 13) {
        le--;
      }
      this.lineStart = pos;
      let i = pos;
      while (i < le && text.charCodeAt(i) === SPACE) {
        i++;
      }
      if (this.skipIndent < 0 || !this.skipped(i, i - pos, le)) {
        this.line(pos, i, le);
      }
      pos = eol + 1;
    }
    if (this.block) {
      endBlock(this.text, this.block);
      this.block = undefined;
    }
    while (this.stack.length > 0) {
      this.pop();
    }
    return this.root;
  }

  /** Forgets the document (and its text), ready for the next one. */
  clear(): void {
    while (this.stack.length > 0) {
      this.frames.release(this.stack.pop() as Frame);
    }
    this.text = '';
    this.root = null;
    this.block = undefined;
    this.skipIndent = -1;
    this.skipDash = false;
  }

  /** The line `[ls, le)`, whose first non-space is at `i`. */
  private line(ls: number, i: number, le: number): void {
    const { text } = this;
    if (this.block) {
      if (blockLine(this.block, ls, le, i)) {
        return;
      }
      endBlock(text, this.block);
      this.block = undefined;
    }
    if (i === le) {
      return;
    }
    const c = text.charCodeAt(i);
    if (c === HASH) {
      return;
    }
    if (c === TAB || c === 13) {
      if (restIsBlank(text, i, le)) {
        return;
      }
      throw GIVE_UP;
    }
    this.content(i - ls, i, le);
  }

  /** Places the line's first token (at column `col`) in the tree. */
  private content(col: number, i: number, le: number): void {
    const dash = isDash(this.text, i, le);
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
        this.settle(top);
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
    if (isDash(this.text, i, le)) {
      const seq: MSeq = { kind: 'seq', span: { start: i, end: i + 1 }, items: OPEN };
      this.assign(parent, seq);
      const frame = this.frames.take('seq', col, seq, this.childKeep(parent), undefined);
      this.stack.push(frame);
      this.item(frame, i, le);
      return;
    }
    if (keyBounds(this.text, i, le, this.key)) {
      const map: MMap = { kind: 'map', span: { start: i, end: this.key.end }, pairs: OPEN };
      this.assign(parent, map);
      const keep = this.childKeep(parent);
      const frame = this.frames.take('map', col, map, keep, keep === true ? undefined : keysOf(keep));
      this.stack.push(frame);
      this.pairFrom(frame, le);
      return;
    }
    if (parent === undefined) {
      throw GIVE_UP; // a scalar document
    }
    this.assign(parent, this.value(i, le, parent.indent));
  }

  /** `- ...` in sequence `frame`: a new item, whose content may follow on the same line. */
  private item(frame: Frame, dashAt: number, le: number): void {
    let j = dashAt + 1;
    while (j < le && (this.text.charCodeAt(j) === SPACE || this.text.charCodeAt(j) === TAB)) {
      j++;
    }
    if (j === le || this.text.charCodeAt(j) === HASH) {
      addItem(frame, nullAt(dashAt + 1));
      frame.open = true;
      return;
    }
    if (this.text.charCodeAt(j - 1) === TAB) {
      throw GIVE_UP; // compact nested content after a tab: its indentation is ambiguous
    }
    addItem(frame, NO_VALUE);
    frame.open = true;
    this.startNode(j - this.lineStart, j, le, frame);
  }

  private pair(frame: Frame, i: number, le: number): void {
    if (!keyBounds(this.text, i, le, this.key)) {
      throw GIVE_UP; // a scalar where a key belongs: invalid, let the full parse say so
    }
    this.pairFrom(frame, le);
  }

  /** The pair whose key `this.key` has just found. */
  private pairFrom(frame: Frame, le: number): void {
    const bounds = this.key;
    let j = bounds.after;
    // Kept keys are the Keep's own strings: nothing is copied out of the text for them.
    const key = frame.keys === undefined ? (bounds.quoted ?? this.text.slice(bounds.start, bounds.end)) : keptKey(this.text, frame.keys, bounds);
    if (key === undefined) {
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
    const keySpan = { start: bounds.start, end: bounds.end };
    if (j === le || this.text.charCodeAt(j) === HASH) {
      addPair(frame, { key, keySpan, value: PENDING });
      frame.pendingAt = bounds.after;
      frame.open = true;
      return;
    }
    addPair(frame, { key, keySpan, value: NO_VALUE });
    frame.open = true;
    this.assign(frame, this.value(j, le, frame.indent));
  }

  /** What to keep below the node that fills `parent`'s open slot. */
  private childKeep(parent: Frame | undefined): Keep {
    if (parent === undefined) {
      return this.keep;
    }
    return keepBelow(parent.keep, parent.type === 'map' ? parent.pairs[parent.count - 1].key : undefined);
  }

  /** Returns true when the line (its first non-space at `i`, `indent` columns in) belongs to the value being skipped. */
  private skipped(i: number, indent: number, le: number): boolean {
    const c = this.text.charCodeAt(i);
    if (i === le || c === HASH || c === TAB || c === 13) {
      return true; // blank, comment (or tab-indented, which YAML forbids anyway)
    }
    if (indent > this.skipIndent || (indent === this.skipIndent && this.skipDash && isDash(this.text, i, le))) {
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
      parent.pairs[parent.count - 1].value = node;
      parent.pendingAt = -1;
    } else {
      parent.items[parent.count - 1] = node;
    }
    parent.open = false;
  }

  /** The pending pair of `frame` stays null (nothing deeper gave it a value). */
  private settle(frame: Frame): void {
    if (frame.pendingAt >= 0) {
      frame.pairs[frame.count - 1].value = nullAt(frame.pendingAt);
      frame.pendingAt = -1;
    }
  }

  private pop(): void {
    const frame = this.stack.pop() as Frame;
    this.settle(frame);
    closeNode(frame);
    this.frames.release(frame);
  }

  /** A value after `key: ` or `- ` (or alone on its line): a block scalar's header, or one that ends on this line. */
  private value(i: number, le: number, parentIndent: number): YNode {
    const c = this.text.charCodeAt(i);
    if (c === 124 || c === 62) {
      this.block = startBlock(this.text, i, le, parentIndent, c === 62);
      return this.block.node;
    }
    return lineValue(this.text, i, le);
  }
}
