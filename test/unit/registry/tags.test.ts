import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareNatural, listRegistryTags, nextPageUrl, parseAuthChallenge, rankTagSuggestions, registryApiBase } from '../../../src/core/registry/tags.ts';
import type { FetchLike, FetchResponse } from '../../../src/core/registry/tags.ts';

function response(status: number, body: unknown, headers: Record<string, string> = {}): FetchResponse {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, headers: { get: (n) => lower[n.toLowerCase()] ?? null }, json: async () => body };
}

test('API hosts: Docker Hub, https registries, plain-HTTP local registries', () => {
  assert.equal(registryApiBase('docker.io'), 'https://registry-1.docker.io');
  assert.equal(registryApiBase('ghcr.io'), 'https://ghcr.io');
  assert.equal(registryApiBase('localhost:5000'), 'http://localhost:5000');
  assert.equal(registryApiBase('k3d-registry.localhost:5000'), 'http://k3d-registry.localhost:5000');
  assert.equal(registryApiBase('127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.equal(registryApiBase('registry.example.com:5000'), 'https://registry.example.com:5000');
});

test('WWW-Authenticate and Link headers', () => {
  assert.deepEqual(parseAuthChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:jakousa/dwk-app1:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:jakousa/dwk-app1:pull' },
  });
  assert.equal(parseAuthChallenge('Basic realm="Registry"')?.scheme, 'basic');
  assert.equal(parseAuthChallenge(null), undefined);
  assert.equal(nextPageUrl('</v2/a/tags/list?last=x&n=2>; rel="next"', 'https://r.io/v2/a/tags/list'), 'https://r.io/v2/a/tags/list?last=x&n=2');
  assert.equal(nextPageUrl(null, 'https://r.io/'), undefined);
});

test("Docker Hub's anonymous token flow, then the tags, across pages", async () => {
  const calls: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push(`${url} ${init.headers.Authorization ?? ''}`.trim());
    if (url.startsWith('https://auth.docker.io/token')) return response(200, { token: 'T0K' });
    if (init.headers.Authorization !== 'Bearer T0K') {
      return response(401, {}, { 'WWW-Authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:jakousa/dwk-app1:pull"' });
    }
    if (url.includes('last=')) return response(200, { name: 'jakousa/dwk-app1', tags: ['c3'] });
    return response(200, { name: 'jakousa/dwk-app1', tags: ['a1', 'b2'] }, { Link: '</v2/jakousa/dwk-app1/tags/list?last=b2&n=2>; rel="next"' });
  };
  const r = await listRegistryTags({ domain: 'docker.io', repository: 'jakousa/dwk-app1' }, { fetch });
  assert.deepEqual(r, { ok: true, tags: ['a1', 'b2', 'c3'] });
  assert.deepEqual(calls, [
    'https://registry-1.docker.io/v2/jakousa/dwk-app1/tags/list',
    'https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Ajakousa%2Fdwk-app1%3Apull',
    'https://registry-1.docker.io/v2/jakousa/dwk-app1/tags/list Bearer T0K',
    'https://registry-1.docker.io/v2/jakousa/dwk-app1/tags/list?last=b2&n=2 Bearer T0K',
  ]);
});

test('offline, slow, private or basic-auth registries are results, not exceptions', async () => {
  const offline: FetchLike = async () => {
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
  };
  assert.deepEqual(await listRegistryTags({ domain: 'docker.io', repository: 'library/nginx' }, { fetch: offline }), { ok: false, reason: 'https://registry-1.docker.io: ENOTFOUND' });

  const slow: FetchLike = (_url, init) =>
    new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
  const started = Date.now();
  const r = await listRegistryTags({ domain: 'ghcr.io', repository: 'a/b' }, { fetch: slow, timeoutMs: 100 });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /no answer within 100 ms/);
  assert.ok(Date.now() - started < 2000);

  const basic: FetchLike = async () => response(401, {}, { 'WWW-Authenticate': 'Basic realm="x"' });
  assert.equal((await listRegistryTags({ domain: 'r.example', repository: 'a' }, { fetch: basic })).ok, false);

  const denied: FetchLike = async (url) =>
    url.includes('/token') ? response(401, {}) : response(401, {}, { 'WWW-Authenticate': 'Bearer realm="https://r.example/token",service="r"' });
  assert.equal((await listRegistryTags({ domain: 'r.example', repository: 'private/app' }, { fetch: denied })).ok, false);

  const notFound: FetchLike = async () => response(404, { errors: [{ code: 'NAME_UNKNOWN' }] });
  assert.equal((await listRegistryTags({ domain: 'localhost:5000', repository: 'app' }, { fetch: notFound })).ok, false);
});

test('suggestions: same scheme first, newest versions first, without the current tag and latest', () => {
  assert.deepEqual(rankTagSuggestions('1.9.0', ['latest', '1.9.0', '1.10.0', '1.9.3', 'alpine', '2.0.0']), ['2.0.0', '1.10.0', '1.9.3', 'alpine']);
  assert.deepEqual(rankTagSuggestions('v1.2.3', ['v1.2.4', 'v1.3.0']), ['v1.3.0', 'v1.2.4']);
  assert.deepEqual(rankTagSuggestions('b7fc18d', ['a1b2c3d', 'latest', 'e4f5a6b']), ['e4f5a6b', 'a1b2c3d']);
  assert.deepEqual(rankTagSuggestions(undefined, ['1', '2']), ['2', '1']);
  assert.equal(rankTagSuggestions('1', Array.from({ length: 100 }, (_, i) => String(i)), 10).length, 10);
  assert.ok(compareNatural('build-12', 'build-9') > 0);
  assert.equal(compareNatural('a', 'a'), 0);
});

test('suggestions follow semver precedence: a release above its pre-releases, numeric identifiers by value', () => {
  assert.deepEqual(rankTagSuggestions('0.9.0', ['1.0.0-rc2', '1.0.0', '1.0.0-rc1', '1.0.0-beta.11', '1.0.0-beta.2', '0.9.1']), [
    '1.0.0',
    '1.0.0-rc2',
    '1.0.0-rc1',
    '1.0.0-beta.11',
    '1.0.0-beta.2',
    '0.9.1',
  ]);
  assert.deepEqual(rankTagSuggestions('v1.0.0', ['v1.1.0-rc.1', 'v1.1.0', 'v1.0.1']), ['v1.1.0', 'v1.1.0-rc.1', 'v1.0.1']);
  // An image variant is not a pre-release: 3.19.1-alpine is a release; the current variant comes first.
  assert.deepEqual(rankTagSuggestions('3.19.0-alpine', ['3.19.1', '3.19.1-alpine', '3.20.0-alpine', '3.20.0-rc.1']), [
    '3.20.0-alpine',
    '3.19.1-alpine',
    '3.20.0-rc.1',
    '3.19.1',
  ]);
  assert.deepEqual(rankTagSuggestions('1.25', ['1.26', '1.27-rc1', '1.27']).slice(0, 1), ['1.27']);
});
