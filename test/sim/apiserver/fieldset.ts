// Field sets for managedFields (FieldsV1): which fields of an object a manager owns.
import { listMeta, canonical } from './patch.ts';
import { isObj } from './util.ts';
import type { Obj } from './util.ts';

/** A path is its elements ("f:spec", "k:{\"name\":\"x\"}", "v:\"a\"", ".") joined by a tab. */
export type FieldSet = Set<string>;
const SEP = '\t';

const META_OWNED = new Set(['labels', 'annotations', 'ownerReferences', 'finalizers']);

/** The field paths an object sets. part: 'spec' excludes status, 'status' keeps only status. */
export function fieldsOf(obj: Obj, part: 'spec' | 'status' | 'all' = 'spec'): FieldSet {
  const out: FieldSet = new Set();
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (part === 'spec' && k === 'status') continue;
    if (part === 'status' && k !== 'status') continue;
    if (k === 'metadata') {
      if (part === 'status' || !isObj(v)) continue;
      for (const [mk, mv] of Object.entries(v)) {
        if (!META_OWNED.has(mk)) continue;
        walk(mv, ['f:metadata', `f:${mk}`], [mk], out, mk === 'labels' || mk === 'annotations');
      }
      continue;
    }
    walk(v, [`f:${k}`], [k], out, false);
  }
  return out;
}

function itemKey(item: Obj, key: string): string {
  return `k:${JSON.stringify({ [key]: item[key] })}`;
}

function walk(v: unknown, path: string[], fieldPath: string[], out: FieldSet, dotForMap: boolean): void {
  if (isObj(v) && Object.keys(v).length > 0) {
    if (dotForMap) out.add([...path, '.'].join(SEP));
    for (const [k, child] of Object.entries(v)) walk(child, [...path, `f:${k}`], [...fieldPath, k], out, false);
    return;
  }
  if (Array.isArray(v)) {
    const meta = listMeta(fieldPath);
    if (meta.mergeKey) {
      for (const item of v) {
        if (!isObj(item) || item[meta.mergeKey] === undefined) continue;
        const p = [...path, itemKey(item, meta.mergeKey)];
        out.add([...p, '.'].join(SEP));
        for (const [k, child] of Object.entries(item)) walk(child, [...p, `f:${k}`], [...fieldPath, k], out, false);
      }
      return;
    }
    if (meta.mergePrimitives) {
      for (const item of v) out.add([...path, `v:${JSON.stringify(item)}`].join(SEP));
      return;
    }
  }
  out.add(path.join(SEP));
}

/** The value at a field path, or undefined when absent. */
export function valueAt(obj: Obj | undefined, path: string): unknown {
  let cur: unknown = obj;
  for (const el of path.split(SEP)) {
    if (cur === undefined) return undefined;
    if (el === '.') return cur;
    if (el.startsWith('f:')) cur = isObj(cur) ? cur[el.slice(2)] : undefined;
    else if (el.startsWith('k:')) {
      const want = JSON.parse(el.slice(2)) as Obj;
      const [k, val] = Object.entries(want)[0]!;
      cur = Array.isArray(cur) ? cur.find((i) => isObj(i) && i[k] === val) : undefined;
    } else if (el.startsWith('v:')) {
      const want = JSON.parse(el.slice(2));
      return Array.isArray(cur) && cur.includes(want) ? want : undefined;
    }
  }
  return cur;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Removes a field (or list item) from obj in place. */
export function removeAt(obj: Obj, path: string): void {
  const els = path.split(SEP).filter((e) => e !== '.');
  let cur: unknown = obj;
  for (let i = 0; i < els.length - 1; i++) {
    const el = els[i]!;
    if (el.startsWith('f:')) cur = isObj(cur) ? cur[el.slice(2)] : undefined;
    else if (el.startsWith('k:')) {
      const [k, val] = Object.entries(JSON.parse(el.slice(2)) as Obj)[0]!;
      cur = Array.isArray(cur) ? cur.find((x) => isObj(x) && x[k] === val) : undefined;
    }
    if (cur === undefined) return;
  }
  const last = els[els.length - 1]!;
  if (last.startsWith('f:') && isObj(cur)) delete cur[last.slice(2)];
  else if (last.startsWith('k:') && Array.isArray(cur)) {
    const [k, val] = Object.entries(JSON.parse(last.slice(2)) as Obj)[0]!;
    const i = cur.findIndex((x) => isObj(x) && x[k] === val);
    if (i >= 0) cur.splice(i, 1);
  } else if (last.startsWith('v:') && Array.isArray(cur)) {
    const want = JSON.parse(last.slice(2));
    const i = cur.indexOf(want);
    if (i >= 0) cur.splice(i, 1);
  }
}

export function toFieldsV1(set: FieldSet): Obj {
  const root: Obj = {};
  for (const p of [...set].sort()) {
    let node = root;
    for (const el of p.split(SEP)) {
      node[el] ??= {};
      node = node[el];
    }
  }
  return root;
}

export function fromFieldsV1(tree: Obj | undefined): FieldSet {
  const out: FieldSet = new Set();
  const rec = (node: Obj, path: string[]): void => {
    for (const [k, child] of Object.entries(node)) {
      const p = [...path, k];
      if (!isObj(child) || Object.keys(child).length === 0) out.add(p.join(SEP));
      else rec(child, p);
    }
  };
  if (tree) rec(tree, []);
  return out;
}

/** Kubernetes' printed form of a field path: .spec.containers[name="x"].image */
export function printPath(path: string): string {
  let s = '';
  for (const el of path.split(SEP)) {
    if (el === '.') continue;
    if (el.startsWith('f:')) s += `.${el.slice(2)}`;
    else if (el.startsWith('k:')) {
      const o = JSON.parse(el.slice(2)) as Obj;
      s += `[${Object.entries(o).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    } else if (el.startsWith('v:')) s += `[=${el.slice(2)}]`;
  }
  return s;
}
