import type { Span } from './text.ts';

/**
 * The manifest tree every consumer reads: a small, position-carrying view of a YAML document.
 * It comes either from the fast block-YAML scanner (scan.ts) or from a full `yaml` parse
 * (fromYaml.ts); both produce the same shape, so images, paths and lessons do not care which.
 */
export type YNode = YMap | YSeq | YScalar;

/**
 * Set only on trees from the full parse (the fast scanner gives up on anchors and aliases), and
 * only when present, so that trees without them compare equal whichever reader made them.
 */
export interface Shared {
  /** `&name` on this node: aliases elsewhere may repeat it. */
  readonly anchor?: string;
  /**
   * Reached through `*name`: the node's `span` is the alias's text, its children's spans are
   * where the anchor defines them (elsewhere in the document).
   */
  readonly alias?: string;
}

export interface YMap extends Shared {
  readonly kind: 'map';
  readonly span: Span;
  readonly pairs: YPair[];
}

export interface YPair {
  /** The key as a string (`yaml` keys of other types are stringified). */
  readonly key: string;
  readonly keySpan: Span;
  /** An empty value (`key:`) is a null scalar with an empty span after the colon. */
  readonly value: YNode;
}

export interface YSeq extends Shared {
  readonly kind: 'seq';
  readonly span: Span;
  readonly items: YNode[];
}

export type ScalarStyle = 'plain' | 'single' | 'double' | 'block';

export interface YScalar extends Shared {
  readonly kind: 'scalar';
  /** The scalar's source: quotes included; a block scalar from its `|`/`>` header to its last content line. */
  readonly span: Span;
  readonly value: string | number | boolean | null;
  readonly style: ScalarStyle;
}

export type PathSegment = string | number;

const INDEXED = 32;
const indexes = new WeakMap<YMap, { readonly length: number; readonly byKey: Map<string, YPair> }>();

export function getPair(map: YNode | undefined, key: string): YPair | undefined {
  if (map?.kind !== 'map') {
    return undefined;
  }
  const { pairs } = map;
  if (pairs.length > INDEXED) {
    // Looked up key by key (selector labels against template labels), a long mapping would be
    // quadratic. Only long ones are indexed: a WeakMap entry per small map slows every GC.
    let index = indexes.get(map);
    if (index === undefined || index.length !== pairs.length) {
      index = { length: pairs.length, byKey: new Map(pairs.map((p) => [p.key, p])) }; // later pairs overwrite: the last wins
      indexes.set(map, index);
    }
    return index.byKey.get(key);
  }
  // The last pair wins, as in `yaml`'s toJS and in Kubernetes' decoders.
  for (let i = pairs.length - 1; i >= 0; i--) {
    if (pairs[i].key === key) {
      return pairs[i];
    }
  }
  return undefined;
}

export function getNode(root: YNode | undefined, path: readonly PathSegment[]): YNode | undefined {
  let node = root;
  for (const segment of path) {
    if (node === undefined) {
      return undefined;
    }
    if (typeof segment === 'number') {
      node = node.kind === 'seq' ? node.items[segment] : undefined;
    } else {
      node = getPair(node, segment)?.value;
    }
  }
  return node;
}

/** The string value at `path`, or undefined when it is absent or not a string. */
export function getString(root: YNode | undefined, path: readonly PathSegment[]): string | undefined {
  const node = getNode(root, path);
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
}

/** Plain JavaScript value of a subtree (what `yaml`'s toJS would give for these shapes). */
export function toPlain(node: YNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const pair of node.pairs) {
        out[pair.key] = toPlain(pair.value);
      }
      return out;
    }
  }
}

export function isNullScalar(node: YNode): boolean {
  return node.kind === 'scalar' && node.value === null;
}
