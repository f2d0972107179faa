// What other features use of Apply: returned by register() and handed to them in extension.ts.
import type * as vscode from 'vscode';
import type { ApplySummary } from './applyManifests.ts';
import type { RolloutOutcome } from './rollout.ts';

export type { ApplySummary, RolloutOutcome };

export interface ApplyApi {
  /**
   * `kubectl apply -f FILE` on the saved file, with Apply's checks, questions and messages;
   * `follow: false` leaves the rollout to the caller (a loop that times it as its own phase).
   */
  applyDocument(uri: vscode.Uri, options?: { follow?: boolean }): Promise<ApplySummary | undefined>;
  /** `kubectl rollout status` as a notification, with the pod's reason and its fixes when it fails. */
  followRollout(context: string, namespace: string, name: string): Promise<RolloutOutcome>;
}
