// Rollout History… on a deployment: its revisions, Roll Back to This Revision (as `kubectl rollout
// undo --to-revision`), then the offer to write the rolled-back image into the manifest. Registration
// is one command; the rest loads on first use.
import type { Ctx } from '../../ctx.ts';

export function register(ctx: Ctx): void {
  ctx.registerCommand('rolloutHistory', async (node?: unknown) => (await import('./history.ts')).rolloutHistory(ctx, node));
}
