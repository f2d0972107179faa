// The HTTPS front: mutual TLS as k3s, routing of API paths, content negotiation (Table, aggregated discovery), watch streams.
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import YAML from 'yaml';
import { ApiError, badRequest, methodNotAllowed, notFound } from './status.ts';
import { KINDS, findKind } from './kinds.ts';
import type { KindInfo } from './kinds.ts';
import type { Api, DeleteOptions, ListOptions, WriteOptions } from './rest.ts';
import { withTypeMeta } from './rest.ts';
import { aggregated, apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo, wantsAggregated } from './discovery.ts';
import { openapiDoc, openapiIndex } from './openapi.ts';
import { toTable } from './tables.ts';
import { checkFieldSelector, matchFields, matchRequirements, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { isObj, simSpeed } from './util.ts';
import { handleExecUpgrade } from './exec.ts';
import { handlePortForwardUpgrade } from './portforward.ts';
import type { Duplex } from 'node:stream';
import type { Obj } from './util.ts';

export interface TlsMaterial { key: string; cert: string; clientCA: string }

export type LogHandler = (pod: Obj, query: URLSearchParams, req: IncomingMessage, res: ServerResponse) => void;

export interface ServerDeps { api: Api; k3sVersion: () => string; logs: LogHandler }

function send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', headers: Record<string, string | string[]> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof ApiError) {
    send(res, e.code, e.toStatus());
    return;
  }
  console.error('internal error', e);
  const err = new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
  send(res, 500, err.toStatus());
}

function wantsTable(accept: string | undefined): boolean {
  return !!accept && accept.split(',').some((p) => p.replace(/\s/g, '').includes('as=Table'));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.trim() === '') return undefined;
  try {
    if (contentType?.includes('yaml')) return YAML.parse(raw);
    return JSON.parse(raw);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

function writeOptions(q: URLSearchParams, warnings: string[]): WriteOptions {
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw badRequest(`Invalid dry run value: "${d}"; supported values: "All"`);
  const fv = q.get('fieldValidation') ?? undefined;
  if (fv && !['Ignore', 'Warn', 'Strict'].includes(fv)) throw badRequest(`Invalid fieldValidation value: "${fv}"; supported values: "Ignore", "Warn", "Strict"`);
  return {
    dryRun: dryRun.includes('All'),
    fieldManager: q.get('fieldManager') ?? undefined,
    fieldValidation: fv,
    force: q.get('force') === 'true',
    warnings,
  };
}

function listOptions(q: URLSearchParams): ListOptions {
  const limit = q.get('limit');
  return {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: limit ? Number(limit) : undefined,
    continue: q.get('continue') ?? undefined,
  };
}

interface Route { info: KindInfo; ns?: string; name?: string; sub?: string }

function route(path: string): Route | undefined {
  const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group = '';
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    version = segs[1] ?? '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    group = segs[1] ?? '';
    version = segs[2] ?? '';
    rest = segs.slice(3);
  } else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = findKind(group, version, rest[2]!);
    if (info && info.namespaced) return { info, ns: rest[1], name: rest[3], sub: rest[4] };
  }
  const info = findKind(group, version, rest[0] ?? '');
  if (!info) return undefined;
  return { info, name: rest[1], sub: rest[2] };
}

