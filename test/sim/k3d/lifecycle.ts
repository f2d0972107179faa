// `k3d cluster start|stop|delete` (cmd/cluster/clusterStart.go, clusterStop.go, clusterDelete.go).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeadlineExceeded, Interrupted } from './clock.ts';
import { clusterGet, clusterGetOrFatal, clusterList, isDockerDown, NoNodesFound, setNode } from './context.ts';
import type { SimContext } from './context.ts';
import { loadConfigFile, roleNames, StartFailure, startNodes } from './create.ts';
import { parseDuration } from './flags.ts';
import type { Parsed } from './flags.ts';
import { defaultKubeconfigPath, k3dConfigDir, removeClusterFromFile } from './kubeconfig.ts';
import { fatal, info, warn } from './log.ts';
import { stopApiserver } from './apiserverProcess.ts';
import { clusterDir, updateCluster, withLock } from './state.ts';
import type { ClusterState } from './state.ts';
import { TOOLS_IMAGE } from './view.ts';
import { imageId } from './create.ts';
import { randomHex } from './state.ts';
import { ownedRegistries } from './create.ts';
import { deleteRegistry, listRegistries, registryRunning, RegistryStartError, startRegistry, stopRegistry } from './registry.ts';
import { removeClusterContainers } from '../apiserver/runtime/docker.ts';

/** The API server removes its pods' containers when it stops; this catches any it could not (killed, engine busy). */
async function removePodContainers(ctx: SimContext, cluster: string): Promise<void> {
  if (isDockerDown(ctx)) return;
  try {
    await removeClusterContainers(cluster, ctx.env);
  } catch {
    // the engine went away meanwhile: nothing to remove there
  }
}

function selectClusters(ctx: SimContext, p: Parsed): ClusterState[] {
  if (p.values.get('all') === true) return clusterList(ctx);
  const names = p.args.length ? p.args : ['k3s-default'];
  return names.map((n) => clusterGetOrFatal(ctx, n));
}

/** The transient k3d-tools node GatherEnvironmentInfo runs. */
export async function withToolsNode(ctx: SimContext, cluster: ClusterState, work: () => Promise<void>): Promise<void> {
  const toolsName = `k3d-${cluster.name}-tools`;
  info('Starting new tools node...');
  await updateCluster(ctx.home, cluster.name, (s) => {
    if (s.helperNodes.some((n) => n.name === toolsName)) return;
    s.helperNodes.push({
      name: toolsName, role: 'noRole', running: false, status: 'created', id: randomHex(32),
      ip: `${s.subnet.split('.').slice(0, 2).join('.')}.0.${250}`, created: new Date().toISOString(), started: '',
      image: imageId(TOOLS_IMAGE), imageName: TOOLS_IMAGE,
    });
  });
  try {
    await ctx.clock.sleep(0.1);
    info(`Starting node '${toolsName}'`);
    await setNode(ctx, cluster.name, toolsName, { running: true, status: 'running' });
    await work();
  } finally {
    await updateCluster(ctx.home, cluster.name, (s) => { s.helperNodes = s.helperNodes.filter((n) => n.name !== toolsName); });
  }
}

export async function clusterStart(ctx: SimContext, p: Parsed): Promise<void> {
  const clusters = selectClusters(ctx, p);
  if (clusters.length === 0) {
    info('No clusters found');
    return;
  }
  let timeout = 0;
  if (p.changed.has('timeout')) timeout = parseDuration(p.values.get('timeout') as string);
  for (const c of clusters) {
    ctx.clock.setTimeout(timeout);
    try {
      info('Using the k3d-tools node to gather environment information');
      await withToolsNode(ctx, c, async () => { await ctx.clock.sleep(0.8); });
      for (const rec of listRegistries(ctx.home).filter((r) => r.cluster === c.name && !registryRunning(r))) {
        info(`Starting node '${rec.name}'`);
        try {
          await startRegistry(ctx.home, rec.name);
        } catch (err) {
          if (err instanceof RegistryStartError) fatal(`Failed to start registry: ${err.message}`);
          throw err;
        }
      }
      await startNodes(ctx, c, roleNames(c));
    } catch (err) {
      if (err instanceof StartFailure) fatal(err.message.replace(/^Failed Cluster Start: /, ''));
      if (err instanceof Interrupted) fatal('context canceled');
      if (err instanceof DeadlineExceeded) fatal('Failed to start server: context deadline exceeded');
      throw err;
    }
    info(`Started cluster '${c.name}'`);
  }
}

