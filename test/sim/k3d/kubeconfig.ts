// Kubeconfig handling as k3d does it (pkg/client/kubeconfig.go): the cluster's kubeconfig has
// cluster `k3d-<n>`, user `admin@k3d-<n>`, context `k3d-<n>`; merging writes the whole file the way
// client-go's clientcmd.Write does (keys sorted, lists sorted by name, `preferences: {}`), atomically.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { debug } from './log.ts';
import { writeFileAtomic } from './state.ts';
import type { ClusterState } from './state.ts';

type Named = { name: string; [key: string]: unknown };

export interface KubeConfig {
  apiVersion?: string;
  kind?: string;
  clusters: Named[];
  contexts: Named[];
  users: Named[];
  'current-context': string;
  preferences?: Record<string, unknown>;
  [key: string]: unknown;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function contextName(cluster: string): string {
  return `k3d-${cluster}`;
}

export function userName(cluster: string): string {
  return `admin@k3d-${cluster}`;
}

export function serverUrl(state: ClusterState): string {
  return `https://${state.apiHost}:${state.apiPort}`;
}

/** The kubeconfig k3d derives from the server node's k3s.yaml. */
export function clusterKubeconfig(state: ClusterState, clusterDir: string): KubeConfig {
  const read = (f: string) => fs.readFileSync(path.join(clusterDir, 'pki', f), 'utf8');
  const name = contextName(state.name);
  return {
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(read('ca.crt')), server: serverUrl(state) }, name }],
    contexts: [{ context: { cluster: name, user: userName(state.name) }, name }],
    'current-context': name,
    kind: 'Config',
    preferences: {},
    users: [{ name: userName(state.name), user: { 'client-certificate-data': b64(read('admin.crt')), 'client-key-data': b64(read('admin.key')) } }],
  };
}

function sortedByName(list: Named[]): Named[] {
  return [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** clientcmd.Write: every top-level key in sorted order; empty lists are `null`, as client-go writes them. */
export function serializeKubeconfig(config: KubeConfig): string {
  const out: Record<string, unknown> = {};
  const full: Record<string, unknown> = {
    ...config,
    'current-context': config['current-context'] ?? '',
    apiVersion: config.apiVersion ?? 'v1',
    kind: config.kind ?? 'Config',
    preferences: config.preferences ?? {},
    clusters: config.clusters.length ? sortedByName(config.clusters) : null,
    contexts: config.contexts.length ? sortedByName(config.contexts) : null,
    users: config.users.length ? sortedByName(config.users) : null,
  };
  for (const key of Object.keys(full).sort()) {
    const value = full[key];
    if (value === undefined) continue;
    out[key] = value;
  }
  return YAML.stringify(out, { lineWidth: 0, minContentWidth: 0, indentSeq: false });
}

export function emptyKubeconfig(): KubeConfig {
  return { clusters: [], contexts: [], users: [], 'current-context': '' };
}

export class KubeconfigError extends Error {}

/** clientcmd.LoadFromFile: an empty file is an empty config; anything else must parse. */
export function loadKubeconfig(file: string): KubeConfig {
  const text = fs.readFileSync(file, 'utf8');
  if (text.trim() === '') return emptyKubeconfig();
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new KubeconfigError(`error loading config file "${file}": ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return emptyKubeconfig();
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new KubeconfigError(`error loading config file "${file}": couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  const raw = doc as Record<string, unknown>;
  const list = (v: unknown): Named[] => (Array.isArray(v) ? v.filter((e): e is Named => !!e && typeof e === 'object' && typeof (e as Named).name === 'string') : []);
  return {
    ...raw,
    clusters: list(raw.clusters),
    contexts: list(raw.contexts),
    users: list(raw.users),
    'current-context': typeof raw['current-context'] === 'string' ? raw['current-context'] : '',
  } as KubeConfig;
}

/**
 * KubeconfigGetDefaultPath: one $KUBECONFIG entry, or ~/.kube/config. Several entries are an
 * error in k3d ("multiple kubeconfigs specified via KUBECONFIG env var").
 */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv): string {
  const value = env.KUBECONFIG ?? '';
  if (value !== '') {
    const entries = [...new Set(value.split(path.delimiter))];
    if (entries.length > 1) {
      throw new KubeconfigError('multiple kubeconfigs specified via KUBECONFIG env var: Please reduce to one entry, unset KUBECONFIG or explicitly choose an output');
    }
    return entries[0];
  }
  return path.join(os.homedir(), '.kube', 'config');
}

/** KubeconfigGetWrite into `file` (created with its folders if missing), then KubeconfigMerge. */
export function mergeIntoFile(file: string, incoming: KubeConfig, switchContext: boolean, overwriteConflicting = true): void {
  let existing: KubeConfig;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    existing = emptyKubeconfig();
  } else {
    existing = loadKubeconfig(file);
  }
  const merge = (kind: 'clusters' | 'contexts' | 'users', label: string) => {
    for (const entry of incoming[kind]) {
      const at = existing[kind].findIndex((e) => e.name === entry.name);
      if (at >= 0) {
        if (!overwriteConflicting) throw new KubeconfigError(`${label} '${entry.name}' already exists in target KubeConfig`);
        existing[kind][at] = entry;
      } else {
        existing[kind].push(entry);
      }
    }
  };
  merge('clusters', 'Cluster');
  merge('users', 'AuthInfo');
  merge('contexts', 'Context');
  if (existing['current-context'] === '' || switchContext) {
    debug(`Setting new current-context '${incoming['current-context']}'`);
    existing['current-context'] = incoming['current-context'];
  }
  writeKubeconfigAtomic(file, existing);
}

/** KubeconfigWrite: a temp file next to the target, renamed over it. */
export function writeKubeconfigAtomic(file: string, config: KubeConfig): void {
  const mode = fs.existsSync(file) ? fs.statSync(file).mode & 0o777 : 0o600;
  writeFileAtomic(file, serializeKubeconfig(config), mode);
  debug(`Wrote kubeconfig to '${file}'`);
}

/**
 * KubeconfigRemoveCluster: drops the three k3d entries; if current-context was this cluster's,
 * it moves to another context (k3d takes whichever its map yields first; here: the first in the
 * file) or is cleared.
 */
export function removeClusterFromFile(file: string, cluster: string): void {
  const config = loadKubeconfig(file);
  const ctx = contextName(cluster);
  config.contexts = config.contexts.filter((c) => c.name !== ctx);
  config.clusters = config.clusters.filter((c) => c.name !== ctx);
  config.users = config.users.filter((u) => u.name !== userName(cluster));
  if (config['current-context'] === ctx) {
    config['current-context'] = config.contexts[0]?.name ?? '';
  }
  writeKubeconfigAtomic(file, config);
}

/**
 * k3d's config folder (k3d-io/k3d pkg/util/files.go GetConfigDirOrCreate): $XDG_CONFIG_HOME as it is when set,
 * else ~/.config/k3d; created if missing, whatever the output.
 */
export function k3dConfigDir(env: NodeJS.ProcessEnv): string {
  const dir = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config', 'k3d');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
