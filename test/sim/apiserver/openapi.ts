// OpenAPI v3 documents for the served kinds, built from the schema models that @kubernetes/client-node ships
// (descriptions from the Kubernetes API's own doc comments), plus strict field validation against them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { KINDS } from './kinds.ts';
import type { KindInfo } from './kinds.ts';
import { isObj } from './util.ts';
import type { Obj } from './util.ts';

interface Prop { name: string; type: string; format: string; description: string; required: boolean }
interface Model { name: string; description: string; props: Prop[] }

let modelsDir: string | undefined;
function dir(): string {
  if (!modelsDir) {
    const req = createRequire(import.meta.url);
    modelsDir = join(dirname(req.resolve('@kubernetes/client-node')), 'gen', 'models');
  }
  return modelsDir;
}

const models = new Map<string, Model | null>();

function cleanComment(c: string): string {
  return c.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).filter((l) => l !== '').join('\n').trim().replace(/\\"/g, '"');
}

export function loadModel(name: string): Model | undefined {
  if (models.has(name)) return models.get(name) ?? undefined;
  let js: string;
  let dts: string;
  try {
    js = readFileSync(join(dir(), `${name}.js`), 'utf8');
    dts = readFileSync(join(dir(), `${name}.d.ts`), 'utf8');
  } catch {
    models.set(name, null);
    return undefined;
  }
  const m = /attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(js);
  const attrs: { name: string; baseName: string; type: string; format: string }[] = m ? JSON.parse(m[1]!) : [];
  const classDoc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export declare class/.exec(dts);
  const docs = new Map<string, { description: string; optional: boolean }>();
  const body = dts.slice(dts.indexOf('export declare class'));
  const re = /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?'([^']+)'(\?)?:/g;
  for (const pm of body.matchAll(re)) docs.set(pm[2]!, { description: pm[1] ? cleanComment(pm[1]) : '', optional: pm[3] === '?' });
  const model: Model = {
    name,
    description: classDoc ? cleanComment(classDoc[1]!) : '',
    props: attrs.map((a) => ({
      name: a.baseName,
      type: a.type,
      format: a.format,
      description: docs.get(a.name)?.description ?? '',
      required: docs.get(a.name)?.optional === false,
    })),
  };
  models.set(name, model);
  return model;
}

const META = new Set(['ObjectMeta', 'ListMeta', 'LabelSelector', 'LabelSelectorRequirement', 'OwnerReference', 'ManagedFieldsEntry', 'Status', 'StatusDetails', 'StatusCause', 'DeleteOptions', 'Preconditions', 'Condition']);
const APPS = /^(Deployment|ReplicaSet|DaemonSet|StatefulSet|ControllerRevision|RollingUpdate)/;

/** client-node model name -> Kubernetes OpenAPI definition name. */
export function definitionName(model: string): string {
  const m = /^(CoreV1|V1|V2)(.*)$/.exec(model);
  if (!m) return model;
  const [, prefix, base] = m as unknown as [string, string, string];
  if (prefix === 'CoreV1') return `io.k8s.api.core.v1.${base}`;
  if (META.has(base)) return `io.k8s.apimachinery.pkg.apis.meta.v1.${base}`;
  if (base.startsWith('Scale')) return `io.k8s.api.autoscaling.v1.${base}`;
  if (APPS.test(base)) return `io.k8s.api.apps.v1.${base}`;
  return `io.k8s.api.core.v1.${base}`;
}

/** Descriptions of fields whose type is another schema (client-node drops them). Real Kubernetes texts. */
const SPEC_LINK = 'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status';
const REF_DESCRIPTIONS: Record<string, string> = {
  metadata: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  'V1Pod.spec': `Specification of the desired behavior of the pod. ${SPEC_LINK}`,
  'V1Pod.status': `Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only. ${SPEC_LINK}`,
  'V1Deployment.spec': 'Specification of the desired behavior of the Deployment.',
  'V1Deployment.status': 'Most recently observed status of the Deployment.',
  'V1ReplicaSet.spec': `Spec defines the specification of the desired behavior of the ReplicaSet. ${SPEC_LINK}`,
  'V1ReplicaSet.status': `Status is the most recently observed status of the ReplicaSet. This data may be out of date by some window of time. Populated by the system. Read-only. ${SPEC_LINK}`,
  'V1DaemonSet.spec': `The desired behavior of this daemon set. ${SPEC_LINK}`,
  'V1DaemonSet.status': `The current status of this daemon set. This data may be out of date by some window of time. Populated by the system. Read-only. ${SPEC_LINK}`,
  'V1Service.spec': `Spec defines the behavior of a service. ${SPEC_LINK}`,
  'V1Service.status': `Most recently observed status of the service. Populated by the system. Read-only. ${SPEC_LINK}`,
  'V1Node.spec': `Spec defines the behavior of a node. ${SPEC_LINK}`,
  'V1Node.status': `Most recently observed status of the node. Populated by the system. Read-only. ${SPEC_LINK}`,
  'V1Namespace.spec': `Spec defines the behavior of the Namespace. ${SPEC_LINK}`,
  'V1Namespace.status': `Status describes the current status of a Namespace. ${SPEC_LINK}`,
  'V1DeploymentSpec.template': 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".',
  'V1DeploymentSpec.selector': "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.",
  'V1DeploymentSpec.strategy': 'The deployment strategy to use to replace existing pods with new ones.',
  'V1ReplicaSetSpec.selector': "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  'V1ReplicaSetSpec.template': 'Template is the object that describes the pod that will be created if insufficient replicas are detected. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#pod-template',
  'V1PodTemplateSpec.spec': `Specification of the desired behavior of the pod. ${SPEC_LINK}`,
  'V1Container.resources': 'Compute Resources required by this container. Cannot be updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
  'V1PodSpec.securityContext': 'SecurityContext holds pod-level security attributes and common container settings. Optional: Defaults to empty.  See type description for default values of each field.',
};

