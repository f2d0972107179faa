// Which folder `docker build` gets: the Dockerfile "next to the manifest's folder" (the course
// keeps app1/Dockerfile beside app1/manifests/deployment.yaml), or a configured folder.
import * as path from 'node:path';

export interface BuildContext {
  readonly contextDir: string;
  readonly dockerfile: string;
}

export type BuildContextResult =
  | ({ readonly ok: true } & BuildContext)
  | { readonly ok: false; readonly reason: string; readonly searched: readonly string[] };

export interface FindBuildContextInput {
  /** The manifest's file path. */
  readonly manifestPath: string;
  /** The workspace folder holding the manifest: the search stops there. */
  readonly workspaceRoot?: string;
  /** `k3d.build.contextPath`: a folder (or a Dockerfile), absolute or relative to the workspace folder. */
  readonly configured?: string;
  readonly isFile: (file: string) => Promise<boolean>;
}

const DOCKERFILES = ['Dockerfile', 'dockerfile', 'Containerfile'];

export async function findBuildContext(input: FindBuildContextInput): Promise<BuildContextResult> {
  const configured = input.configured?.trim();
  if (configured) {
    const base = input.workspaceRoot ?? path.dirname(input.manifestPath);
    const target = path.resolve(base, configured);
    if (/(^|[\\/])(Dockerfile|Containerfile)[^\\/]*$/i.test(target) && (await input.isFile(target))) {
      return { ok: true, contextDir: path.dirname(target), dockerfile: target };
    }
    for (const name of DOCKERFILES) {
      const file = path.join(target, name);
      if (await input.isFile(file)) return { ok: true, contextDir: target, dockerfile: file };
    }
    return { ok: false, reason: `There is no Dockerfile in ${target} (the setting k3d.build.contextPath).`, searched: [target] };
  }
  const searched: string[] = [];
  const root = input.workspaceRoot ? path.resolve(input.workspaceRoot) : undefined;
  let dir = path.dirname(path.resolve(input.manifestPath));
  // Outside a workspace folder: the manifest's folder and its parent only.
  const maxLevels = root && isInside(dir, root) ? Number.POSITIVE_INFINITY : 2;
  for (let level = 0; level < maxLevels; level++) {
    searched.push(dir);
    for (const name of DOCKERFILES) {
      const file = path.join(dir, name);
      if (await input.isFile(file)) return { ok: true, contextDir: dir, dockerfile: file };
    }
    const parent = path.dirname(dir);
    if (parent === dir || (root !== undefined && dir === root)) break;
    dir = parent;
  }
  return {
    ok: false,
    reason: `No Dockerfile found in ${searched.map((d) => (root ? path.relative(root, d) || '.' : d)).join(', ')}. Put one next to the manifests folder, or set k3d.build.contextPath.`,
    searched,
  };
}

/** Files of the build context among `files` (editors with unsaved changes, say): what `docker build` sends. */
export function filesInContext(files: readonly string[], contextDir: string): string[] {
  return files.filter((f) => path.resolve(f) !== path.resolve(contextDir) && isInside(path.resolve(f), path.resolve(contextDir)));
}

function isInside(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
