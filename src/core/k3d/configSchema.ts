// k3d config files in the editor: schema Problems at their positions, key completion, and the fields the
// extension compares with a running cluster, with where they are written.
//
// A lazy part (dist/k3dConfig.js, see src/core/lazy.ts): loaded when the first k3d config file opens, never at
// activation. The schema is k3d's own (schemas/k3d-v1alpha5.schema.json, pkg/config/v1alpha5/schema.json); the
// validator is ours and covers the keywords that schema uses (type, enum, minimum, required, properties,
// additionalProperties, items, $ref to definitions, format hostname/ipv4), so no JSON-schema library is bundled:
// ajv alone is ~120 KB minified to check a 10 KB schema. Messages are worded as k3d's validator (gojsonschema)
// words them, so Problems say what `k3d cluster create --config` would say.
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import schemaJson from '../../../schemas/k3d-v1alpha5.schema.json' with { type: 'json' };
import { readConfigModel, type ConfigModel } from './configFile.ts';

export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  required?: string[];
  properties?: Record<string, JsonSchema | boolean>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  $ref?: string;
  format?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  definitions?: Record<string, JsonSchema>;
}

export const K3D_SCHEMA = schemaJson as JsonSchema;

export type ProblemKind = 'syntax' | 'type' | 'enum' | 'minimum' | 'required' | 'additionalProperty' | 'format' | 'apiVersion';

export interface ConfigProblem {
  kind: ProblemKind;
  /** gojsonschema's field path: `(root)`, `kubeAPI.hostPort`, `ports.0.port`. */
  field: string;
  /** `FIELD: DESCRIPTION`, as k3d prints each schema error. */
  message: string;
  /** Offsets into the text. */
  start: number;
  end: number;
  severity: 'error' | 'warning' | 'info';
}

type Path = Array<string | number>;

function fieldName(path: Path): string {
  return path.length === 0 ? '(root)' : path.join('.');
}

function resolve(schema: JsonSchema | boolean | undefined, root: JsonSchema): JsonSchema | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  if (schema.$ref?.startsWith('#/definitions/')) return root.definitions?.[schema.$ref.slice('#/definitions/'.length)];
  return schema;
}

/** gojsonschema's type name of a YAML node's value ("integer" for whole numbers). */
function typeOf(node: unknown): string {
  if (node === null || node === undefined) return 'null';
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
    if (typeof v === 'boolean') return 'boolean';
    return 'string';
  }
  return 'unknown';
}

