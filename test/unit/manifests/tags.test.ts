import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bumpChoices, bumpTag, classifyTag } from '../../../src/core/manifests/tags.ts';
import type { BumpOptions } from '../../../src/core/manifests/tags.ts';

const HEAD = '0f1e2d3c4b5a69788796a5b4c3d2e1f001234567';
const NOW = new Date(2024, 0, 15, 14, 30); // 15 January 2024, local time

test('classification of real-world tags', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'none'],
    ['latest', 'latest'],
    ['1.2.3', 'semver'],
    ['v1.2.3', 'semver'],
    ['1.2.3-rc.1', 'semver'],
    ['3.19.1-alpine', 'semver'],
    ['1.25', 'version'],
    ['1.25-alpine', 'version'],
    ['b7fc18de2376da80ff0cfc72cf581a9f94d10e64', 'sha'],
    ['b7fc18d', 'sha'],
    ['sha-b7fc18d', 'sha'],
    ['42', 'number'],
    ['0042', 'number'],
    ['build-17', 'number'],
    ['1234567', 'number'],
    ['20240115', 'date'],
    ['2024.01.15', 'date'],
    ['2024-01-15', 'date'],
    ['2024-01-15-3', 'date'],
    ['20241399', 'number'],
    ['stable', 'unknown'],
    ['alpine', 'unknown'],
  ];
  for (const [tag, kind] of cases) {
    assert.equal(classifyTag(tag).kind, kind, String(tag));
  }
  assert.match(classifyTag('b7fc18d').description, /7 characters/);
  assert.match(classifyTag('b7fc18de2376da80ff0cfc72cf581a9f94d10e64').description, /full/);
});

test('next tags by scheme', () => {
  const cases: [string, BumpOptions, string][] = [
    // semver: patch by default, `npm version` pre-release rules, the v prefix kept
    ['1.2.3', {}, '1.2.4'],
    ['v1.2.3', {}, 'v1.2.4'],
    ['1.2.3', { part: 'minor' }, '1.3.0'],
    ['v1.2.3', { part: 'major' }, 'v2.0.0'],
    ['1.2.3-rc.1', {}, '1.2.3'],
    ['1.2.3-rc.1', { part: 'minor' }, '1.3.0'],
    ['1.2.0-rc.1', { part: 'minor' }, '1.2.0'],
    ['2.0.0-beta', { part: 'major' }, '2.0.0'],
    ['1.2.3-rc.1', { part: 'prerelease' }, '1.2.3-rc.2'],
    ['1.2.3', { part: 'prerelease' }, '1.2.4-0'],
    ['3.19.1-alpine', {}, '3.19.2-alpine'],
    ['1.25', {}, '1.26'],
    ['1.25-alpine', { part: 'major' }, '2.0-alpine'],
    // git SHA: HEAD, as long as the old one was
    ['b7fc18de2376da80ff0cfc72cf581a9f94d10e64', { headSha: HEAD }, HEAD],
    ['b7fc18d', { headSha: HEAD }, '0f1e2d3'],
    ['b7fc18de23', { headSha: HEAD }, '0f1e2d3c4b'],
    ['sha-b7fc18d', { headSha: HEAD }, 'sha-0f1e2d3'],
    // numbers: +1 with zero padding kept
    ['41', {}, '42'],
    ['0041', {}, '0042'],
    ['099', {}, '100'],
    ['9', {}, '10'],
    ['build-17', {}, 'build-18'],
    ['123456789012345678901234567890', {}, '123456789012345678901234567891'],
    // dates: today in the same format; the same day gets a build suffix
    ['20240110', { now: NOW }, '20240115'],
    ['2024.01.10', { now: NOW }, '2024.01.15'],
    ['2024-01-10', { now: NOW }, '2024-01-15'],
    ['20240115', { now: NOW }, '20240115-1'],
    ['2024-01-15-1', { now: NOW }, '2024-01-15-2'],
    ['2024.01.15.4', { now: NOW }, '2024.01.15.5'],
    ['2024-01-10-3', { now: NOW }, '2024-01-15-1'],
    ['20240120', { now: NOW }, '20240120-1'], // a tag from "the future" (time zones) still moves forward
  ];
  for (const [tag, options, expected] of cases) {
    const result = bumpTag(tag, options);
    assert.deepEqual(result.ok && result.tag, expected, `${tag} ${JSON.stringify(options)}: ${!result.ok ? result.reason : ''}`);
  }
});

