// The world the integration suites expect, shared by the code-server and the Electron runners:
// the simulated k3d (instant) with cluster k3s-default (1 server, 2 agents), and a workspace.
import * as path from 'node:path';
import { k3dOk, simulatedK3d } from '../../../scripts/lib/k3dEnv.ts';
import type { SimulatedK3d } from '../../../scripts/lib/k3dEnv.ts';
import { ensureSampleWorkspace } from '../../../scripts/lib/workspace.ts';

export interface World {
  sim: SimulatedK3d;
  workspace: string;
}

export async function createWorld(dir: string): Promise<World> {
  const sim = simulatedK3d(path.join(dir, 'k3d-state'), { speed: 0 });
  await k3dOk(sim, ['cluster', 'create', 'k3s-default', '-a', '2']);
  return { sim, workspace: ensureSampleWorkspace(path.join(dir, 'workspace')) };
}
