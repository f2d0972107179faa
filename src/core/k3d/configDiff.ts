// Where a running cluster differs from the k3d config file it was created from: servers, agents, ports, image
// and registries, each said in words ("cluster has 1 agent, file says 2") with what can be done in place.
// Read from `k3d cluster list NAME -o json` (the nodes, their images and published ports) and
// `k3d registry list -o json`; nothing here runs k3d.
import type { ConfigModel, ConfigPort } from './configFile.ts';
import { portToFlag } from './configFile.ts';
import type { RawK3dCluster, RawK3dNode } from './types.ts';

/** A registry as `k3d registry list -o json` shows it (the fields compared here). */
export interface RegistryFacts {
  name: string;
  /** The cluster it was created with (`k3d.cluster` label), if any. */
  cluster?: string;
}

/** What can be run in place to make the cluster match the file. */
export type InPlaceFix =
  | { kind: 'addPorts'; specs: string[] }
  | { kind: 'addAgents'; count: number }
  | { kind: 'deleteAgents'; nodes: string[] };

export interface ConfigDifference {
  field: 'servers' | 'agents' | 'ports' | 'image' | 'registries';
  /** "cluster has 1 agent, file says 2" */
  message: string;
  /** Which `ports:` entry it is about, for its position. */
  portIndex?: number;
  fix?: InPlaceFix;
}

export interface ClusterFacts {
  /** `k3d cluster list NAME -o json`'s cluster. */
  cluster: RawK3dCluster;
  /** `k3d registry list -o json`, when it could be read. */
  registries?: RegistryFacts[];
  /** The image ID Docker has for an image name (`docker image inspect`), when known: k3d reports node images by ID. */
  imageIds?: ReadonlyMap<string, string | undefined>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function nodesOf(cluster: RawK3dCluster, role: string): RawK3dNode[] {
  return (cluster.nodes ?? []).filter((n) => n.role === role);
}

/** One published binding: container port/proto → host IP and port. */
interface Binding {
  containerPort: number;
  proto: string;
  hostIp: string;
  hostPort: string;
}

function bindings(nodes: RawK3dNode[]): Binding[] {
  const out: Binding[] = [];
  for (const n of nodes) {
    for (const [key, list] of Object.entries(n.portMappings ?? {})) {
      const [port, proto = 'tcp'] = key.split('/');
      if (!/^\d+$/.test(port ?? '')) continue;
      for (const b of list ?? []) out.push({ containerPort: Number(port), proto, hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '' });
    }
  }
  return out;
}

/** `[HOST:][HOSTPORT:]CONTAINERPORT[/PROTO]` expanded to one expectation per container port (ranges are pairwise). */
function expectations(port: string): Array<{ containerPort: number; proto: string; hostIp?: string; hostPort?: string }> | undefined {
  const m = /^(?:(?:(\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z0-9.-]+):)?(\d{1,5}(?:-\d{1,5})?):)?(\d{1,5}(?:-\d{1,5})?)(?:\/(tcp|udp|sctp))?$/.exec(port);
  if (!m) return undefined;
  const span = (s: string) => {
    const [a, b = a] = s.split('-').map(Number);
    return Array.from({ length: Math.max(0, b! - a! + 1) }, (_, i) => a! + i);
  };
  const containers = span(m[3]!);
  const hosts = m[2] ? span(m[2]) : undefined;
  return containers.map((c, i) => ({ containerPort: c, proto: m[4] ?? 'tcp', hostIp: m[1], hostPort: hosts ? String(hosts[i] ?? hosts[0]) : undefined }));
}

function isPublished(p: ConfigPort, all: Binding[]): boolean | undefined {
  const wanted = expectations(p.port);
  if (!wanted) return undefined; // not a port k3d would take: validation says so
  return wanted.every((w) => all.some((b) =>
    b.containerPort === w.containerPort && b.proto === w.proto
    && (w.hostPort === undefined || b.hostPort === w.hostPort)
    && (w.hostIp === undefined || b.hostIp === w.hostIp || (w.hostIp === 'localhost' && b.hostIp === '127.0.0.1'))));
}

