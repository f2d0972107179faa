import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findTarget, isImageTarget, lensRows, shortTag, targetOf } from '../../../src/core/manifests/lenses.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { applyEdits, setImageTag } from '../../../src/core/manifests/edit.ts';
import { SAMPLE_DEPLOYMENT } from '../../../scripts/lib/workspace.ts';

const COURSE = SAMPLE_DEPLOYMENT; // the course's manifests/deployment.yaml

const MIXED = `# a comment
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: init
      image: "busybox"
  containers:
    - name: web
      image: 'nginx:latest'
    - name: pinned
      image: localhost:5000/app@sha256:${'a'.repeat(64)}
    - name: bad
      image: Not/Valid
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: c
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: ghcr.io/me/job:v1.2.3-rc.1
---
kind: ConfigMap
apiVersion: v1
data:
  image: not-a-container
`;

test('the course manifest: one row on the image line, the SHA shortened as git does', () => {
  const file = parseManifest(COURSE);
  const rows = lensRows(file);
  assert.equal(rows.length, 1);
  assert.equal(file.rangeOf({ start: rows[0].at, end: rows[0].at }).start.line, 16);
  assert.equal(rows[0].summary, '$(tag) b7fc18d… · git SHA');
  assert.equal(rows[0].tagKind, 'sha');
  assert.equal(rows[0].editable, true);
  assert.match(rows[0].tooltip, /deployment\/hashgenerator-dep · hashgenerator/);
});

test('multi-document files: init containers, quotes, latest, digests, invalid names, CronJobs; no rows for a ConfigMap', () => {
  const rows = lensRows(parseManifest(MIXED));
  assert.deepEqual(
    rows.map((r) => [r.image.containerName, r.tagKind, r.summary, r.editable]),
    [
      ['init', 'none', '$(warning) no tag · means latest', true],
      ['web', 'latest', '$(warning) latest · not a version', true],
      ['pinned', 'digest', '$(pin) pinned by digest', true],
      ['bad', 'invalid', '$(error) invalid image', false],
      ['job', 'semver', '$(tag) v1.2.3-rc.1 · semver', true],
    ],
  );
});

test('a target finds its image again in a later version of the file, after the tag changed', () => {
  const file = parseManifest(MIXED);
  const web = lensRows(file)[1].image;
  const target = targetOf('file:///w/m.yaml', web);
  assert.deepEqual(target, { uri: 'file:///w/m.yaml', documentIndex: 0, path: 'spec.containers.0.image' });
  assert.ok(isImageTarget(target));
  assert.ok(!isImageTarget({ uri: 1 }));
  const init = lensRows(file)[0].image;
  const edited = setImageTag(file, init, '1.36');
  assert.ok(edited.ok);
  const next = parseManifest(applyEdits(file.text, [edited.edit]));
  assert.equal(findTarget(next, target)?.image, 'nginx:latest');
  assert.equal(findTarget(next, targetOf('x', init))?.image, 'busybox:1.36');
  assert.equal(findTarget(next, { ...target, documentIndex: 9 }), undefined);
});

test('short tags', () => {
  assert.equal(shortTag('b7fc18de2376da80ff0cfc72cf581a9f94d10e64'), 'b7fc18d…');
  assert.equal(shortTag('1.2.3'), '1.2.3');
  assert.equal(shortTag('a-very-long-branch-name-build-1234'), 'a-very-long-bran…');
});

test('lens rows name the schemes of real repositories: sha- prefix, one-part version with a variant, build ID, digest', () => {
  const pod = (image: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`;
  const summary = (image: string) => lensRows(parseManifest(pod(image)))[0];
  assert.equal(summary('me/app:sha-666420').summary, '$(tag) sha-666420 · git SHA');
  assert.equal(summary('node:18-alpine3.24').summary, '$(tag) 18-alpine3.24 · version');
  assert.equal(summary('me/app:7xzfeyk3').summary, '$(tag) 7xzfeyk3 · build ID');
  const pinned = summary(`me/app@sha256:${'b'.repeat(64)}`);
  assert.match(pinned.summary, /pinned by digest/);
  assert.doesNotMatch(`${pinned.summary} ${pinned.tooltip}`, /latest/);
});

test('the same image in two documents: the same summary, each tooltip names its own document and container', () => {
  const doc = (name: string, container: string, image: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${container}\n          image: ${image}\n`;
  const rows = lensRows(parseManifest([doc('a', 'web', 'nginx:1.25.3'), doc('b', 'proxy', 'nginx:1.25.3'), doc('c', 'x', 'nginx@sha256:' + '0'.repeat(64))].join('---\n')));
  assert.deepEqual(
    rows.map((r) => [r.summary, r.tooltip, r.tagKind]),
    [
      ['$(tag) 1.25.3 · semver', 'deployment/a · web: nginx:1.25.3\nTag: 1.25.3 (semantic version)', 'semver'],
      ['$(tag) 1.25.3 · semver', 'deployment/b · proxy: nginx:1.25.3\nTag: 1.25.3 (semantic version)', 'semver'],
      ['$(pin) pinned by digest', `deployment/c · x: nginx@sha256:${'0'.repeat(64)}\nA digest wins over any tag. Bump or Set tag offers to switch to a tag.`, 'digest'],
    ],
  );
});
