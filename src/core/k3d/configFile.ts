// k3d config files (`apiVersion: k3d.io/v1alpha5`, `kind: Simple`): the create wizard's choices written as one,
// and a config file read back into the few fields the extension compares with a running cluster.
//
// The YAML is written by hand, not by a YAML library: the output is byte-stable (same choices, same bytes, keys in
// the order k3d's documentation uses), and this file stays free of the lazily loaded parser.

import type { CreateClusterOptions } from './args.ts';

export const CONFIG_API_VERSION = 'k3d.io/v1alpha5';

/** What the wizard asks, in the shape `k3d cluster create` flags take it. */
export interface K3dConfigChoices {
  name: string;
  servers?: number;
  agents?: number;
  /** `-p` flags: `[HOST:][HOSTPORT:]CONTAINERPORT[/PROTO][@FILTER[;FILTER...]]`, e.g. `8081:80@loadbalancer`. */
  ports?: readonly string[];
  image?: string;
  registries?: {
    /** `--registry-create NAME[:HOST][:PORT]`. */
    create?: string;
    /** `--registry-use NAME[:PORT]`, each. */
    use?: readonly string[];
  };
  options?: {
    wait?: boolean;
    /** A Go duration, e.g. `60s`. */
    timeout?: string;
    updateDefaultKubeconfig?: boolean;
    switchCurrentContext?: boolean;
  };
}

/**
 * The create wizard's options as config file choices, each as its flag says it: `--registry-create NAME:127.0.0.1:PORT`
 * (src/core/k3d/registries.ts clusterRegistryArgs) becomes `registries.create`, `--registry-use NAME:PORT` `registries.use`.
 */
export function choicesFromCreateOptions(options: CreateClusterOptions): K3dConfigChoices {
  const reg = options.registry;
  return {
    name: options.name,
    servers: options.servers,
    agents: options.agents,
    ports: options.ports,
    image: options.image,
    registries: reg?.kind === 'create' ? { create: `${reg.name}:127.0.0.1:${reg.hostPort}` } : reg?.kind === 'use' ? { use: [`${reg.registry.name}:${reg.registry.port}`] } : undefined,
  };
}

/** One `ports:` entry: `port` and its node filters, as the config file holds what `-p VALUE@FILTERS` says. */
export interface ConfigPort {
  port: string;
  nodeFilters: string[];
}

/** SplitFiltersFromFlag (k3d cmd/util/filter.go): `VALUE@FILTER[;FILTER...]`. */
export function portFromFlag(flag: string): ConfigPort {
  const at = flag.lastIndexOf('@');
  if (at < 0) return { port: flag, nodeFilters: [] };
  return { port: flag.slice(0, at), nodeFilters: flag.slice(at + 1).split(';').filter((f) => f !== '') };
}

/** The `-p` flag a `ports:` entry stands for. */
export function portToFlag(p: ConfigPort): string {
  return p.nodeFilters.length ? `${p.port}@${p.nodeFilters.join(';')}` : p.port;
}

/** `--registry-create NAME[:HOST][:PORT]` as the config file's `registries.create` (pkg/config/transform.go). */
export function registryCreateFromFlag(spec: string): { name: string; host?: string; hostPort?: string } {
  const [name = '', ...rest] = spec.split(':');
  if (rest.length === 0) return { name };
  if (rest.length === 1) return { name, hostPort: rest[0] };
  return { name, host: rest.slice(0, -1).join(':'), hostPort: rest[rest.length - 1] };
}

/**
 * A YAML scalar for `s`: plain where no YAML reader could take it for anything but this string, otherwise
 * double-quoted (JSON escaping is valid YAML). Ports and anything number-, bool- or null-like are quoted:
 * `8081:80` plain is a sexagesimal number to a YAML 1.1 reader.
 */
export function yamlString(s: string): string {
  const plain = /^[A-Za-z_/][A-Za-z0-9_./@+-]*(?::[A-Za-z0-9_./@+-]+)*$/.test(s)
    && !/^(?:true|false|yes|no|on|off|y|n|null|~)$/i.test(s)
    && !/: |#/.test(s);
  return plain ? s : JSON.stringify(s);
}

