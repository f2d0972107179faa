// What every simulated command needs: where state lives, the clock, and the shared k3d behaviours
// (ClusterGet, "Docker is down", node start/stop bookkeeping).

import * as fs from 'node:fs';
import { Clock } from './clock.ts';
import { error, fatal } from './log.ts';
import {
  clusterDir, collectAbandoned, dockerDown, dockerHost, listClusterStates, readCluster, updateCluster,
} from './state.ts';
import type { ClusterState } from './state.ts';

export interface SimContext {
  env: NodeJS.ProcessEnv;
  home: string;
  clock: Clock;
}

/** The docker client's words, naming the host it tried (this process's DOCKER_HOST, as k3d's client would). */
export const DOCKER_DOWN = `Cannot connect to the Docker daemon at ${dockerHost(process.env)}. Is the docker daemon running?`;

export function isDockerDown(ctx: SimContext): boolean {
  return dockerDown(ctx.env, ctx.home);
}

export function labelsError(labels: string): string {
  return `docker failed to get containers with labels '${labels}': failed to list containers: ${DOCKER_DOWN}`;
}

/** ClusterList: every cluster with at least one server/agent/loadbalancer container. */
export function clusterList(ctx: SimContext): ClusterState[] {
  if (isDockerDown(ctx)) fatal(`runtime failed to list nodes: ${labelsError('map[app:k3d]')}`);
  collectAbandoned(ctx.home);
  return listClusterStates(ctx.home).filter((c) => c.nodes.length > 0);
}

export class NoNodesFound extends Error {
  constructor() {
    super('No nodes found for given cluster');
  }
}

/** ClusterGet: the cluster's containers by label; logs ERRO when Docker is down, as k3d does. */
export function clusterGet(ctx: SimContext, name: string): ClusterState {
  if (isDockerDown(ctx)) {
    error(`Failed to get nodes for cluster '${name}': ${labelsError(`map[k3d.cluster:${name}]`)}`);
    throw new NoNodesFound();
  }
  collectAbandoned(ctx.home);
  const state = readCluster(ctx.home, name);
  if (!state || state.nodes.length + state.helperNodes.length === 0) throw new NoNodesFound();
  return state;
}

/** ClusterGet, or FATA with k3d's message. */
export function clusterGetOrFatal(ctx: SimContext, name: string, prefix = ''): ClusterState {
  try {
    return clusterGet(ctx, name);
  } catch (err) {
    if (err instanceof NoNodesFound) fatal(prefix + err.message);
    throw err;
  }
}

export function dirOf(ctx: SimContext, name: string): string {
  return clusterDir(ctx.home, name);
}

export async function setNode(
  ctx: SimContext,
  cluster: string,
  node: string,
  change: { running: boolean; status: 'created' | 'running' | 'exited' },
): Promise<void> {
  await updateCluster(ctx.home, cluster, (s) => {
    const n = s.nodes.find((x) => x.name === node) ?? s.helperNodes.find((x) => x.name === node);
    if (!n) return;
    n.running = change.running;
    n.status = change.status;
    if (change.running) n.started = new Date().toISOString();
  });
}

export function clusterExistsOnDisk(ctx: SimContext, name: string): boolean {
  return fs.existsSync(dirOf(ctx, name));
}
