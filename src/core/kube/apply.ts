// `kubectl apply -f` as server-side apply with our own field manager: validate everything
// (discovery, then a server-side dry run with strict field validation) before applying
// anything, then apply in the given order (the objects of one kind a few at a time) and report
// per object as kubectl does.
import { applyRank } from '../manifests/kinds.ts';
import { objectPath } from './actions.ts';
import type { Discovery, ResourceInfo } from './discovery.ts';
import { KubeError } from './gateway.ts';
import type { KubeHttp, KubeStatus } from './http.ts';
import type { KubeconfigView } from './kubeconfig.ts';
import type { KubeObject } from './reflector.ts';

export const FIELD_MANAGER = 'k3d-deploy';

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

export interface ApplyProblem {
  kind: 'conflict' | 'invalid' | 'unknownKind' | 'unreachable' | 'failed';
  message: string;
  /** For conflicts: which fields another manager owns. */
  conflicts?: Array<{ field: string; manager: string }>;
  /** For invalid objects: the fields the server named (`.spec.replicass`). */
  causes?: Array<{ field?: string; message: string }>;
}

export interface ApplyResult {
  /** kubectl's name for it: `deployment.apps/hashgenerator-dep`. */
  ref: string;
  index: number;
  namespace?: string;
  outcome?: ApplyOutcome;
  problem?: ApplyProblem;
  /** What the cluster holds after the apply (or would, for a dry run). */
  object?: KubeObject;
  before?: KubeObject;
}

export interface ApplyOptions {
  defaultNamespace?: string;
  force?: boolean;
  /** Only validate (a server-side dry run); nothing changes. */
  dryRun?: boolean;
  fieldManager?: string;
}

type Obj = KubeObject & Record<string, unknown>;

export function kubectlRef(obj: KubeObject, info?: ResourceInfo): string {
  const group = obj.apiVersion?.includes('/') ? obj.apiVersion.split('/')[0] : '';
  const resource = info ? info.resource.replace(/s$/, '') : (obj.kind ?? '').toLowerCase();
  const singular = info?.kind.toLowerCase() ?? resource;
  return `${singular}${group ? `.${group}` : ''}/${obj.metadata?.name ?? ''}`;
}

/**
 * Applies `objects` in order. Phase 1 checks every object (kind known, dry run accepted);
 * if any fails, nothing is applied and the results carry the problems. Phase 2 applies.
 */
