// k3d-managed registries (k3d v5: cmd/registry/*.go, pkg/client/registry.go): argument arrays for
// `k3d registry create|list|delete` and the create flags `--registry-create` / `--registry-use`, and
// `k3d registry list -o json` read into what the tree shows and what Build & Deploy needs — the name
// this machine pushes to (`127.0.0.1:5001`) and the name the cluster's nodes pull by (`k3d-reg:5001`).
import { createK3dLineReader, stripAnsi } from './logLine.ts';
import { K3dError } from './errors.ts';

export interface K3dRegistry {
  /** The container (node) name, e.g. `k3d-course`; the name the cluster's nodes resolve. */
  name: string;
  /** The port inside the container (k3d's `k3d.registry.port.internal`). */
  port: string;
  /** The published host port. */
  hostPort: string;
  /** The host IP the port is bound to (`0.0.0.0` by default; the extension creates `127.0.0.1`). */
  hostIp: string;
  /** The cluster it was created for (`--registry-create`), or undefined for `k3d registry create`. */
  cluster?: string;
  running: boolean;
  /** Docker's status word: running, exited, created... */
  status: string;
}

/** Where `docker push` goes from this machine: `localhost:PORT` (0.0.0.0 shown as localhost, as k3d does). */
export function pushHost(reg: Pick<K3dRegistry, 'hostIp' | 'hostPort'>): string {
  const ip = reg.hostIp === '' || reg.hostIp === '0.0.0.0' ? 'localhost' : reg.hostIp;
  return `${ip}:${reg.hostPort}`;
}

/** How a cluster that uses the registry names it in an image (k3d's registries.yaml mirrors this name). */
export function pullHost(reg: Pick<K3dRegistry, 'name' | 'port'>): string {
  return `${reg.name}:${reg.port}`;
}

type RawRegistry = {
  name?: unknown;
  role?: unknown;
  portMappings?: Record<string, Array<{ HostIp?: unknown; HostPort?: unknown }> | null> | null;
  runtimeLabels?: Record<string, unknown> | null;
  State?: { Running?: unknown; Status?: unknown } | null;
};

/**
 * Parses `k3d registry list -o json` (a JSON array of k3d nodes with role `registry`; `[]` or `null` when
 * there are none). k3d's own log lines before the JSON (LOG_LEVEL=debug) are skipped. Throws a K3dError
 * ('badOutput') when the output is not that shape.
 */
