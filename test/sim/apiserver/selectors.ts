// Label selectors (string and LabelSelector forms) and field selectors.
import { badRequest } from './status.ts';
import type { Obj } from './util.ts';

export interface Requirement { key: string; op: 'in' | 'notin' | 'exists' | '!' | '=' | '!='; values: string[] }

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

export function parseLabelSelector(s: string | undefined | null): Requirement[] {
  if (!s) return [];
  return splitTopLevel(s).map((part) => {
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter((v) => v) };
    m = /^!\s*([\w./-]+)$/.exec(part);
    if (m) return { key: m[1]!, op: '!', values: [] };
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part);
    if (m) return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] };
    m = /^([\w./-]+)$/.exec(part);
    if (m) return { key: m[1]!, op: 'exists', values: [] };
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

export function matchRequirements(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists': return has;
      case '!': return !has;
      case '=': return has && v === r.values[0];
      case '!=': return !has || v !== r.values[0];
      case 'in': return has && r.values.includes(v!);
      case 'notin': return !has || !r.values.includes(v!);
    }
    return false;
  });
}

/** metav1.LabelSelector (matchLabels + matchExpressions) to requirements. */
export function labelSelectorToRequirements(sel: Obj | undefined): Requirement[] {
  if (!sel) return [];
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, op: '=', values: [String(v)] });
  for (const e of sel.matchExpressions ?? []) {
    const op = String(e.operator);
    const map: Record<string, Requirement['op']> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
    reqs.push({ key: e.key, op: map[op] ?? 'in', values: e.values ?? [] });
  }
  return reqs;
}

export function labelSelectorString(sel: Obj | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export interface FieldRequirement { field: string; op: '=' | '!='; value: string }

export function parseFieldSelector(s: string | undefined | null): FieldRequirement[] {
  if (!s) return [];
  return s.split(',').filter((p) => p.trim() !== '').map((part) => {
    const m = /^\s*([\w.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    return { field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
  });
}

/** The fields each kind supports in field selectors, beyond metadata.name/namespace. */
const FIELD_SUPPORT: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Event: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  ReplicaSet: ['status.replicas'],
};

function fieldValue(obj: Obj, field: string): string {
  if (field === 'source' && obj.kind === 'Event') return obj.source?.component ?? '';
  let cur: unknown = obj;
  for (const p of field.split('.')) cur = (cur as Obj | undefined)?.[p];
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

export function checkFieldSelector(kind: string, reqs: FieldRequirement[]): void {
  for (const r of reqs) {
    if (r.field === 'metadata.name' || r.field === 'metadata.namespace') continue;
    if (!(FIELD_SUPPORT[kind] ?? []).includes(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
}

export function matchFields(reqs: FieldRequirement[], obj: Obj): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}
