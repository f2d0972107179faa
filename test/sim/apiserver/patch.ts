// JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch, as the API server applies them.
import { badRequest, ApiError } from './status.ts';
import { clone, isObj } from './util.ts';
import type { Obj } from './util.ts';

// ---- JSON patch ----

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw badRequest(`invalid JSON pointer "${p}"`);
  return p.slice(1).split('/').map(unescapePointer);
}

function getAt(doc: unknown, path: string[]): unknown {
  let cur: any = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObj(v)) {
    const o: Obj = {};
    for (const k of Object.keys(v).sort()) o[k] = canonical(v[k]);
    return o;
  }
  return v;
}

export function applyJsonPatch(doc: Obj, ops: unknown): Obj {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let root: any = clone(doc);
  for (const op of ops as Obj[]) {
    const path = parsePointer(String(op.path ?? ''));
    const fail = (msg: string): never => {
      throw new ApiError(422, 'Invalid', msg);
    };
    const parentOf = (p: string[]): [any, string] => {
      const parent = getAt(root, p.slice(0, -1));
      if (parent === undefined || parent === null || typeof parent !== 'object') fail(`doc is missing path: "${op.path}": missing value`);
      return [parent, p[p.length - 1]!];
    };
    const add = (p: string[], value: unknown): void => {
      if (p.length === 0) {
        root = clone(value);
        return;
      }
      const [parent, last] = parentOf(p);
      if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : Number(last);
        if (!(i >= 0 && i <= parent.length)) fail(`add operation does not apply: doc is missing path: "${op.path}": missing value`);
        parent.splice(i, 0, clone(value));
      } else parent[last] = clone(value);
    };
    const remove = (p: string[]): unknown => {
      const [parent, last] = parentOf(p);
      if (Array.isArray(parent)) {
        const i = Number(last);
        if (!(i >= 0 && i < parent.length)) fail(`remove operation does not apply: doc is missing path: "${op.path}": missing value`);
        return parent.splice(i, 1)[0];
      }
      if (!(last in parent)) fail(`remove operation does not apply: doc is missing path: "${op.path}": missing value`);
      const v = parent[last];
      delete parent[last];
      return v;
    };
    switch (op.op) {
      case 'add': add(path, op.value); break;
      case 'remove': remove(path); break;
      case 'replace': remove(path); add(path, op.value); break;
      case 'move': { const v = remove(parsePointer(String(op.from))); add(path, v); break; }
      case 'copy': add(path, getAt(root, parsePointer(String(op.from)))); break;
      case 'test':
        if (!deepEqual(getAt(root, path), op.value)) fail(`the server rejected our request due to an error in our request`);
        break;
      default: throw badRequest(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return root as Obj;
}

// ---- JSON merge patch ----

export function applyMergePatch(target: unknown, patch: unknown): any {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

// ---- Strategic merge patch ----

export interface ListMeta { mergeKey?: string; mergePrimitives?: boolean }

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Patch strategy of a list field, from the Kubernetes Go struct tags (patchStrategy/patchMergeKey). */
export function listMeta(path: string[]): ListMeta {
  const f = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (f) {
    case 'containers': case 'initContainers': case 'ephemeralContainers':
    case 'imagePullSecrets': case 'volumes': case 'env': case 'resourceClaims': case 'schedulingGates':
      return { mergeKey: 'name' };
    case 'ports':
      if (parent && CONTAINER_LISTS.has(parent)) return { mergeKey: 'containerPort' };
      if (parent === 'spec') return { mergeKey: 'port' };
      return {};
    case 'volumeMounts': return { mergeKey: 'mountPath' };
    case 'volumeDevices': return { mergeKey: 'devicePath' };
    case 'hostAliases': return { mergeKey: 'ip' };
    case 'conditions': return { mergeKey: 'type' };
    case 'ownerReferences': return { mergeKey: 'uid' };
    case 'finalizers': return { mergePrimitives: true };
    case 'taints': return { mergeKey: 'key' };
    case 'addresses': return parent === 'status' ? { mergeKey: 'type' } : {};
    case 'topologySpreadConstraints': return { mergeKey: 'topologyKey' };
    default: return {};
  }
}

function sameKey(a: unknown, b: unknown, key: string): boolean {
  return isObj(a) && isObj(b) && a[key] !== undefined && a[key] === b[key];
}

function mergeList(orig: unknown[], patch: unknown[], path: string[]): unknown[] {
  const meta = listMeta(path);
  if (patch.some((p) => isObj(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObj(p) && p.$patch === 'replace')).map((p) => clone(p));
  }
  if (meta.mergePrimitives) {
    const out = [...orig];
    for (const p of patch) if (!out.includes(p)) out.push(p);
    return out;
  }
  if (!meta.mergeKey) return clone(patch);
  const key = meta.mergeKey;
  const out: unknown[] = orig.map((o) => clone(o));
  for (const p of patch) {
    if (!isObj(p)) {
      out.push(clone(p));
      continue;
    }
    const i = out.findIndex((o) => sameKey(o, p, key));
    if (p.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = strategicMerge(out[i] as Obj, p, path);
    else out.push(strategicMerge({}, p, path));
  }
  return out;
}

function orderBy(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const pos = (item: unknown): number => {
    const i = order.findIndex((o) => (key ? sameKey(o, item, key) : o === item));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return list.map((item, i) => ({ item, i })).sort((a, b) => pos(a.item) - pos(b.item) || a.i - b.i).map((x) => x.item);
}

export function strategicMerge(orig: Obj, patch: Obj, path: string[] = []): any {
  if (patch.$patch === 'replace') {
    const out = clone(patch);
    delete out.$patch;
    return out;
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Obj = clone(orig ?? {});
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      orders.push([k.slice('$setElementOrder/'.length), v as unknown[]]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f])) out[f] = (out[f] as unknown[]).filter((x) => !(v as unknown[]).includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const p = [...path, k];
    if (Array.isArray(v)) {
      out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, p);
    } else if (isObj(v)) {
      const merged = strategicMerge(isObj(out[k]) ? out[k] : {}, v, p);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  for (const [f, order] of orders) {
    if (Array.isArray(out[f])) out[f] = orderBy(out[f], order, listMeta([...path, f]).mergeKey);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}