function matchesType(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function range(node: Node | null | undefined, fallback: [number, number]): [number, number] {
  const r = node?.range;
  return r ? [r[0], r[1]] : fallback;
}

/** The closest known key, for "did you mean". */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** A value k3d would expand from the environment before validating (`${AGENTS}`): its type is not known here. */
function expandsFromEnv(node: unknown): boolean {
  return isScalar(node) && typeof node.source === 'string' && /\$\{?[A-Za-z_]/.test(node.source);
}

function validateNode(node: unknown, schemaIn: JsonSchema | boolean | undefined, path: Path, at: [number, number], out: ConfigProblem[], root: JsonSchema): void {
  const schema = resolve(schemaIn, root);
  if (!schema) return;
  const field = fieldName(path);
  const problem = (kind: ProblemKind, text: string, where: [number, number]) =>
    out.push({ kind, field, message: `${field}: ${text}`, start: where[0], end: where[1], severity: 'error' });
  const here = range(node as Node, at);
  const actual = typeOf(node);
  if (schema.type && !matchesType(schema.type, actual)) {
    if (!expandsFromEnv(node)) problem('type', `Invalid type. Expected: ${schema.type}, given: ${actual}`, here);
    return;
  }
  if (schema.enum && !(isScalar(node) && schema.enum.includes(node.value))) {
    problem('enum', `${field} must be one of the following: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`, here);
  }
  if (schema.minimum !== undefined && isScalar(node) && typeof node.value === 'number' && node.value < schema.minimum) {
    problem('minimum', `Must be greater than or equal to ${schema.minimum}`, here);
  }
  if (schema.format && isScalar(node) && typeof node.value === 'string' && !expandsFromEnv(node)) {
    const ok = schema.format === 'hostname' ? HOSTNAME.test(node.value) : schema.format === 'ipv4' ? IPV4.test(node.value) : true;
    if (!ok) problem('format', `Does not match format '${schema.format}'`, here);
  }
  if (isMap(node)) {
    const keys = new Map<string, Pair>();
    for (const pair of node.items) {
      if (isPair(pair)) keys.set(String(isScalar(pair.key) ? pair.key.value : pair.key), pair as Pair);
    }
    for (const r of schema.required ?? []) {
      if (!keys.has(r)) {
        // At the map's first line: where the missing key belongs.
        const first = node.items[0];
        const where = range((isPair(first) ? first.key : node) as Node, here);
        problem('required', `${r} is required`, where);
      }
    }
    const known = Object.keys(schema.properties ?? {});
    for (const [k, pair] of keys) {
      const sub = schema.properties?.[k];
      const keyRange = range(pair.key as Node, here);
      if (sub === undefined) {
        if (schema.additionalProperties === false) {
          const hint = closest(k, known.filter((c) => !keys.has(c)));
          problem('additionalProperty', `Additional property ${k} is not allowed${hint ? ` (did you mean ${hint}?)` : ''}`, keyRange);
        }
        continue;
      }
      // A key without a value (`agents:`) is YAML null: point at the key.
      validateNode(pair.value, sub, [...path, k], pair.value ? range(pair.value as Node, keyRange) : keyRange, out, root);
    }
  }
  if (isSeq(node) && schema.items) {
    node.items.forEach((item, i) => validateNode(item, schema.items, [...path, i], range(item as Node, here), out, root));
  }
}

/** `apiVersion` of the document, as written (lower-cased by k3d when it picks a schema). */
function apiVersionOf(doc: Document): string | undefined {
  const v = doc.get('apiVersion');
  return typeof v === 'string' ? v : undefined;
}

/** Everything the editor shows for a config file: Problems, and the model with where its fields are written. */
export interface ConfigAnalysis {
  problems: ConfigProblem[];
  model: ConfigModel;
  /** Offsets of the top-level keys (`agents:` ...), for diagnostics and lenses about them. */
  keys: Record<string, { start: number; end: number }>;
  /** Offsets of each `ports:` entry, in order. */
  portEntries: Array<{ start: number; end: number }>;
}

export function analyzeConfig(text: string, schema: JsonSchema = K3D_SCHEMA): ConfigAnalysis {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) {
    const [start, end] = e.pos;
    problems.push({ kind: 'syntax', field: '', message: `YAML: ${e.message.split('\n')[0]}`, start, end: Math.max(end, start + 1), severity: 'error' });
  }
  const keys: ConfigAnalysis['keys'] = {};
  const portEntries: ConfigAnalysis['portEntries'] = [];
  const contents = doc.contents;
  if (isMap(contents)) {
    for (const pair of (contents as YAMLMap).items) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.range) keys[String(pair.key.value)] = { start: pair.key.range[0], end: pair.key.range[1] };
    }
    const ports = contents.get('ports', true);
    if (isSeq(ports)) for (const item of ports.items) if ((item as Node).range) portEntries.push({ start: (item as Node).range![0], end: (item as Node).range![1] });
  }
  const data = doc.errors.length ? safeToJs(doc) : doc.toJS();
  if (doc.errors.length === 0) {
    const apiVersion = apiVersionOf(doc);
    const where = keys.apiVersion ?? { start: 0, end: Math.min(text.length, 1) };
    if (apiVersion !== undefined && /^k3d\.io\/v1alpha[234]$/i.test(apiVersion)) {
      // k3d accepts these with a WARN; their schemas differ from v1alpha5 in fields this one would flag.
      const value = contents && isMap(contents) ? contents.get('apiVersion', true) : undefined;
      const r = range(value as Node, [where.start, where.end]);
      problems.push({
        kind: 'apiVersion', field: 'apiVersion',
        message: `apiVersion: ${apiVersion} is an older config version (k3d warns: consider migrating). \`k3d config migrate FILE NEW_FILE\` writes it as ${'k3d.io/v1alpha5'}; only v1alpha5 files are checked against the schema here.`,
        start: r[0], end: r[1], severity: 'info',
      });
    } else {
      validateNode(contents ?? null, schema, [], [0, Math.min(text.length, 1)], problems, schema);
    }
  }
  return { problems, model: readConfigModel(data), keys, portEntries };
}

