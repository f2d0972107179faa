// The cluster's published ports, served as k3d and k3s serve them. `k3d cluster create -p 8081:80@loadbalancer
// --port 8082:30080@agent:0` publishes host ports on the load balancer's (or a node's) container; behind them, port
// 80 is Traefik, k3s's ingress controller (an Ingress's rules pick the Service), a port in 30000-32767 is a
// NodePort Service's (kube-proxy), and another is a LoadBalancer Service's port (k3s's ServiceLB). Here each
// published host port is a listener on 127.0.0.1 in the API server's process, and a connection goes to a ready pod
// of the Service, inside the pod's network namespace (connectInPod), as the port-forward does: only pods whose
// containers are real Docker containers can answer. Nothing but loopback is dialled.
import * as net from 'node:net';
import type { ClusterFile } from './cluster.ts';
import { connectInPod, podNetwork } from './portforward.ts';
import type { Api } from './rest.ts';
import { labelSelectorToRequirements, matchRequirements } from './selectors.ts';
import { podReady } from './controllers/replicaset.ts';
import { parsePortSpec, splitFilters } from '../k3d/ports.ts';
import type { Obj } from './util.ts';

/** Traefik's answer when no Ingress rule matches (k3s's bundled Traefik, its default router). */
const NOT_FOUND = '404 page not found\n';
const NODE_PORTS = { min: 30000, max: 32767 };

/** A Service port a connection goes to, and the namespace it is in. */
interface Backend {
  namespace: string;
  service: Obj;
  port: Obj;
}

export class LoadBalancer {
  private readonly api: Api;
  private readonly cluster: ClusterFile;
  /** Host port -> its listener and the cluster port behind it. */
  private readonly listeners = new Map<number, { server: net.Server; target: number }>();
  private readonly log: (line: string) => void;
  /** Host ports that could not be listened on, said once each. */
  private readonly refused = new Set<number>();

  constructor(api: Api, cluster: ClusterFile, log: (line: string) => void = (l) => console.log(l)) {
    this.api = api;
    this.cluster = cluster;
    this.log = log;
  }

  /** Listens on each host port cluster.json publishes, and stops listening on those it no longer does (`k3d cluster edit`). */
  sync(): void {
    const wanted = publishedPorts(this.cluster.read().ports ?? []);
    for (const [hostPort, l] of this.listeners) {
      if (wanted.get(hostPort) !== l.target) {
        l.server.close();
        this.listeners.delete(hostPort);
      }
    }
    for (const [hostPort, target] of wanted) {
      if (this.listeners.has(hostPort)) continue;
      const server = net.createServer((socket) => this.accept(socket, target));
      // A port another process holds (a stale listener being closed): tried again at the next sync.
      server.on('error', (e: NodeJS.ErrnoException) => {
        if (!this.refused.has(hostPort)) this.log(`load balancer: cannot listen on 127.0.0.1:${hostPort} (${e.code ?? e.message}); trying again`);
        this.refused.add(hostPort);
        this.listeners.delete(hostPort);
      });
      server.on('listening', () => this.refused.delete(hostPort));
      server.listen(hostPort, '127.0.0.1');
      this.listeners.set(hostPort, { server, target });
    }
  }

  close(): void {
    for (const { server } of this.listeners.values()) server.close();
    this.listeners.clear();
  }

  private accept(socket: net.Socket, target: number): void {
    socket.on('error', () => undefined);
    if (target === 80) {
      this.ingress(socket);
      return;
    }
    const backend = this.servicePort(target);
    if (!backend) {
      socket.destroy(); // nothing listens behind the port: the client sees the connection reset
      return;
    }
    void this.forward(socket, backend, []);
  }