/** `rancher/k3s:v1` and `docker.io/rancher/k3s:v1` are the same image; no tag means `latest`. */
function normalImage(image: string): string {
  let s = image.replace(/^(?:docker\.io|index\.docker\.io)\//, '');
  if (!/[:@][^/]*$/.test(s)) s += ':latest';
  return s.replace(/^library\//, '');
}

/** The container names of `registries.create.name` k3d may give: as given (v5.9), or with k3d- (older v5). */
function registryNames(name: string): string[] {
  return name.startsWith('k3d-') ? [name] : [name, `k3d-${name}`];
}

export function diffClusterWithConfig(model: ConfigModel, facts: ClusterFacts): ConfigDifference[] {
  const out: ConfigDifference[] = [];
  const { cluster } = facts;
  const servers = nodesOf(cluster, 'server');
  const agents = nodesOf(cluster, 'agent');
  if (servers.length !== model.servers) {
    out.push({ field: 'servers', message: `cluster has ${plural(servers.length, 'server')}, file says ${model.servers}` });
  }
  if (agents.length !== model.agents) {
    const message = `cluster has ${plural(agents.length, 'agent')}, file says ${model.agents}`;
    if (agents.length < model.agents) {
      out.push({ field: 'agents', message, fix: { kind: 'addAgents', count: model.agents - agents.length } });
    } else {
      // The newest-looking agents go first: the highest index, as k3d names them.
      const names = agents.map((a) => a.name ?? '').filter((n) => n !== '').sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
      out.push({ field: 'agents', message, fix: { kind: 'deleteAgents', nodes: names.slice(0, agents.length - model.agents) } });
    }
  }

  const published = bindings(cluster.nodes ?? []);
  const lb = nodesOf(cluster, 'loadbalancer');
  model.ports.forEach((p, i) => {
    if (isPublished(p, published) !== false) return;
    const flag = portToFlag(p);
    const onLb = p.nodeFilters.length === 0 || p.nodeFilters.every((f) => /^loadbalancer(?::|$)/.test(f));
    out.push({
      field: 'ports',
      portIndex: i,
      message: `cluster does not publish ${flag}, file lists it`,
      // `cluster edit --port-add` goes through the load balancer only.
      fix: onLb && lb.length > 0 ? { kind: 'addPorts', specs: [p.nodeFilters.length ? flag : `${flag}@loadbalancer`] } : undefined,
    });
  });
  // Published by the load balancer but in no `ports:` entry (6443 is the API).
  const lbBindings = bindings(lb).filter((b) => !(b.containerPort === 6443 && b.proto === 'tcp'));
  const extra = lbBindings.filter((b) => !model.ports.some((p) => expectations(p.port)?.some((w) =>
    w.containerPort === b.containerPort && w.proto === b.proto && (w.hostPort === undefined || w.hostPort === b.hostPort))));
  if (extra.length > 0) {
    const specs = extra.map((b) => `${b.hostPort}:${b.containerPort}${b.proto === 'tcp' ? '' : `/${b.proto}`}`);
    out.push({ field: 'ports', message: `cluster publishes ${specs.join(', ')}, which the file does not list` });
  }

  if (model.image) {
    const nodeImages = [...new Set([...servers, ...agents].map((n) => n.image ?? '').filter((s) => s !== ''))];
    for (const img of nodeImages) {
      if (img.startsWith('sha256:')) {
        const id = facts.imageIds?.get(model.image);
        if (id !== undefined && id !== img) {
          out.push({ field: 'image', message: `cluster runs image ${img.slice(0, 19)}…, not ${model.image} (${id.slice(0, 19)}…)` });
          break;
        }
      } else if (normalImage(img) !== normalImage(model.image)) {
        out.push({ field: 'image', message: `cluster runs ${img}, file says ${model.image}` });
        break;
      }
    }
  }

  if (facts.registries) {
    const regs = facts.registries;
    const name = (cluster.name ?? '');
    const wanted = model.registries.create?.name;
    if (wanted !== undefined) {
      const candidates = registryNames(wanted);
      if (!regs.some((r) => candidates.includes(r.name))) {
        out.push({ field: 'registries', message: `no registry ${wanted} exists (k3d registry list), file creates it with the cluster` });
      }
    }
    const own = regs.filter((r) => r.cluster === name && (wanted === undefined || !registryNames(wanted).includes(r.name)));
    for (const r of own) out.push({ field: 'registries', message: `cluster has registry ${r.name}, which the file does not create` });
    for (const use of model.registries.use) {
      const host = use.replace(/:\d+$/, '');
      if (!regs.some((r) => r.name === host || r.name === `k3d-${host}`)) {
        out.push({ field: 'registries', message: `registry ${use} the file uses does not exist (k3d registry list)` });
      }
    }
  }
  return out;
}

/** One line for a lens: the differences joined, e.g. "cluster has 1 agent, file says 2; cluster does not publish 8082:80@loadbalancer". */
export function summarize(diffs: readonly ConfigDifference[]): string {
  return diffs.map((d) => d.message).join('; ');
}
