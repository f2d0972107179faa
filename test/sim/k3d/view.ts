// What k3d prints about clusters and nodes: the JSON Go's encoding/json makes of k3d's types
// (pkg/types/types.go as filled by the docker runtime's TranslateContainerDetailsToNode), and the
// tabwriter tables of `cluster list` / `node list`.

import YAML from 'yaml';
import type { ClusterState, HelperNodeState, NodeState } from './state.ts';
import { parseNodeFilter, parsePortSpec, splitFilters } from './ports.ts';

export const K3D_VERSION = 'v5.8.3';
export const K3S_VERSION = 'v1.31.5-k3s1';
export const DEFAULT_IMAGE = `docker.io/rancher/k3s:${K3S_VERSION}`;
export const PROXY_IMAGE = 'ghcr.io/k3d-io/k3d-proxy:5.8.3';
export const TOOLS_IMAGE = 'ghcr.io/k3d-io/k3d-tools:5.8.3';

type PortMap = Record<string, { HostIp: string; HostPort: string }[]>;

/** Which node each `-p` spec lands on (k3d proxies loadbalancer ports; others map on the node). */
export function nodePortMappings(state: ClusterState, node: { name: string; role: string }): PortMap {
  const ports: PortMap = {};
  if (node.role === 'loadbalancer' || (node.role === 'server' && !state.hasLoadbalancer && node.name.endsWith('-server-0'))) {
    ports['6443/tcp'] = [{ HostIp: state.apiHostIP, HostPort: String(state.apiPort) }];
  }
  for (const { spec } of state.ports) {
    const { value, filters } = splitFilters(spec);
    const mapping = parsePortSpec(value);
    // pkg/client/ports.go TransformPorts: every mapping but a `:direct` one is published by the load balancer.
    const hit = filters.length === 0 || filters.some((f) => f.startsWith('loadbalancer'))
      ? node.role === 'loadbalancer'
      : filters.some((f) => {
        const filter = parseNodeFilter(f);
        if (filter.suffix !== 'direct') return node.role === 'loadbalancer';
        if (filter.group === 'all') return node.role === 'server' || node.role === 'agent';
        if (filter.group !== node.role) return false;
        const index = Number(node.name.slice(node.name.lastIndexOf('-') + 1));
        return filter.indices === undefined || filter.indices.includes(index);
      });
    if (hit) {
      const key = `${mapping.containerPort}/${mapping.proto}`;
      (ports[key] ??= []).push({ HostIp: mapping.hostIP, HostPort: mapping.hostPort });
    }
  }
  return ports;
}

