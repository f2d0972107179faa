// REST semantics of the API: get, list, create, update, patch (incl. server-side apply), delete.
import YAML from 'yaml';
import { ApiError, alreadyExists, badRequest, conflict, notFound } from './status.ts';
import { apiVersionOf, kindOf } from './kinds.ts';
import type { KindInfo } from './kinds.ts';
import { applyDefaults, validate } from './objects.ts';
import { applyJsonPatch, applyMergePatch, canonical, strategicMerge } from './patch.ts';
import { serverSideApply, trackUpdate } from './managedfields.ts';
import { checkFieldSelector, labelSelectorString, matchFields, matchRequirements, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { Store } from './storage.ts';
import { pruneUnknownFields, unknownFields } from './openapi.ts';
import { clone, isObj, nowISO, randomSuffix, uid } from './util.ts';
import type { Obj } from './util.ts';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: string;
  force?: boolean;
  /** Warnings to return to the client (Warning headers). */
  warnings?: string[];
  /** A create made by server-side apply: these managedFields (an Apply entry), not an Update entry. */
  appliedManagedFields?: unknown[];
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: string;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string }

const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'DaemonSet']);

function target(info: KindInfo) {
  return { group: info.group, kind: info.kind, resource: info.resource };
}

export function withTypeMeta(info: KindInfo, o: Obj): Obj {
  return { apiVersion: apiVersionOf(info), kind: info.kind, ...o };
}

/** Hooks run after a deletion (garbage collection, namespace cleanup). */
export type DeleteHook = (info: KindInfo, obj: Obj, opts: DeleteOptions) => void;

export class Api {
  readonly store: Store;
  deleteHooks: DeleteHook[] = [];

  constructor(store: Store) {
    this.store = store;
  }

  get(info: KindInfo, ns: string | undefined, name: string): Obj {
    const o = this.store.get(info.kind, info.namespaced ? ns : undefined, name);
    if (!o) throw notFound(target(info), name);
    return o;
  }

  tryGet(info: KindInfo, ns: string | undefined, name: string): Obj | undefined {
    return this.store.get(info.kind, info.namespaced ? ns : undefined, name);
  }

