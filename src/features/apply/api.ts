// What other features use of Apply: returned by register() and handed to them in extension.ts.
import type * as vscode from 'vscode';
import type { ApplySummary } from './applyManifests.ts';
import type { RolloutOutcome, RolloutTarget } from './rollout.ts';

export type { ApplySummary, RolloutOutcome, RolloutTarget };

export interface ApplyApi {
  /**
   * `kubectl apply -f FILE` on the saved file, with Apply's checks, questions and messages;
   * `follow: false` leaves the rollout to the caller (a loop that times it as its own phase).
   */
  applyDocument(uri: vscode.Uri, options?: { follow?: boolean }): Promise<ApplySummary | undefined>;
  /**
   * `kubectl rollout status` for the deployments one apply changed, as one notification, with a failing pod's
   * reason and its fixes; their outcomes, in order.
   */
  followRollouts(context: string, targets: readonly RolloutTarget[]): Promise<RolloutOutcome[]>;
}
