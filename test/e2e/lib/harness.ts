// A small scenario runner: scenarios run one after another in the session (code-server + browser
// page) of their fixture, each with a timeout, screenshots at key moments, and on failure a
// screenshot plus the extension host's logs. Ends with the line `N passed, N failed`.
import type { Page } from 'playwright-core';
import type { SimulatedK3d } from '../../../scripts/lib/k3dEnv.ts';
import type { Workbench } from './workbench.ts';

/** 'dockerDown': the simulated cluster exists, but code-server (and so the extension, docker and k3d) sees a dead DOCKER_HOST. */
/** 'learner': the simulated k3d and Docker, but no cluster yet (a learner's first day); a session of its own, so what it does touches no other scenario. */
export type FixtureName = 'simulated' | 'noK3d' | 'dockerDown' | 'learner';

export interface ScenarioContext {
  wb: Workbench;
  page: Page;
  /** The simulated k3d of the 'simulated' fixture (for setting up preconditions, never for assertions of UI state). */
  sim: SimulatedK3d | undefined;
  /** The folder code-server opened: the course's sample workspace with manifests/deployment.yaml. */
  workspace: string;
  /**
   * Saves test-results/e2e/<NN-scenario>/<NN>-<moment>.png; with `stableName`, also
   * test-results/e2e/<stableName>.png, a path that does not depend on scenario order (README).
   */
  shot(moment: string, stableName?: string): Promise<string>;
  /** Logs a step; the last steps are printed when the scenario fails. */
  step(text: string): void;
}

export interface Scenario {
  name: string;
  fixture: FixtureName;
  timeoutMs?: number;
  run(ctx: ScenarioContext): Promise<void>;
}

export const scenarios: Scenario[] = [];

export function scenario(name: string, fixture: FixtureName, run: (ctx: ScenarioContext) => Promise<void>, timeoutMs?: number): void {
  scenarios.push({ name, fixture, run, timeoutMs });
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80).replace(/-$/, '');
}

export class AssertionError extends Error {}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
