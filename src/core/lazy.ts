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