export async function clusterStop(ctx: SimContext, p: Parsed): Promise<void> {
  const clusters = selectClusters(ctx, p);
  if (clusters.length === 0) {
    info('No clusters found');
    return;
  }
  for (const c of clusters) {
    info(`Stopping cluster '${c.name}'`);
    const order = [...c.nodes].reverse(); // docker order: newest first
    for (const n of order) {
      try {
        await ctx.clock.sleep(n.running ? (n.role === 'loadbalancer' ? 0.3 : 1.5) : 0.05);
      } catch (err) {
        if (!(err instanceof Interrupted)) throw err; // finish stopping without waiting
      }
      await setNode(ctx, c.name, n.name, { running: false, status: n.status === 'created' ? 'created' : 'exited' });
      if (n.role === 'server' && n.name.endsWith('-server-0')) await stopApiserver(clusterDir(ctx.home, c.name));
    }
    await stopApiserver(clusterDir(ctx.home, c.name));
    await removePodContainers(ctx, c.name);
    // The registry created with the cluster is one of its nodes: it stops too (its images stay).
    for (const rec of listRegistries(ctx.home).filter((r) => r.cluster === c.name)) await stopRegistry(ctx.home, rec.name);
    info(`Stopped cluster '${c.name}'`);
  }
}

export async function deleteClusterData(ctx: SimContext, c: ClusterState): Promise<void> {
  info(`Deleting cluster '${c.name}'`);
  const dir = clusterDir(ctx.home, c.name);
  for (let i = 0; i < c.nodes.length + c.helperNodes.length; i++) {
    try {
      await ctx.clock.sleep(0.3);
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
    }
  }
  await stopApiserver(dir);
  await removePodContainers(ctx, c.name);
  const registries = ownedRegistries(ctx, c.name);
  for (const { rec, users } of registries.shared) {
    info(`Registry ${rec.name} is also connected to other (non-default) networks ([${users.join(' ')}]), not deleting it...`);
  }
  for (const rec of registries.remove) await deleteRegistry(ctx.home, rec.name);
  await withLock(ctx.home, () => fs.rmSync(dir, { recursive: true, force: true }));
  info(`Deleting cluster network '${c.network}'`);
  info('Deleting 1 attached volumes...');
}

export async function clusterDelete(ctx: SimContext, p: Parsed): Promise<void> {
  let clusters: ClusterState[] = [];
  const configFile = String(p.values.get('config') ?? '');
  if (configFile !== '') {
    // cmd/cluster/clusterDelete.go: the file is read and validated as for create (PreRunE), the name comes from it.
    const cfg = loadConfigFile(configFile, ctx.env);
    if (p.args.length > 0 || p.values.get('all') === true) fatal('failed to delete cluster: cannot use `--config` flag with additional arguments or `--all`');
    const name = cfg.metadata?.name ?? '';
    if (name === '') fatal('failed to delete cluster via config file: no name in config file');
    try {
      clusters.push(clusterGet(ctx, name));
    } catch (err) {
      if (!(err instanceof NoNodesFound)) throw err;
      info(`No nodes found for cluster '${name}', nothing to delete.`);
    }
  } else if (p.values.get('all') === true) {
    info('Deleting all clusters...');
    clusters = clusterList(ctx);
  } else {
    const names = p.args.length ? p.args : [ctx.env.K3D_CLUSTER_NAME || 'k3s-default'];
    for (const name of names) {
      try {
        clusters.push(clusterGet(ctx, name));
      } catch (err) {
        if (!(err instanceof NoNodesFound)) throw err;
        info(`No nodes found for cluster '${name}', nothing to delete.`);
      }
    }
  }
  if (clusters.length === 0) {
    info('No clusters found');
    return;
  }
  for (const c of clusters) {
    await deleteClusterData(ctx, c);
    info('Removing cluster details from default kubeconfig...');
    try {
      const file = defaultKubeconfigPath(ctx.env);
      await withLock(ctx.home, () => removeClusterFromFile(file, c.name));
    } catch (err) {
      warn('Failed to remove cluster details from default kubeconfig');
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') warn(`failed to get default kubeconfig file: open ${e.path}: no such file or directory`);
      else if (e.message.startsWith('multiple kubeconfigs')) warn(`failed to get default kubeconfig path: ${e.message}`);
      else warn(`failed to get default kubeconfig file: ${e.message}`);
    }
    info('Removing standalone kubeconfig file (if there is one)...');
    try {
      fs.rmSync(path.join(k3dConfigDir(ctx.env), `kubeconfig-${c.name}.yaml`), { force: true });
    } catch (err) {
      warn(`Failed to delete kubeconfig file: ${(err as Error).message}`);
    }
    info(`Successfully deleted cluster ${c.name}!`);
  }
}