/** The config file for `choices`; `k3d cluster create --config FILE` creates what the same choices as flags create. */
export function renderConfigFile(choices: K3dConfigChoices): string {
  const out: string[] = [
    `# k3d cluster create --config <this file>    (k3d v5.x; schema: https://k3d.io/stable/usage/configfile/)`,
    `apiVersion: ${CONFIG_API_VERSION}`,
    'kind: Simple',
    'metadata:',
    `  name: ${yamlString(choices.name)}`,
  ];
  if (choices.servers !== undefined) out.push(`servers: ${Number(choices.servers)}`);
  if (choices.agents !== undefined) out.push(`agents: ${Number(choices.agents)}`);
  if (choices.image) out.push(`image: ${yamlString(choices.image)}`);
  const ports = (choices.ports ?? []).map(portFromFlag);
  if (ports.length > 0) {
    out.push('ports:');
    for (const p of ports) {
      out.push(`  - port: ${JSON.stringify(p.port)}`);
      if (p.nodeFilters.length > 0) {
        out.push('    nodeFilters:');
        for (const f of p.nodeFilters) out.push(`      - ${yamlString(f)}`);
      }
    }
  }
  const create = choices.registries?.create ? registryCreateFromFlag(choices.registries.create) : undefined;
  const use = choices.registries?.use ?? [];
  if (create || use.length > 0) {
    out.push('registries:');
    if (create) {
      out.push('  create:', `    name: ${yamlString(create.name)}`);
      if (create.host !== undefined) out.push(`    host: ${JSON.stringify(create.host)}`);
      if (create.hostPort !== undefined) out.push(`    hostPort: ${JSON.stringify(create.hostPort)}`);
    }
    if (use.length > 0) {
      out.push('  use:');
      for (const u of use) out.push(`    - ${yamlString(u)}`);
    }
  }
  const o = choices.options ?? {};
  out.push('options:', '  k3d:', `    wait: ${o.wait ?? true}`);
  if (o.timeout) out.push(`    timeout: ${JSON.stringify(o.timeout)}`);
  out.push(
    '  kubeconfig:',
    `    updateDefaultKubeconfig: ${o.updateDefaultKubeconfig ?? true}`,
    `    switchCurrentContext: ${o.switchCurrentContext ?? true}`,
  );
  return out.join('\n') + '\n';
}

/** A file name to suggest: `k3d-<name>.yaml`. */
export function configFileName(clusterName: string): string {
  return `k3d-${clusterName.replace(/[^A-Za-z0-9.-]/g, '-')}.yaml`;
}

/** Whether `text` is a k3d config file (k3d.io/v1alpha*, kind Simple), from its top-level lines: cheap, no parser. */
export function looksLikeK3dConfig(text: string): boolean {
  const head = text.length > 65536 ? text.slice(0, 65536) : text;
  return /^apiVersion:[ \t]*["']?k3d\.io\/v1alpha\d+["']?[ \t]*(?:#.*)?$/m.test(head)
    && /^kind:[ \t]*["']?Simple["']?[ \t]*(?:#.*)?$/m.test(head);
}

/** What a config file says about the fields the extension compares with a running cluster (k3d's defaults filled in). */
export interface ConfigModel {
  name?: string;
  servers: number;
  agents: number;
  ports: ConfigPort[];
  image?: string;
  registries: { create?: { name: string; host?: string; hostPort?: string }; use: string[] };
}

/** Reads a parsed config document (the YAML as plain data); fields of the wrong type count as absent (validation says why). */
export function readConfigModel(doc: unknown): ConfigModel {
  const o = (doc && typeof doc === 'object' && !Array.isArray(doc) ? doc : {}) as Record<string, unknown>;
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
  const count = (v: unknown, dflt: number) => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);
  const ports: ConfigPort[] = [];
  for (const p of Array.isArray(o.ports) ? o.ports : []) {
    const port = str(obj(p).port);
    if (port === undefined) continue;
    const filters = obj(p).nodeFilters;
    ports.push({ port, nodeFilters: Array.isArray(filters) ? filters.filter((f): f is string => typeof f === 'string') : [] });
  }
  const reg = obj(o.registries);
  const create = obj(reg.create);
  const createName = str(create.name);
  return {
    name: str(obj(o.metadata).name),
    servers: count(o.servers, 1),
    agents: count(o.agents, 0),
    ports,
    image: str(o.image),
    registries: {
      create: createName === undefined ? undefined : { name: createName, host: str(create.host), hostPort: str(create.hostPort) },
      use: Array.isArray(reg.use) ? reg.use.filter((u): u is string => typeof u === 'string') : [],
    },
  };
}