interface PatchMeta { strategy?: string; key?: string }

function patchMeta(model: string, field: string): PatchMeta {
  const byName: Record<string, PatchMeta> = {
    'V1PodSpec.containers': { strategy: 'merge', key: 'name' },
    'V1PodSpec.initContainers': { strategy: 'merge', key: 'name' },
    'V1PodSpec.ephemeralContainers': { strategy: 'merge', key: 'name' },
    'V1PodSpec.imagePullSecrets': { strategy: 'merge', key: 'name' },
    'V1PodSpec.volumes': { strategy: 'merge,retainKeys', key: 'name' },
    'V1PodSpec.hostAliases': { strategy: 'merge', key: 'ip' },
    'V1PodSpec.topologySpreadConstraints': { strategy: 'merge', key: 'topologyKey' },
    'V1Container.env': { strategy: 'merge', key: 'name' },
    'V1Container.ports': { strategy: 'merge', key: 'containerPort' },
    'V1Container.volumeMounts': { strategy: 'merge', key: 'mountPath' },
    'V1Container.volumeDevices': { strategy: 'merge', key: 'devicePath' },
    'V1ServiceSpec.ports': { strategy: 'merge', key: 'port' },
    'V1ObjectMeta.finalizers': { strategy: 'merge' },
    'V1ObjectMeta.ownerReferences': { strategy: 'merge', key: 'uid' },
    'V1DeploymentSpec.strategy': { strategy: 'retainKeys' },
    'V1NodeSpec.taints': { strategy: 'merge', key: 'key' },
  };
  const hit = byName[`${model}.${field}`];
  if (hit) return hit;
  if (field === 'conditions' && model.endsWith('Status')) return { strategy: 'merge', key: 'type' };
  return {};
}

const REF = (def: string): string => `#/components/schemas/${def}`;

function typeSchema(type: string, format: string, refs: Set<string>): Obj {
  if (type === 'string') return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
  if (type === 'number') return format === 'double' ? { type: 'number', format: 'double' } : { type: 'integer', format: format || 'int32' };
  if (type === 'boolean') return { type: 'boolean' };
  if (type === 'Date') return { $ref: REF(format === 'date-time-micro' ? 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime' : 'io.k8s.apimachinery.pkg.apis.meta.v1.Time') };
  if (type === 'IntOrString') return { $ref: REF('io.k8s.apimachinery.pkg.util.intstr.IntOrString') };
  if (type === 'any') return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  let m = /^Array<(.*)>$/.exec(type);
  if (m) return { type: 'array', items: typeSchema(m[1]!, '', refs) };
  m = /^\{ \[key: string\]: (.*); \}$/.exec(type);
  if (m) return { type: 'object', additionalProperties: typeSchema(m[1]!, '', refs) };
  refs.add(type);
  return { $ref: REF(definitionName(type)) };
}

function modelSchema(model: Model, refs: Set<string>): Obj {
  const properties: Obj = {};
  const required: string[] = [];
  for (const p of model.props) {
    let s = typeSchema(p.type, p.format, refs);
    let description = p.description || REF_DESCRIPTIONS[`${model.name}.${p.name}`] || (p.name === 'metadata' ? REF_DESCRIPTIONS.metadata! : '');
    if (s.$ref) {
      if (!description) description = loadModel(p.type)?.description ?? '';
      s = { allOf: [{ $ref: s.$ref }], default: {} };
    } else if (s.type === 'array' && s.items.$ref) {
      s = { ...s, items: { allOf: [{ $ref: s.items.$ref }], default: {} } };
    }
    if (description) s.description = description;
    const pm = patchMeta(model.name, p.name);
    if (pm.strategy) s['x-kubernetes-patch-strategy'] = pm.strategy;
    if (pm.key) {
      s['x-kubernetes-patch-merge-key'] = pm.key;
      s['x-kubernetes-list-type'] = 'map';
      s['x-kubernetes-list-map-keys'] = [pm.key];
    }
    properties[p.name] = s;
    if (p.required) required.push(p.name);
  }
  const out: Obj = { description: model.description, type: 'object', properties };
  if (required.length) out.required = required;
  return out;
}

const SCALARS: Record<string, Obj> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.', type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.', type: 'string', format: 'int-or-string' },
};

