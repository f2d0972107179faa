// Argument arrays for the k3d commands the extension runs. Never a shell string.
//
// Every cluster name is checked here, where the array is built, whatever it came from (the
// wizard, a tree item, a command argument, a URI, a k3d config file): a name like `--all`
// would otherwise reach k3d as a flag. An invalid one throws before any process starts.
import { K3dError } from './errors.ts';
import { validateClusterName, validatePortMapping } from './names.ts';
import { clusterRegistryArgs } from './registries.ts';
import type { ClusterRegistryChoice } from './registries.ts';

export interface CreateClusterOptions {
  name: string;
  servers?: number;
  agents?: number;
  /** Port mappings, e.g. `8081:80@loadbalancer`. */
  ports?: string[];
  /** k3s image, e.g. `rancher/k3s:v1.31.5-k3s1`. */
  image?: string;
  /** A k3d config file (kind: Simple); flags given here override it, as with the CLI. */
  configFile?: string;
  /** `--registry-create NAME:127.0.0.1:PORT` or `--registry-use k3d-NAME:PORT`. */
  registry?: ClusterRegistryChoice;
}

/** `name`, when k3d would take it as a cluster name; otherwise a K3dError('invalidName') saying why. */
export function clusterNameArg(name: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new K3dError('invalidName', 'No cluster name was given. Nothing was run.');
  }
  const why = validateClusterName(name);
  if (why !== undefined) {
    throw new K3dError('invalidName', `${JSON.stringify(name).slice(0, 80)} is not a valid k3d cluster name. ${why} Nothing was run.`);
  }
  return name;
}

export function createClusterArgs(options: CreateClusterOptions): string[] {
  const args = ['cluster', 'create'];
  // Without a name, only a config file may name the cluster.
  if (options.name || !options.configFile) {
    args.push(clusterNameArg(options.name));
  }
  if (options.configFile) {
    args.push('--config', options.configFile);
  }
  if (options.servers !== undefined) {
    args.push('--servers', String(options.servers));
  }
  if (options.agents !== undefined) {
    args.push('--agents', String(options.agents));
  }
  for (const port of options.ports ?? []) {
    args.push('--port', port);
  }
  if (options.image) {
    args.push('--image', options.image);
  }
  args.push(...clusterRegistryArgs(options.registry));
  // Progress is read from k3d's INFO lines; --wait (the default) makes "created" mean usable.
  args.push('--wait');
  return args;
}

export const listClustersArgs = (): string[] => ['cluster', 'list', '-o', 'json'];
export const startClusterArgs = (name: string): string[] => ['cluster', 'start', clusterNameArg(name)];
export const stopClusterArgs = (name: string): string[] => ['cluster', 'stop', clusterNameArg(name)];
export const deleteClusterArgs = (name: string): string[] => ['cluster', 'delete', clusterNameArg(name)];
export const kubeconfigGetArgs = (name: string): string[] => ['kubeconfig', 'get', clusterNameArg(name)];
export function imageImportArgs(image: string, cluster: string): string[] {
  if (image === '' || image.startsWith('-')) {
    throw new K3dError('failed', `${JSON.stringify(image).slice(0, 80)} is not an image name. Nothing was run.`);
  }
  return ['image', 'import', image, '-c', clusterNameArg(cluster)];
}
export const versionArgs = (): string[] => ['version'];

// ---- nodes, ports, restart, kubeconfig files (k3d v5: cmd/node/*.go, cmd/cluster/clusterEdit.go,
// clusterRestart.go, cmd/kubeconfig/kubeconfigMerge.go) ----

/** What `k3d node create NAME` makes: containers `k3d-NAME-0`, `k3d-NAME-1`..., which become the Kubernetes node names. */
export interface CreateNodeOptions {
  /** NAME: k3d names the containers `k3d-NAME-<i>`. */
  name: string;
  cluster: string;
  role: 'agent' | 'server';
  replicas?: number;
  /** Docker memory limit, e.g. `1g`, `512m`. */
  memory?: string;
}

export const MAX_NODE_REPLICAS = 9;

/** Why `name` cannot name new k3d nodes, or undefined. The container name is the k3s node name: a lowercase DNS label. */
export function validateNewNodeName(name: string, replicas = 1): string | undefined {
  if (name === '') return 'Enter a name for the node(s).';
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name)) {
    return `'${name.slice(0, 40)}' cannot name a node: use lowercase letters, digits and '-', starting and ending with a letter or digit (k3s uses it as the Kubernetes node name).`;
  }
  const longest = `k3d-${name}-${Math.max(0, replicas - 1)}`;
  if (longest.length > 63) return `The node name ${longest} would be ${longest.length} characters long; Kubernetes allows 63.`;
  return undefined;
}

