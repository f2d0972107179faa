// `k3d cluster edit CLUSTER --port-add SPEC` and `k3d cluster restart [NAME...|--all]` as k3d v5 does them:
//   cmd/cluster/clusterEdit.go   (`edit CLUSTER`, alias `update`, only `--port-add`: k3d v5 has no `--port-delete`, so cobra
//                                 answers "unknown flag: --port-delete"; "Same Portmapping can not be used for multiple nodes";
//                                 FATA "Failed to update the cluster: %v"; "Successfully updated %s")
//   pkg/client/cluster.go        (ClusterEditChangesetSimple: only the 'proxy' suffix, "error: 'cluster edit' does not (yet)
//                                 support the '%s' opt/suffix for adding ports"; a cluster without a load balancer dereferences
//                                 nil and panics; TransformPorts "error transforming port config %s: %w")
//   pkg/client/ports.go          (TransformPorts: "portmapping '%s' targets the loadbalancer: defaulting to %s", "portmapping
//                                 '%s' lacks a nodefilter, but there's more than one node: defaulting to %s")
//   pkg/client/node.go           (NodeReplace: the load balancer container is re-created: "Renaming existing node %s to %s...",
//                                 "Creating new node %s...", "Stopping existing node %s...", "Starting new node %s...",
//                                 "Deleting old node %s..."; a start failure rolls back: "Failed to start new node. Rolled back: %+v")
//   cmd/cluster/clusterRestart.go (ClusterStop, ClusterGet, GatherEnvironmentInfo, ClusterStart, "Restarting cluster '%s'",
//                                 "Restarted cluster '%s'"; flags --all, --wait, --timeout)
// Hooked into the command tree by cli.ts (clusterLeaves).

import { DeadlineExceeded, Interrupted } from './clock.ts';
import { clusterGetOrFatal, clusterList, setNode } from './context.ts';
import type { SimContext } from './context.ts';
import { roleNames, StartFailure, startNodes } from './create.ts';
import { parseDuration } from './flags.ts';
import type { Parsed } from './flags.ts';
import { UsageError } from './flags.ts';
import { clusterStop, withToolsNode } from './lifecycle.ts';
import { ExitError, fatal, info } from './log.ts';
import type { SimLeaf } from './nodes.ts';
import { parseNodeFilter, parsePortSpec, splitFilters } from './ports.ts';
import { listRegistries, registryRunning, RegistryStartError, startRegistry } from './registry.ts';
import { listClusterStates, randomHex, updateCluster } from './state.ts';
import type { ClusterState } from './state.ts';
import { nodePortMappings } from './view.ts';

const DEFAULT_TARGETS = '[servers:*:proxy agents:*:proxy]';

function randomSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** Go's %s of []PortWithNodeFilters: `[{8080:80 [loadbalancer]}]`. */
function goPorts(ports: { value: string; filters: string[] }[]): string {
  return `[${ports.map((p) => `{${p.value} [${p.filters.join(' ')}]}`).join(' ')}]`;
}

async function clusterEditCmd(ctx: SimContext, p: Parsed): Promise<void> {
  if (p.args.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${p.args.length}`);
  const cluster = clusterGetOrFatal(ctx, p.args[0]);
  const flags = (p.values.get('port-add') as string[] | undefined) ?? [];
  const seen = new Set<string>();
  const ports: { value: string; filters: string[] }[] = [];
  for (const flag of flags) {
    const { value, filters } = splitFilters(flag);
    if (seen.has(value)) fatal('Same Portmapping can not be used for multiple nodes');
    seen.add(value);
    ports.push({ value, filters });
  }
  const lb = cluster.nodes.find((n) => n.role === 'loadbalancer');
  if (!lb) {
    // existingLB.Node with existingLB == nil
    process.stderr.write('panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1b2c3d4]\n\ngoroutine 1 [running]:\ngithub.com/k3d-io/k3d/v5/pkg/client.ClusterEditChangesetSimple(...)\n');
    throw new ExitError(2);
  }
  const failUpdate = (why: string): never => fatal(`Failed to update the cluster: ${why}`);
  for (const port of ports) {
    for (const f of port.filters) {
      let suffix: string | undefined;
      try {
        suffix = parseNodeFilter(f).suffix;
      } catch (err) {
        failUpdate(`failed to filter nodes: ${(err as Error).message}`);
      }
      if (suffix !== undefined && suffix !== 'proxy') failUpdate(`error: 'cluster edit' does not (yet) support the '${suffix}' opt/suffix for adding ports`);
    }
  }
  const accepted: string[] = [];
  for (const port of ports) {
    const nodeCount = cluster.nodes.length;
    if (port.filters.length === 0 && nodeCount > 1) {
      info(`portmapping '${port.value}' lacks a nodefilter, but there's more than one node: defaulting to ${DEFAULT_TARGETS}`);
    } else if (port.filters.some((f) => f.startsWith('loadbalancer'))) {
      info(`portmapping '${port.value}' targets the loadbalancer: defaulting to ${DEFAULT_TARGETS}`);
    }
    try {
      parsePortSpec(port.value);
    } catch (err) {
      failUpdate(`error transforming port config ${goPorts(ports)}: error parsing port spec '${port.value}': ${(err as Error).message}`);
    }
    // Every accepted mapping is served by the load balancer (suffix proxy).
    accepted.push(`${port.value}@loadbalancer`);
  }

  // NodeReplace: rename the old load balancer, create the new one, stop the old, start the new, delete the old.
  const temp = `${lb.name}-${randomSuffix()}`;
  info(`Renaming existing node ${lb.name} to ${temp}...`);
  await ctx.clock.sleep(0.2);
  info(`Creating new node ${lb.name}...`);
  await ctx.clock.sleep(0.5);
  info(`Stopping existing node ${temp}...`);
  await ctx.clock.sleep(lb.running ? 0.5 : 0.1);
  await setNode(ctx, cluster.name, lb.name, { running: false, status: 'exited' });
  info(`Starting new node ${lb.name}...`);
  const next: ClusterState = { ...cluster, ports: [...cluster.ports, ...accepted.map((spec) => ({ spec }))] };
  const clash = hostPortClash(ctx, next, lb.name);
  if (clash) {
    // The new container does not start: it is deleted, the old one renamed back and started again.
    await setNode(ctx, cluster.name, lb.name, { running: lb.running, status: lb.running ? 'running' : lb.status });
    failUpdate(`error replacing loadbalancer node: Failed to start new node. Rolled back: runtime failed to start node '${lb.name}': docker failed to start container for node '${lb.name}': Error response from daemon: driver failed programming external connectivity on endpoint ${lb.name} (${randomHex(32)}): Bind for ${clash.hostIp || '0.0.0.0'}:${clash.hostPort} failed: port is already allocated`);
  }
  info(`Starting node '${lb.name}'`);
  await ctx.clock.sleep(1.5);
  const now = new Date().toISOString();
  await updateCluster(ctx.home, cluster.name, (s) => {
    s.ports.push(...accepted.map((spec) => ({ spec })));
    const node = s.nodes.find((n) => n.name === lb.name);
    if (node) Object.assign(node, { id: randomHex(32), created: now, started: now, running: true, status: 'running' });
  });
  info(`Deleting old node ${temp}...`);
  await ctx.clock.sleep(0.3);
  info(`Deleted ${temp}`);
  info(`Successfully updated ${cluster.name}`);
}

