// Parts of the extension that load when first needed, not at activation. Run from source
// (tests, the simulator) they are plain dynamic imports; in the bundle, scripts/esbuild.mjs
// builds each into its own file in dist/, and they are required from there.
declare const K3D_DEPLOY_BUNDLE: boolean | undefined;

const bundled = typeof K3D_DEPLOY_BUNDLE !== 'undefined' && K3D_DEPLOY_BUNDLE;

export function loadPart<T>(file: string, fromSource: () => Promise<T>): Promise<T> {
  return bundled ? Promise.resolve().then(() => require(`${__dirname}/${file}`) as T) : fromSource();
}

export const loadYaml = (): Promise<typeof import('yaml')> => loadPart('yaml.js', () => import('yaml'));

export const loadManifestCore = (): Promise<typeof import('./manifests/api.ts')> => loadPart('manifests.js', () => import('./manifests/api.ts'));

/** k3d config files: schema validation, key completion, the model compared with a cluster (dist/k3dConfig.js). */
export const loadK3dConfigCore = (): Promise<typeof import('./k3d/configSchema.ts')> => loadPart('k3dConfig.js', () => import('./k3d/configSchema.ts'));

type Handler = (...args: any[]) => unknown;

/**
 * The handlers of a part's commands, for registering at activation: `command('name')` is a handler that loads the
 * part (once; a failed load is retried by the next call) and runs its `name`. `load` returns the part's table of
 * handlers (built once, with what the feature hands it).
 */
export function lazyCommands<T extends { readonly [K in keyof T]: Handler }>(load: () => Promise<T>): <K extends keyof T>(name: K) => (...args: Parameters<T[K]>) => Promise<Awaited<ReturnType<T[K]>>> {
  let table: Promise<T> | undefined;
  return <K extends keyof T>(name: K) =>
    async (...args: Parameters<T[K]>): Promise<Awaited<ReturnType<T[K]>>> => {
      table ??= load().catch((e: unknown) => {
        table = undefined;
        throw e;
      });
      return (await (await table)[name](...args)) as Awaited<ReturnType<T[K]>>;
    };
}
