// Port specs as k3d parses them: `--api-port [HOST:]PORT` (k3d-io/k3d cmd/util/ports.go parsePortExposureSpec) and
// `-p [HOST:][HOSTPORT:]CONTAINERPORT[/PROTO][@NODEFILTER]` (docker's nat.ParsePortSpec plus k3d's
// node filters, pkg/util/filter.go).

import * as net from 'node:net';

export interface ApiExposure {
  host: string;
  hostIP: string;
  hostPort: string;
}

const apiPortRegexp = /^(?:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})|(\S+):)?(\d{1,5}|random)$/;

/** ParsePortExposureSpec; `random` and a missing port are resolved by the caller. */
export function parseApiPort(spec: string): ApiExposure {
  // k3d's regexp has a quirk: a dotted-quad host is captured without its ':'; emulate its intent.
  const m = /^(?:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):|(\S+):)?(\d{1,5}|random)$/.exec(spec) ?? apiPortRegexp.exec(spec);
  if (!m) {
    throw new Error(`failed to parse API Port spec: Failed to parse Port Exposure specification '${spec}': Format must be [(HostIP|HostName):]HostPort`);
  }
  const [, hostIP, hostname, port] = m;
  let ip = hostIP ?? '';
  let host = '';
  if (hostname) {
    host = hostname;
    if (hostname === 'localhost') ip = '127.0.0.1';
    else if (net.isIPv4(hostname)) ip = hostname;
    else throw new Error(`failed to parse API Port spec: Failed to lookup host '${hostname}' specified for Port Exposure: lookup ${hostname}: no such host`);
  }
  if (ip === '') ip = '0.0.0.0';
  if (port !== 'random' && Number(port) > 65535) {
    // go-connections nat.ParsePortSpec: "invalid hostPort: %s" (cmd/util/ports.go wraps it in lower case).
    throw new Error(`failed to parse API Port spec: failed to parse port spec for Port Exposure '${ip}:${port}:6443/tcp': invalid hostPort: ${port}`);
  }
  return { host, hostIP: ip, hostPort: port === 'random' ? '' : port };
}

export interface NodeFilter {
  group: 'server' | 'agent' | 'loadbalancer' | 'all';
  /** indices, or undefined for all nodes of the group */
  indices?: number[];
  suffix?: string;
}

const filterRegexp = /^(server|servers|agent|agents|loadbalancer|all)(?::((\d+,?)+|\d*-\d*|\*))?(?::([A-Za-z]+))?$/;

export function parseNodeFilter(filter: string): NodeFilter {
  const m = filterRegexp.exec(filter);
  if (!m) throw new Error(`Failed to parse node filters: invalid format or empty subset in '${filter}'`);
  const groupRaw = m[1];
  const group = (groupRaw.endsWith('s') && groupRaw !== 'loadbalancer' ? groupRaw.slice(0, -1) : groupRaw) as NodeFilter['group'];
  const subset = m[2];
  let indices: number[] | undefined;
  if (subset !== undefined && subset !== '*') {
    if (subset.includes('-')) {
      const [a, b] = subset.split('-');
      const from = a === '' ? 0 : Number(a);
      const to = b === '' ? Number.MAX_SAFE_INTEGER : Number(b);
      indices = [];
      for (let i = from; i <= Math.min(to, 1000); i++) indices.push(i);
    } else {
      indices = subset.split(',').filter((s) => s !== '').map(Number);
    }
  }
  return { group, indices, suffix: m[4] };
}

/** SplitFiltersFromFlag: `VALUE@FILTER[;FILTER...]`. */
export function splitFilters(flag: string): { value: string; filters: string[] } {
  const at = flag.lastIndexOf('@');
  if (at < 0) return { value: flag, filters: [] };
  const value = flag.slice(0, at);
  const filters = flag.slice(at + 1).split(';').filter((f) => f !== '');
  return { value, filters };
}

export interface PortMapping {
  hostIP: string;
  hostPort: string;
  containerPort: string;
  proto: string;
}

function validPort(p: string): boolean {
  if (!/^\d+(-\d+)?$/.test(p)) return false;
  return p.split('-').every((x) => Number(x) >= 0 && Number(x) <= 65535);
}

/** nat.ParsePortSpec for the single-port forms k3d users write. */
export function parsePortSpec(raw: string): PortMapping {
  let rest = raw;
  let proto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    proto = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  const parts = rest.split(':');
  let hostIP = '';
  let hostPort = '';
  let containerPort = '';
  if (parts.length === 1) {
    containerPort = parts[0];
  } else if (parts.length === 2) {
    [hostPort, containerPort] = parts;
  } else if (parts.length === 3) {
    [hostIP, hostPort, containerPort] = parts;
  } else {
    hostIP = parts.slice(0, -2).join(':');
    hostPort = parts[parts.length - 2];
    containerPort = parts[parts.length - 1];
  }
  if (hostIP !== '' && !net.isIP(hostIP.replace(/^\[|\]$/g, ''))) throw new Error(`invalid IP address: ${hostIP}`);
  if (containerPort === '') throw new Error(`no port specified: ${raw}<empty>`);
  if (!validPort(containerPort)) throw new Error(`invalid containerPort: ${containerPort}`);
  if (hostPort !== '' && !validPort(hostPort)) throw new Error(`invalid hostPort: ${hostPort}`);
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
  return { hostIP, hostPort, containerPort, proto: proto.toLowerCase() };
}
