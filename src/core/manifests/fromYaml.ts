import { isAlias, isMap, isPair, isScalar, isSeq, Scalar } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { ScalarStyle, YNode, YPair } from './node.ts';

/**
 * Converts a full `yaml` parse into the manifest tree, shifting offsets by `base` (the parse
 * was of one document's slice of the file). Aliases are followed, so the tree reads like the
 * object kubectl would send.
 */
export function treeFromYaml(doc: Document.Parsed, text: string, base: number): YNode | null {
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null && contents.range[0] === contents.range[1])) {
    return null;
  }
  return convert(contents, doc, text, base, 0);
}

function convert(node: unknown, doc: Document.Parsed, text: string, base: number, depth: number): YNode {
  if (depth > 200) {
    return { kind: 'scalar', span: { start: base, end: base }, value: null, style: 'plain' };
  }
  if (isAlias(node)) {
    const target = node.resolve(doc);
    const converted = target ? convert(target, doc, text, base, depth + 1) : null;
    const range = node.range ?? [0, 0];
    const aliasSpan = { start: base + range[0], end: base + range[1] };
    return converted ? { ...converted, span: aliasSpan } : { kind: 'scalar', span: aliasSpan, value: null, style: 'plain' };
  }
  if (isMap(node)) {
    const pairs: YPair[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) {
        continue;
      }
      const keyNode = pair.key as YamlNode | null;
      const keyRange = keyNode?.range ?? [0, 0];
      const key = isScalar(keyNode) ? String(keyNode.value) : keyNode ? String(keyNode.toJSON()) : '';
      const keySpan = { start: base + keyRange[0], end: trimEnd(text, base + keyRange[0], base + keyRange[1]) };
      const value: YNode = pair.value
        ? convert(pair.value, doc, text, base, depth + 1)
        : { kind: 'scalar', span: { start: keySpan.end + 1, end: keySpan.end + 1 }, value: null, style: 'plain' };
      pairs.push({ key, keySpan, value });
    }
    return { kind: 'map', span: collectionSpan(node.range, node.flow === true, pairs.map((p) => p.value.span.end), text, base), pairs };
  }
  if (isSeq(node)) {
    const items = node.items.map((item) => convert(item, doc, text, base, depth + 1));
    return { kind: 'seq', span: collectionSpan(node.range, node.flow === true, items.map((i) => i.span.end), text, base), items };
  }
  if (isScalar(node)) {
    const range = node.range ?? [0, 0, 0];
    const start = base + range[0];
    const end = trimEnd(text, start, base + range[1]);
    return { kind: 'scalar', span: { start, end }, value: scalarValue(node.value), style: styleOf(node.type) };
  }
  return { kind: 'scalar', span: { start: base, end: base }, value: null, style: 'plain' };
}

function collectionSpan(range: readonly number[] | null | undefined, flow: boolean, childEnds: number[], text: string, base: number) {
  const r = range ?? [0, 0];
  const start = base + r[0];
  if (flow || childEnds.length === 0) {
    return { start, end: trimEnd(text, start, base + r[1]) };
  }
  return { start, end: Math.max(start, ...childEnds) };
}

function scalarValue(value: unknown): string | number | boolean | null {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'bigint') {
    return Number(value);
  }
  return value === undefined ? null : String(value);
}

function styleOf(type: Scalar['type']): ScalarStyle {
  switch (type) {
    case Scalar.QUOTE_DOUBLE:
      return 'double';
    case Scalar.QUOTE_SINGLE:
      return 'single';
    case Scalar.BLOCK_FOLDED:
    case Scalar.BLOCK_LITERAL:
      return 'block';
    default:
      return 'plain';
  }
}

/** `yaml` ranges of block scalars and keys can include trailing blanks and line breaks. */
function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start) {
    const c = text.charCodeAt(e - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      e--;
    } else {
      break;
    }
  }
  return e;
}
