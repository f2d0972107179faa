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
import { describeReadError, describeWrongType, describeYamlError } from './redact.ts';

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
        problems.push({ file, message: describeReadError(e) });
      }
      continue;
    }
    // Messages name lines and fields, never quote the file: it holds keys and tokens (redact.ts).
    const parsed = await parseKubeconfig(text);
    if ('problem' in parsed) {
      problems.push({ file, message: parsed.problem });
      continue;
    }
    const config = parsed.config;
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
    const unread = view.problems.map((p) => ` ${p.file} was not read: ${p.message}.`).join('');
    throw new KubeconfigError(`There is no context named '${name}' in ${paths.join(', ')}.${unread}`);
  }
  const file = await destinationFile(paths);
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const { parseDocument, isMap } = await loadYaml();
  const source = text === '' ? 'apiVersion: v1\nkind: Config\n' : text;
  const doc = parseDocument(source);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    const why = doc.errors.length > 0 ? describeYamlError(doc.errors[0], source) : 'not a YAML mapping';
    throw new KubeconfigError(`${file} is not a valid kubeconfig (${why}). It was left unchanged.`);
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

type KubeconfigData = { contexts?: NamedEntry[]; clusters?: NamedEntry[]; 'current-context'?: unknown };

/** The entries' fields that kubectl types as strings (a number or a list there makes kubectl refuse the file). */
const STRING_FIELDS: Record<'clusters' | 'users' | 'contexts', readonly string[]> = {
  clusters: ['server', 'tls-server-name', 'certificate-authority', 'certificate-authority-data', 'proxy-url'],
  users: ['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'tokenFile', 'as', 'as-uid', 'username', 'password'],
  contexts: ['cluster', 'user', 'namespace'],
};
const ENTRY_FIELD = { clusters: 'cluster', users: 'user', contexts: 'context' } as const;

/**
 * Parses one kubeconfig file as kubectl would accept it: a YAML mapping whose lists and string
 * fields have the right types (kubectl refuses the file otherwise, and so does this).
 */
export async function parseKubeconfig(text: string): Promise<{ config: KubeconfigData } | { problem: string }> {
  const { parseDocument, LineCounter, isMap, isSeq, isScalar, isAlias } = await loadYaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    return { problem: describeYamlError(doc.errors[0], text) };
  }
  const root = doc.contents;
  if (root === null) {
    return { config: {} }; // an empty file: kubectl reads it as an empty config
  }
  if (!isMap(root)) {
    return { problem: 'not a kubeconfig (expected a YAML mapping of apiVersion, clusters, contexts, users...)' };
  }
  type Node = (typeof root.items)[number]['value'];
  const line = (node: Node): number | undefined => (node?.range ? lineCounter.linePos(node.range[0]).line : undefined);
  // An alias counts as what its anchor holds (kubectl resolves them too).
  const deref = (node: Node): Node => (isAlias(node) ? ((node.resolve(doc) as Node | undefined) ?? node) : node);
  const isString = (node: Node): boolean => {
    const n = deref(node);
    return n === null || (isScalar(n) && (n.value === null || typeof n.value === 'string'));
  };
  const kindOf = (node: Node): string => {
    const n = deref(node);
    return isSeq(n) ? 'a list' : isMap(n) ? 'a mapping' : isScalar(n) ? `a ${typeof n.value}` : isAlias(n) ? 'an alias (*name) to no anchor' : 'something else';
  };
  for (const top of root.items) {
    const key = isScalar(top.key) ? top.key.value : undefined;
    if (key === 'current-context' && !isString(top.value)) {
      return { problem: describeWrongType('current-context', `a string, not ${kindOf(top.value)}`, line(top.value)) };
    }
    if (key !== 'clusters' && key !== 'users' && key !== 'contexts') {
      continue;
    }
    const list = deref(top.value);
    if (list === null || (isScalar(list) && list.value === null)) {
      continue;
    }
    if (!isSeq(list)) {
      return { problem: describeWrongType(key, `a list, not ${kindOf(list)}`, line(top.value)) };
    }
    for (const [i, listed] of list.items.entries()) {
      const item = deref(listed as Node);
      const at = `${key}[${i}]`;
      if (!isMap(item)) {
        return { problem: describeWrongType(at, `a mapping with name and ${ENTRY_FIELD[key]}`, line(listed as Node)) };
      }
      const name = item.get('name', true) as Node;
      if (!isString(name)) {
        return { problem: describeWrongType(`${at}.name`, `a string, not ${kindOf(name)}`, line(name)) };
      }
      const entryName = isScalar(name) && typeof name.value === 'string' ? ` ('${name.value}')` : '';
      const body = deref(item.get(ENTRY_FIELD[key], true) as Node);
      if (body === undefined || body === null || (isScalar(body) && body.value === null)) {
        continue;
      }
      if (!isMap(body)) {
        return { problem: describeWrongType(`${at}${entryName}.${ENTRY_FIELD[key]}`, `a mapping, not ${kindOf(body)}`, line(body)) };
      }
      for (const field of STRING_FIELDS[key]) {
        const value = body.get(field, true) as Node;
        if (value !== undefined && !isString(value)) {
          return { problem: describeWrongType(`${at}${entryName}.${ENTRY_FIELD[key]}.${field}`, `a string, not ${kindOf(value)}`, line(value)) };
        }
      }
    }
  }
  try {
    return { config: (doc.toJS() ?? {}) as KubeconfigData };
  } catch {
    return { problem: 'the YAML cannot be read as data (too many aliases?)' };
  }
}

function asArray(value: unknown): NamedEntry[] {
  return Array.isArray(value) ? value.filter((v): v is NamedEntry => typeof v === 'object' && v !== null) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
