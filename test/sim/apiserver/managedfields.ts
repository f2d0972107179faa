// managedFields bookkeeping: Update operations take the fields they change, Apply operations own what they apply.
import { ApiError } from './status.ts';
import { fieldsOf, fromFieldsV1, printPath, removeAt, sameValue, toFieldsV1, valueAt } from './fieldset.ts';
import type { FieldSet } from './fieldset.ts';
import { strategicMerge } from './patch.ts';
import { clone, nowISO } from './util.ts';
import type { Obj } from './util.ts';

interface Entry { manager: string; operation: 'Apply' | 'Update'; apiVersion: string; time: string; subresource?: string; set: FieldSet }

function readEntries(obj: Obj | undefined): Entry[] {
  return (obj?.metadata?.managedFields ?? []).map((m: Obj) => ({
    manager: m.manager ?? '',
    operation: m.operation,
    apiVersion: m.apiVersion,
    time: m.time,
    subresource: m.subresource,
    set: fromFieldsV1(m.fieldsV1),
  }));
}

function writeEntries(obj: Obj, entries: Entry[]): void {
  const out = entries.filter((e) => e.set.size > 0).map((e) => {
    const m: Obj = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(e.set) };
    if (e.subresource) m.subresource = e.subresource;
    return m;
  });
  if (out.length) obj.metadata.managedFields = out;
  else delete obj.metadata.managedFields;
}

function sameEntry(e: Entry, manager: string, op: string, sub: string | undefined): boolean {
  return e.manager === manager && e.operation === op && (e.subresource ?? '') === (sub ?? '');
}

/** Records a create/update/patch by `manager` on `next` (in place), comparing with `prev`. */
export function trackUpdate(prev: Obj | undefined, next: Obj, manager: string, apiVersion: string, subresource?: string): void {
  if (prev && next.metadata.managedFields !== undefined && !sameValue(prev.metadata.managedFields, next.metadata.managedFields)) {
    return; // the client rewrote managedFields itself (as kubectl's client-side-apply migration does)
  }
  const part = subresource === 'status' ? 'status' : 'spec';
  const entries = prev ? readEntries(prev) : [];
  const nextFields = fieldsOf(next, part);
  const changed: FieldSet = new Set();
  if (!prev) for (const p of nextFields) changed.add(p);
  else {
    const prevFields = fieldsOf(prev, part);
    for (const p of nextFields) if (!prevFields.has(p) || !sameValue(valueAt(prev, p), valueAt(next, p))) changed.add(p);
    for (const p of prevFields) if (!nextFields.has(p)) for (const e of entries) e.set.delete(p);
  }
  if (changed.size === 0 && prev) {
    writeEntries(next, entries);
    return;
  }
  for (const e of entries) if (!sameEntry(e, manager, 'Update', subresource)) for (const p of changed) e.set.delete(p);
  let mine = entries.find((e) => sameEntry(e, manager, 'Update', subresource));
  if (!mine) {
    mine = { manager, operation: 'Update', apiVersion, time: nowISO(), set: new Set(), ...(subresource ? { subresource } : {}) };
    entries.push(mine);
  }
  mine.time = nowISO();
  mine.apiVersion = apiVersion;
  for (const p of changed) mine.set.add(p);
  for (const p of [...mine.set]) if (!nextFields.has(p)) mine.set.delete(p);
  writeEntries(next, entries);
}

/** Server-side apply of `applied` by `manager` onto `live` (undefined on create). Returns the merged object. */
export function serverSideApply(live: Obj | undefined, applied: Obj, manager: string, apiVersion: string, force: boolean): Obj {
  const entries = readEntries(live);
  const appliedSet = fieldsOf(applied, 'spec');
  const conflicts: { path: string; manager: string; entry: Entry }[] = [];
  for (const e of entries) {
    if (sameEntry(e, manager, 'Apply', undefined)) continue;
    for (const p of appliedSet) {
      if (p.endsWith('\t.') || !e.set.has(p)) continue;
      if (!sameValue(valueAt(live, p), valueAt(applied, p))) conflicts.push({ path: p, manager: `"${e.manager}" using ${e.apiVersion}`, entry: e });
    }
  }
  if (conflicts.length && !force) {
    // The API server's lastAppliedManager: kubectl's first server-side apply after client-side applies takes over,
    // without conflict, the fields that the last-applied annotation holds and the live object still matches.
    const allowed = manager === 'kubectl' && live ? fieldsFromLastApplied(live) : new Set<string>();
    const left = conflicts.filter((c) => !allowed.has(c.path));
    if (left.length) throw conflictError(left, live?.kind ?? applied.kind, applied.metadata?.name ?? '');
  }
  for (const c of conflicts) c.entry.set.delete(c.path);

  const prevMine = entries.find((e) => sameEntry(e, manager, 'Apply', undefined));
  const body = clone(applied);
  delete body.status;
  let merged: Obj = live ? strategicMerge(live, body) : body;
  if (prevMine) {
    for (const p of prevMine.set) {
      if (appliedSet.has(p)) continue;
      if (entries.some((e) => e !== prevMine && e.set.has(p))) continue;
      removeAt(merged, p);
    }
  }
  merged = clone(merged);
  const mine: Entry = prevMine ?? { manager, operation: 'Apply', apiVersion, time: '', set: new Set() };
  mine.set = appliedSet;
  mine.time = nowISO();
  mine.apiVersion = apiVersion;
  const list = prevMine ? entries : [...entries, mine];
  merged.metadata ??= {};
  writeEntries(merged, list);
  return merged;
}

/** The fields of the kubectl.kubernetes.io/last-applied-configuration annotation whose values the live object still has. */
function fieldsFromLastApplied(live: Obj): FieldSet {
  const text = live.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  const out: FieldSet = new Set();
  if (typeof text !== 'string' || !text) return out;
  let last: Obj;
  try {
    last = JSON.parse(text);
  } catch {
    return out;
  }
  if (!last || typeof last !== 'object') return out;
  for (const p of fieldsOf(last, 'spec')) if (sameValue(valueAt(live, p), valueAt(last, p))) out.add(p);
  return out;
}

function conflictError(conflicts: { path: string; manager: string }[], kind: string, name: string): ApiError {
  let text: string;
  if (conflicts.length === 1) {
    text = `conflict with ${conflicts[0]!.manager}: ${printPath(conflicts[0]!.path)}`;
  } else {
    const by = new Map<string, string[]>();
    for (const c of conflicts) by.set(c.manager, [...(by.get(c.manager) ?? []), printPath(c.path)]);
    text = 'conflicts with';
    for (const [m, paths] of [...by.entries()].sort()) {
      text += ` ${m}`;
      for (const p of paths) text += `\n- ${p}`;
    }
  }
  const n = conflicts.length;
  const msg = `Apply failed with ${n} conflict${n > 1 ? 's' : ''}: ${text}`;
  return new ApiError(409, 'Conflict', msg, {
    name,
    kind,
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: printPath(c.path) })),
  });
}
