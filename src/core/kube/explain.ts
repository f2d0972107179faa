// `kubectl explain RESOURCE[.field.path]` from the cluster's own OpenAPI v3 documents,
// rendered as Markdown.
import type { KubeHttp } from './http.ts';
import { KubeError } from './gateway.ts';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  $ref?: string;
  required?: string[];
  enum?: unknown[];
  format?: string;
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
}

interface ApiResource {
  name: string;
  singularName?: string;
  shortNames?: string[];
  kind: string;
  groupVersion: string;
}

/** Resolves `pod`, `pods`, `po`, `deploy`, `deployments.apps` to a resource, by discovery. */
export async function findResource(http: KubeHttp, word: string): Promise<ApiResource> {
  const wanted = word.toLowerCase();
  const [name, group] = wanted.includes('.') ? [wanted.slice(0, wanted.indexOf('.')), wanted.slice(wanted.indexOf('.') + 1)] : [wanted, undefined];
  const groupVersions = ['v1'];
  const groups = await http.json<{ groups?: Array<{ name: string; preferredVersion?: { groupVersion: string } }> }>('/apis');
  for (const g of groups.groups ?? []) {
    if (g.preferredVersion) groupVersions.push(g.preferredVersion.groupVersion);
  }
  for (const gv of groupVersions) {
    const gvGroup = gv.includes('/') ? gv.split('/')[0] : '';
    if (group !== undefined && gvGroup !== group) continue;
    const list = await http
      .json<{ resources?: Array<Omit<ApiResource, 'groupVersion'>> }>(gv === 'v1' ? '/api/v1' : `/apis/${gv}`)
      .catch(() => ({ resources: [] }));
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue;
      if (r.name === name || r.singularName === name || r.kind.toLowerCase() === name || r.shortNames?.includes(name)) {
        return { ...r, groupVersion: gv };
      }
    }
  }
  throw new KubeError('notFound', `the server doesn't have a resource type "${word}"`);
}

/** Markdown for `kubectl explain <what>`, e.g. `pod`, `deployment.spec.strategy`. */
export async function explain(http: KubeHttp, what: string): Promise<string> {
  const [resourceWord, ...path] = what.trim().split('.').filter((p) => p !== '');
  if (!resourceWord) {
    throw new KubeError('failed', 'Say what to explain, e.g. pod or deployment.spec.replicas.');
  }
  const resource = await findResource(http, resourceWord);
  const index = await http.json<{ paths?: Record<string, { serverRelativeURL?: string }> }>('/openapi/v3');
  const docPath = resource.groupVersion === 'v1' ? 'api/v1' : `apis/${resource.groupVersion}`;
  const url = index.paths?.[docPath]?.serverRelativeURL ?? `/openapi/v3/${docPath}`;
  const doc = await http.json<{ components?: { schemas?: Record<string, Schema> } }>(url);
  const schemas = doc.components?.schemas ?? {};
  const [group, version] = resource.groupVersion.includes('/') ? resource.groupVersion.split('/') : ['', resource.groupVersion];
  const rootName = Object.keys(schemas).find((k) =>
    schemas[k]['x-kubernetes-group-version-kind']?.some((g) => g.kind === resource.kind && g.version === version && g.group === group),
  );
  if (!rootName) {
    throw new KubeError('notFound', `The cluster's OpenAPI has no schema for ${resource.kind}.`);
  }
  const resolve = (s: Schema | undefined): Schema => {
    let cur = s ?? {};
    for (let i = 0; i < 10; i++) {
      const ref = cur.$ref ?? cur.allOf?.find((a) => a.$ref)?.$ref;
      if (!ref) break;
      const target = schemas[ref.replace('#/components/schemas/', '')] ?? {};
      cur = { ...target, description: cur.description ?? target.description };
    }
    return cur;
  };
  let schema = resolve(schemas[rootName]);
  let fieldName: string | undefined;
  let fieldType = '';
  for (const p of path) {
    const parent = schema.type === 'array' ? resolve(schema.items) : schema;
    const next = parent.properties?.[p];
    if (!next) {
      throw new KubeError('notFound', `field "${p}" does not exist`);
    }
    fieldName = p;
    fieldType = typeName(next, schemas);
    schema = resolve(next);
    if (schema.type === 'array') schema = { ...resolve(schema.items), description: schema.description };
  }
  const lines = [`# ${what}`, '', `**KIND:** ${resource.kind}  `, `**VERSION:** ${resource.groupVersion}`, ''];
  if (fieldName) {
    lines.push(`**FIELD:** ${fieldName} \`<${fieldType}>\``, '');
  }
  lines.push('## DESCRIPTION', '', escapeMd(schema.description ?? '<empty>'), '');
  const props = schema.properties ?? {};
  if (Object.keys(props).length > 0) {
    lines.push('## FIELDS', '');
    const required = new Set(schema.required ?? []);
    for (const [name, prop] of Object.entries(props).sort(([a], [b]) => a.localeCompare(b))) {
      const described = resolve(prop);
      lines.push(`- **${name}** \`<${typeName(prop, schemas)}>\`${required.has(name) ? ' *-required-*' : ''}  `);
      const text = prop.description ?? described.description ?? '';
      if (text) lines.push(`  ${escapeMd(text.split('\n')[0])}`);
      if (prop.enum) lines.push(`  Possible enum values: ${prop.enum.map((e) => `\`${String(e)}\``).join(', ')}`);
      lines.push('');
    }
  }
  return `${lines.join('\n')}\n`;
}

function typeName(s: Schema, schemas: Record<string, Schema>): string {
  const ref = s.$ref ?? s.allOf?.find((a) => a.$ref)?.$ref;
  if (ref) {
    const name = ref.replace('#/components/schemas/', '');
    const target = schemas[name];
    if (target?.type && target.type !== 'object') return target.format === 'int-or-string' ? 'IntOrString' : target.type;
    return name.split('.').pop() ?? name;
  }
  if (s.type === 'array') return `[]${typeName(s.items ?? {}, schemas)}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return `map[string]${typeName(s.additionalProperties, schemas)}`;
  }
  if (s.type === 'integer') return 'integer';
  return s.type ?? 'Object';
}

function escapeMd(text: string): string {
  return text.replace(/([<>*_`])/g, '\\$1');
}
