import { Composer, isAlias, isMap, isPair, isScalar, isSeq, Lexer, Parser, Scalar, YAMLParseError } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { ScalarStyle, YNode, YPair } from './node.ts';
import type { Span } from './text.ts';

/** A full parse's tree, or why there is none. */
export interface YamlTree {
  readonly tree: YNode | null;
  /** The aliases expanded to more nodes than the budget allowed: `tree` is null. */
  readonly overBudget: boolean;
  /** Anchor names that some alias of the document repeats. */
  readonly aliased: ReadonlySet<string>;
  /** Keys that repeat an earlier key of their mapping (the parse does not look: see documents.ts). */
  readonly duplicateKeys: readonly Span[];
}

class OverBudget extends Error {}

/**
 * Runs a `yaml` parse without stack traces: it makes an Error for each syntax error, and on
 * garbage (64 KB of `}]`) capturing their stacks cost most of a second.
 */
export function withoutStacks<T>(parse: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** How much of `yaml`'s work a parse may use: its lexical tokens, and how deep `[`/`{` nest. */
export interface ParseBudget {
  readonly tokens: number;
  readonly depth: number;
}

/** A parse within its budget, with the tokens it used; or which limit it hit, after that much work. */
export type BudgetedParse<T> =
  | { readonly ok: true; readonly value: T; readonly tokens: number }
  | { readonly ok: false; readonly limit: 'tokens' | 'depth'; readonly tokens: number };

/** Thrown out of the token stream to stop the parse; not an Error, so no stack is captured. */
class OverParseBudget {
  readonly limit: 'tokens' | 'depth';
  constructor(limit: 'tokens' | 'depth') {
    this.limit = limit;
  }
}

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: false } as const; // duplicate keys: treeFromYaml

/**
 * `parseDocument` (or `parseAllDocuments`, with `all`) as `yaml` runs it (Lexer → Parser →
 * Composer), with a counter on the lexer's tokens: `yaml` costs about 1 µs per token, and dense
 * input (tens of thousands of tiny items, documents or brackets) packs a token into each
 * character. Past the budget the parse stops at once, so a refused input costs the budget, not
 * its size. Flow nesting is counted on the same tokens: the lexer yields a lone `[` or `{` only
 * where a flow collection opens (inside a scalar or comment they are part of its token).
 */
export function parseWithin(source: string, budget: ParseBudget): BudgetedParse<Document.Parsed>;
export function parseWithin(source: string, budget: ParseBudget, all: true): BudgetedParse<Document.Parsed[]>;
export function parseWithin(source: string, budget: ParseBudget, all = false): BudgetedParse<Document.Parsed | Document.Parsed[]> {
  let tokens = 0;
  const parser = new Parser();
  function* counted() {
    let depth = 0;
    for (const lexeme of new Lexer().lex(source)) {
      if (++tokens > budget.tokens) {
        throw new OverParseBudget('tokens');
      }
      if (lexeme.length === 1) {
        const c = lexeme.charCodeAt(0);
        if ((c === 91 || c === 123) && ++depth > budget.depth) {
          throw new OverParseBudget('depth');
        } else if ((c === 93 || c === 125) && depth > 0) {
          depth--;
        }
      }
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }
  const composer = new Composer(PARSE_OPTIONS);
  try {
    return withoutStacks(() => {
      if (all) {
        return { ok: true as const, value: Array.from(composer.compose(counted())), tokens };
      }
      // As parseDocument: the first document, and an error if the source holds another.
      let doc: Document.Parsed | undefined;
      for (const next of composer.compose(counted(), true, source.length)) {
        if (doc === undefined) {
          doc = next;
        } else {
          doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
          break;
        }
      }
      return { ok: true as const, value: doc as Document.Parsed, tokens };
    });
  } catch (e) {
    if (e instanceof OverParseBudget) {
      return { ok: false, limit: e.limit, tokens };
    }
    throw e;
  }
}

/**
 * Converts a full `yaml` parse into the manifest tree, shifting offsets by `base` (the parse
 * was of one document's slice of the file). Aliases are followed, so the tree reads like the
 * object kubectl would send; nodes reached through aliases count against `budget`, and past it
 * the conversion stops at once (an alias bomb costs the budget, not its exponential size).
 */
export function treeFromYaml(doc: Document.Parsed, text: string, base: number, budget = Number.POSITIVE_INFINITY): YamlTree {
  const aliased = new Set<string>();
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null && contents.range[0] === contents.range[1])) {
    return { tree: null, overBudget: false, aliased, duplicateKeys: [] };
  }
  const converter = new Converter(doc, text, base, budget, aliased);
  try {
    const tree = converter.convert(contents, 0, false);
    return { tree, overBudget: false, aliased, duplicateKeys: converter.duplicateKeys };
  } catch (e) {
    if (e instanceof OverBudget) {
      return { tree: null, overBudget: true, aliased, duplicateKeys: [] };
    }
    throw e;
  }
}

