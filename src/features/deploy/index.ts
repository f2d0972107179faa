// Deploy on Save: opt-in per image (k3d: Toggle Deploy on Save on its image: line) and by the setting
// k3d.deployOnSave.enabled. At activation only the toggle's thunk: the watches (watches.ts) are the lazy part
// dist/deployOnSave.js, started at the toggle's first run, or at once when an earlier session turned images on.
import { loadPart } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import type { DeployDeps } from './watches.ts';

export type { DeployDeps };

const STATE_KEY = 'k3dDeploy.deployOnSave.targets';

export function register(ctx: Ctx, deps: DeployDeps): void {
  let started: Promise<{ toggle(arg?: unknown): Promise<void> }> | undefined;
  const start = () =>
    (started ??= loadPart<typeof import('./watches.ts')>('deployOnSave.js', () => import('./watches.ts')).then(
      (part) => part.startDeployOnSave(ctx, deps, STATE_KEY),
      (e: unknown) => {
        started = undefined;
        throw e;
      },
    ));
  ctx.registerCommand('toggleDeployOnSave', async (arg?: unknown) => (await start()).toggle(arg));
  // Images turned on in an earlier session: watch them again (cheap: no parse until a change).
  if (ctx.extension.workspaceState.get<unknown[]>(STATE_KEY, []).length > 0) {
    void start().catch((e: unknown) => ctx.log.error(`Deploy on Save: ${e instanceof Error ? e.message : String(e)}`));
  }
}
