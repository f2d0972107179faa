// A fake Kubernetes API server for unit tests of the live-state service: serves lists, holds
// watches open and counts them, pushes watch events, answers GETs of single objects; and a
// kubeconfig file naming such servers as contexts.
import { writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { KubeObject } from '../../src/core/kube/reflector.ts';

export interface FakeServer {
  url: string;
  /** Watches the server holds open right now, by path. */
  openWatches: Map<string, number>;
  lists: string[];
  /** GETs of single objects (paths of `objects`), in order. */
  gets: string[];
  add(path: string, obj: KubeObject): void;
  close(): Promise<void>;
}

/** `items`: what a list of a path returns; `objects`: single objects by path (the test may change them). */
export async function fakeServer(items: Record<string, KubeObject[]>, objects: Map<string, KubeObject> = new Map()): Promise<FakeServer> {
  const openWatches = new Map<string, number>();
  const lists: string[] = [];
  const gets: string[] = [];
  const watchers = new Map<string, Set<http.ServerResponse>>();
  let rv = 100;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('Content-Type', 'application/json');
    const single = objects.get(url.pathname);
    if (single) {
      gets.push(url.pathname);
      res.end(JSON.stringify(single));
      return;
    }
    if (url.searchParams.get('watch') !== '1') {
      lists.push(url.pathname);
      res.end(JSON.stringify({ metadata: { resourceVersion: String(rv) }, items: items[url.pathname] ?? [] }));
      return;
    }
    openWatches.set(url.pathname, (openWatches.get(url.pathname) ?? 0) + 1);
    const set = watchers.get(url.pathname) ?? new Set();
    watchers.set(url.pathname, set);
    set.add(res);
    res.writeHead(200);
    res.flushHeaders();
    req.on('close', () => {
      set.delete(res);
      openWatches.set(url.pathname, (openWatches.get(url.pathname) ?? 1) - 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    openWatches,
    lists,
    gets,
    add(p, obj) {
      rv++;
      const o = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
      for (const res of watchers.get(p) ?? []) res.write(`${JSON.stringify({ type: 'ADDED', object: o })}\n`);
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export function kubeconfig(dir: string, servers: Record<string, string>, current: string): string {
  const file = path.join(dir, 'config');
  const names = Object.keys(servers);
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${current}`,
    'clusters:',
    ...names.map((n) => `- name: ${n}\n  cluster:\n    server: ${servers[n]}\n    insecure-skip-tls-verify: true`),
    'users:',
    '- name: u\n  user: {}',
    'contexts:',
    ...names.map((n) => `- name: ${n}\n  context:\n    cluster: ${n}\n    user: u`),
    '',
  ].join('\n');
  writeFileSync(file, yaml);
  return file;
}