class Converter {
  readonly duplicateKeys: Span[] = [];
  private expanded = 0;
  private readonly text: string;
  private readonly base: number;
  private readonly budget: number;
  private readonly aliased: Set<string>;

  /** Each alias's target: the last node before it with that anchor. */
  private readonly targets = new Map<unknown, unknown>();

  constructor(doc: Document.Parsed, text: string, base: number, budget: number, aliased: Set<string>) {
    this.text = text;
    this.base = base;
    this.budget = budget;
    this.aliased = aliased;
    this.resolveAliases(doc.contents);
  }

  /**
   * `Alias.resolve` searches the whole document on every call, which makes a file of many
   * aliases quadratic. One walk in document order finds every alias's anchor instead.
   */
  private resolveAliases(root: unknown): void {
    const anchors = new Map<string, unknown>();
    const stack: unknown[] = [root];
    while (stack.length > 0) {
      const node = stack.pop();
      if (isAlias(node)) {
        this.targets.set(node, anchors.get(node.source));
        continue;
      }
      const anchor = (node as { anchor?: string } | null)?.anchor;
      if (anchor) {
        anchors.set(anchor, node);
      }
      const children: unknown[] = [];
      if (isMap(node)) {
        for (const pair of node.items) {
          children.push(pair.key, pair.value);
        }
      } else if (isSeq(node)) {
        children.push(...node.items);
      }
      for (let i = children.length - 1; i >= 0; i--) {
        stack.push(children[i]);
      }
    }
  }

  convert(node: unknown, depth: number, inAlias: boolean): YNode {
    const { text, base } = this;
    if (inAlias && ++this.expanded > this.budget) {
      throw new OverBudget();
    }
    if (depth > 200) {
      return { kind: 'scalar', span: { start: base, end: base }, value: null, style: 'plain' };
    }
    if (isAlias(node)) {
      this.aliased.add(node.source);
      const target = this.targets.get(node);
      const converted = target ? this.convert(target, depth + 1, true) : null;
      const range = node.range ?? [0, 0];
      const aliasSpan = { start: base + range[0], end: base + range[1] };
      const { anchor: _anchor, ...copy } = converted ?? { kind: 'scalar', value: null, style: 'plain' };
      return { ...copy, span: aliasSpan, alias: node.source } as YNode;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    const marks = anchor ? { anchor } : undefined;
    if (isMap(node)) {
      const pairs: YPair[] = [];
      // `yaml`'s uniqueKeys compares each key with every earlier one (quadratic); a set is not.
      const seen = inAlias ? undefined : new Set<unknown>();
      for (const pair of node.items) {
        if (!isPair(pair)) {
          continue;
        }
        const keyNode = pair.key as YamlNode | null;
        const keyRange = keyNode?.range ?? [0, 0];
        const key = isScalar(keyNode) ? String(keyNode.value) : keyNode ? keyString(keyNode) : '';
        const keySpan = { start: base + keyRange[0], end: trimEnd(text, base + keyRange[0], base + keyRange[1]) };
        if (seen !== undefined && isScalar(keyNode)) {
          if (seen.has(keyNode.value)) {
            this.duplicateKeys.push({ start: base + keyRange[0], end: base + keyRange[1] });
          }
          seen.add(keyNode.value);
        }
        const value: YNode = pair.value
          ? this.convert(pair.value, depth + 1, inAlias)
          : { kind: 'scalar', span: { start: keySpan.end + 1, end: keySpan.end + 1 }, value: null, style: 'plain' };
        pairs.push({ key, keySpan, value });
      }
      return { kind: 'map', span: collectionSpan(node.range, node.flow === true, pairs.map((p) => p.value.span.end), text, base), pairs, ...marks };
    }
    if (isSeq(node)) {
      const items = node.items.map((item) => this.convert(item, depth + 1, inAlias));
      return { kind: 'seq', span: collectionSpan(node.range, node.flow === true, items.map((i) => i.span.end), text, base), items, ...marks };
    }
    if (isScalar(node)) {
      const range = node.range ?? [0, 0, 0];
      const start = base + range[0];
      const end = trimEnd(text, start, base + range[1]);
      return { kind: 'scalar', span: { start, end }, value: scalarValue(node.value), style: styleOf(node.type), ...marks };
    }
    return { kind: 'scalar', span: { start: base, end: base }, value: null, style: 'plain' };
  }
}

/** A key that is not a scalar (`? [a, b]`): its source-like form, without following aliases. */
function keyString(key: YamlNode): string {
  try {
    return String(key.toJSON());
  } catch {
    return '';
  }
}

function collectionSpan(range: readonly number[] | null | undefined, flow: boolean, childEnds: number[], text: string, base: number) {
  const r = range ?? [0, 0];
  const start = base + r[0];
  if (flow || childEnds.length === 0) {
    return { start, end: trimEnd(text, start, base + r[1]) };
  }
  let end = start;
  for (const e of childEnds) {
    end = e > end ? e : end; // not Math.max(...childEnds): a long list overflows the argument stack
  }
  return { start, end };
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
