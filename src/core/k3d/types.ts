// Shapes of k3d v5's `cluster list -o json` output, as far as the extension reads them.
// Only what we use is typed; every field is optional because k3d omits some (e.g.
// `hasLoadbalancer` is absent when false) and versions differ.

export interface RawK3dNode {
  name?: string;
  role?: string;
  image?: string;
  portMappings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
  runtimeLabels?: Record<string, string> | null;
  State?: { Running?: boolean; Status?: string; Started?: string } | null;
  created?: string;
  IP?: { IP?: string; Static?: boolean } | null;
  serverOpts?: { kubeAPI?: { Port?: string; Binding?: { HostIp?: string; HostPort?: string }; host?: string } | null } | null;
}

export interface RawK3dCluster {
  name?: string;
  nodes?: RawK3dNode[] | null;
  serversCount?: number;
  serversRunning?: number;
  agentsCount?: number;
  agentsRunning?: number;
  hasLoadbalancer?: boolean;
  network?: { name?: string } | null;
}

export type NodeRole = 'server' | 'agent' | 'loadbalancer' | 'registry' | 'tools' | 'unknown';

export interface K3dNode {
  name: string;
  /** The name without the `k3d-<cluster>-` prefix, e.g. `server-0`. */
  shortName: string;
  role: NodeRole;
  running: boolean;
  /** Docker's status word: running, exited, created, restarting... */
  status: string;
  ip?: string;
  /** When the container was created: a re-created cluster has new ones. */
  created?: string;
}

export type ClusterState = 'running' | 'partial' | 'stopped';

export interface K3dCluster {
  name: string;
  /** The kubeconfig context k3d writes for this cluster. */
  contextName: string;
  state: ClusterState;
  serversRunning: number;
  serversCount: number;
  agentsRunning: number;
  agentsCount: number;
  hasLoadbalancer: boolean;
  /** Host port of the Kubernetes API, when k3d published one. */
  apiPort?: string;
  apiHost?: string;
  network?: string;
  nodes: K3dNode[];
}