export async function applyObjects(http: KubeHttp, discovery: Discovery, objects: Obj[], options: ApplyOptions = {}): Promise<{ applied: boolean; results: ApplyResult[] }> {
  // Namespaces and kinds this apply creates: the dry run of what goes in them is made elsewhere (below), and a kind
  // the cluster does not serve yet gets a message that says why.
  const declared: Declared = {
    namespaces: new Set(objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace' && o.metadata?.name).map((o) => o.metadata?.name as string)),
    kinds: new Set(objects.flatMap(crdKinds)),
  };
  // A few at a time: over one or two kept-alive connections, not one new TLS connection each.
  const prepared = await mapLimit(objects, 4, (obj, index) => prepare(http, discovery, obj, index, options, declared));
  const results = prepared.map((p) => p.result);
  if (results.some((r) => r.problem) || options.dryRun) {
    return { applied: false, results };
  }
  // In the order given (sortForApply: namespaces and CRDs before what uses them), one kind after another;
  // the objects of one kind, which do not depend on each other, a few at a time. At the first failure
  // nothing more is started: what was applied (or was in flight and then applied) is reported as applied.
  const manager = options.fieldManager ?? FIELD_MANAGER;
  let failed = false;
  for (const wave of kindRuns(prepared)) {
    await mapLimit(wave, 4, async (p) => {
      if (failed || !p.info) return;
      try {
        const after = await ssa(http, p.path, p.obj, options, false);
        p.result.object = after;
        p.result.outcome = !p.result.before ? 'created' : unchangedByApply(p.result.before, after, manager) ? 'unchanged' : 'configured';
      } catch (e) {
        p.result.problem = toProblem(e, p.obj);
        failed = true;
      }
    });
    if (failed) break;
  }
  return { applied: results.every((r) => r.outcome !== undefined), results };
}

/** Consecutive objects of the same apply rank (kinds.ts): the same kind, or kinds the order does not know. */
function kindRuns(prepared: Prepared[]): Prepared[][] {
  const runs: Prepared[][] = [];
  let rank = -1;
  for (const p of prepared) {
    const r = applyRank(p.obj.kind);
    if (runs.length === 0 || r !== rank) {
      runs.push([]);
      rank = r;
    }
    runs[runs.length - 1].push(p);
  }
  return runs;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface Prepared {
  result: ApplyResult;
  info?: ResourceInfo;
  path: string;
  obj: Obj;
}

interface Declared {
  namespaces: ReadonlySet<string>;
  /** `group/version Kind` of every version that a CustomResourceDefinition of the apply serves. */
  kinds: ReadonlySet<string>;
}

function crdKinds(o: Obj): string[] {
  if (o.kind !== 'CustomResourceDefinition' || !o.apiVersion?.startsWith('apiextensions.k8s.io/')) return [];
  const spec = (o as { spec?: { group?: unknown; names?: { kind?: unknown }; versions?: unknown } }).spec;
  const versions = Array.isArray(spec?.versions) ? spec.versions : [];
  return versions.map((v: { name?: unknown }) => `${String(spec?.group)}/${String(v?.name)} ${String(spec?.names?.kind)}`);
}

async function prepare(http: KubeHttp, discovery: Discovery, original: Obj, index: number, options: ApplyOptions, declared: Declared): Promise<Prepared> {
  const obj = structuredClone(original);
  const result: ApplyResult = { ref: kubectlRef(obj), index };
  const apiVersion = obj.apiVersion ?? '';
  const kind = obj.kind ?? '';
  let info: ResourceInfo | undefined;
  try {
    info = await discovery.find(apiVersion, kind);
  } catch (e) {
    result.problem = toProblem(e, obj);
    return { result, path: '', obj };
  }
  if (!info) {
    const why = declared.kinds.has(`${apiVersion} ${kind}`)
      ? 'its CustomResourceDefinition is in this apply, but the cluster cannot check an object of a kind it does not serve yet: apply the CustomResourceDefinition first (its own file), then this'
      : 'the cluster does not know this kind';
    result.problem = { kind: 'unknownKind', message: `no matches for kind "${kind}" in version "${apiVersion}": ${why}` };
    return { result, path: '', obj };
  }
  result.ref = kubectlRef(obj, info);
  if (info.namespaced) {
    obj.metadata = { ...obj.metadata, namespace: obj.metadata?.namespace ?? options.defaultNamespace ?? 'default' };
    result.namespace = obj.metadata.namespace;
  }
  const path = objectPath({ apiVersion, resource: info.resource, namespace: info.namespaced ? result.namespace : undefined, name: obj.metadata?.name ?? '' });
  try {
    result.before = await http.json<KubeObject>(path).catch((e: unknown) => {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    });
    result.object = await ssa(http, path, obj, options, true).catch((e: unknown) => {
      if (!(info.namespaced && declared.namespaces.has(result.namespace as string) && namespaceMissing(e, result.namespace as string))) throw e;
      return dryRunElsewhere(http, info, obj, options);
    });
  } catch (e) {
    result.problem = toProblem(e, obj);
  }
  return { result, info, path, obj };
}

/** Is `e` the API server saying that namespace `name` does not exist (its NamespaceLifecycle check)? */
function namespaceMissing(e: unknown, name: string): boolean {
  const details = (e as { statusObject?: { details?: { kind?: string; name?: string } } }).statusObject?.details;
  return e instanceof KubeError && e.status === 404 && details?.kind === 'namespaces' && details.name === name;
}

/**
 * The dry run of an object whose namespace this apply creates first. The API server refuses anything in a namespace
 * that does not exist yet, dry runs included (kubectl apply --dry-run=server fails on such a file): the object is
 * checked in `default` instead, under a name of the same length that nothing there has, so that the server validates
 * exactly its fields without meeting another object. The answer is given back its own name and namespace.
 */
async function dryRunElsewhere(http: KubeHttp, info: ResourceInfo, obj: Obj, options: ApplyOptions): Promise<KubeObject> {
  const name = obj.metadata?.name ?? '';
  const stand = standInName(name);
  const probe = { ...obj, metadata: { ...obj.metadata, name: stand, namespace: 'default' } };
  const path = objectPath({ apiVersion: obj.apiVersion ?? '', resource: info.resource, namespace: 'default', name: stand });
  const answer = await ssa(http, path, probe, { ...options, force: true }, true);
  return { ...answer, metadata: { ...answer.metadata, name, namespace: obj.metadata?.namespace } };
}

/** `name` with its last characters (six at most) replaced by random lowercase letters and digits: as valid, as long. */
function standInName(name: string): string {
  const keep = Math.max(0, name.length - 6);
  let out = name.slice(0, keep);
  for (let i = keep; i < name.length; i++) {
    // A letter first (a DNS-1035 label starts with one), never `-` or `.` at the end.
    out += i === 0 ? String.fromCharCode(97 + Math.floor(Math.random() * 26)) : Math.floor(Math.random() * 36).toString(36);
  }
  return out;
}

/**
 * Whether an apply by `manager` changed nothing: the fields it owns are the same set, holding
 * the same values, before and after. Only what this apply owns counts, never the whole object:
 * controllers write status, and annotations such as `deployment.kubernetes.io/revision`,
 * between our read and our apply. Falls back to the declared state (everything but status and
 * bookkeeping) when the server keeps no managedFields.
 */
export function unchangedByApply(before: KubeObject, after: KubeObject, manager: string = FIELD_MANAGER): boolean {
  const owned = appliedFields(after, manager);
  if (owned === undefined) {
    return managedFieldsOf(after).length === 0 && sameDeclaredState(before, after);
  }
  const ownedBefore = appliedFields(before, manager);
  return ownedBefore !== undefined && canonical(ownedBefore) === canonical(owned) && canonical(project(before, owned)) === canonical(project(after, owned));
}

/** Whether an apply changed nothing a user declares (status and bookkeeping aside). */
export function sameDeclaredState(before: KubeObject, after: KubeObject): boolean {
  return canonical(declared(before)) === canonical(declared(after));
}

/** The FieldsV1 tree of what `manager` owns through Apply (not through a subresource). */
function appliedFields(obj: KubeObject, manager: string): Record<string, unknown> | undefined {
  const entry = managedFieldsOf(obj).find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  return entry && isRecord(entry.fieldsV1) ? entry.fieldsV1 : undefined;
}

function managedFieldsOf(obj: KubeObject): Array<{ manager?: string; operation?: string; subresource?: string; fieldsV1?: unknown }> {
  const list = (obj.metadata as { managedFields?: unknown } | undefined)?.managedFields;
  return Array.isArray(list) ? list : [];
}

/**
 * The parts of `value` that a FieldsV1 tree names: `f:x` a field, `k:{"name":"c"}` the list item
 * with those keys, `v:"a"` a set member, `.` the node itself; an empty tree is a leaf (all of it).
 */
function project(value: unknown, fields: Record<string, unknown>): unknown {
  const keys = Object.keys(fields);
  if (keys.length === 0) {
    return value === undefined ? { absent: true } : { value };
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const sub = isRecord(fields[key]) ? fields[key] : {};
    if (key === '.') {
      out[key] = value !== undefined;
    } else if (key.startsWith('f:')) {
      out[key] = project(isRecord(value) ? value[key.slice(2)] : undefined, sub);
    } else if (key.startsWith('k:')) {
      const want = parseJson(key.slice(2));
      const item = Array.isArray(value) && isRecord(want)
        ? value.find((i) => isRecord(i) && Object.entries(want).every(([k, v]) => canonical(i[k]) === canonical(v)))
        : undefined;
      out[key] = project(item, sub);
    } else if (key.startsWith('v:')) {
      const want = canonical(parseJson(key.slice(2)));
      out[key] = Array.isArray(value) && value.some((i) => canonical(i) === want);
    }
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function declared(obj: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = obj as KubeObject & { status?: unknown };
  const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = (metadata ?? {}) as Record<string, unknown>;
  return { ...rest, metadata: meta };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function ssa(http: KubeHttp, path: string, obj: Obj, options: ApplyOptions, dryRun: boolean): Promise<KubeObject> {
  return http.json<KubeObject>(path, {
    method: 'PATCH',
    contentType: 'application/apply-patch+yaml',
    query: {
      fieldManager: options.fieldManager ?? FIELD_MANAGER,
      force: options.force ? true : undefined,
      fieldValidation: 'Strict',
      dryRun: dryRun ? 'All' : undefined,
    },
    body: JSON.stringify(obj),
  });
}

function toProblem(e: unknown, obj: KubeObject): ApplyProblem {
  if (!(e instanceof KubeError)) {
    return { kind: 'failed', message: (e as Error).message };
  }
  const status = (e as KubeError & { statusObject?: KubeStatus }).statusObject;
  const causes = status?.details?.causes ?? [];
  if (e.status === 409 && causes.some((c) => c.reason === 'FieldManagerConflict')) {
    const conflicts = causes
      .filter((c) => c.reason === 'FieldManagerConflict')
      .map((c) => ({ field: c.field ?? '', manager: (c.message ?? '').match(/conflict with "([^"]+)"/)?.[1] ?? 'another manager' }));
    return { kind: 'conflict', message: `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${conflicts.map((c) => `${c.field} is owned by "${c.manager}"`).join('; ')}`, conflicts };
  }
  if (e.status === 422 || e.status === 400) {
    return { kind: 'invalid', message: `${obj.kind ?? 'object'} "${obj.metadata?.name ?? ''}" is invalid: ${e.message}`, causes: causes.map((c) => ({ field: c.field, message: c.message ?? '' })) };
  }
  if (e.kind === 'unreachable') {
    return { kind: 'unreachable', message: e.message };
  }
  return { kind: 'failed', message: e.message };
}

/** The namespace kubectl uses for objects that name none: the context's, else `default`. */
export function contextNamespace(view: KubeconfigView, context: string): string {
  return view.contexts.find((c) => c.name === context)?.namespace || 'default';
}

export interface DeletePlanItem {
  /** kubectl's name for it: `deployment.apps/hashgenerator-dep`. */
  ref: string;
  /** Where it is deleted from; undefined for a cluster-scoped object. */
  namespace?: string;
  /** The object's URL; undefined when it cannot be deleted (`problem` says why). */
  path?: string;
  problem?: string;
}

export type DeleteOutcome = 'deleted' | 'not found' | 'failed';

export interface DeleteResult {
  ref: string;
  namespace?: string;
  outcome: DeleteOutcome;
  /** Why it failed. */
  message?: string;
}

/**
 * What `kubectl delete -f` would delete, in its order (the file's, reversed: what depends on
 * something goes first). Namespaced objects without a namespace are deleted from
 * `defaultNamespace`, the kubeconfig context's namespace, as kubectl does. Never throws.
 */
export async function planDelete(discovery: Discovery, objects: Obj[], defaultNamespace: string): Promise<DeletePlanItem[]> {
  const plan: DeletePlanItem[] = [];
  for (const obj of [...objects].reverse()) {
    let info: ResourceInfo | undefined;
    try {
      info = await discovery.find(obj.apiVersion ?? '', obj.kind ?? '');
    } catch (e) {
      plan.push({ ref: kubectlRef(obj), problem: (e as Error).message });
      continue;
    }
    const ref = kubectlRef(obj, info);
    if (!obj.metadata?.name) {
      // An empty name would make the URL the whole collection's.
      plan.push({ ref, problem: 'it has no metadata.name' });
      continue;
    }
    if (!info) {
      plan.push({ ref, problem: `the cluster does not know kind "${obj.kind ?? ''}" in version "${obj.apiVersion ?? ''}"` });
      continue;
    }
    const namespace = info.namespaced ? (obj.metadata?.namespace || defaultNamespace) : undefined;
    plan.push({ ref, namespace, path: objectPath({ apiVersion: obj.apiVersion ?? '', resource: info.resource, namespace, name: obj.metadata?.name ?? '' }) });
  }
  return plan;
}

/**
 * Deletes what `planDelete` found, one object at a time, and reports every one: a failure
 * part-way never hides what was already deleted. Once the API server stops answering, the
 * rest are reported as not attempted. Never throws.
 */
export async function executeDelete(http: KubeHttp, plan: DeletePlanItem[]): Promise<DeleteResult[]> {
  const out: DeleteResult[] = [];
  let unreachable: string | undefined;
  for (const item of plan) {
    const base = { ref: item.ref, namespace: item.namespace };
    if (!item.path || unreachable) {
      out.push({ ...base, outcome: 'failed', message: item.problem ?? `not attempted: ${unreachable}` });
      continue;
    }
    try {
      await http.json(item.path, { method: 'DELETE', contentType: 'application/json', body: JSON.stringify({ propagationPolicy: 'Background' }) });
      out.push({ ...base, outcome: 'deleted' });
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) {
        out.push({ ...base, outcome: 'not found' });
        continue;
      }
      out.push({ ...base, outcome: 'failed', message: (e as Error).message });
      if (e instanceof KubeError && e.kind === 'unreachable') unreachable = 'the API server stopped answering';
    }
  }
  return out;
}

/** `kubectl delete -f`: plan, then delete, reporting every object. */
export async function deleteObjects(http: KubeHttp, discovery: Discovery, objects: Obj[], defaultNamespace: string): Promise<DeleteResult[]> {
  return executeDelete(http, await planDelete(discovery, objects, defaultNamespace));
}

/** One line per object, as kubectl prints it: `deployment.apps/x deleted`, `... failed: why`. */
export function deleteResultLine(r: DeleteResult): string {
  const where = r.namespace ? ` (namespace ${r.namespace})` : '';
  return r.outcome === 'failed' ? `${r.ref}${where} failed: ${r.message ?? 'unknown error'}` : `${r.ref}${where} ${r.outcome}`;
}
