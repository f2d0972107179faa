// `k3d node create|delete|start|stop` as k3d v5 does them:
//   cmd/node/nodeCreate.go  (flags, `k3d-NAME-i` per replica, "Adding %d node(s) to the runtime local cluster '%s'...",
//                            "Successfully created %d node(s)!", FATA "failed to add %d node(s) to the runtime local cluster '%s': %v")
//   pkg/client/node.go      (NodeAddToClusterMulti: ClusterGet "Failed to find specified cluster '%s': %w", GatherEnvironmentInfo,
//                            NodeAddToCluster copies the image from a node of the same role, NodeCreate "invalid memory limit
//                            format", NodeStart waits for the role's ready log line; a new server: "Updating loadbalancer config
//                            to include new server node(s)"; NodeDelete only removes the container: k3s keeps the Node object,
//                            which goes NotReady)
//   cmd/node/nodeDelete.go  ("Successfully deleted %d node(s)!", "Expecting at least one node name if `--all` is not set")
//   cmd/node/nodeStart.go, nodeStop.go (the runtime's StartNode/StopNode directly: no waiting, "No node name given")
//   pkg/runtimes/docker/node.go, container.go ("Starting node '%s'", "Deleted %s")
// Hooked into the command tree by cli.ts (nodeLeaves).

import { DeadlineExceeded, Interrupted } from './clock.ts';
import { clusterGet, isDockerDown, labelsError, NoNodesFound, setNode } from './context.ts';
import type { SimContext } from './context.ts';
import { imageId } from './create.ts';
import { parseDuration } from './flags.ts';
import type { FlagDef, Parsed } from './flags.ts';
import { UsageError } from './flags.ts';
import { withToolsNode } from './lifecycle.ts';
import { debug, error, fatal, info, warn } from './log.ts';
import { startApiserver, stopApiserver } from './apiserverProcess.ts';
import { clusterDir, listClusterStates, randomHex, readCluster, updateCluster } from './state.ts';
import type { ClusterState, NodeRole, NodeState } from './state.ts';
import * as path from 'node:path';

/** The shape of cli.ts's Leaf (kept structural so this file does not import cli.ts). */
export interface SimLeaf {
  use: string;
  short: string;
  aliases?: string[];
  flags: FlagDef[];
  run: (ctx: SimContext, p: Parsed) => void | Promise<void>;
}

/** docker/go-units RAMInBytes: `512m`, `1g`, `1.5GiB`, `1024` (bytes). */
export function ramInBytes(size: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtTpP])?[iI]?[bB]?$/.exec(size.trim());
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * unit);
}

interface FoundNode {
  cluster: ClusterState;
  node: NodeState;
}

/** NodeGet by container name, across clusters: "failed to get node '%s': Failed to get nodes: No node found with name '%s'". */
function nodeGet(ctx: SimContext, name: string): FoundNode {
  if (isDockerDown(ctx)) fatal(`failed to get node '${name}': ${labelsError(`map[app:k3d]`)}`);
  for (const cluster of listClusterStates(ctx.home)) {
    const node = cluster.nodes.find((n) => n.name === name);
    if (node) return { cluster, node };
  }
  fatal(`failed to get node '${name}': Failed to get nodes: No node found with name '${name}'`);
}

function nextIp(state: ClusterState): string {
  const base = state.subnet.split('.').slice(0, 2).join('.');
  const used = new Set(state.nodes.map((n) => n.ip));
  for (let i = 2; i < 250; i++) {
    const ip = `${base}.0.${i}`;
    if (!used.has(ip)) return ip;
  }
  return `${base}.1.2`;
}

