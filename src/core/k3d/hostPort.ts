// Whether a host port can be published: the check a user makes with `ss -ltn` before `-p 8082:80`, done so that
// k3d does not re-create the load balancer only to fail with "Bind for 0.0.0.0:8082 failed: port is already allocated".
import * as net from 'node:net';

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
