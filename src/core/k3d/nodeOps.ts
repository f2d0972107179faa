// Node, port, restart and kubeconfig-file operations on top of K3dCli: argument arrays from args.ts (validated there),
// k3d's output read here, and k3d's failures worded for the node or cluster they concern.
import {
  addPortsArgs, clusterEditHelpArgs, createNodeArgs, deleteNodeArgs, deletePortsArgs, kubeconfigMergeArgs, nodeListArgs,
  restartClusterArgs, startNodeArgs, stopNodeArgs, type CreateNodeOptions, type KubeconfigTarget,
} from './args.ts';
import type { K3dCli, RunOptions, RunResult } from './cli.ts';
import { K3dError } from './errors.ts';
import { stripAnsi } from './logLine.ts';

/** One host port the cluster's load balancer publishes (the API port excluded). */
export interface PublishedPort {
  /** As `-p` takes it: `8081:80@loadbalancer` (`127.0.0.1:8081:80@loadbalancer` with a host IP, `/udp` when not TCP). */
  spec: string;
  hostIp: string;
  hostPort: string;
  containerPort: string;
  proto: string;
}

/** The names k3d gives the containers of `k3d node create NAME --replicas N`. */
export function createdNodeNames(name: string, replicas = 1): string[] {
  return Array.from({ length: replicas }, (_, i) => `k3d-${name}-${i}`);
}

/** k3d's error, said about the cluster or node it concerns (classifyFailure names only `cluster ...` subjects). */
function about(e: unknown, what: { cluster?: string; node?: string }): never {
  if (e instanceof K3dError && e.kind === 'notFound' && what.cluster) {
    throw new K3dError('notFound', `Cluster '${what.cluster}' does not exist (any more).`, e.detail, e.exitCode);
  }
  if (e instanceof K3dError && e.kind === 'failed' && what.node && /No node found with name|Didn't find container for node/i.test(e.detail ?? e.message)) {
    throw new K3dError('notFound', `Node '${what.node}' does not exist (any more).`, e.detail, e.exitCode);
  }
  throw e;
}

export async function createNodes(cli: K3dCli, options: CreateNodeOptions, run: RunOptions = {}): Promise<RunResult> {
  const args = createNodeArgs(options);
  return cli.run(args, run).catch((e) => about(e, { cluster: options.cluster }));
}

export async function deleteNode(cli: K3dCli, node: string, run: RunOptions = {}): Promise<RunResult> {
  return cli.run(deleteNodeArgs(node), run).catch((e) => about(e, { node }));
}

export async function startNode(cli: K3dCli, node: string, run: RunOptions = {}): Promise<RunResult> {
  return cli.run(startNodeArgs(node), run).catch((e) => about(e, { node }));
}

export async function stopNode(cli: K3dCli, node: string, run: RunOptions = {}): Promise<RunResult> {
  return cli.run(stopNodeArgs(node), run).catch((e) => about(e, { node }));
}

export async function restartCluster(cli: K3dCli, cluster: string, run: RunOptions = {}): Promise<RunResult> {
  return cli.run(restartClusterArgs(cluster), run).catch((e) => about(e, { cluster }));
}

export async function addPorts(cli: K3dCli, cluster: string, specs: readonly string[], run: RunOptions = {}): Promise<RunResult> {
  return cli.run(addPortsArgs(cluster, specs), run).catch((e) => about(e, { cluster }));
}

export async function deletePorts(cli: K3dCli, cluster: string, specs: readonly string[], run: RunOptions = {}): Promise<RunResult> {
  return cli.run(deletePortsArgs(cluster, specs), run).catch((e) => about(e, { cluster }));
}

/** Whether this k3d's `cluster edit` can remove a port mapping (k3d v5 has only `--port-add`). */
export async function canDeletePorts(cli: K3dCli, run: RunOptions = {}): Promise<boolean> {
  const { stdout } = await cli.run(clusterEditHelpArgs(), { timeoutMs: 15_000, ...run });
  return /--port-delete\b/.test(stdout);
}

/** `k3d kubeconfig write|merge`: returns the file(s) k3d says it wrote. */
export async function writeKubeconfig(cli: K3dCli, cluster: string, target: KubeconfigTarget, run: RunOptions = {}): Promise<string> {
  const { stdout } = await cli.run(kubeconfigMergeArgs(cluster, target), { timeoutMs: 30_000, ...run }).catch((e) => about(e, { cluster }));
  return stripAnsi(stdout).trim().split('\n').pop() ?? '';
}

/** The ports the cluster's load balancer publishes, read fresh from `k3d node list k3d-NAME-serverlb -o json`. */
export async function loadBalancerPorts(cli: K3dCli, cluster: string, run: RunOptions = {}): Promise<PublishedPort[]> {
  const lb = `k3d-${cluster}-serverlb`;
  const { stdout } = await cli.run(nodeListArgs(lb), { timeoutMs: 30_000, ...run }).catch((e) => about(e, { cluster, node: lb }));
  return parsePublishedPorts(stdout);
}

/** Reads `portMappings` of the first node in `k3d node list -o json` output; the API's 6443/tcp is not a user port. */
export function parsePublishedPorts(stdout: string): PublishedPort[] {
  let data: unknown;
  try {
    data = JSON.parse(stdout.trim() || 'null');
  } catch {
    throw new K3dError('badOutput', `k3d node list -o json printed something that is not JSON: ${stdout.slice(0, 120)}`);
  }
  const node = Array.isArray(data) ? (data[0] as { portMappings?: unknown } | undefined) : undefined;
  const mappings = (node?.portMappings ?? {}) as Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;
  const out: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(mappings)) {
    const [containerPort, proto = 'tcp'] = key.split('/');
    if (key === '6443/tcp' || !/^\d+$/.test(containerPort ?? '')) continue;
    for (const b of bindings ?? []) {
      const hostPort = b.HostPort ?? '';
      const hostIp = b.HostIp ?? '';
      const host = hostIp && hostIp !== '0.0.0.0' ? `${hostIp}:` : '';
      const published = hostPort ? `${host}${hostPort}:` : '';
      out.push({ spec: `${published}${containerPort}${proto === 'tcp' ? '' : `/${proto}`}@loadbalancer`, hostIp, hostPort, containerPort: containerPort!, proto });
    }
  }
  return out.sort((a, b) => Number(a.hostPort) - Number(b.hostPort) || Number(a.containerPort) - Number(b.containerPort));
}