async function nodeCreateCmd(ctx: SimContext, p: Parsed): Promise<void> {
  if (p.args.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${p.args.length}`);
  const replicas = Number(p.values.get('replicas') ?? 1);
  const role = String(p.values.get('role') ?? 'agent');
  if (role !== 'agent' && role !== 'server') fatal(`Unknown node role '${role}'\n`);
  const clusterName = String(p.values.get('cluster') ?? 'k3s-default');
  const memory = String(p.values.get('memory') ?? '');
  const image = String(p.values.get('image') ?? '');
  if (memory !== '' && ramInBytes(memory) === undefined) error('Provided memory limit value is invalid');
  let timeout = 0;
  if (p.changed.has('timeout')) timeout = parseDuration(String(p.values.get('timeout')));
  const wait = p.values.get('wait') !== false;
  const names = Array.from({ length: Math.max(0, replicas) }, (_, i) => `k3d-${p.args[0]}-${i}`);
  const failAdd = (why: string): never => fatal(`failed to add ${names.length} node(s) to the runtime local cluster '${clusterName}': ${why}`);

  // k3d installs no signal handler (cmd/root.go): SIGINT/SIGTERM end `node create` at once, and NodeAddToClusterMulti has
  // no rollback, so the containers made so far stay.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(sig);
  info(`Adding ${names.length} node(s) to the runtime local cluster '${clusterName}'...`);
  let cluster: ClusterState;
  try {
    cluster = clusterGet(ctx, clusterName);
  } catch (err) {
    if (err instanceof NoNodesFound) failAdd(`Failed to find specified cluster '${clusterName}': ${err.message}`);
    throw err;
  }
  ctx.clock.setTimeout(timeout);
  try {
    info('Using the k3d-tools node to gather environment information');
    await withToolsNode(ctx, cluster, async () => { await ctx.clock.sleep(0.8); });
    const all = listClusterStates(ctx.home).flatMap((c) => c.nodes.map((n) => n.name));
    for (const name of names) {
      const prefix = `failed to add one or more nodes: failed to run node '${name}': failed to create node '${name}'`;
      if (memory !== '' && ramInBytes(memory) === undefined) failAdd(`${prefix}: invalid memory limit format: invalid size: '${memory}'`);
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) {
        failAdd(`${prefix}: runtime failed to create node '${name}': failed to create container for node '${name}': docker failed to create container '${name}': Error response from daemon: Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      }
      if (all.includes(name)) {
        failAdd(`${prefix}: runtime failed to create node '${name}': failed to create container for node '${name}': docker failed to create container '${name}': Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${randomHex(32)}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
    }
    // The image is copied from a node of the same role (else any k3s node), unless --image is given.
    const source = cluster.nodes.find((n) => n.role === role) ?? cluster.nodes.find((n) => n.role === 'server' || n.role === 'agent');
    const imageName = image || source?.imageName || cluster.image;
    for (const name of names) {
      debug(`Adding node ${name} to cluster ${clusterName} based on existing (sanitized) node ${source?.name ?? ''}`);
      await updateCluster(ctx.home, clusterName, (s) => {
        const node: NodeState = {
          name, role: role as NodeRole, running: false, status: 'created', id: randomHex(32), ip: nextIp(s),
          created: new Date().toISOString(), started: '', image: imageId(imageName), imageName,
        };
        if (memory !== '') (node as NodeState & { memory?: string }).memory = memory;
        s.nodes.push(node);
      });
    }
    for (const name of names) {
      info(`Starting node '${name}'`);
      await setNode(ctx, clusterName, name, { running: true, status: 'running' });
    }
    if (wait) {
      // An agent registers with a running server; with none, k3d waits for the log line until --timeout.
      const serverUp = () => (readCluster(ctx.home, clusterName)?.nodes ?? []).some((n) => n.role === 'server' && n.running && !names.includes(n.name));
      const readyLine = role === 'agent' ? 'successfully registered node' : 'k3s is up and running';
      for (;;) {
        if (serverUp()) break;
        try {
          await ctx.clock.sleep(5);
          await new Promise((r) => setTimeout(r, 50)); // re-read cluster.json at a sane rate even at K3D_SIM_SPEED=0
        } catch (err) {
          if (err instanceof DeadlineExceeded) {
            failAdd(`failed to add one or more nodes: failed to run node '${names[0]}': failed to start node '${names[0]}': Node ${names[0]} failed to get ready: Context deadline exceeded while waiting for log message '${readyLine}' of node ${names[0]}: context deadline exceeded`);
          }
          throw err;
        }
      }
      await ctx.clock.sleep(role === 'agent' ? 6 : 12);
    }
    if (role === 'server') info('Updating loadbalancer config to include new server node(s)');
  } catch (err) {
    if (err instanceof Interrupted) fatal(`failed to add ${names.length} node(s) to the runtime local cluster '${clusterName}': failed to add one or more nodes: context canceled`);
    throw err;
  }
  info(`Successfully created ${names.length} node(s)!`);
}

async function nodeDeleteCmd(ctx: SimContext, p: Parsed): Promise<void> {
  const all = p.values.get('all') === true;
  let targets: FoundNode[];
  if (all) {
    if (p.values.get('registries') !== true) info("Didn't set '--registries', so won't delete registries.");
    targets = listClusterStates(ctx.home).flatMap((cluster) => cluster.nodes.map((node) => ({ cluster, node })));
  } else {
    if (p.args.length < 1) fatal('Expecting at least one node name if `--all` is not set');
    targets = p.args.map((n) => nodeGet(ctx, n));
  }
  if (targets.length === 0) {
    info('No nodes found');
    return;
  }
  for (const { cluster, node } of targets) {
    await ctx.clock.sleep(node.running ? 1.5 : 0.3).catch((err) => { if (!(err instanceof Interrupted)) throw err; });
    if (node.role === 'server' && node.name.endsWith('-server-0')) await stopApiserver(clusterDir(ctx.home, cluster.name));
    await updateCluster(ctx.home, cluster.name, (s) => { s.nodes = s.nodes.filter((n) => n.name !== node.name); });
    info(`Deleted ${node.name}`);
  }
  info(`Successfully deleted ${targets.length} node(s)!`);
}

async function nodeStartCmd(ctx: SimContext, p: Parsed): Promise<void> {
  if (p.args.length === 0 || p.args[0] === '') fatal('No node name given');
  const name = p.args[0];
  if (isDockerDown(ctx)) fatal(`Failed to get container for node '${name}': ${labelsError(`map[app:k3d]`)}`);
  const found = listClusterStates(ctx.home).flatMap((cluster) => cluster.nodes.map((node) => ({ cluster, node }))).find((f) => f.node.name === name);
  if (!found) fatal(`Failed to get container for node '${name}': Didn't find container for node '${name}'`);
  info(`Starting node '${name}'`);
  if (found.node.running) return; // docker start on a running container does nothing
  await setNode(ctx, found.cluster.name, name, { running: true, status: 'running' });
  if (found.node.role === 'server' && name.endsWith('-server-0')) {
    const result = await startApiserver(clusterDir(ctx.home, found.cluster.name), path.join(ctx.home, 'logs', `${found.cluster.name}-apiserver.log`));
    if (!result.ok) warn(`k3s in ${name} did not come up: ${result.reason}`);
  }
}

async function nodeStopCmd(ctx: SimContext, p: Parsed): Promise<void> {
  if (p.args.length === 0 || p.args[0] === '') fatal('No node name given');
  const name = p.args[0];
  if (isDockerDown(ctx)) fatal(`Failed to get container for node '${name}': ${labelsError(`map[app:k3d]`)}`);
  const found = listClusterStates(ctx.home).flatMap((cluster) => cluster.nodes.map((node) => ({ cluster, node }))).find((f) => f.node.name === name);
  if (!found) fatal(`Failed to get container for node '${name}': Didn't find container for node '${name}'`);
  if (!found.node.running) return;
  await ctx.clock.sleep(found.node.role === 'loadbalancer' ? 0.3 : 1.5).catch((err) => { if (!(err instanceof Interrupted)) throw err; });
  await setNode(ctx, found.cluster.name, name, { running: false, status: 'exited' });
  if (found.node.role === 'server' && name.endsWith('-server-0')) await stopApiserver(clusterDir(ctx.home, found.cluster.name));
}

export const nodeLeaves: Record<string, SimLeaf> = {
  create: {
    use: 'create NAME', short: 'Create a new k3s node in docker',
    flags: [
      { long: 'cluster', short: 'c', kind: 'string', default: 'k3s-default', usage: 'Cluster URL or k3d cluster name to connect to.' },
      { long: 'image', short: 'i', kind: 'string', default: '', usage: 'Specify k3s image used for the node(s) (default: copied from existing node)' },
      { long: 'k3s-arg', kind: 'stringArray', usage: 'Additional args passed to k3d command' },
      { long: 'k3s-node-label', kind: 'stringArray', usage: 'Specify k3s node labels in format "foo=bar"' },
      { long: 'memory', kind: 'string', default: '', usage: 'Memory limit imposed on the node [From docker]' },
      { long: 'network', short: 'n', kind: 'stringArray', usage: 'Add node to (another) runtime network' },
      { long: 'replicas', kind: 'int', default: 1, usage: 'Number of replicas of this node specification.' },
      { long: 'role', kind: 'string', default: 'agent', usage: 'Specify node role [server, agent]' },
      { long: 'runtime-label', kind: 'stringArray', usage: 'Specify container runtime labels in format "foo=bar"' },
      { long: 'runtime-ulimit', kind: 'stringArray', usage: 'Specify container runtime ulimit in format "ulimit=soft:hard"' },
      { long: 'timeout', kind: 'duration', default: '0s', usage: "Maximum waiting time for '--wait' before canceling/returning." },
      { long: 'token', short: 't', kind: 'string', default: '', usage: 'Override cluster token (required when connecting to an external cluster)' },
      { long: 'wait', kind: 'bool', default: true, usage: 'Wait for the node(s) to be ready before returning.' },
    ],
    run: nodeCreateCmd,
  },
  delete: {
    use: 'delete (NAME | --all)', short: 'Delete node(s).', aliases: ['del', 'rm'],
    flags: [
      { long: 'all', short: 'a', kind: 'bool', default: false, usage: 'Delete all existing nodes' },
      { long: 'registries', short: 'r', kind: 'bool', default: false, usage: 'Also delete registries' },
    ],
    run: nodeDeleteCmd,
  },
  start: { use: 'start NODE', short: 'Start an existing k3d node', flags: [], run: nodeStartCmd },
  stop: { use: 'stop NAME', short: 'Stop an existing k3d node', flags: [], run: nodeStopCmd },
};