/** A host port the new load balancer would bind twice, or that a running node of another cluster holds. */
function hostPortClash(ctx: SimContext, state: ClusterState, lbName: string): { hostIp: string; hostPort: string } | undefined {
  const mine = new Set<string>();
  for (const bindings of Object.values(nodePortMappings(state, { name: lbName, role: 'loadbalancer' }))) {
    for (const b of bindings) {
      if (!b.HostPort) continue;
      if (mine.has(b.HostPort)) return { hostIp: b.HostIp, hostPort: b.HostPort };
      mine.add(b.HostPort);
    }
  }
  for (const other of listClusterStates(ctx.home)) {
    if (other.name === state.name) continue;
    for (const n of other.nodes.filter((x) => x.running)) {
      for (const bindings of Object.values(nodePortMappings(other, n))) {
        for (const b of bindings) if (b.HostPort && mine.has(b.HostPort)) return { hostIp: b.HostIp, hostPort: b.HostPort };
      }
    }
  }
  return undefined;
}

async function clusterRestartCmd(ctx: SimContext, p: Parsed): Promise<void> {
  const clusters = p.values.get('all') === true ? clusterList(ctx) : (p.args.length ? p.args : ['k3s-default']).map((n) => clusterGetOrFatal(ctx, n));
  if (clusters.length === 0) {
    info('No clusters found');
    return;
  }
  let timeout = 0;
  if (p.changed.has('timeout')) timeout = parseDuration(String(p.values.get('timeout')));
  for (const c of clusters) {
    info(`Restarting cluster '${c.name}'`);
    await clusterStop(ctx, { args: [c.name], values: new Map(), changed: new Set(), help: false });
    const fresh = clusterGetOrFatal(ctx, c.name);
    ctx.clock.setTimeout(timeout);
    try {
      info('Using the k3d-tools node to gather environment information');
      await withToolsNode(ctx, fresh, async () => { await ctx.clock.sleep(0.8); });
      for (const rec of listRegistries(ctx.home).filter((r) => r.cluster === c.name && !registryRunning(r))) {
        info(`Starting node '${rec.name}'`);
        try {
          await startRegistry(ctx.home, rec.name);
        } catch (err) {
          if (err instanceof RegistryStartError) fatal(`Failed to start registry: ${err.message}`);
          throw err;
        }
      }
      await startNodes(ctx, fresh, roleNames(fresh));
    } catch (err) {
      if (err instanceof StartFailure) fatal(err.message);
      if (err instanceof Interrupted) fatal('Failed Cluster Start: context canceled');
      if (err instanceof DeadlineExceeded) fatal('Failed Cluster Start: context deadline exceeded');
      throw err;
    }
    info(`Restarted cluster '${c.name}'`);
  }
}

export const clusterLeaves: Record<string, SimLeaf> = {
  edit: {
    use: 'edit CLUSTER', short: '[EXPERIMENTAL] Edit cluster(s).', aliases: ['update'],
    flags: [
      { long: 'port-add', kind: 'stringArray', usage: '[EXPERIMENTAL] Map ports from the node containers (via the serverlb) to the host (Format: `[HOST:][HOSTPORT:]CONTAINERPORT[/PROTOCOL][@NODEFILTER]`)\n - Example: `k3d node edit k3d-mycluster-serverlb --port-add 8080:80`' },
    ],
    run: clusterEditCmd,
  },
  restart: {
    use: 'restart [NAME [NAME...] | --all]', short: 'Restart existing k3d cluster(s)',
    flags: [
      { long: 'all', short: 'a', kind: 'bool', default: false, usage: 'Restart all existing clusters' },
      { long: 'timeout', kind: 'duration', default: '0s', usage: "Maximum waiting time for '--wait' before canceling/returning." },
      { long: 'wait', kind: 'bool', default: true, usage: 'Wait for the server(s) (and loadbalancer) to be ready before returning.' },
    ],
    run: clusterRestartCmd,
  },
};
