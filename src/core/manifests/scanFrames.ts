import type { YNode, YPair } from './node.ts';
import type { Keep } from './scanKeep.ts';

/** The fast scanner's (scan.ts) nodes while it builds them, and the open nodes it keeps on a stack. */

export type MSpan = { start: number; end: number };
export type MMap = { kind: 'map'; span: MSpan; pairs: YPair[] };
export type MSeq = { kind: 'seq'; span: MSpan; items: YNode[] };
export type MPair = { key: string; keySpan: MSpan; value: YNode };

/** An open map or sequence. Reused: the scanner keeps the frames it pops for the next ones. */
export interface Frame {
  type: 'map' | 'seq';
  indent: number;
  node: MMap | MSeq;
  /** What to keep of this node's children (pairs of a map, items of a sequence). */
  keep: Keep;
  /** The last pair's value (or the last item) has not been written yet: deeper lines fill it. */
  open: boolean;
  /** A map's kept keys (`keep`'s own), undefined when it keeps everything. */
  keys: readonly string[] | undefined;
  /**
   * The node's pairs (or items) while it is open, copied into it when it closes: an array that
   * grows from empty reserves 17 slots, and most nodes have two or three.
   */
  readonly pairs: MPair[];
  readonly items: YNode[];
  /** How many of `pairs` (or `items`) are this node's: the arrays never shrink (see `release`). */
  count: number;
  /**
   * The last pair (`key:` with nothing after it) is null at this offset unless deeper lines give
   * it a value; -1 when it is not pending. The null is made only when it stays (see `settle`).
   */
  pendingAt: number;
}

/** A map's or sequence's children until it closes (`settle`), and a pending pair's value. */
export const OPEN = Object.freeze([]) as unknown as MPair[] & YNode[];
export const PENDING: YNode = { kind: 'scalar', span: { start: 0, end: 0 }, value: null, style: 'plain' };
const NO_PAIR: MPair = { key: '', keySpan: { start: 0, end: 0 }, value: PENDING };

/** Adds a pair to an open map. */
export function addPair(frame: Frame, pair: MPair): void {
  frame.pairs[frame.count++] = pair;
}

/** Adds an item to an open sequence. */
export function addItem(frame: Frame, item: YNode): void {
  frame.items[frame.count++] = item;
}

/** What a spare frame points at (not the last document's nodes). */
const NO_NODE: MMap = { kind: 'map', span: { start: 0, end: 0 }, pairs: [] };

/**
 * Spare frames: a 5 MB file is 7,000 documents of a dozen open nodes each, and a new object for
 * each was garbage the next instant.
 */
export class FramePool {
  private readonly spare: Frame[] = [];

  take(type: Frame['type'], indent: number, node: MMap | MSeq, keep: Keep, keys: readonly string[] | undefined): Frame {
    const frame = this.spare.pop();
    if (frame === undefined) {
      return { type, indent, node, keep, keys, open: false, pairs: [], items: [], count: 0, pendingAt: -1 };
    }
    frame.type = type;
    frame.indent = indent;
    frame.node = node;
    frame.keep = keep;
    frame.keys = keys;
    frame.open = false;
    frame.count = 0;
    frame.pendingAt = -1;
    return frame;
  }

  /**
   * Back to the spares. Its arrays keep their length (`length = 0` would drop their storage, and
   * the next node would grow new storage); they forget the children, which point into the text.
   */
  release(frame: Frame): void {
    if (frame.type === 'map') {
      frame.pairs.fill(NO_PAIR, 0, frame.count);
    } else {
      frame.items.fill(PENDING, 0, frame.count);
    }
    frame.count = 0;
    frame.node = NO_NODE;
    frame.keep = true;
    frame.keys = undefined;
    this.spare.push(frame);
  }
}

/** Gives the frame's node its children, in an array of their own size, and its span's end. */
export function closeNode(frame: Frame): void {
  const node = frame.node;
  let last = node.span.end;
  if (node.kind === 'map') {
    node.pairs = frame.pairs.slice(0, frame.count);
    const pair = node.pairs[node.pairs.length - 1];
    if (pair !== undefined) {
      last = Math.max(pair.keySpan.end, pair.value.span.end);
    }
  } else {
    node.items = frame.items.slice(0, frame.count);
    if (node.items.length > 0) {
      last = node.items[node.items.length - 1].span.end;
    }
  }
  node.span.end = Math.max(node.span.end, last);
}
