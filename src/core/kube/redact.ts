// Kubeconfig secrets never reach a message, the log or an editor unasked. A kubeconfig holds
// keys, certificates, tokens and passwords; the text of a parse error (a YAML code frame) or of
// a Node error (`Received type number (…)`, `"Bearer …" is an invalid header value`) would copy
// them out. Errors about a kubeconfig are therefore built here from positions and field names
// only, and what is shown of a kubeconfig is masked as `kubectl config view` masks it.
import { loadYaml } from '../lazy.ts';

/** kubectl config view shows these ([]byte fields) as DATA+OMITTED. */
export const OMITTED_DATA_FIELDS: ReadonlySet<string> = new Set(['certificate-authority-data', 'client-certificate-data', 'client-key-data']);
/** kubectl config view shows these as REDACTED. */
export const REDACTED_FIELDS: ReadonlySet<string> = new Set(['token', 'password']);
/**
 * An auth-provider's (oidc, gcp, azure) tokens and client secret: kubectl prints them, but they
 * are credentials as much as `token` is, so they are REDACTED too.
 */
export const AUTH_PROVIDER_SECRET_FIELDS: ReadonlySet<string> = new Set(['id-token', 'refresh-token', 'access-token', 'client-secret']);

export const DATA_OMITTED = 'DATA+OMITTED';
export const REDACTED = 'REDACTED';

/** Names a YAML error may mention: a kubeconfig's own field names, nothing the user wrote. */
const KUBECONFIG_FIELDS: ReadonlySet<string> = new Set([
  'apiVersion', 'kind', 'preferences', 'clusters', 'cluster', 'contexts', 'context', 'users', 'user', 'name',
  'current-context', 'server', 'namespace', 'extensions', 'extension', 'insecure-skip-tls-verify', 'tls-server-name',
  'certificate-authority', 'client-certificate', 'client-key', 'tokenFile', 'username', 'as', 'as-uid', 'as-groups',
  'as-user-extra', 'auth-provider', 'config', 'exec', 'command', 'args', 'env', 'value', 'proxy-url',
  'disable-compression', 'installHint', 'provideClusterInfo', 'interactiveMode',
  ...OMITTED_DATA_FIELDS, ...REDACTED_FIELDS, ...AUTH_PROVIDER_SECRET_FIELDS,
]);

/**
 * What each `yaml` error code means, in words that quote nothing from the file: several of the
 * library's own messages interpolate the source (`Unresolved tag: !…`, `Invalid escape sequence …`),
 * and all of them end in a code frame of the offending line.
 */
const YAML_PROBLEMS: Record<string, string> = {
  ALIAS_PROPS: 'an alias (*name) cannot have an anchor or a tag',
  BAD_ALIAS: 'an alias (*name) refers to no anchor, or stands where an alias is not allowed',
  BAD_COLLECTION_TYPE: 'a tag does not fit the collection it is on',
  BAD_DIRECTIVE: 'a % directive is not valid',
  BAD_DQ_ESCAPE: 'a double-quoted value has an invalid escape sequence',
  BAD_INDENT: 'the indentation is wrong',
  BAD_PROP_ORDER: 'an anchor or a tag is in the wrong place',
  BAD_SCALAR_START: 'a value starts with a character that is not allowed there (quote the value)',
  BLOCK_AS_IMPLICIT_KEY: 'a value holds ": " (a second key on the line); quote the value, or fix the line',
  BLOCK_IN_FLOW: 'a block collection is inside a flow collection ([...] or {...})',
  DUPLICATE_KEY: 'a key appears twice in the same mapping',
  IMPOSSIBLE: 'the YAML cannot be parsed',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
  MISSING_CHAR: 'a character is missing (a closing quote or bracket, a comma, or a space after a colon)',
  MULTILINE_IMPLICIT_KEY: 'a key runs over several lines (an unclosed quote or bracket?)',
  MULTIPLE_ANCHORS: 'a node has more than one anchor',
  MULTIPLE_DOCS: 'the file holds more than one YAML document',
  MULTIPLE_TAGS: 'a node has more than one tag',
  NON_STRING_KEY: 'a key is not a string',
  TAB_AS_INDENT: 'a tab is used for indentation (YAML indents with spaces)',
  TAG_RESOLVE_FAILED: 'a tag (!name) cannot be resolved',
  UNEXPECTED_TOKEN: 'there is unexpected text',
};

