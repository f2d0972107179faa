import type { PathSegment, YNode } from './node.ts';
import { formatFieldPath } from './paths.ts';

/** The types validation expects of fields, and how a wrong one is explained to a learner. */

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'map' | 'seq' | 'intOrString';

export function typeOf(node: YNode): FieldType | 'null' {
  if (node.kind !== 'scalar') {
    return node.kind;
  }
  const v = node.value;
  if (v === null) {
    return 'null';
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? 'integer' : 'number';
  }
  return typeof v === 'boolean' ? 'boolean' : 'string';
}

export function scalarValue(node: YNode): unknown {
  return node.kind === 'scalar' ? node.value : undefined;
}

const TYPE_NAMES: Record<FieldType | 'null', string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  map: 'a mapping (key: value lines)',
  seq: 'a list (lines starting with "- ")',
  intOrString: 'a number or a name',
  null: 'empty',
};

export function wrongTypeMessage(path: PathSegment[], expected: FieldType, actual: FieldType | 'null', node: YNode, source: string): string {
  const field = formatFieldPath(path);
  const base = `${field} must be ${TYPE_NAMES[expected]}, not ${TYPE_NAMES[actual]}`;
  if (expected === 'string' && node.kind === 'scalar' && node.style === 'plain' && actual !== 'null') {
    return `${base}: quote it, "${source}".`;
  }
  if (expected === 'integer' && actual === 'string' && node.kind === 'scalar' && /^\d+$/.test(String(node.value))) {
    return `${base}: remove the quotes, ${String(node.value)}.`;
  }
  return `${base}.`;
}
