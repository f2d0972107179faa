// Reading and switching kubeconfig contexts with kubectl's rules, without client-node:
// the clusters view needs only names and servers, and must not pay for loading client-node.
//
// kubectl's rules (client-go clientcmd): KUBECONFIG lists files; when merging, the first file
// that sets a map entry or current-context wins. `use-context` writes to the first listed
// file that exists (the only one, when there is one; the last one when none exists).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadYaml } from '../lazy.ts';

// `yaml` is imported when first needed, not when the extension loads (activation stays fast).

export interface KubeContext {
  name: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  /** The API server URL of the context's cluster. */
  server?: string;
  /** The file that defines this context. */
  file: string;
}

export interface KubeconfigView {
  /** The files KUBECONFIG (or the default) names, in order, existing or not. */
  paths: string[];
  contexts: KubeContext[];
  currentContext?: string;
  /** Files that exist but could not be read or parsed. */
  problems: Array<{ file: string; message: string }>;
}

export function kubeconfigPaths(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string[] {
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter((p) => p.trim() !== '');
  const paths = list.length > 0 ? list : [path.join(home, '.kube', 'config')];
  return [...new Set(paths.map((p) => path.resolve(p)))];
}

interface NamedEntry {
  name?: unknown;
  context?: { cluster?: unknown; user?: unknown; namespace?: unknown };
  cluster?: { server?: unknown };
}

export async function readKubeconfig(paths: string[]): Promise<KubeconfigView> {
  const contexts = new Map<string, KubeContext>();
  const servers = new Map<string, string>();
  const problems: KubeconfigView['problems'] = [];
  let currentContext: string | undefined;

  for (const file of paths) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        problems.push({ file, message: (e as Error).message });
      }
      continue;
    }
    const { parseDocument } = await loadYaml();
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
      problems.push({ file, message: doc.errors[0].message });
      continue;
    }
    const config = (doc.toJS() ?? {}) as { contexts?: NamedEntry[]; clusters?: NamedEntry[]; 'current-context'?: unknown };
    if (typeof config !== 'object') {
      problems.push({ file, message: 'not a kubeconfig (expected a YAML mapping)' });
      continue;
    }
    for (const c of asArray(config.clusters)) {
      if (typeof c.name === 'string' && !servers.has(c.name) && typeof c.cluster?.server === 'string') {
        servers.set(c.name, c.cluster.server);
      }
    }
    for (const c of asArray(config.contexts)) {
      if (typeof c.name === 'string' && !contexts.has(c.name)) {
        contexts.set(c.name, {
          name: c.name,
          cluster: str(c.context?.cluster),
          user: str(c.context?.user),
          namespace: str(c.context?.namespace),
          file,
        });
      }
    }
    const current = config['current-context'];
    if (currentContext === undefined && typeof current === 'string' && current !== '') {
      currentContext = current;
    }
  }
  for (const context of contexts.values()) {
    context.server = context.cluster ? servers.get(context.cluster) : undefined;
  }
  return {
    paths,
    contexts: [...contexts.values()].sort((a, b) => a.name.localeCompare(b.name)),
    currentContext,
    problems,
  };
}

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

/** `kubectl config use-context NAME`: sets current-context, keeping the file's comments and layout. */
export async function useContext(paths: string[], name: string): Promise<string> {
  const view = await readKubeconfig(paths);
  if (!view.contexts.some((c) => c.name === name)) {
    throw new KubeconfigError(`There is no context named '${name}' in ${paths.join(', ')}.`);
  }
  const file = await destinationFile(paths);
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const { parseDocument, isMap } = await loadYaml();
  const doc = parseDocument(text === '' ? 'apiVersion: v1\nkind: Config\n' : text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new KubeconfigError(`${file} is not a valid kubeconfig: ${doc.errors[0]?.message ?? 'not a YAML mapping'}. It was left unchanged.`);
  }
  doc.set('current-context', name);
  await writeFileAtomic(file, doc.toString());
  return file;
}

async function destinationFile(paths: string[]): Promise<string> {
  if (paths.length === 1) {
    return paths[0];
  }
  for (const file of paths) {
    if (await fs.stat(file).then(() => true, () => false)) {
      return file;
    }
  }
  return paths[paths.length - 1];
}

/** Writes via a temporary file and rename, so a crash never leaves a half-written kubeconfig. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const mode = await fs.stat(file).then((s) => s.mode & 0o777, () => 0o600);
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.writeFile(temp, content, { mode });
    await fs.rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
}

function asArray(value: unknown): NamedEntry[] {
  return Array.isArray(value) ? value.filter((v): v is NamedEntry => typeof v === 'object' && v !== null) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