function schemasFor(kinds: KindInfo[]): Obj {
  const schemas: Obj = { ...SCALARS };
  const queue: string[] = kinds.map((k) => k.model);
  const done = new Set<string>();
  while (queue.length) {
    const name = queue.shift()!;
    if (done.has(name)) continue;
    done.add(name);
    const model = loadModel(name);
    if (!model) continue;
    const refs = new Set<string>();
    const schema = modelSchema(model, refs);
    const kind = kinds.find((k) => k.model === name);
    if (kind) schema['x-kubernetes-group-version-kind'] = [{ group: kind.group, kind: kind.kind, version: kind.version }];
    schemas[definitionName(name)] = schema;
    for (const r of refs) if (!done.has(r)) queue.push(r);
  }
  return schemas;
}

function param(name: string, description: string, type = 'string'): Obj {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const WRITE_PARAMS = [
  param('dryRun', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  param('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict'),
];

function pathsFor(kinds: KindInfo[]): Obj {
  const paths: Obj = {};
  for (const k of kinds) {
    const gvk = { group: k.group, version: k.version, kind: k.kind };
    const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
    const coll = k.namespaced ? `${base}/namespaces/{namespace}/${k.resource}` : `${base}/${k.resource}`;
    const ref = { $ref: REF(definitionName(k.model)) };
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
    paths[coll] = {
      post: { description: `create a ${k.kind}`, operationId: `create${k.kind}`, parameters: WRITE_PARAMS, responses: ok, 'x-kubernetes-action': 'post', 'x-kubernetes-group-version-kind': gvk },
    };
    paths[`${coll}/{name}`] = {
      get: { description: `read the specified ${k.kind}`, operationId: `read${k.kind}`, responses: ok, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk },
      put: { description: `replace the specified ${k.kind}`, operationId: `replace${k.kind}`, parameters: WRITE_PARAMS, responses: ok, 'x-kubernetes-action': 'put', 'x-kubernetes-group-version-kind': gvk },
      patch: {
        description: `partially update the specified ${k.kind}`,
        operationId: `patch${k.kind}`,
        parameters: [...WRITE_PARAMS, param('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', 'boolean')],
        responses: ok,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
      },
      delete: { description: `delete a ${k.kind}`, operationId: `delete${k.kind}`, parameters: [param('dryRun', WRITE_PARAMS[0]!.description)], responses: ok, 'x-kubernetes-action': 'delete', 'x-kubernetes-group-version-kind': gvk },
    };
  }
  return paths;
}

const docs = new Map<string, { body: string; hash: string }>();

function gvKey(k: KindInfo): string {
  return k.group ? `apis/${k.group}/${k.version}` : `api/${k.version}`;
}

/** The OpenAPI v3 document of one group-version ("api/v1", "apis/apps/v1"), or undefined. */
export function openapiDoc(gv: string): { body: string; hash: string } | undefined {
  const cached = docs.get(gv);
  if (cached) return cached;
  const kinds = KINDS.filter((k) => gvKey(k) === gv);
  if (!kinds.length) return undefined;
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.31.5+k3s1' },
    paths: pathsFor(kinds),
    components: { schemas: schemasFor(kinds) },
  };
  const body = JSON.stringify(doc);
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase().slice(0, 128);
  const entry = { body, hash };
  docs.set(gv, entry);
  return entry;
}

export function openapiIndex(): Obj {
  const paths: Obj = {};
  for (const gv of new Set(KINDS.map(gvKey))) {
    const d = openapiDoc(gv)!;
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${d.hash}` };
  }
  return { paths };
}

// ---- strict field validation ----

function walkUnknown(value: unknown, type: string, path: string, out: string[], prune = false): void {
  if (value === null || value === undefined) return;
  const arr = /^Array<(.*)>$/.exec(type);
  if (arr) {
    if (Array.isArray(value)) value.forEach((v, i) => walkUnknown(v, arr[1]!, `${path}[${i}]`, out, prune));
    return;
  }
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
  if (map) {
    if (isObj(value)) for (const [k, v] of Object.entries(value)) walkUnknown(v, map[1]!, `${path}.${k}`, out, prune);
    return;
  }
  const model = loadModel(type);
  if (!model || !isObj(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const p = model.props.find((x) => x.name === k);
    const sub = path ? `${path}.${k}` : k;
    if (!p) {
      out.push(sub);
      if (prune) delete value[k];
    } else walkUnknown(v, p.type, sub, out, prune);
  }
}

/** Fields of obj that the kind's schema does not declare, as "spec.foo" paths. */
export function unknownFields(info: KindInfo, obj: Obj): string[] {
  const out: string[] = [];
  walkUnknown(obj, info.model, '', out);
  return out;
}

/** Drops undeclared fields, as decoding into the Go types does when validation is not Strict. */
export function pruneUnknownFields(info: KindInfo, obj: Obj): string[] {
  const out: string[] = [];
  walkUnknown(obj, info.model, '', out, true);
  return out;
}