  /** Traefik on port 80: the request's Host and path choose an Ingress rule; the rule's Service answers. */
  private ingress(socket: net.Socket): void {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (d: Buffer): void => {
      chunks.push(d);
      size += d.length;
      const head = Buffer.concat(chunks).toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1 && size < 64 * 1024) return;
      socket.off('data', onData);
      socket.pause();
      const request = parseRequestHead(head.slice(0, end === -1 ? head.length : end));
      const backend = request ? this.ingressBackend(request.host, request.path) : undefined;
      if (!backend) {
        socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${NOT_FOUND.length}\r\nConnection: close\r\n\r\n${NOT_FOUND}`);
        return;
      }
      void this.forward(socket, backend, chunks);
    };
    socket.on('data', onData);
  }

  /** The Service port of the Ingress rule that matches (Exact before Prefix, the longest path first, as Traefik orders them). */
  private ingressBackend(host: string, path: string): Backend | undefined {
    const candidates: Array<{ namespace: string; backend: Obj; exact: boolean; length: number }> = [];
    for (const ing of this.api.store.list('Ingress')) {
      const className = ing.spec?.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'];
      if (className !== undefined && className !== 'traefik') continue;
      const namespace = String(ing.metadata.namespace);
      for (const rule of (ing.spec?.rules ?? []) as Obj[]) {
        if (rule.host !== undefined && !hostMatches(String(rule.host), host)) continue;
        for (const p of (rule.http?.paths ?? []) as Obj[]) {
          const want = String(p.path ?? '/');
          const exact = p.pathType === 'Exact';
          if (exact ? path === want : pathHasPrefix(path, want)) candidates.push({ namespace, backend: p.backend, exact, length: want.length });
        }
      }
      if (ing.spec?.defaultBackend) candidates.push({ namespace, backend: ing.spec.defaultBackend, exact: false, length: -1 });
    }
    candidates.sort((a, b) => Number(b.exact) - Number(a.exact) || b.length - a.length);
    for (const c of candidates) {
      const ref = c.backend?.service;
      if (!ref?.name) continue;
      const service = this.api.store.get('Service', c.namespace, String(ref.name));
      const port = ((service?.spec?.ports ?? []) as Obj[]).find((p) => (ref.port?.number !== undefined ? p.port === ref.port.number : p.name === ref.port?.name));
      if (service && port) return { namespace: c.namespace, service, port };
    }
    return undefined;
  }

  /** A NodePort (or LoadBalancer) Service's port on `target`: its node port, or its port for ServiceLB. */
  private servicePort(target: number): Backend | undefined {
    const services = this.api.store.list('Service');
    const isNodePort = target >= NODE_PORTS.min && target <= NODE_PORTS.max;
    for (const service of services) {
      const type = service.spec?.type;
      if (type !== 'NodePort' && type !== 'LoadBalancer') continue;
      const port = ((service.spec?.ports ?? []) as Obj[]).find((p) => (isNodePort ? p.nodePort === target : type === 'LoadBalancer' && p.port === target));
      if (port) return { namespace: String(service.metadata.namespace), service, port };
    }
    return undefined;
  }

  /** Pipes the connection to a ready pod of the Service (the first bytes, already read, go first). */
  private async forward(socket: net.Socket, { namespace, service, port }: Backend, first: Buffer[]): Promise<void> {
    const reqs = labelSelectorToRequirements({ matchLabels: service.spec?.selector ?? {} });
    const pods = service.spec?.selector
      ? this.api.store.list('Pod', namespace).filter((p) => matchRequirements(reqs, p.metadata.labels) && podReady(p) && !p.metadata.deletionTimestamp)
      : [];
    // Each connection to another pod, as kube-proxy spreads them.
    const start = Math.floor(Math.random() * Math.max(1, pods.length));
    for (let k = 0; k < pods.length; k++) {
      const pod = pods[(start + k) % pods.length];
      const containerPort = targetPortOf(pod, port);
      if (containerPort === undefined) continue;
      try {
        const network = await podNetwork(this.api, namespace, String(pod.metadata.name), containerPort);
        pipe(socket, connectInPod(network, containerPort, {
          data: (d) => socket.write(d),
          error: (message) => this.log(`load balancer: ${message}`),
          end: () => socket.end(),
        }), first);
        return;
      } catch {
        // A pod of simulated programs has no network namespace: the next pod, if any.
      }
    }
    socket.destroy();
  }
}

function pipe(socket: net.Socket, pod: ReturnType<typeof connectInPod>, first: Buffer[]): void {
  for (const chunk of first) pod.write(chunk);
  socket.on('data', (d: Buffer) => pod.write(d));
  socket.on('end', () => pod.end());
  socket.on('close', () => pod.close());
  socket.resume();
}

/** The container port a Service port's targetPort names: a number, or a named port of the pod's containers. */
function targetPortOf(pod: Obj, port: Obj): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  for (const c of (pod.spec?.containers ?? []) as Obj[]) {
    const named = ((c.ports ?? []) as Obj[]).find((p) => p.name === target);
    if (named) return Number(named.containerPort);
  }
  return /^\d+$/.test(String(target)) ? Number(target) : undefined;
}

/** Host port -> the cluster port behind it, for each `--port` mapping with a host port (TCP). */
export function publishedPorts(ports: readonly { spec: string }[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const { spec } of ports) {
    try {
      const mapping = parsePortSpec(splitFilters(spec).value);
      if (mapping.proto !== 'tcp' || mapping.hostPort === '') continue;
      out.set(Number(mapping.hostPort), Number(mapping.containerPort));
    } catch {
      // k3d refused such a mapping when the cluster was made
    }
  }
  return out;
}

/** The request line's path and the Host header, from an HTTP/1.x request head. */
export function parseRequestHead(head: string): { host: string; path: string } | undefined {
  const [line, ...headers] = head.split('\r\n');
  const m = /^[A-Z]+ (\S+) HTTP\/1\.[01]$/.exec(line ?? '');
  if (!m) return undefined;
  const hostHeader = headers.find((h) => /^host:/i.test(h));
  const host = (hostHeader?.slice(hostHeader.indexOf(':') + 1).trim() ?? '').replace(/:\d+$/, '').toLowerCase();
  const target = m[1];
  const path = target.startsWith('/') ? target.replace(/[?#].*$/, '') : (new URL(target).pathname || '/');
  return { host, path };
}

/** Kubernetes' Prefix match: by path elements (`/app` matches `/app` and `/app/x`, not `/application`). */
export function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === '/' || prefix === '') return true;
  const p = prefix.replace(/\/+$/, '');
  return path === p || path.startsWith(`${p}/`);
}

/** A rule's host: exact, or `*.example.com` for one label more. */
export function hostMatches(rule: string, host: string): boolean {
  if (rule.startsWith('*.')) {
    const rest = rule.slice(1);
    return host.endsWith(rest) && !host.slice(0, -rest.length).includes('.') && host.length > rest.length;
  }
  return rule.toLowerCase() === host;
}
