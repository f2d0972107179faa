// The simulated k3d cluster's description (cluster.json), written by the k3d simulator and re-read on demand.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterNode { name: string; role: string; running: boolean; ip?: string; created?: string; id?: string; image?: string }

export interface ClusterConfig {
  name: string;
  created?: string;
  k3sVersion: string;
  apiHost?: string;
  apiPort: number;
  importedImages: string[];
  /** Canonical name -> Docker image ID, for images `k3d image import` read from the real engine. */
  importedImageIds?: Record<string, string>;
  /** Registries the cluster uses (k3d-NAME, host port, container port). */
  registries?: { name: string; host?: string; hostPort: string | number; port?: number }[];
  nodes: ClusterNode[];
  /** `--port` mappings as given (`8082:30080@agent:0`): the load balancer listens on their host ports (loadbalancer.ts). */
  ports?: { spec: string }[];
}

export class ClusterFile {
  readonly dir: string;
  private cached: ClusterConfig | undefined;
  private mtime = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  get path(): string {
    return join(this.dir, 'cluster.json');
  }

  /** The current cluster.json (re-read when it changed on disk). */
  read(): ClusterConfig {
    let m = 0;
    try {
      m = statSync(this.path).mtimeMs;
    } catch {
      if (this.cached) return this.cached;
    }
    if (!this.cached || m !== this.mtime) {
      try {
        const raw = JSON.parse(readFileSync(this.path, 'utf8'));
        this.cached = {
          ...raw,
          k3sVersion: raw.k3sVersion ?? 'v1.31.5+k3s1',
          importedImages: raw.importedImages ?? [],
          nodes: raw.nodes ?? [],
        };
        this.mtime = m;
      } catch (e) {
        if (!this.cached) throw e;
      }
    }
    return this.cached!;
  }

  kubeNodes(): ClusterNode[] {
    return this.read().nodes.filter((n) => n.role === 'server' || n.role === 'agent');
  }
}

/** Normalises an image reference as containerd names it: docker.io/library/nginx:latest. */
export function normalizeImage(image: string): string {
  let ref = image;
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at) : '';
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  if (!digest && ref.indexOf(':', slash + 1) < 0) ref += ':latest';
  const first = ref.split('/')[0]!;
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
  return ref + digest;
}
