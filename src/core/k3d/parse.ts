import { createK3dLineReader, stripAnsi } from './logLine.ts';
import type { ClusterState, K3dCluster, K3dNode, NodeRole, RawK3dCluster, RawK3dNode } from './types.ts';

export class K3dOutputError extends Error {
  override readonly name = 'K3dOutputError';
}

const ROLES: readonly NodeRole[] = ['server', 'agent', 'loadbalancer', 'registry', 'tools'];

/** Parses `k3d cluster list -o json`. Throws K3dOutputError when the output is not that shape. */
export function parseClusterList(stdout: string): K3dCluster[] {
  const data = parseJson(stdout, 'k3d cluster list -o json');
  if (data === null) {
    return [];
  }
  if (!Array.isArray(data)) {
    throw new K3dOutputError('k3d cluster list -o json did not print a JSON array');
  }
  return data
    .filter((c): c is RawK3dCluster => typeof c === 'object' && c !== null && typeof c.name === 'string')
    .map(toCluster)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Parses `k3d node list -o json`, which prints `null` when there are no nodes. */
export function parseNodeList(stdout: string, clusterName?: string): K3dNode[] {
  const data = parseJson(stdout, 'k3d node list -o json');
  if (data === null) {
    return [];
  }
  if (!Array.isArray(data)) {
    throw new K3dOutputError('k3d node list -o json did not print a JSON array');
  }
  return data
    .filter((n): n is RawK3dNode => typeof n === 'object' && n !== null && typeof n.name === 'string')
    .filter((n) => clusterName === undefined || n.runtimeLabels?.['k3d.cluster'] === clusterName)
    .map((n) => toNode(n, clusterName ?? n.runtimeLabels?.['k3d.cluster']));
}

/**
 * k3d prints its INFO, DEBU and TRAC lines on stdout too: with LOG_LEVEL=debug in the environment, `-o json` output
 * follows k3d's "Runtime Info:" dump. Those lines (and the later lines of a multi-line one) are not the JSON.
 */
function withoutLogLines(stdout: string): string {
  const read = createK3dLineReader();
  return stdout.split('\n').filter((raw) => {
    const { line, continuation } = read(raw, 'stdout');
    return line.level === undefined && !continuation;
  }).join('\n');
}

function parseJson(stdout: string, what: string): unknown {
  const text = withoutLogLines(stdout).trim();
  if (text === '') {
    if (stdout.trim() !== '') {
      throw new K3dOutputError(`${what} printed log lines but no JSON: ${stripAnsi(stdout.trim()).slice(0, 120)}`);
    }
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new K3dOutputError(`${what} printed something that is not JSON: ${text.slice(0, 120)}`);
  }
}

function toCluster(raw: RawK3dCluster): K3dCluster {
  const name = raw.name as string;
  const nodes = (raw.nodes ?? []).filter((n) => typeof n?.name === 'string').map((n) => toNode(n, name));
  nodes.sort(compareNodes);
  const count = (role: NodeRole, running: boolean) =>
    nodes.filter((n) => n.role === role && (!running || n.running)).length;
  const serversCount = numberOr(raw.serversCount, count('server', false));
  const agentsCount = numberOr(raw.agentsCount, count('agent', false));
  const serversRunning = numberOr(raw.serversRunning, count('server', true));
  const agentsRunning = numberOr(raw.agentsRunning, count('agent', true));
  const api = findApiBinding(raw.nodes ?? []);
  return {
    name,
    contextName: `k3d-${name}`,
    state: clusterState(serversRunning, serversCount, agentsRunning, agentsCount),
    serversRunning,
    serversCount,
    agentsRunning,
    agentsCount,
    hasLoadbalancer: raw.hasLoadbalancer === true,
    apiPort: api?.port,
    apiHost: api?.host,
    network: raw.network?.name || undefined,
    nodes,
  };
}

export function clusterState(serversRunning: number, serversCount: number, agentsRunning: number, agentsCount: number): ClusterState {
  if (serversRunning === 0) {
    return 'stopped';
  }
  return serversRunning >= serversCount && agentsRunning >= agentsCount ? 'running' : 'partial';
}

function toNode(raw: RawK3dNode, clusterName: string | undefined): K3dNode {
  const name = raw.name as string;
  const prefix = clusterName ? `k3d-${clusterName}-` : undefined;
  const role = (ROLES as readonly string[]).includes(raw.role ?? '') ? (raw.role as NodeRole) : 'unknown';
  const running = raw.State?.Running === true;
  return {
    name,
    shortName: prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name,
    role,
    running,
    status: raw.State?.Status || (running ? 'running' : 'exited'),
    ip: raw.IP?.IP || undefined,
    created: raw.created || undefined,
  };
}

const ROLE_ORDER: Record<NodeRole, number> = { server: 0, agent: 1, loadbalancer: 2, registry: 3, tools: 4, unknown: 5 };

function compareNodes(a: K3dNode, b: K3dNode): number {
  return ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name, undefined, { numeric: true });
}

/** The host binding of the API: the load balancer publishes 6443 when there is one, else server-0 does. */
function findApiBinding(nodes: RawK3dNode[]): { host?: string; port: string } | undefined {
  const ordered = [...nodes.filter((n) => n.role === 'loadbalancer'), ...nodes.filter((n) => n.role === 'server')];
  for (const node of ordered) {
    const binding = node.serverOpts?.kubeAPI?.Binding;
    if (binding?.HostPort) {
      return { host: binding.HostIp || undefined, port: binding.HostPort };
    }
    const mapping = node.portMappings?.['6443/tcp']?.[0];
    if (mapping?.HostPort) {
      return { host: mapping.HostIp || undefined, port: mapping.HostPort };
    }
  }
  return undefined;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
