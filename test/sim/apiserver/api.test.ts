// API machinery semantics against a running simulator: auth, discovery, watch, paging, dry run, errors, persistence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, makeCluster, request, strangerCert, watchEvents } from './test/harness.ts';
import type { TestCluster } from './test/harness.ts';

let tc: TestCluster;
before(async () => { tc = await makeCluster(); });
after(async () => { await tc.cleanup(); });

const NS = '/api/v1/namespaces/default';
const cm = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

test('mTLS: no client certificate or one from an unknown CA gets 401 Unauthorized', async () => {
  for (const client of [null, strangerCert()]) {
    const r = await request(tc, 'GET', '/api/v1/namespaces', undefined, {}, client);
    assert.equal(r.status, 401);
    assert.deepEqual(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  }
  assert.equal((await request(tc, 'GET', '/version')).json().gitVersion, 'v1.31.5+k3s1');
});

test('discovery: legacy and aggregated documents', async () => {
  const v1 = (await request(tc, 'GET', '/api/v1')).json();
  const pods = v1.resources.find((r: { name: string }) => r.name === 'pods');
  assert.deepEqual([pods.kind, pods.namespaced, pods.shortNames], ['Pod', true, ['po']]);
  assert.ok(v1.resources.some((r: { name: string }) => r.name === 'pods/log'));
  const agg = await request(tc, 'GET', '/apis', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  assert.equal(agg.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const apps = agg.json().items.find((i: { metadata: { name: string } }) => i.metadata.name === 'apps');
  const deploy = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
  assert.deepEqual(deploy.subresources.map((s: { subresource: string }) => s.subresource), ['scale', 'status']);
});

test('create, conflicts and validation: 201, 409 AlreadyExists, 409 stale resourceVersion, 422 Invalid, 404', async () => {
  const created = await request(tc, 'POST', `${NS}/configmaps`, cm('c1'));
  assert.equal(created.status, 201);
  const obj = created.json();
  assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);
  const again = await request(tc, 'POST', `${NS}/configmaps`, cm('c1'));
  assert.equal(again.status, 409);
  assert.equal(again.json().reason, 'AlreadyExists');
  assert.equal(again.json().message, 'configmaps "c1" already exists');
  const upd = await request(tc, 'PUT', `${NS}/configmaps/c1`, { ...obj, data: { a: '2' } });
  assert.equal(upd.status, 200);
  const stale = await request(tc, 'PUT', `${NS}/configmaps/c1`, { ...obj, data: { a: '3' } });
  assert.equal(stale.status, 409);
  assert.equal(stale.json().message, 'Operation cannot be fulfilled on configmaps "c1": the object has been modified; please apply your changes to the latest version and try again');
  const bad = await request(tc, 'POST', '/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'x' }] } } } });
  assert.equal(bad.status, 422);
  assert.equal(bad.json().reason, 'Invalid');
  assert.deepEqual(bad.json().details.causes.map((c: { field: string }) => c.field), ['spec.template.metadata.labels', 'spec.template.spec.containers[0].image']);
  const missing = await request(tc, 'GET', `${NS}/configmaps/nope`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json().message, 'configmaps "nope" not found');
  const gen = await request(tc, 'POST', `${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
  assert.match(gen.json().metadata.name, /^gen-[a-z0-9]{5}$/);
});

test('dryRun=All and fieldValidation=Strict', async () => {
  const dry = await request(tc, 'POST', `${NS}/configmaps?dryRun=All`, cm('dry'));
  assert.equal(dry.status, 201);
  assert.equal((await request(tc, 'GET', `${NS}/configmaps/dry`)).status, 404);
  const strict = await request(tc, 'POST', `${NS}/configmaps?fieldValidation=Strict`, { ...cm('strict'), extra: 1 });
  assert.equal(strict.status, 400);
  assert.equal(strict.json().message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra"');
  const warn = await request(tc, 'POST', `${NS}/configmaps?fieldValidation=Warn`, { ...cm('warned'), extra: 1 });
  assert.equal(warn.status, 201);
  assert.match(String(warn.headers.warning), /299 - "unknown field \\"extra\\""/);
  assert.equal(warn.json().extra, undefined);
});

test('list: label and field selectors, limit and continue', async () => {
  for (const n of ['p1', 'p2', 'p3']) await request(tc, 'POST', `${NS}/configmaps`, { ...cm(n), metadata: { name: n, labels: { page: 'yes', n } } });
  const sel = (await request(tc, 'GET', `${NS}/configmaps?labelSelector=page%3Dyes,n%20in%20(p1,p3)`)).json();
  assert.deepEqual(sel.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['p1', 'p3']);
  const field = (await request(tc, 'GET', `${NS}/configmaps?fieldSelector=metadata.name%3Dp2`)).json();
  assert.deepEqual(field.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['p2']);
  const page1 = (await request(tc, 'GET', `${NS}/configmaps?labelSelector=page&limit=2`)).json();
  assert.equal(page1.items.length, 2);
  assert.equal(page1.metadata.remainingItemCount, 1);
  const page2 = (await request(tc, 'GET', `${NS}/configmaps?labelSelector=page&limit=2&continue=${encodeURIComponent(page1.metadata.continue)}`)).json();
  assert.deepEqual(page2.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['p3']);
  assert.equal(page2.metadata.continue, undefined);
  const bad = await request(tc, 'GET', `${NS}/configmaps?fieldSelector=data.a%3D1`);
  assert.equal(bad.status, 400);
});

test('watch: from a resourceVersion, initial events with a bookmark, selector transitions', async () => {
  const list = (await request(tc, 'GET', `${NS}/configmaps`)).json();
  const rv = list.metadata.resourceVersion;
  const pending = watchEvents(tc, `${NS}/configmaps?watch=true&resourceVersion=${rv}&labelSelector=w%3D1`, (ev) => ev.length >= 3);
  await new Promise((r) => setTimeout(r, 100));
  const w = (await request(tc, 'POST', `${NS}/configmaps`, { ...cm('w'), metadata: { name: 'w', labels: { w: '1' } } })).json();
  await request(tc, 'PATCH', `${NS}/configmaps/w`, { data: { b: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
  await request(tc, 'PATCH', `${NS}/configmaps/w`, { metadata: { labels: { w: '2' } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
  const events = await pending;
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  assert.equal(events[0].object.metadata.uid, w.metadata.uid);
  const initial = await watchEvents(tc, `${NS}/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, (ev) => ev.some((e) => e.type === 'BOOKMARK'));
  const bookmark = initial[initial.length - 1];
  assert.equal(bookmark.type, 'BOOKMARK');
  assert.equal(bookmark.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
  assert.ok(initial.slice(0, -1).every((e) => e.type === 'ADDED'));
});

test('persistence across a restart, and 410 Gone for a watch from before it', async () => {
  const before = (await request(tc, 'POST', `${NS}/configmaps`, cm('kept'))).json();
  await tc.stop();
  await tc.start();
  const after = (await request(tc, 'GET', `${NS}/configmaps/kept`)).json();
  assert.equal(after.metadata.uid, before.metadata.uid);
  const events = await watchEvents(tc, `${NS}/configmaps?watch=true&resourceVersion=${Number(before.metadata.resourceVersion) - 1}`, (ev) => ev.length > 0);
  assert.equal(events[0].type, 'ERROR');
  assert.equal(events[0].object.code, 410);
  assert.equal(events[0].object.reason, 'Expired');
});

test('kubectl get prints Table columns for services and namespaces', { skip: !hasKubectl && 'kubectl is absent' }, async () => {
  const svc = await tc.kubectl(['get', 'svc', '-A']);
  assert.match(svc.stdout.split('\n')[0]!, /^NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
  assert.match(svc.stdout, /kube-system\s+kube-dns\s+ClusterIP\s+10\.43\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP/);
  assert.match(svc.stdout, /kube-system\s+traefik\s+LoadBalancer\s+10\.43\.\S+\s+172\.18\.0\.3,172\.18\.0\.4,172\.18\.0\.5\s+80:\d+\/TCP,443:\d+\/TCP/);
  const ns = await tc.kubectl(['get', 'ns']);
  assert.match(ns.stdout, /^NAME\s+STATUS\s+AGE\n(?:.*\n)*default\s+Active/);
  const res = await tc.kubectl(['api-resources']);
  assert.match(res.stdout, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
});
