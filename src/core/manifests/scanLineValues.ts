import type { YMap, YNode, YPair, YScalar, YSeq } from './node.ts';
import { resolvePlain } from './scalars.ts';
import { COLON, DQUOTE, expectLineEnd, GIVE_UP, HASH, isBlank, isIndicatorStart, nullAt, plainEnd, readQuoted, SQUOTE } from './scanTokens.ts';

/**
 * Values that end on their own line, for the fast scanner (scan.ts): quoted and plain scalars
 * and one-line flow collections. Multi-line ones give up (the full parse reads them).
 */
export function lineValue(text: string, i: number, le: number): YNode {
  const c = text.charCodeAt(i);
  if (c === DQUOTE || c === SQUOTE) {
    const q = readQuoted(text, i, le);
    if (q === undefined) {
      throw GIVE_UP;
    }
    expectLineEnd(text, q.end, le);
    return { kind: 'scalar', span: { start: i, end: q.end }, value: q.value, style: c === DQUOTE ? 'double' : 'single' };
  }
  if (c === 91 || c === 123) {
    const flow = new FlowReader(text, le).read(i);
    expectLineEnd(text, flow.span.end, le);
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