function safeToJs(doc: Document): unknown {
  try {
    return doc.toJS();
  } catch {
    return {};
  }
}

/** One key the schema allows where the cursor is. */
export interface KeyCompletion {
  key: string;
  /** `string`, `number`, `object`, `array of object`... */
  type: string;
  description?: string;
  /** What to insert after the key: ` ` for a scalar, a newline and indentation for a map or list. */
  insertText: string;
}

const PLACEHOLDER = 'k3dDeployCompletionPlaceholder';

/**
 * The keys that may be written on the cursor's line: the schema's properties of the map the line belongs to,
 * less those already there. The line's partial word is replaced by a placeholder key and the document parsed,
 * so the map is found by YAML's own rules (indentation, `- ` list items) rather than by guessing.
 */
export function completeKeys(text: string, offset: number, schema: JsonSchema = K3D_SCHEMA): KeyCompletion[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEndRaw = text.indexOf('\n', offset);
  const lineEnd = lineEndRaw < 0 ? text.length : lineEndRaw;
  const before = text.slice(lineStart, offset);
  const m = /^(\s*)((?:-\s+)*)([A-Za-z0-9_]*)$/.exec(before);
  if (!m) return [];
  const indent = m[1]! + m[2]!;
  const probe = text.slice(0, lineStart) + `${indent}${PLACEHOLDER}: x` + text.slice(lineEnd);
  const doc = parseDocument(probe, { prettyErrors: false });
  const found = findPlaceholder(doc.contents, []);
  if (!found) return [];
  let target: JsonSchema | undefined = resolve(schema, schema);
  for (const step of found.path) {
    if (!target) return [];
    target = typeof step === 'number' ? resolve(target.items, schema) : resolve(target.properties?.[step], schema);
  }
  if (!target?.properties) return [];
  const column = indent.length;
  return Object.entries(target.properties)
    .filter(([k, sub]) => k !== 'additionalProperties' && typeof sub === 'object' && !found.siblings.includes(k))
    .map(([key, subIn]) => {
      const sub = resolve(subIn, schema) ?? {};
      const items = resolve(sub.items, schema);
      const type = sub.type === 'array' ? `array of ${items?.type ?? 'any'}` : (sub.type ?? 'any');
      const pad = ' '.repeat(column + 2);
      const insertText = sub.type === 'object' ? `:\n${pad}` : sub.type === 'array' ? (items?.type === 'object' ? `:\n${pad}- ` : `:\n${pad}- `) : ': ';
      return { key, type, description: sub.description, insertText };
    });
}

function findPlaceholder(node: unknown, path: Path): { path: Path; siblings: string[] } | undefined {
  if (isMap(node)) {
    const keys = node.items.map((p) => (isPair(p) && isScalar(p.key) ? String(p.key.value) : ''));
    if (keys.includes(PLACEHOLDER)) return { path, siblings: keys.filter((k) => k !== PLACEHOLDER) };
    for (const p of node.items) {
      if (isPair(p) && isScalar(p.key)) {
        const hit = findPlaceholder(p.value, [...path, String(p.key.value)]);
        if (hit) return hit;
      }
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const hit = findPlaceholder(node.items[i], [...path, i]);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Values for `key: |` where the schema knows them: enums and booleans. */
export function completeValues(text: string, offset: number, schema: JsonSchema = K3D_SCHEMA): string[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const m = /^(\s*(?:-\s+)*)([A-Za-z0-9_]+):\s*[A-Za-z0-9_./"-]*$/.exec(before);
  if (!m) return [];
  const lineEndRaw = text.indexOf('\n', offset);
  const lineEnd = lineEndRaw < 0 ? text.length : lineEndRaw;
  const probe = text.slice(0, lineStart) + `${m[1]}${PLACEHOLDER}: x` + text.slice(lineEnd);
  const found = findPlaceholder(parseDocument(probe, { prettyErrors: false }).contents, []);
  if (!found) return [];
  let target: JsonSchema | undefined = resolve(schema, schema);
  for (const step of [...found.path, m[2]!]) {
    if (!target) return [];
    target = typeof step === 'number' ? resolve(target.items, schema) : resolve(target.properties?.[step], schema);
  }
  if (!target) return [];
  if (target.enum) return target.enum.map(String);
  if (target.type === 'boolean') return ['true', 'false'];
  return [];
}
