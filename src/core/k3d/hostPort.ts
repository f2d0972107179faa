// Whether a host port can be published: the check a user makes with `ss -ltn` before `-p 8082:80`, done so that
// k3d does not re-create the load balancer only to fail with "Bind for 0.0.0.0:8082 failed: port is already allocated".
import * as net from 'node:net';
import { validatePortMapping } from './names.ts';
import type { PublishedPort } from './nodeOps.ts';

/** Resolves true when nothing listens on `port` of `host` (Docker binds 0.0.0.0 unless told a host IP). */
export function hostPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The parts of a `-p` spec the extension checks: `[HOST:][HOSTPORT:]CONTAINERPORT[/PROTO][@FILTER]`. */
export function splitPortSpec(spec: string): { hostIp: string; hostPort: string; containerPort: string; proto: string; filter: string } {
  const at = spec.lastIndexOf('@');
  const filter = at >= 0 ? spec.slice(at + 1) : '';
  let rest = at >= 0 ? spec.slice(0, at) : spec;
  let proto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    proto = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
  }
  const parts = rest.split(':');
  const containerPort = parts.pop() ?? '';
  const hostPort = parts.pop() ?? '';
  return { hostIp: parts.join(':'), hostPort, containerPort, proto, filter };
}

/** Why `spec` cannot be added to a cluster whose load balancer publishes `existing`, or undefined. */
export function checkNewPort(spec: string, existing: readonly PublishedPort[], apiPort?: string): string | undefined {
  const why = validatePortMapping(spec);
  if (why) return why;
  const p = splitPortSpec(spec);
  if (p.hostPort === '') return `Give the host port too, e.g. 8082:${p.containerPort}@loadbalancer: without one Docker picks a random port.`;
  if (p.hostPort.includes('-') || p.containerPort.includes('-')) return 'Add one port at a time (k3d cluster edit does not take ranges here).';
  if (p.filter !== '' && !/^loadbalancer(:\*|:0)?$/.test(p.filter)) {
    return `k3d cluster edit adds ports only through the load balancer: use @loadbalancer (not @${p.filter}).`;
  }
  if (p.hostPort === apiPort) return `Host port ${p.hostPort} is the cluster's Kubernetes API port.`;
  const clash = existing.find((e) => e.hostPort === p.hostPort);
  if (clash) return `Host port ${p.hostPort} is already published (${clash.spec}).`;
  return undefined;
}