interface YamlErrorLike {
  code?: string;
  linePos?: [{ line: number; col: number }, ...unknown[]];
}

/**
 * A YAML error in a kubeconfig, told by position and meaning: `line 11, column 22 (in
 * client-key-data): a value holds ": "…`. Never the file's text.
 */
export function describeYamlError(error: YamlErrorLike, text: string): string {
  const what = (error.code && YAML_PROBLEMS[error.code]) ?? 'the YAML cannot be parsed';
  const pos = error.linePos?.[0];
  if (!pos) {
    return what;
  }
  const field = fieldOnLine(text, pos.line);
  return `line ${pos.line}, column ${pos.col}${field ? ` (in ${field})` : ''}: ${what}`;
}

/** The kubeconfig field a line sets, when it is one a kubeconfig knows (so naming it quotes no secret). */
function fieldOnLine(text: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line && start !== -1; i++) {
    start = text.indexOf('\n', start);
    start = start === -1 ? -1 : start + 1;
  }
  if (start === -1) {
    return undefined;
  }
  const end = text.indexOf('\n', start);
  const key = text.slice(start, end === -1 ? undefined : end).match(/^\s*(?:-\s+)?["']?([A-Za-z][\w-]*)["']?\s*:/)?.[1];
  return key && KUBECONFIG_FIELDS.has(key) ? key : undefined;
}

/** Why a kubeconfig file could not be read, from the error's code (Node's messages are safe, but short is clearer). */
export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'EISDIR':
      return 'is a folder, not a file';
    default:
      return `cannot be read${code ? ` (${code})` : ''}`;
  }
}

/** A type check of a kubeconfig's structure, by path and line: what kubectl would refuse, without the values. */
export function describeWrongType(where: string, expected: string, line?: number): string {
  return `${line ? `line ${line}: ` : ''}${where} should be ${expected}`;
}

/** The credential fields client-node reads, as it names them on its User and Cluster objects. */
interface UserLike {
  name?: unknown;
  certData?: unknown;
  certFile?: unknown;
  keyData?: unknown;
  keyFile?: unknown;
  token?: unknown;
  username?: unknown;
  password?: unknown;
}
interface ClusterLike {
  name?: unknown;
  caData?: unknown;
  caFile?: unknown;
  server?: unknown;
}

/**
 * Whether client-node can use a context's credentials without a Node error that quotes them
 * (`Buffer.from` on a number: `Received type number (…)`; a token with a line break: `"Bearer …"
 * is an invalid header value`), and without a TLS error that never ends the request (in VS Code's
 * extension host, a key or certificate that is not PEM throws inside the proxy agent and the
 * request waits forever). Returns what is wrong, naming fields only, or undefined.
 */
export async function credentialProblem(user: UserLike | null | undefined, cluster: ClusterLike | null | undefined): Promise<string | undefined> {
  return typeProblem(user, cluster) ?? (await tlsProblem(user, cluster));
}

function typeProblem(user: UserLike | null | undefined, cluster: ClusterLike | null | undefined): string | undefined {
  const checks: Array<[unknown, string, string, 'data' | 'header' | 'string']> = [
    [cluster?.caData, 'cluster', 'certificate-authority-data', 'data'],
    [cluster?.server, 'cluster', 'server', 'string'],
    [user?.certData, 'user', 'client-certificate-data', 'data'],
    [user?.keyData, 'user', 'client-key-data', 'data'],
    [user?.token, 'user', 'token', 'header'],
    [user?.username, 'user', 'username', 'header'],
    [user?.password, 'user', 'password', 'header'],
  ];
  for (const [value, owner, field, kind] of checks) {
    if (value === undefined || value === null) {
      continue;
    }
    const ownerName = owner === 'user' ? user?.name : cluster?.name;
    const who = `kubeconfig ${owner} ${typeof ownerName === 'string' ? `'${ownerName}'` : '(unnamed)'}`;
    if (typeof value !== 'string') {
      return `The ${who} has a ${field} that is not a string (${Array.isArray(value) ? 'a list' : `a ${typeof value}`}). Quote it in the kubeconfig file.`;
    }
    // What an HTTP header may carry (RFC 9110 field-value): no control characters but tab.
    if (kind === 'header' && /[^\t\x20-\x7e\x80-\xff]/.test(value)) {
      return `The ${who} has a ${field} with a character an HTTP header cannot carry (a line break or a control character).`;
    }
  }
  return undefined;
}