  /** Objects matching the selectors, before paging. */
  select(info: KindInfo, ns: string | undefined, opts: ListOptions): Obj[] {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector);
    checkFieldSelector(info.kind, fields);
    return this.store.list(info.kind, info.namespaced ? ns : undefined)
      .filter((o) => matchRequirements(labels, o.metadata.labels) && matchFields(fields, o));
  }

  list(info: KindInfo, ns: string | undefined, opts: ListOptions): Obj {
    let items = this.select(info, ns, opts);
    const metadata: Obj = { resourceVersion: String(this.store.rv) };
    if (opts.continue) {
      let token: { rv: number; start: string };
      try {
        token = JSON.parse(Buffer.from(opts.continue, 'base64').toString('utf8'));
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      if (token.rv < this.store.hub.compactedRV) {
        throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      items = items.filter((o) => keyOf(o) > token.start);
      metadata.resourceVersion = String(token.rv);
    }
    if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
      const rest = items.length - opts.limit;
      items = items.slice(0, opts.limit);
      metadata.continue = Buffer.from(JSON.stringify({ rv: Number(metadata.resourceVersion), start: keyOf(items[items.length - 1]!) })).toString('base64');
      metadata.remainingItemCount = rest;
    }
    return {
      kind: `${info.kind}List`,
      apiVersion: apiVersionOf(info),
      metadata,
      items: items.map((o) => {
        const c = clone(o);
        delete c.kind;
        delete c.apiVersion;
        return c;
      }),
    };
  }

  private checkBody(info: KindInfo, body: unknown, ns: string | undefined, name?: string): Obj {
    if (!isObj(body)) throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    const o = clone(body);
    const av = apiVersionOf(info);
    if ((o.apiVersion && o.apiVersion !== av) || (o.kind && o.kind !== info.kind)) {
      throw badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${av})`);
    }
    o.apiVersion = av;
    o.kind = info.kind;
    o.metadata = isObj(o.metadata) ? o.metadata : {};
    if (info.namespaced) {
      if (o.metadata.namespace && ns && o.metadata.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      o.metadata.namespace = ns ?? o.metadata.namespace ?? 'default';
    } else delete o.metadata.namespace;
    if (name !== undefined && o.metadata.name && o.metadata.name !== name) {
      throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (name !== undefined) o.metadata.name = name;
    return o;
  }

  private strict(info: KindInfo, o: Obj, opts: WriteOptions): void {
    const mode = opts.fieldValidation ?? 'Ignore';
    const unknown = mode === 'Strict' ? unknownFields(info, o) : pruneUnknownFields(info, o);
    if (!unknown.length || mode === 'Ignore') return;
    if (mode === 'Strict') {
      const list = unknown.map((f) => `unknown field "${f}"`).join(', ');
      throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${list}`);
    }
    for (const f of unknown) opts.warnings?.push(`unknown field "${f}"`);
  }

  create(info: KindInfo, ns: string | undefined, body: unknown, opts: WriteOptions = {}): Obj {
    const o = this.checkBody(info, body, info.namespaced ? ns : undefined);
    this.strict(info, o, opts);
    const m = o.metadata;
    if (!m.name && m.generateName) m.name = `${m.generateName}${randomSuffix(5)}`;
    if (m.name && this.store.peek(info.kind, m.namespace, m.name)) throw alreadyExists(target(info), m.name);
    if (info.namespaced) {
      const nsObj = this.store.peek('Namespace', undefined, m.namespace);
      if (!nsObj) throw notFound({ group: '', kind: 'Namespace', resource: 'namespaces' }, m.namespace);
      if (nsObj.metadata.deletionTimestamp) {
        throw new ApiError(403, 'Forbidden', `${info.resource} "${m.name}" is forbidden: unable to create new content in namespace ${m.namespace} because it is being terminated`);
      }
    }
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.managedFields;
    m.uid = uid();
    m.creationTimestamp = nowISO();
    if (GENERATION_KINDS.has(info.kind)) m.generation = 1;
    else delete m.generation;
    applyDefaults(info, o, true);
    validate(info, o);
    // An object created by server-side apply is owned by that manager's Apply entry, as on a real
    // API server; a later apply by the same manager must not conflict with itself.
    if (opts.appliedManagedFields) m.managedFields = clone(opts.appliedManagedFields);
    else trackUpdate(undefined, o, opts.fieldManager ?? defaultManager(), apiVersionOf(info));
    orderMetadata(o);
    if (opts.dryRun) return o;
    return this.store.put(info.kind, o);
  }

  /** PUT: replace the object (or its status). */
  update(info: KindInfo, ns: string | undefined, name: string, body: unknown, opts: WriteOptions = {}, sub?: string): Obj {
    const o = this.checkBody(info, body, info.namespaced ? ns : undefined, name);
    this.strict(info, o, opts);
    const old = this.tryGet(info, ns, name);
    if (!old) {
      if (sub) throw notFound(target(info), name);
      return this.create(info, ns, o, opts);
    }
    return this.commit(info, old, o, opts, sub, 'Update');
  }

  patch(info: KindInfo, ns: string | undefined, name: string, contentType: string, raw: string, opts: WriteOptions = {}, sub?: string): Obj {
    const type = contentType.split(';')[0]!.trim();
    const manager = opts.fieldManager;
    if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+json') {
      if (!manager) throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', { causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] });
      let applied: unknown;
      try {
        applied = YAML.parse(raw);
      } catch (e) {
        throw badRequest(`error decoding YAML: ${(e as Error).message}`);
      }
      const body = this.checkBody(info, applied, info.namespaced ? ns : undefined, name);
      const unknown = unknownFields(info, body);
      if (unknown.length) {
        throw badRequest(`failed to create typed patch object (${ns ? `${ns}/` : ''}${name}; ${apiVersionOf(info)}, Kind=${info.kind}): ${unknown.map((f) => `.${f}: field not declared in schema`).join(', ')}`);
      }
      const live = this.tryGet(info, ns, name);
      const merged = serverSideApply(live, body, manager, apiVersionOf(info), !!opts.force);
      if (!live) {
        const created = this.create(info, ns, { ...merged, metadata: { ...merged.metadata, managedFields: undefined } }, { ...opts, fieldManager: manager, appliedManagedFields: merged.metadata.managedFields });
        return created;
      }
      return this.commit(info, live, merged, { ...opts, fieldValidation: 'Ignore' }, sub, 'Apply');
    }
    const live = this.get(info, ns, name);
    let current: Obj = live;
    if (sub === 'scale') current = toScale(live);
    let patched: Obj;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    switch (type) {
      case 'application/json-patch+json': patched = applyJsonPatch(current, parsed); break;
      case 'application/merge-patch+json': patched = applyMergePatch(current, parsed); break;
      case 'application/strategic-merge-patch+json':
        if (!isObj(parsed)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
        patched = strategicMerge(current, parsed);
        break;
      default:
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
    }
    if (sub === 'scale') return this.updateScale(info, live, patched, opts);
    if (isObj(parsed) && isObj(parsed.metadata) && parsed.metadata.resourceVersion === undefined) patched.metadata.resourceVersion = live.metadata.resourceVersion;
    const o = this.checkBody(info, patched, info.namespaced ? ns : undefined, name);
    this.strict(info, o, opts);
    return this.commit(info, live, o, opts, sub, 'Update');
  }

  getScale(info: KindInfo, ns: string | undefined, name: string): Obj {
    return toScale(this.get(info, ns, name));
  }

  updateScale(info: KindInfo, live: Obj, scale: unknown, opts: WriteOptions): Obj {
    if (!isObj(scale)) throw badRequest('invalid Scale body');
    const replicas = scale.spec?.replicas;
    if (typeof replicas !== 'number' || replicas < 0) {
      throw new ApiError(422, 'Invalid', `Scale.autoscaling "${live.metadata.name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`);
    }
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== live.metadata.resourceVersion) throw conflict({ group: 'apps', kind: 'Deployment', resource: 'deployments' }, live.metadata.name, 'the object has been modified; please apply your changes to the latest version and try again');
    const next = clone(live);
    next.spec.replicas = replicas;
    const saved = this.commit(info, live, next, opts, 'scale', 'Update');
    return toScale(saved);
  }

  /** Common tail of update/patch/apply: preconditions, defaulting, validation, managedFields, write. */
  commit(info: KindInfo, old: Obj, next: Obj, opts: WriteOptions, sub: string | undefined, op: 'Update' | 'Apply'): Obj {
    const rv = next.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) {
      throw conflict(target(info), old.metadata.name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const hasStatus = info.subresources.some((s) => s.name === 'status');
    if (sub === 'status') next = { ...clone(old), status: next.status, metadata: { ...clone(old.metadata), managedFields: next.metadata.managedFields ?? old.metadata.managedFields } };
    else if (hasStatus && sub !== 'scale') next.status = clone(old.status);
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name']) {
      if (old.metadata[k] === undefined) delete next.metadata[k];
      else next.metadata[k] = old.metadata[k];
    }
    if (next.metadata.managedFields === undefined && old.metadata.managedFields) next.metadata.managedFields = clone(old.metadata.managedFields);
    applyDefaults(info, next, false);
    validate(info, next, old);
    if (GENERATION_KINDS.has(info.kind) && JSON.stringify(canonical(next.spec)) !== JSON.stringify(canonical(old.spec))) {
      next.metadata.generation = (old.metadata.generation ?? 1) + 1;
    }
    const manager = opts.fieldManager ?? defaultManager();
    if (op === 'Update') trackUpdate(old, next, manager, apiVersionOf(info), sub === 'scale' ? 'scale' : sub);
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    orderMetadata(next);
    if (same(old, next)) return old;
    if (opts.dryRun) return next;
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && !this.awaitsKubelet(info, next)) {
      return this.store.remove(info.kind, next.metadata.namespace, next.metadata.name) ?? next;
    }
    return this.store.put(info.kind, next);
  }

  private awaitsKubelet(info: KindInfo, o: Obj): boolean {
    return info.kind === 'Pod' && !!o.spec?.nodeName && o.metadata.deletionGracePeriodSeconds > 0;
  }

  delete(info: KindInfo, ns: string | undefined, name: string, opts: DeleteOptions = {}): Obj {
    const o = this.get(info, ns, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== o.metadata.uid) {
      throw conflict(target(info), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${o.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== o.metadata.resourceVersion) {
      throw conflict(target(info), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${o.metadata.resourceVersion}`);
    }
    if (opts.dryRun) return o;
    const policy = opts.propagationPolicy ?? (info.kind === 'ReplicaSet' || info.kind === 'Deployment' || info.kind === 'DaemonSet' ? 'Background' : 'Background');
    const m = o.metadata;
    if (m.deletionTimestamp) {
      // Already terminating: a shorter grace period for a pod still shortens it.
      if (info.kind === 'Pod' && opts.gracePeriodSeconds === 0 && (m.finalizers ?? []).length === 0) {
        const gone = this.store.remove(info.kind, m.namespace, name)!;
        for (const h of this.deleteHooks) h(info, gone, opts);
        return gone;
      }
      return o;
    }
    const finalizers: string[] = [...(m.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    let grace = 0;
    if (info.kind === 'Pod' && o.spec?.nodeName && o.status?.phase !== 'Succeeded' && o.status?.phase !== 'Failed') {
      grace = opts.gracePeriodSeconds ?? o.spec.terminationGracePeriodSeconds ?? 30;
    }
    if (info.kind === 'Namespace') {
      if (['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(name)) {
        throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`);
      }
      const next = clone(o);
      next.metadata.deletionTimestamp = nowISO();
      next.status = { ...next.status, phase: 'Terminating' };
      const saved = this.store.put(info.kind, next);
      for (const h of this.deleteHooks) h(info, saved, opts);
      return saved;
    }
    if (finalizers.length > 0 || grace > 0) {
      const next = clone(o);
      next.metadata.finalizers = finalizers.length ? finalizers : undefined;
      if (!next.metadata.finalizers) delete next.metadata.finalizers;
      next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      next.metadata.deletionGracePeriodSeconds = grace;
      if (GENERATION_KINDS.has(info.kind)) next.metadata.generation = (m.generation ?? 1) + 1;
      const saved = this.store.put(info.kind, next);
      for (const h of this.deleteHooks) h(info, saved, opts);
      return saved;
    }
    const gone = this.store.remove(info.kind, m.namespace, name)!;
    for (const h of this.deleteHooks) h(info, gone, opts);
    return gone;
  }

  /** Removes an object now (kubelet confirming a pod is gone, finalizers done). */
  finalize(info: KindInfo, ns: string | undefined, name: string): void {
    const gone = this.store.remove(info.kind, info.namespaced ? ns : undefined, name);
    if (gone) for (const h of this.deleteHooks) h(info, gone, {});
  }

  deleteCollection(info: KindInfo, ns: string | undefined, list: ListOptions, opts: DeleteOptions): Obj {
    const items = this.select(info, ns, list);
    const out: Obj[] = [];
    for (const o of items) {
      try {
        out.push(this.delete(info, o.metadata.namespace, o.metadata.name, opts));
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: { resourceVersion: String(this.store.rv) }, items: out };
  }

  /** Internal writes by controllers: status updates and object edits under the "k3s" manager. */
  updateStatus(kind: string, o: Obj): Obj {
    const info = kindOf(kind);
    const old = this.tryGet(info, o.metadata.namespace, o.metadata.name);
    if (!old) return o;
    return this.commit(info, old, { ...old, status: o.status, metadata: { ...old.metadata } }, { fieldManager: 'k3s' }, 'status', 'Update');
  }
}

function defaultManager(): string {
  return 'unknown';
}

function keyOf(o: Obj): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Equal apart from managedFields timestamps: such a write changes nothing and keeps the resourceVersion. */
function same(a: Obj, b: Obj): boolean {
  const strip = (o: Obj): unknown => {
    const c = clone(o);
    for (const m of c.metadata.managedFields ?? []) delete m.time;
    return canonical(c);
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

const META_ORDER = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'];

/** Orders metadata keys as the API server serialises them. */
function orderMetadata(o: Obj): void {
  const m = o.metadata;
  const out: Obj = {};
  for (const k of META_ORDER) if (m[k] !== undefined) out[k] = m[k];
  for (const k of Object.keys(m)) if (!(k in out) && m[k] !== undefined) out[k] = m[k];
  o.metadata = out;
}

export function toScale(o: Obj): Obj {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: labelSelectorString(o.spec?.selector) },
  };
}