test('no guess for latest, no tag, names, a SHA without a HEAD, or a SHA that already is HEAD', () => {
  for (const [tag, options, reason] of [
    ['latest', {}, /no version tag/],
    [undefined, {}, /no version tag/],
    ['stable', {}, /a name, not a version/],
    ['b7fc18d', {}, /no git HEAD/],
    ['0f1e2d3', { headSha: HEAD }, /already is the current commit/],
  ] as const) {
    const result = bumpTag(tag, options);
    assert.equal(result.ok, false, String(tag));
    assert.match(!result.ok ? result.reason : '', reason);
  }
});

test('picker choices for a semver tag', () => {
  assert.deepEqual(bumpChoices('v1.4.2'), [
    { part: 'patch', tag: 'v1.4.3' },
    { part: 'minor', tag: 'v1.5.0' },
    { part: 'major', tag: 'v2.0.0' },
    { part: 'prerelease', tag: 'v1.4.3-0' },
  ]);
  assert.deepEqual(bumpChoices('b7fc18d'), []);
});

test('tag schemes of real repositories: a sha- prefix, a one-part version with a variant, an opaque build ID', () => {
  const kinds: [string, string][] = [
    ['sha-666420', 'sha'], // a short SHA that happens to be all digits
    ['sha-1234567', 'sha'],
    ['main-sha-0f1e2d3', 'sha'],
    ['git-0042317', 'sha'],
    ['18-alpine3.24', 'version'],
    ['14-alpine', 'version'],
    ['v20-bookworm', 'version'],
    ['7xzfeyk3', 'id'],
    ['pr-12-7xzfeyk3', 'id'],
    ['build-17', 'number'],
    ['v17', 'number'],
  ];
  for (const [tag, kind] of kinds) {
    assert.equal(classifyTag(tag).kind, kind, tag);
  }
  const bumps: [string, BumpOptions, string][] = [
    ['sha-666420', { headSha: HEAD }, 'sha-0f1e2d'], // HEAD, as long as the old one; never sha-666421
    ['main-sha-0f1e2d3', { headSha: 'abcdef0123456789abcdef0123456789abcdef01' }, 'main-sha-abcdef0'],
    ['18-alpine3.24', {}, '19-alpine3.24'], // the version is raised, the Alpine variant kept
    ['14-alpine', {}, '15-alpine'],
    ['14-alpine', { part: 'minor' }, '15-alpine'],
    ['v20-bookworm', { part: 'major' }, 'v21-bookworm'],
    ['1.2.3.4', {}, '1.2.3.5'], // four dotted numbers: the last is a build number
    ['1-17', {}, '1-18'],
    ['main-7f3a9c2-42', {}, 'main-7f3a9c2-43'],
    ['18.20-alpine3.24', {}, '18.21-alpine3.24'],
  ];
  for (const [tag, options, expected] of bumps) {
    const result = bumpTag(tag, options);
    assert.deepEqual(result.ok && result.tag, expected, `${tag}: ${!result.ok ? result.reason : ''}`);
  }
  assert.deepEqual(bumpChoices('18-alpine3.24'), [{ part: 'major', tag: '19-alpine3.24' }]);
  // Without a HEAD a sha- tag is still a SHA: no number is raised.
  const noHead = bumpTag('sha-666420');
  assert.equal(noHead.ok, false);
  assert.match(!noHead.ok ? noHead.reason : '', /commit SHA/);
  // An opaque ID is never raised by one: the user chooses (the picker offers git HEAD).
  const id = bumpTag('7xzfeyk3', { headSha: HEAD });
  assert.equal(id.ok, false);
  assert.match(!id.ok ? id.reason : '', /build ID.*commit SHA/);
});

test('an image pinned by digest without a tag is not said to mean latest', () => {
  assert.doesNotMatch(classifyTag(undefined, { pinned: true }).description, /latest/);
  assert.match(classifyTag(undefined, { pinned: true }).description, /digest/);
  const pinned = bumpTag(undefined, { pinned: true });
  assert.equal(pinned.ok, false);
  assert.doesNotMatch(!pinned.ok ? pinned.reason : '', /latest/);
  assert.match(!pinned.ok ? pinned.reason : '', /pinned by digest/);
  // Unpinned, no tag still means latest.
  assert.match(classifyTag(undefined).description, /latest/);
});

test('a tag is classified once per string; no tag still depends on the digest', () => {
  assert.equal(classifyTag('1.4.2'), classifyTag(['1', '4', '2'].join('.')));
  assert.deepEqual(classifyTag('1.4.2'), { kind: 'semver', description: 'semantic version' });
  assert.ok(Object.isFrozen(classifyTag('b7fc18de2376da80ff0cfc72cf581a9f94d10e64')));
  assert.equal(classifyTag(undefined).description, 'no tag (Kubernetes pulls latest)');
  assert.equal(classifyTag(undefined, { pinned: true }).description, 'no tag (pinned by digest: the digest names the image)');
});
