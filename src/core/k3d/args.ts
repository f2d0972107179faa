// Argument arrays for the k3d commands the extension runs. Never a shell string.

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

export function createClusterArgs(options: CreateClusterOptions): string[] {
  const args = ['cluster', 'create'];
  if (options.name) {
    args.push(options.name);
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
export const startClusterArgs = (name: string): string[] => ['cluster', 'start', name];
export const stopClusterArgs = (name: string): string[] => ['cluster', 'stop', name];
export const deleteClusterArgs = (name: string): string[] => ['cluster', 'delete', name];
export const kubeconfigGetArgs = (name: string): string[] => ['kubeconfig', 'get', name];
export const versionArgs = (): string[] => ['version'];
