// k3d validates a config file against its JSON schema before anything else happens (k3d-io/k3d
// cmd/util/config/config.go InitViperWithConfigFile: GetSchemaByVersion, then ValidateSchemaFile), with the
// schema of the file's own apiVersion (pkg/config/config.go Schemas). The schema below is
// pkg/config/v1alpha5/schema.json; the older versions are checked against the same shape with their own
// apiVersion (their schemas differ only in fields this simulator does not model). Messages are
// gojsonschema's (ResultError.String() = "FIELD: DESCRIPTION"), joined by pkg/config/jsonschema.go as
// "- ERROR\n" lines.

type Schema = {
  type?: 'object' | 'array' | 'string' | 'number' | 'boolean';
  enum?: string[];
  minimum?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: false;
  items?: Schema;
};

const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const num: Schema = { type: 'number' };
const nodeFilters: Schema = { type: 'array', items: str };
const obj = (properties: Record<string, Schema>, closed = true): Schema => ({ type: 'object', properties, ...(closed ? { additionalProperties: false as const } : {}) });
const list = (items: Schema): Schema => ({ type: 'array', items });

function simpleSchema(apiVersion: string): Schema {
  return {
    type: 'object',
    required: ['apiVersion', 'kind'],
    additionalProperties: false,
    properties: {
      apiVersion: { type: 'string', enum: [apiVersion] },
      kind: { type: 'string', enum: ['Simple'] },
      metadata: obj({ name: str }),
      servers: { type: 'number', minimum: 1 },
      agents: { type: 'number', minimum: 0 },
      kubeAPI: obj({ host: str, hostIP: str, hostPort: str }),
      image: str,
      network: str,
      subnet: str,
      token: str,
      volumes: list(obj({ volume: str, nodeFilters })),
      manifests: list(obj({ name: str, manifest: str })),
      ports: list(obj({ port: str, nodeFilters })),
      options: obj({
        k3d: obj({
          wait: bool, timeout: {}, disableLoadbalancer: bool, disableImageVolume: bool, disableRollback: bool,
          loadbalancer: obj({ configOverrides: { type: 'array' } }),
        }),
        k3s: obj({ extraArgs: list(obj({ arg: str, nodeFilters })), nodeLabels: list(obj({ label: str, nodeFilters })) }),
        kubeconfig: obj({ updateDefaultKubeconfig: bool, switchCurrentContext: bool }),
        runtime: obj({
          gpuRequest: str, serversMemory: str, agentsMemory: str, hostPidMode: bool,
          labels: list(obj({ label: str, nodeFilters })),
          ulimits: list(obj({ name: str, soft: num, hard: num })),
        }, false),
      }),
      env: list(obj({ envVar: str, nodeFilters })),
      // k3d's schema puts "additionalProperties": false inside registries' properties (so it is not enforced).
      registries: obj({
        create: obj({
          name: str, host: str, hostPort: str, image: str,
          proxy: obj({ remoteURL: str, username: str, password: str }),
          volumes: list(str),
        }),
        use: list(str),
        config: str,
      }, false),
      hostAliases: list(obj({ ip: str, hostnames: list(str) }, false)),
    },
  };
}

/** pkg/config/config.go Schemas: the apiVersions k3d v5 has a schema for (matched lower-cased). */
export const SCHEMA_VERSIONS = ['k3d.io/v1alpha2', 'k3d.io/v1alpha3', 'k3d.io/v1alpha4', 'k3d.io/v1alpha5'];
export const DEFAULT_API_VERSION = 'k3d.io/v1alpha5';

/** gojsonschema's type names for a value ("integer" for whole numbers). */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function matchesType(type: NonNullable<Schema['type']>, v: unknown): boolean {
  const t = typeName(v);
  return type === 'number' ? t === 'number' || t === 'integer' : t === type;
}

function validate(schema: Schema, value: unknown, field: string, errors: string[]): void {
  const name = field === '' ? '(root)' : field;
  if (schema.type && !matchesType(schema.type, value)) {
    errors.push(`${name}: Invalid type. Expected: ${schema.type}, given: ${typeName(value)}`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    errors.push(`${name}: ${name} must be one of the following: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) {
    errors.push(`${name}: Must be greater than or equal to ${schema.minimum}`);
  }
  if (schema.type === 'object' && value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) errors.push(`${name}: ${r} is required`);
    if (schema.additionalProperties === false) {
      for (const k of Object.keys(o).sort()) {
        if (!(k in (schema.properties ?? {}))) errors.push(`${name}: Additional property ${k} is not allowed`);
      }
    }
    for (const [k, sub] of Object.entries(schema.properties ?? {})) {
      if (k in o) validate(sub, o[k], field === '' ? k : `${field}.${k}`, errors);
    }
  }
  if (schema.type === 'array' && Array.isArray(value) && schema.items) {
    value.forEach((item, i) => validate(schema.items as Schema, item, `${field}.${i}`, errors));
  }
}

/**
 * GetSchemaByVersion + ValidateSchema. Returns k3d's error text (without the "Schema Validation failed…"
 * prefix), or undefined when the document is valid. Throws for an apiVersion k3d has no schema for.
 */
export function validateConfigDocument(doc: unknown): string | undefined {
  const apiVersion = doc && typeof doc === 'object' ? String((doc as Record<string, unknown>).apiVersion ?? '') : '';
  if (!SCHEMA_VERSIONS.includes(apiVersion.toLowerCase())) throw new UnsupportedApiVersion(apiVersion);
  const errors: string[] = [];
  // ValidateSchemaJSON: a document that is YAML null is validated as {}.
  validate(simpleSchema(apiVersion.toLowerCase()), doc ?? {}, '', errors);
  return errors.length ? errors.map((e) => `- ${e}\n`).join('') : undefined;
}

export class UnsupportedApiVersion extends Error {
  constructor(apiVersion: string) {
    super(`unsupported apiVersion '${apiVersion}'`);
  }
}
