// Garbage collection (ownerReferences; Background, Foreground and Orphan propagation) and namespace deletion.
import type { Api } from '../rest.ts';
import { KINDS, kindOf } from '../kinds.ts';
import { ApiError } from '../status.ts';
import { clone } from '../util.ts';
import type { Obj } from '../util.ts';
import { WorkQueue } from './queue.ts';

function dependentsOf(api: Api, owner: Obj): { kind: string; obj: Obj }[] {
  const out: { kind: string; obj: Obj }[] = [];
  for (const k of KINDS) {
    if (!k.namespaced && owner.metadata.namespace) continue;
    for (const o of api.store.list(k.kind, owner.metadata.namespace)) {
      if ((o.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === owner.metadata.uid)) out.push({ kind: k.kind, obj: o });
    }
  }
  return out;
}

function ignoreNotFound(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
  }
}

export class GarbageCollector {
  private api: Api;
  readonly queue: WorkQueue;

  constructor(api: Api) {
    this.api = api;
    this.queue = new WorkQueue((k) => this.process(k));
    api.store.hub.subscribe((c) => {
      const m = c.object.metadata;
      const key = `${c.kind}|${m.namespace ?? ''}|${m.name}|${m.uid}`;
      if (c.type === 'DELETED') this.queue.add(`deleted|${key}`);
      else if (m.deletionTimestamp) this.queue.add(`terminating|${key}`);
      if (c.type === 'DELETED') {
        // An owner waiting for its dependents (foreground) may now be done.
        for (const r of m.ownerReferences ?? []) {
          for (const k of KINDS) {
            const owner = api.store.list(k.kind, m.namespace).find((o) => o.metadata.uid === r.uid);
            if (owner?.metadata.deletionTimestamp) this.queue.add(`terminating|${k.kind}|${owner.metadata.namespace ?? ''}|${owner.metadata.name}|${owner.metadata.uid}`);
          }
        }
        if (c.kind !== 'Namespace' && m.namespace) {
          const ns = api.store.peek('Namespace', undefined, m.namespace);
          if (ns?.metadata.deletionTimestamp) this.queue.add(`terminating|Namespace||${m.namespace}|${ns.metadata.uid}`);
        }
      }
    });
    for (const k of KINDS) for (const o of api.store.list(k.kind)) if (o.metadata.deletionTimestamp) this.queue.add(`terminating|${k.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}|${o.metadata.uid}`);
  }

  private process(key: string): void {
    const [what, kind, ns, name, uid] = key.split('|') as [string, string, string, string, string];
    const info = kindOf(kind);
    if (what === 'deleted') {
      const owner = { metadata: { namespace: ns || undefined, uid, name } };
      for (const d of dependentsOf(this.api, owner)) {
        const refs = (d.obj.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== uid);
        const dInfo = kindOf(d.kind);
        if (refs.length === 0) ignoreNotFound(() => this.api.delete(dInfo, d.obj.metadata.namespace, d.obj.metadata.name, { propagationPolicy: 'Background' }));
        else ignoreNotFound(() => this.api.commit(dInfo, d.obj, { ...clone(d.obj), metadata: { ...clone(d.obj.metadata), ownerReferences: refs } }, { fieldManager: 'k3s' }, undefined, 'Update'));
      }
      return;
    }
    const obj = this.api.tryGet(info, ns || undefined, name);
    if (!obj || obj.metadata.uid !== uid || !obj.metadata.deletionTimestamp) return;
    if (kind === 'Namespace') return this.namespace(obj);
    const finalizers: string[] = obj.metadata.finalizers ?? [];
    if (finalizers.includes('orphan')) {
      for (const d of dependentsOf(this.api, obj)) {
        const refs = (d.obj.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== uid);
        const next = clone(d.obj);
        if (refs.length) next.metadata.ownerReferences = refs;
        else delete next.metadata.ownerReferences;
        ignoreNotFound(() => this.api.commit(kindOf(d.kind), d.obj, next, { fieldManager: 'k3s' }, undefined, 'Update'));
      }
      this.removeFinalizer(obj, 'orphan');
      return;
    }
    if (finalizers.includes('foregroundDeletion')) {
      const deps = dependentsOf(this.api, obj);
      for (const d of deps) {
        if (!d.obj.metadata.deletionTimestamp) ignoreNotFound(() => this.api.delete(kindOf(d.kind), d.obj.metadata.namespace, d.obj.metadata.name, { propagationPolicy: 'Foreground' }));
      }
      if (dependentsOf(this.api, obj).length === 0) this.removeFinalizer(obj, 'foregroundDeletion');
    }
  }

  private removeFinalizer(obj: Obj, f: string): void {
    const info = kindOf(obj.kind);
    const fresh = this.api.tryGet(info, obj.metadata.namespace, obj.metadata.name);
    if (!fresh) return;
    const next = clone(fresh);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((x: string) => x !== f);
    if (!next.metadata.finalizers.length) delete next.metadata.finalizers;
    ignoreNotFound(() => this.api.commit(info, fresh, next, { fieldManager: 'k3s' }, undefined, 'Update'));
  }

  private namespace(ns: Obj): void {
    const name = ns.metadata.name;
    let left = 0;
    for (const k of KINDS) {
      if (!k.namespaced) continue;
      for (const o of this.api.store.list(k.kind, name)) {
        left++;
        if (!o.metadata.deletionTimestamp) ignoreNotFound(() => this.api.delete(k, name, o.metadata.name, { propagationPolicy: 'Background' }));
      }
    }
    if (left === 0) this.api.finalize(kindOf('Namespace'), undefined, name);
  }
}