function labels(state: ClusterState, node: { name: string; role: string }): Record<string, string> {
  const l: Record<string, string> = {
    'k3d.cluster': state.name,
    'k3d.cluster.imageVolume': `k3d-${state.name}-images`,
    'k3d.cluster.network': state.network,
    'k3d.cluster.network.external': 'false',
    'k3d.cluster.network.id': state.networkId,
    'k3d.cluster.network.iprange': state.subnet,
    'k3d.cluster.token': state.token,
    'k3d.cluster.url': `https://k3d-${state.name}-server-0:6443`,
    'k3d.role': node.role,
    'k3d.server.loadbalancer': state.hasLoadbalancer ? `k3d-${state.name}-serverlb` : '',
    'k3d.version': K3D_VERSION,
  };
  if (node.role === 'server') {
    l['k3d.server.api.host'] = state.apiHost;
    l['k3d.server.api.hostIP'] = state.apiHostIP;
    l['k3d.server.api.port'] = String(state.apiPort);
  }
  // pkg/client/node.go: the label exists only for a node with a static IP, i.e. with k3d's IPAM (--subnet).
  if (state.ipamManaged && node.role !== 'noRole') l['k3d.node.staticIP'] = nodeIpOf(state, node.name);
  if (node.role === 'noRole') {
    return { 'k3d.cluster': state.name, 'k3d.version': K3D_VERSION };
  }
  return Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function nodeIpOf(state: ClusterState, name: string): string {
  return state.nodes.find((n) => n.name === name)?.ip ?? '';
}

const nodePath = 'PATH=/var/lib/rancher/k3s/data/cni:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/bin/aux';

/** One node as `k3d node list -o json` / `cluster list -o json` print it (Go field order). */
export function nodeJson(state: ClusterState, node: NodeState | HelperNodeState): Record<string, unknown> {
  const role = node.role === 'noRole' ? undefined : node.role;
  const out: Record<string, unknown> = { name: node.name };
  if (role) out.role = role;
  out.image = node.image;
  // The image volume is mounted into every node of the cluster, the load balancer too (pkg/client/cluster.go).
  if (node.role === 'server' || node.role === 'agent' || node.role === 'loadbalancer' || node.role === 'noRole') {
    out.volumes = node.role === 'noRole'
      ? [`k3d-${state.name}-images:/k3d/images`, '/var/run/docker.sock:/var/run/docker.sock']
      : [`k3d-${state.name}-images:/k3d/images`];
  }
  const env: string[] = [];
  if (node.role === 'server' || node.role === 'agent') {
    env.push(`K3S_TOKEN=${state.token}`);
    if (node.role === 'agent') env.push(`K3S_URL=https://k3d-${state.name}-server-0:6443`);
    env.push('K3S_KUBECONFIG_OUTPUT=/output/kubeconfig.yaml', nodePath, 'CRI_CONFIG_FILE=/var/lib/rancher/k3s/agent/etc/crictl.yaml');
  } else if (node.role === 'loadbalancer') {
    env.push('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NGINX_VERSION=1.19.10');
  } else {
    env.push('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  }
  out.env = env;
  out.Cmd = node.role === 'server'
    ? ['server', '--tls-san', state.apiHost, ...(state.hasLoadbalancer ? ['--tls-san', `k3d-${state.name}-serverlb`] : [])]
    : node.role === 'agent' ? ['agent'] : node.role === 'noRole' ? ['noop'] : null;
  const ports = node.role === 'noRole' || node.role === 'registry' ? {} : nodePortMappings(state, node);
  if (Object.keys(ports).length) out.portMappings = ports;
  if (node.role !== 'noRole') out.restart = true;
  out.created = node.created;
  out.runtimeLabels = labels(state, node);
  out.Networks = [state.network];
  out.ExtraHosts = null;
  const kubeAPI: Record<string, unknown> = {
    Port: '',
    Binding: { HostIp: node.role === 'server' ? state.apiHostIP : '', HostPort: node.role === 'server' ? String(state.apiPort) : '' },
  };
  if (node.role === 'server') kubeAPI.host = state.apiHost;
  out.serverOpts = { kubeAPI };
  out.agentOpts = {};
  out.GPURequest = '';
  out.Memory = '';
  // pkg/runtimes/docker/translate.go TranslateContainerDetailsToNode leaves State.Started empty.
  out.State = { Running: node.running, Status: node.status, Started: '' };
  out.IP = { IP: node.running ? node.ip : '', Static: state.ipamManaged === true };
  out.K3dEntrypoint = false;
  return out;
}

/** Docker lists containers newest first; k3d keeps that order inside a cluster. */
function dockerOrder<T extends { created: string }>(nodes: T[]): T[] {
  return nodes.map((n, i) => ({ n, i })).sort((a, b) => (a.n.created === b.n.created ? b.i - a.i : a.n.created < b.n.created ? 1 : -1)).map((x) => x.n);
}

export function counts(state: ClusterState) {
  const servers = state.nodes.filter((n) => n.role === 'server');
  const agents = state.nodes.filter((n) => n.role === 'agent');
  return {
    serversCount: servers.length,
    serversRunning: servers.filter((n) => n.running).length,
    agentsCount: agents.length,
    agentsRunning: agents.filter((n) => n.running).length,
    hasLoadbalancer: state.nodes.some((n) => n.role === 'loadbalancer'),
  };
}

/** A cluster as `cluster list -o json` prints it; `detailed` adds what ClusterGet fills (list NAME). */
export function clusterJson(state: ClusterState, detailed: boolean): Record<string, unknown> {
  const nodes = dockerOrder(state.nodes);
  const c = counts(state);
  const out: Record<string, unknown> = {
    name: state.name,
    network: { name: state.network, id: '', ipam: { ipPrefix: state.ipamManaged ? state.subnet : '', Managed: state.ipamManaged === true }, Members: null },
    nodes: nodes.map((n) => nodeJson(state, n)),
    InitNode: null,
  };
  if (detailed) {
    const lb = nodes.find((n) => n.role === 'loadbalancer');
    if (lb) {
      const lbPorts: Record<string, string[]> = {};
      const targets = state.nodes.filter((n) => n.role === 'server').map((n) => n.name);
      lbPorts['6443.tcp'] = targets;
      for (const key of Object.keys(nodePortMappings(state, lb))) {
        if (key === '6443/tcp') continue;
        lbPorts[key.replace('/', '.')] = state.nodes.filter((n) => n.role === 'server' || n.role === 'agent').map((n) => n.name);
      }
      // pkg/types/loadbalancer.go: Loadbalancer embeds *Node, so encoding/json inlines the node's fields next to config.
      out.serverLoadBalancer = { ...nodeJson(state, lb), config: { ports: lbPorts, settings: { workerConnections: 1024 } } };
    }
  }
  out.imageVolume = `k3d-${state.name}-images`;
  if (detailed) out.volumes = [`k3d-${state.name}-images`];
  out.serversRunning = c.serversRunning;
  out.serversCount = c.serversCount;
  out.agentsRunning = c.agentsRunning;
  out.agentsCount = c.agentsCount;
  if (c.hasLoadbalancer) out.hasLoadbalancer = true;
  return out;
}

/** Go's text/tabwriter with k3d's settings (minwidth 6, padding 3): the last column is not padded. */
export function tabulate(rows: string[][]): string {
  if (rows.length === 0) return '';
  const columns = Math.max(...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < columns - 1; c++) {
    const w = Math.max(...rows.map((r) => (r[c] ?? '').length)) + 3;
    widths.push(Math.max(w, 6));
  }
  return rows.map((r) => r.map((cell, c) => (c < r.length - 1 ? cell.padEnd(widths[c]) : cell)).join('')).join('\n') + '\n';
}

export function clusterTable(states: ClusterState[], headers: boolean, token: boolean): string {
  const rows: string[][] = [];
  if (headers) rows.push(['NAME', 'SERVERS', 'AGENTS', 'LOADBALANCER', ...(token ? ['TOKEN'] : [])]);
  for (const s of states) {
    const c = counts(s);
    rows.push([s.name, `${c.serversRunning}/${c.serversCount}`, `${c.agentsRunning}/${c.agentsCount}`, String(c.hasLoadbalancer), ...(token ? [s.token] : [])]);
  }
  return tabulate(rows);
}

/** sigs.k8s.io/yaml: JSON field names, keys sorted. */
export function goYaml(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  if (Array.isArray(value) && value.length === 0) return '[]\n';
  return YAML.stringify(sortKeys(value), { lineWidth: 0, indentSeq: false });
}
