import { parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { ManifestDocument } from './documents.ts';
import { parseWithin, treeFromYaml } from './fromYaml.ts';
import { aliasBudget, formatSize, YAML_DOCUMENT_TOKENS, YAML_FLOW_DEPTH_MAX, yamlTokenBudget } from './limits.ts';
import type { YNode } from './node.ts';
import type { ManifestProblem } from './problems.ts';
import type { Span } from './text.ts';

/**
 * `yaml`'s full parse of one document, within the file's limits (token budget, flow depth,
 * alias budget): its tree, its syntax problems at their places in the file, or why it was refused.
 * Validation and Apply read documents this way; lenses only when the fast scanner cannot.
 */

/** The result of `yaml`'s full parse of one document. */
export interface FullDocument {
  readonly yaml: Document.Parsed;
  readonly tree: YNode | null;
  /** YAML syntax errors and warnings, at their positions in the whole file. */
  readonly problems: readonly ManifestProblem[];
  /** Anchor names that an alias of the document repeats (`*name`). */
  readonly aliased: ReadonlySet<string>;
  /** Why the document was not read (an alias bomb, say); also among `problems`, as an error. */
  readonly refusal?: string;
}

/** What a refused document holds instead of a parse: one, shared (nothing reads it but toObject). */
let emptyDocument: Document.Parsed | undefined;

/** Reads `doc` with `yaml` (or takes `preParsed`, the split's own parse), within the limits. */
export function readFullDocument(doc: ManifestDocument, preParsed: Document.Parsed | undefined): FullDocument {
  const base = preParsed ? 0 : doc.span.start;
  const problems: ManifestProblem[] = [];
  const refuse = (code: string, refusal: string): FullDocument => {
    const s = documentStart(doc);
    problems.push({ severity: 'error', code, message: refusal, span: s, range: doc.file.rangeOf(s), documentIndex: doc.index });
    emptyDocument ??= parseDocument('');
    return { yaml: emptyDocument, tree: null, problems, aliased: new Set(), refusal };
  };
  try {
    let yaml = preParsed;
    if (yaml === undefined) {
      const left = doc.file.yamlTokensLeft;
      const parsed = parseWithin(doc.text, { tokens: left - YAML_DOCUMENT_TOKENS, depth: YAML_FLOW_DEPTH_MAX });
      doc.file.spendYamlTokens(parsed.tokens + YAML_DOCUMENT_TOKENS);
      if (!parsed.ok) {
        return parsed.limit === 'depth'
          ? refuse('yaml.depthLimit', depthRefusal())
          : refuse('yaml.tokenBudget', tokenRefusal(doc.file.text.length, yamlTokenBudget(doc.file.text.length)));
      }
      yaml = parsed.value;
    }
    for (const [severity, list] of [['error', yaml.errors], ['warning', yaml.warnings]] as const) {
      for (const e of list) {
        const s = { start: base + e.pos[0], end: base + Math.max(e.pos[0], e.pos[1]) };
        problems.push({ severity, code: `yaml.${e.code}`, message: yamlMessage(e.message), span: s, range: doc.file.rangeOf(s), documentIndex: doc.index });
      }
    }
    const budget = aliasBudget(doc.span.end - doc.span.start);
    const { tree, overBudget, aliased, duplicateKeys } = treeFromYaml(yaml, doc.file.text, base, budget);
    for (const s of duplicateKeys) {
      problems.push({ severity: 'error', code: 'yaml.DUPLICATE_KEY', message: 'Map keys must be unique', span: s, range: doc.file.rangeOf(s), documentIndex: doc.index });
    }
    if (overBudget) {
      return refuse(
        'yaml.aliasBudget',
        `The YAML aliases (*name) of this document expand to more than ${budget} nodes, which looks like an "alias bomb" (kubectl refuses excessive aliasing too): the document was not read.`,
      );
    }
    return { yaml, tree, problems, aliased };
  } catch (e) {
    // The parser's own limits (a stack overflow on absurd nesting): a refusal, never an exception.
    return refuse('yaml.unreadable', `The YAML of this document could not be read (${(e as Error).message}).`);
  }
}

/** The document's first line, where a document-wide refusal is shown. */
function documentStart(doc: ManifestDocument): Span {
  const text = doc.file.text;
  const eol = text.indexOf('\n', doc.span.start);
  const end = eol === -1 || eol > doc.span.end ? doc.span.end : eol;
  return { start: doc.span.start, end: end > doc.span.start && text.charCodeAt(end - 1) === 13 ? end - 1 : end };
}

function depthRefusal(): string {
  return `This document nests brackets ([ or {) more than ${YAML_FLOW_DEPTH_MAX} deep, which no manifest does (kubectl stops at 10000): it was not read.`;
}

function tokenRefusal(length: number, budget: number): string {
  return `The YAML of this file is too dense to read quickly: it takes more than ${budget} parser tokens for ${formatSize(length)} (manifests take about one per 3 characters; this looks like thousands of one-character items, documents or brackets), so it is not read from this document on.`;
}

/** `yaml`'s messages end with "at line L, column C" and a code frame; positions travel separately. */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0];
  return first.replace(/ at line \d+, column \d+:?$/, '').trim();
}