/** kubectl's checks of the TLS material (`unable to load root certificates`, `tls: failed to find any PEM data`), by field. */
async function tlsProblem(user: UserLike | null | undefined, cluster: ClusterLike | null | undefined): Promise<string | undefined> {
  const { createSecureContext } = await import('node:tls');
  const { X509Certificate } = await import('node:crypto');
  const { readFile } = await import('node:fs/promises');
  const who = (owner: 'user' | 'cluster') => {
    const name = owner === 'user' ? user?.name : cluster?.name;
    return `kubeconfig ${owner} ${typeof name === 'string' ? `'${name}'` : '(unnamed)'}`;
  };
  type Material = { bytes: Buffer; field: string; owner: 'user' | 'cluster' } | { problem: string } | undefined;
  const material = async (owner: 'user' | 'cluster', field: string, file: unknown, data: unknown): Promise<Material> => {
    if (typeof file === 'string' && file !== '') {
      const bytes = await readFile(file).catch(() => undefined);
      return bytes ? { bytes: Buffer.from(bytes), field, owner } : { problem: `The ${field} file ${file} of the ${who(owner)} cannot be read.` };
    }
    return typeof data === 'string' && data !== '' ? { bytes: Buffer.from(data, 'base64'), field: `${field}-data`, owner } : undefined;
  };
  const ca = await material('cluster', 'certificate-authority', cluster?.caFile, cluster?.caData);
  const cert = await material('user', 'client-certificate', user?.certFile, user?.certData);
  const key = await material('user', 'client-key', user?.keyFile, user?.keyData);
  for (const m of [ca, cert, key]) {
    if (m && 'problem' in m) return m.problem;
  }
  const check = (m: Material, what: string, test: (bytes: Buffer) => unknown): string | undefined => {
    if (!m || !('bytes' in m)) return undefined;
    try {
      test(m.bytes);
      return undefined;
    } catch {
      // OpenSSL's reason is not shown: it is no help, and never the bytes anyway.
      return `The ${who(m.owner)} has a ${m.field} that is not ${what}.`;
    }
  };
  const problem =
    check(ca, 'a PEM certificate (base64 of -----BEGIN CERTIFICATE-----...)', (bytes) => new X509Certificate(bytes)) ??
    check(cert, 'a PEM certificate (base64 of -----BEGIN CERTIFICATE-----...)', (bytes) => createSecureContext({ cert: bytes })) ??
    check(key, 'a PEM private key (base64 of -----BEGIN ... PRIVATE KEY-----...)', (bytes) => createSecureContext({ key: bytes }));
  if (problem || !cert || !key || !('bytes' in cert) || !('bytes' in key)) {
    return problem;
  }
  try {
    createSecureContext({ cert: cert.bytes, key: key.bytes });
    return undefined;
  } catch {
    return `The ${key.field} of the ${who('user')} is not the key of its ${cert.field}.`;
  }
}

/**
 * What `kubectl config view` prints for a kubeconfig: *-data fields as DATA+OMITTED, token and
 * password as REDACTED (also an auth-provider's tokens), everything else as written. Text that
 * is not a YAML mapping yields a comment saying so, never the text.
 */