export function startServer(tls: TlsMaterial, deps: ServerDeps, host: string, port: number): Promise<Server> {
  const server = createServer({ key: tls.key, cert: tls.cert, ca: tls.clientCA, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    handle(req, res, deps).catch((e) => sendError(res, e));
  });
  server.keepAliveTimeout = 60_000;
  // exec's and portforward's upgrades (exec.ts, portforward.ts); any other upgrade is refused.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!handleExecUpgrade(deps.api, req, socket, head) && !handlePortForwardUpgrade(deps.api, req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const sock = req.socket as TLSSocket;
  if (!sock.authorized) {
    send(res, 401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    return;
  }
  const url = new URL(req.url ?? '/', 'https://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const q = url.searchParams;
  const method = req.method ?? 'GET';
  const accept = req.headers.accept;

  if (method === 'GET') {
    if (path === '/version') return send(res, 200, versionInfo(deps.k3sVersion()));
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return send(res, 200, 'ok', 'text/plain; charset=utf-8');
    if (path === '/api' || path === '/apis') {
      const agg = wantsAggregated(accept);
      if (agg) return send(res, 200, aggregated(path === '/api', agg), agg, { Vary: 'Accept' });
      return send(res, 200, path === '/api' ? apiVersions() : apiGroupList());
    }
    if (path === '/openapi/v3') return send(res, 200, openapiIndex());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiDoc(path.slice('/openapi/v3/'.length));
      if (!doc) return send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');
      return send(res, 200, doc.body, 'application/json', { ETag: `"${doc.hash}"` });
    }
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const doc = m[2] ? apiResourceList(m[1]!, m[2]) : apiGroup(m[1]!);
      if (doc) return send(res, 200, doc);
    }
    if (path === '/api/v1') return send(res, 200, apiResourceList('', 'v1'));
  }

  const r = route(path);
  if (!r) return send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');
  const { info, ns, name, sub } = r;
  const api = deps.api;
  const warnings: string[] = [];
  const warn = (): Record<string, string[]> => (warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {});
  const table = wantsTable(accept);
  const includeObject = q.get('includeObject') ?? undefined;

  if (ns && info.namespaced && method !== 'GET' && !api.store.peek('Namespace', undefined, ns) && method === 'POST') {
    throw notFound({ group: '', kind: 'Namespace', resource: 'namespaces' }, ns);
  }
  if (sub && !info.subresources.some((s) => s.name === sub)) return send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');

  switch (method) {
    case 'GET': {
      if (!name) {
        if (q.get('watch') === 'true' || q.get('watch') === '1') return watch(deps, info, ns, q, req, res, table, includeObject);
        const list = api.list(info, ns, listOptions(q));
        if (table) return send(res, 200, toTable(info.kind, list.items.map((o: Obj) => withTypeMeta(info, o)), list.metadata, { includeObject }));
        return send(res, 200, list);
      }
      if (sub === 'log') return deps.logs(api.get(info, ns, name), q, req, res);
      if (sub === 'scale') return send(res, 200, api.getScale(info, ns, name));
      const o = api.get(info, ns, name);
      if (table) return send(res, 200, toTable(info.kind, [o], { resourceVersion: o.metadata.resourceVersion }, { includeObject }));
      return send(res, 200, o);
    }
    case 'POST': {
      if (name) throw methodNotAllowed();
      const body = parseBody(await readBody(req), req.headers['content-type']);
      const o = api.create(info, ns, body, writeOptions(q, warnings));
      return send(res, 201, o, 'application/json', warn());
    }
    case 'PUT': {
      if (!name) throw methodNotAllowed();
      const body = parseBody(await readBody(req), req.headers['content-type']);
      const opts = writeOptions(q, warnings);
      if (sub === 'scale') return send(res, 200, api.updateScale(info, api.get(info, ns, name), body, opts), 'application/json', warn());
      return send(res, 200, api.update(info, ns, name, body, opts, sub), 'application/json', warn());
    }
    case 'PATCH': {
      if (!name) throw methodNotAllowed();
      const raw = await readBody(req);
      const existed = !!api.tryGet(info, ns, name);
      const o = api.patch(info, ns, name, req.headers['content-type'] ?? '', raw, writeOptions(q, warnings), sub);
      return send(res, existed ? 200 : 201, o, 'application/json', warn());
    }
    case 'DELETE': {
      const raw = await readBody(req);
      const body = parseBody(raw, req.headers['content-type']);
      const opts: DeleteOptions = { ...writeOptions(q, warnings) };
      const b = isObj(body) ? body : {};
      opts.propagationPolicy = q.get('propagationPolicy') ?? b.propagationPolicy ?? (b.orphanDependents === true ? 'Orphan' : undefined);
      const gp = q.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
      if (gp !== undefined && gp !== null) opts.gracePeriodSeconds = Number(gp);
      if (isObj(b.preconditions)) opts.preconditions = b.preconditions;
      if (b.dryRun?.includes?.('All')) opts.dryRun = true;
      if (!name) return send(res, 200, api.deleteCollection(info, ns, listOptions(q), opts));
      const o = api.delete(info, ns, name, opts);
      return send(res, 200, o, 'application/json', warn());
    }
    default:
      throw methodNotAllowed();
  }
}

