// Argument arrays for the k3d commands the extension runs. Never a shell string.
//
// Every cluster name is checked here, where the array is built, whatever it came from (the
// wizard, a tree item, a command argument, a URI, a k3d config file): a name like `--all`
// would otherwise reach k3d as a flag. An invalid one throws before any process starts.
import { K3dError } from './errors.ts';
import { validateClusterName } from './names.ts';

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
