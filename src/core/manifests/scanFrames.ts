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
      return { type, indent, node, keep, keys, open: false };
    }
    frame.type = type;
    frame.indent = indent;
    frame.node = node;
    frame.keep = keep;
    frame.keys = keys;
    frame.open = false;
    return frame;
  }

  release(frame: Frame): void {
    frame.node = NO_NODE;
    frame.keep = true;
    frame.keys = undefined;
    this.spare.push(frame);
  }
}
