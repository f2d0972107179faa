// Rollout History… on a deployment: its revisions, Roll Back to This Revision (as `kubectl rollout
// undo --to-revision`), then the offer to write the rolled-back image into the manifest. Registration
// is one command; the rest loads on first use (the lazy part dist/rollback.js).
import { loadPart } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';

const loadHistory = (): Promise<typeof import('./history.ts')> => loadPart('rollback.js', () => import('./history.ts'));

export function register(ctx: Ctx): void {
  ctx.registerCommand('rolloutHistory', async (node?: unknown) => (await loadHistory()).rolloutHistory(ctx, node));
}