export async function redactKubeconfig(text: string): Promise<string> {
  const { parseDocument, visit, isScalar, isMap, isPair } = await loadYaml();
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || (!isMap(doc.contents) && doc.contents !== null)) {
    const reason = doc.errors.length > 0 ? describeYamlError(doc.errors[0], text) : 'not a YAML mapping';
    return `# This kubeconfig cannot be shown with its secrets masked: ${reason}.\n# "Show Kubeconfig (Raw, with Secrets)" shows it as it is.\n`;
  }
  // Each masked value is replaced where it stands, so the rest is the text byte for byte.
  const edits: Array<{ start: number; end: number; mask: string }> = [];
  visit(doc, {
    Pair(_key, pair, path) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string' || isEmpty(pair.value)) {
        return undefined;
      }
      const field = pair.key.value;
      const parentKey = [...path].reverse().find(isPair)?.key;
      const inAuthProviderConfig = isScalar(parentKey) && parentKey.value === 'config';
      const mask = OMITTED_DATA_FIELDS.has(field)
        ? DATA_OMITTED
        : REDACTED_FIELDS.has(field) || (inAuthProviderConfig && AUTH_PROVIDER_SECRET_FIELDS.has(field))
          ? REDACTED
          : undefined;
      const range = (pair.value as { range?: [number, number, number] } | null)?.range;
      if (mask !== undefined && range) {
        edits.push({ start: range[0], end: range[1], mask });
      }
      return undefined;
    },
  });
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) {
    // A block scalar's value ends after its line break; keep one.
    const tail = /\n$/.test(out.slice(e.start, e.end)) ? '\n' : '';
    out = out.slice(0, e.start) + e.mask + tail + out.slice(e.end);
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) {
    return true;
  }
  const v = value as { value?: unknown; items?: unknown[] };
  if ('items' in v) {
    return (v.items ?? []).length === 0;
  }
  return v.value === null || v.value === '';
}

// --- Diff with Cluster: kubectl diff's Masker ---

export const SECRET_MASK = '***';
export const SECRET_MASK_BEFORE = '*** (before)';
export const SECRET_MASK_AFTER = '*** (after)';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface ObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: unknown;
}

/**
 * kubectl diff's Masker for a Secret's two sides: every value of `data` (and `stringData`)
 * becomes `***`, and a key present on both sides with different values becomes `*** (before)`
 * / `*** (after)`, so the diff shows THAT it changes and not what to. A client-side apply's
 * last-applied-configuration annotation copies the data in clear, so it is masked the same way.
 * Anything that is not a core/v1 Secret comes back as it was. The inputs are not modified.
 */
export function maskSecretDiff<T extends ObjectLike>(before: T | undefined, after: T | undefined): { before: T | undefined; after: T | undefined } {
  if (!isSecret(before) && !isSecret(after)) {
    return { before, after };
  }
  const b = before && (structuredClone(before) as T & Record<string, unknown>);
  const a = after && (structuredClone(after) as T & Record<string, unknown>);
  for (const field of ['data', 'stringData']) {
    // Not a map (the server refuses it, but it is still someone's secret): masked whole.
    for (const o of [b, a]) if (o && o[field] !== undefined && o[field] !== null && !record(o[field])) (o as Record<string, unknown>)[field] = SECRET_MASK;
    maskMaps(record(b?.[field]), record(a?.[field]));
  }
  const annotations = (o: typeof b) => record(record(o?.metadata)?.annotations);
  const lastApplied = (o: typeof b) => (annotations(o)?.[LAST_APPLIED] === undefined ? undefined : { [LAST_APPLIED]: annotations(o)?.[LAST_APPLIED] });
  const lb = lastApplied(b);
  const la = lastApplied(a);
  maskMaps(lb, la);
  if (lb) annotations(b)![LAST_APPLIED] = lb[LAST_APPLIED];
  if (la) annotations(a)![LAST_APPLIED] = la[LAST_APPLIED];
  return { before: b, after: a };
}

function isSecret(o: ObjectLike | undefined): boolean {
  return o?.kind === 'Secret' && (o.apiVersion === 'v1' || o.apiVersion === undefined);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** kubectl's Masker.run, on two maps (either may be missing). */
function maskMaps(from: Record<string, unknown> | undefined, to: Record<string, unknown> | undefined): void {
  for (const k of Object.keys(from ?? {})) {
    if (to && k in to) {
      if (JSON.stringify(from![k]) !== JSON.stringify(to[k])) {
        from![k] = SECRET_MASK_BEFORE;
        to[k] = SECRET_MASK_AFTER;
        continue;
      }
      to[k] = SECRET_MASK;
    }
    from![k] = SECRET_MASK;
  }
  for (const k of Object.keys(to ?? {})) {
    if (!from || !(k in from)) {
      to![k] = SECRET_MASK;
    }
  }
}
