// Starts every controller of the simulated cluster and returns what the server needs from them.
import type { Api } from '../rest.ts';
import type { ClusterFile } from '../cluster.ts';
import { Recorder } from '../events.ts';
import { Kubelet } from '../kubelet.ts';
import { LogStore, logHandler } from '../logs.ts';
import type { LogHandler } from '../server.ts';
import { syncNodes } from '../bootstrap.ts';
import { DeploymentController } from './deployment.ts';
import { ReplicaSetController } from './replicaset.ts';
import { DaemonSetController } from './daemonset.ts';
import { GarbageCollector } from './gc.ts';
import { Scheduler } from './scheduler.ts';
import { EndpointsController } from './endpoints.ts';

export interface Controllers { logs: LogHandler; logStore: LogStore; stop: () => void; /** After stop: real containers still being started are removed too. */ drained: () => Promise<void> }

export function startControllers(api: Api, cluster: ClusterFile): Controllers {
  const recorder = new Recorder(api);
  const logStore = new LogStore();
  const gc = new GarbageCollector(api);
  const deployments = new DeploymentController(api, recorder);
  const replicasets = new ReplicaSetController(api, recorder);
  const daemonsets = new DaemonSetController(api, recorder);
  const scheduler = new Scheduler(api, recorder);
  const endpoints = new EndpointsController(api);
  const kubelet = new Kubelet(api, cluster, recorder, logStore);
  // cluster.json may change while we run (k3d node stop/start, image import).
  const nodeSync = setInterval(() => {
    try {
      syncNodes(api, cluster);
    } catch (e) {
      console.error('node sync failed', (e as Error).message);
    }
  }, 200);
  return {
    logs: logHandler(logStore),
    logStore,
    stop: () => {
      clearInterval(nodeSync);
      for (const q of [gc.queue, deployments.queue, replicasets.queue, daemonsets.queue, scheduler.queue, endpoints.queue]) q.stop();
      kubelet.stop();
    },
    drained: () => kubelet.drained(),
  };
}