function watch(deps: ServerDeps, info: KindInfo, ns: string | undefined, q: URLSearchParams, req: IncomingMessage, res: ServerResponse, table: boolean, includeObject?: string): void {
  const api = deps.api;
  const labels = parseLabelSelector(q.get('labelSelector'));
  const fields = parseFieldSelector(q.get('fieldSelector'));
  checkFieldSelector(info.kind, fields);
  const matches = (o: Obj | undefined): boolean => !!o
    && (!info.namespaced || !ns || o.metadata.namespace === ns)
    && matchRequirements(labels, o.metadata.labels) && matchFields(fields, o);
  let first = true;
  const encode = (o: Obj): Obj => {
    if (!table) return withTypeMeta(info, o);
    const t = toTable(info.kind, [withTypeMeta(info, o)], { resourceVersion: o.metadata.resourceVersion }, { includeObject, noHeaders: !first });
    first = false;
    return t;
  };
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  const write = (type: string, object: Obj): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const rvParam = q.get('resourceVersion');
  const sendInitial = q.get('sendInitialEvents') === 'true';
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const bookmark = (initialEnd = false): void => {
    const meta: Obj = { resourceVersion: String(api.store.rv) };
    if (initialEnd) meta.annotations = { 'k8s.io/initial-events-end': 'true' };
    write('BOOKMARK', { kind: info.kind, apiVersion: info.group ? `${info.group}/${info.version}` : info.version, metadata: meta });
  };
  const unsubscribe = api.store.hub.subscribe((c) => {
    if (c.kind !== info.kind) return;
    const now = matches(c.object);
    const before = c.type === 'MODIFIED' ? matches(c.prev) : now;
    if (c.type === 'DELETED') {
      if (now) write('DELETED', encode(c.object));
    } else if (c.type === 'ADDED') {
      if (now) write('ADDED', encode(c.object));
    } else if (now && before) write('MODIFIED', encode(c.object));
    else if (now) write('ADDED', encode(c.object));
    else if (before) write('DELETED', encode(c.object));
  });
  if (!rvParam || rvParam === '0' || sendInitial) {
    for (const o of api.store.list(info.kind, info.namespaced ? ns : undefined)) if (matches(o)) write('ADDED', encode(o));
    if (sendInitial && bookmarks) bookmark(true);
  } else {
    const rv = Number(rvParam);
    const changes = api.store.hub.since(rv);
    if (!changes) {
      write('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rv} (${api.store.hub.compactedRV + 1})`, reason: 'Expired', code: 410 });
      unsubscribe();
      res.end();
      return;
    }
    for (const c of changes) {
      if (c.kind !== info.kind) continue;
      if (c.type === 'DELETED') {
        if (matches(c.object)) write('DELETED', encode(c.object));
      } else if (matches(c.object)) write(c.type, encode(c.object));
    }
  }
  const timers: NodeJS.Timeout[] = [];
  if (bookmarks) timers.push(setInterval(() => bookmark(), Math.max(1000, 60_000 * Math.min(1, simSpeed() || 0.02))));
  const timeout = Number(q.get('timeoutSeconds') ?? 0);
  const stop = (): void => {
    unsubscribe();
    for (const t of timers) clearInterval(t);
    if (!res.writableEnded) res.end();
  };
  if (timeout > 0) timers.push(setTimeout(stop, timeout * 1000));
  req.on('close', stop);
  res.on('close', stop);
}

export { KINDS };