export function parseRegistryList(stdout: string): K3dRegistry[] {
  const read = createK3dLineReader();
  const text = stdout.split('\n').filter((raw) => {
    const { line, continuation } = read(raw, 'stdout');
    return line.level === undefined && !continuation;
  }).join('\n').trim();
  if (text === '' || text === 'null') return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new K3dError('badOutput', `k3d registry list -o json printed something that is not JSON: ${stripAnsi(text).slice(0, 120)}`);
  }
  if (!Array.isArray(data)) throw new K3dError('badOutput', 'k3d registry list -o json did not print a JSON array.');
  const out: K3dRegistry[] = [];
  for (const item of data as RawRegistry[]) {
    if (typeof item !== 'object' || item === null || typeof item.name !== 'string') continue;
    if (item.role !== undefined && item.role !== 'registry') continue;
    const labels = item.runtimeLabels ?? {};
    const label = (k: string) => (typeof labels[k] === 'string' ? (labels[k] as string) : '');
    // One port mapping per registry (RegistryFromNode); the labels say the same, the mapping is what Docker binds.
    const [key, bindings] = Object.entries(item.portMappings ?? {})[0] ?? [];
    const binding = bindings?.[0];
    const port = key?.split('/')[0] || label('k3d.registry.port.internal');
    const hostPort = (typeof binding?.HostPort === 'string' ? binding.HostPort : '') || label('k3d.registry.port.external');
    const hostIp = (typeof binding?.HostIp === 'string' ? binding.HostIp : '') || label('k3d.registry.hostIP') || '0.0.0.0';
    const state = item.State ?? {};
    const running = state.Running === true;
    out.push({
      name: item.name.replace(/^\//, ''),
      port,
      hostPort,
      hostIp,
      cluster: label('k3d.cluster') || undefined,
      running,
      status: typeof state.Status === 'string' && state.Status !== '' ? state.Status : running ? 'running' : 'unknown',
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

// The name becomes a container name (k3d-NAME) and the host name the nodes resolve, so it is a DNS name:
// lower-case labels of letters, digits and hyphens, dots between (`registry.localhost` is a k3d favourite).
const DNS_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * Why `name` cannot be given to `k3d registry create NAME` (k3d names the container `k3d-NAME`), or, with
 * `asGiven`, to `cluster create --registry-create NAME` (the container is NAME as given), or undefined.
 */
export function validateRegistryName(name: string, asGiven = false): string | undefined {
  if (name === '') return 'Give the registry a name, e.g. course-registry.';
  if (!asGiven && name.startsWith('k3d-')) return `k3d adds the k3d- prefix itself (the container would be k3d-${name}): leave it out.`;
  if (!DNS_NAME.test(name)) return 'Use lower-case letters, digits and hyphens (dots between parts are fine): the cluster\'s nodes resolve the registry by this name.';
  const max = asGiven ? 63 : 59;
  if (name.length > max) return `At most ${max} characters${asGiven ? '' : ' (k3d-NAME must fit a 63-character host name)'}.`;
  return undefined;
}

/** Why `text` is not a host port for a registry, or undefined. */
export function validateRegistryPort(text: string): string | undefined {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return 'A port number, e.g. 5001.';
  const n = Number(t);
  if (n < 1024 || n > 65535) return 'A port from 1024 to 65535 (lower ports need root).';
  return undefined;
}

function registryNameArg(name: string, what: string, asGiven = false): string {
  const why = validateRegistryName(name, asGiven);
  if (why) throw new K3dError('invalidName', `${JSON.stringify(name).slice(0, 80)} is not a valid ${what}. ${why} Nothing was run.`);
  return name;
}

function portArg(port: number | string): string {
  const why = validateRegistryPort(String(port));
  if (why) throw new K3dError('failed', `${JSON.stringify(String(port)).slice(0, 20)} is not a registry port. ${why} Nothing was run.`);
  return String(port).trim();
}

/**
 * `k3d registry create NAME --port 127.0.0.1:PORT --no-help`: published on the loopback only (nothing on the
 * network can push to it). No `--proxy-remote-url`: a pull-through cache needs the internet.
 */
export function registryCreateArgs(name: string, hostPort: number | string): string[] {
  return ['registry', 'create', registryNameArg(name, 'registry name'), '--port', `127.0.0.1:${portArg(hostPort)}`, '--no-help'];
}

export const registryListArgs = (): string[] => ['registry', 'list', '-o', 'json'];

/** `k3d registry delete k3d-NAME` (the container name, as `registry list` shows it). */
export function registryDeleteArgs(containerName: string): string[] {
  const bare = typeof containerName === 'string' && containerName.startsWith('k3d-') ? containerName.slice(4) : containerName;
  if (typeof bare !== 'string' || !DNS_NAME.test(bare)) throw new K3dError('invalidName', `${JSON.stringify(containerName).slice(0, 80)} is not a registry name. Nothing was run.`);
  return ['registry', 'delete', containerName];
}

/** A registry for a new cluster: create one with it, or use one that exists. */
export type ClusterRegistryChoice =
  | { kind: 'create'; name: string; hostPort: number }
  | { kind: 'use'; registry: Pick<K3dRegistry, 'name' | 'port'> };

/**
 * The `cluster create` flags: `--registry-create NAME:127.0.0.1:PORT` (k3d names that container NAME as
 * given, pkg/config/transform.go) or `--registry-use k3d-NAME:PORT`.
 */
export function clusterRegistryArgs(choice: ClusterRegistryChoice | undefined): string[] {
  if (!choice) return [];
  if (choice.kind === 'create') return ['--registry-create', `${registryNameArg(choice.name, 'registry name', true)}:127.0.0.1:${portArg(choice.hostPort)}`];
  const name = choice.registry.name;
  const bare = name.startsWith('k3d-') ? name.slice(4) : name;
  if (!DNS_NAME.test(bare) || !/^\d{1,5}$/.test(choice.registry.port)) throw new K3dError('invalidName', `${JSON.stringify(pullHost(choice.registry)).slice(0, 80)} is not a registry to use. Nothing was run.`);
  return ['--registry-use', pullHost(choice.registry)];
}

/** k3d's failure of `registry create`, in words for the user (the FATA text is k3d's own). */
export function registryCreateHint(detail: string): string | undefined {
  if (/already exists/i.test(detail)) return 'A registry (or container) of that name exists: choose another name, or delete it first.';
  if (/port is already allocated|address already in use/i.test(detail)) return 'That host port is taken: choose another port.';
  return undefined;
}