/** docker's memory limit format (go-units RAMInBytes): a number with an optional k/m/g unit. */
export function validateMemory(memory: string): string | undefined {
  const m = /^(\d+(?:\.\d+)?)([kmgKMG])?[bB]?$/.exec(memory.trim());
  if (!m) return `'${memory.slice(0, 40)}' is not a memory size: use a number with a unit, e.g. 512m or 2g.`;
  const bytes = Number(m[1]) * ({ k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1);
  if (bytes < 256 * 1024 ** 2) return `${memory} is too little for a k3s node: give it at least 256m.`;
  return undefined;
}

export function validateReplicas(text: string): string | undefined {
  if (!/^\d+$/.test(text.trim())) return `Enter how many nodes to add as a whole number (1-${MAX_NODE_REPLICAS}).`;
  const n = Number(text.trim());
  if (n < 1 || n > MAX_NODE_REPLICAS) return `Add between 1 and ${MAX_NODE_REPLICAS} nodes at a time.`;
  return undefined;
}

/** An existing node's container name, as `k3d node list` prints it (e.g. `k3d-dev-agent-0`). */
export function nodeNameArg(name: string): string {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(name)) {
    throw new K3dError('invalidName', `${JSON.stringify(String(name)).slice(0, 80)} is not a k3d node name. Nothing was run.`);
  }
  return name;
}

export function createNodeArgs(options: CreateNodeOptions): string[] {
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_NODE_REPLICAS) {
    throw new K3dError('failed', `${String(replicas).slice(0, 20)} is not a number of nodes (1-${MAX_NODE_REPLICAS}). Nothing was run.`);
  }
  const why = typeof options.name === 'string' ? validateNewNodeName(options.name, replicas) : 'No node name was given.';
  if (why !== undefined) throw new K3dError('invalidName', `${why} Nothing was run.`);
  if (options.role !== 'agent' && options.role !== 'server') {
    throw new K3dError('failed', `${JSON.stringify(String(options.role)).slice(0, 40)} is not a node role (agent or server). Nothing was run.`);
  }
  const args = ['node', 'create', options.name, '--cluster', clusterNameArg(options.cluster), '--role', options.role, '--replicas', String(replicas)];
  if (options.memory !== undefined && options.memory !== '') {
    const bad = validateMemory(options.memory);
    if (bad !== undefined) throw new K3dError('failed', `${bad} Nothing was run.`);
    args.push('--memory', options.memory.trim());
  }
  // --wait (the default): "created" means the node registered with the cluster.
  args.push('--wait');
  return args;
}

export const deleteNodeArgs = (node: string): string[] => ['node', 'delete', nodeNameArg(node)];
export const startNodeArgs = (node: string): string[] => ['node', 'start', nodeNameArg(node)];
export const stopNodeArgs = (node: string): string[] => ['node', 'stop', nodeNameArg(node)];
export const nodeListArgs = (node: string): string[] => ['node', 'list', nodeNameArg(node), '-o', 'json'];
export const restartClusterArgs = (name: string): string[] => ['cluster', 'restart', clusterNameArg(name)];

/** A port mapping for `--port-add`: `[HOST:][HOSTPORT:]CONTAINERPORT[/PROTO][@NODEFILTER]`, checked before k3d sees it. */
export function portMappingArg(spec: string): string {
  const why = typeof spec === 'string' ? validatePortMapping(spec) : 'No port mapping was given.';
  if (why !== undefined) throw new K3dError('failed', `${why} Nothing was run.`);
  return spec;
}

/** `k3d cluster edit NAME --port-add SPEC...`: k3d re-creates the cluster's load balancer with the new ports. */
export function addPortsArgs(cluster: string, specs: readonly string[]): string[] {
  if (specs.length === 0) throw new K3dError('failed', 'No port mapping to add. Nothing was run.');
  const args = ['cluster', 'edit', clusterNameArg(cluster)];
  for (const spec of specs) args.push('--port-add', portMappingArg(spec));
  return args;
}

/** `k3d cluster edit NAME --port-delete SPEC...`, for a k3d that has the flag (k3d v5's cluster edit has only --port-add). */
export function deletePortsArgs(cluster: string, specs: readonly string[]): string[] {
  if (specs.length === 0) throw new K3dError('failed', 'No port mapping to remove. Nothing was run.');
  const args = ['cluster', 'edit', clusterNameArg(cluster)];
  for (const spec of specs) args.push('--port-delete', portMappingArg(spec));
  return args;
}

export const clusterEditHelpArgs = (): string[] => ['cluster', 'edit', '--help'];

export type KubeconfigTarget =
  /** `k3d kubeconfig write NAME --output FILE`: the cluster's kubeconfig on its own in FILE (merged into it when it exists). */
  | { kind: 'file'; file: string; switchContext?: boolean }
  /** `k3d kubeconfig merge NAME --kubeconfig-merge-default`: into $KUBECONFIG or ~/.kube/config. */
  | { kind: 'default'; switchContext: boolean };

export function kubeconfigMergeArgs(cluster: string, target: KubeconfigTarget): string[] {
  const args = ['kubeconfig', target.kind === 'file' ? 'write' : 'merge', clusterNameArg(cluster)];
  if (target.kind === 'file') {
    const file = target.file;
    // Absolute, so k3d's working directory does not matter; never `-` (k3d's "print to stdout").
    if (typeof file !== 'string' || !(file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file)) || /[\0\n\r]/.test(file)) {
      throw new K3dError('failed', `${JSON.stringify(String(file)).slice(0, 80)} is not an absolute file path. Nothing was run.`);
    }
    args.push(`--output=${file}`);
    args.push(`--kubeconfig-switch-context=${target.switchContext === true}`);
  } else {
    args.push('--kubeconfig-merge-default', `--kubeconfig-switch-context=${target.switchContext}`);
  }
  return args;
}
