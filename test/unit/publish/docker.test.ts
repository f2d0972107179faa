import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dockerBuildArgs,
  dockerFailureHint,
  dockerFailureReason,
  dockerImageInspectArgs,
  dockerImageListArgs,
  dockerPushArgs,
  dockerTagArgs,
  importFailureHint,
  isDockerDown,
  isLocalOnly,
  k3dImageImportArgs,
  localTagsOf,
  parseDockerImageList,
  withoutDeprecationNotice,
} from '../../../src/core/publish/docker.ts';
import { buildPlan, k3dClusterOfContext, publishMethod, publishSettingFrom } from '../../../src/core/publish/publish.ts';
import { parseImageReference } from '../../../src/core/manifests/imageReference.ts';
import type { ImageReference } from '../../../src/core/manifests/imageReference.ts';

const ref = (s: string) => parseImageReference(s) as ImageReference;

// Real `docker image ls --format json` lines (Docker 28).
const LIST = [
  '{"Containers":"N/A","CreatedAt":"2025-06-01 10:00:00 +0200 CEST","CreatedSince":"2 hours ago","Digest":"\\u003cnone\\u003e","ID":"1a2b3c4d5e6f","Repository":"jakousa/dwk-app1","SharedSize":"N/A","Size":"140MB","Tag":"0f1e2d3c4b5a69788796a5b4c3d2e1f001234567","UniqueSize":"N/A","VirtualSize":"140MB"}',
  '{"Containers":"N/A","CreatedAt":"2025-05-01 10:00:00 +0200 CEST","CreatedSince":"4 weeks ago","Digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","ID":"9f8e7d6c5b4a","Repository":"jakousa/dwk-app1","SharedSize":"N/A","Size":"140MB","Tag":"b7fc18de2376da80ff0cfc72cf581a9f94d10e64","UniqueSize":"N/A","VirtualSize":"140MB"}',
  '{"Containers":"N/A","CreatedAt":"2025-05-01 10:00:00 +0200 CEST","Digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","ID":"aaaa","Repository":"nginx","Tag":"1.27","Size":"190MB"}',
  '{"Containers":"N/A","CreatedAt":"2025-05-01 10:00:00 +0200 CEST","Digest":"\\u003cnone\\u003e","ID":"bbbb","Repository":"\\u003cnone\\u003e","Tag":"\\u003cnone\\u003e","Size":"1MB"}',
  '{"Containers":"N/A","Digest":"\\u003cnone\\u003e","ID":"cccc","Repository":"localhost:5000/app","Tag":"v1","Size":"1MB"}',
  'not json',
].join('\n');

test('argument arrays, never a command string', () => {
  assert.deepEqual(dockerBuildArgs('jakousa/dwk-app1:abc1234', '/w/app1'), ['build', '-t', 'jakousa/dwk-app1:abc1234', '/w/app1']);
  assert.deepEqual(dockerBuildArgs('x:1', '/w', '/w/Containerfile'), ['build', '-t', 'x:1', '-f', '/w/Containerfile', '/w']);
  assert.deepEqual(dockerPushArgs('ghcr.io/a/b:2'), ['push', 'ghcr.io/a/b:2']);
  assert.deepEqual(dockerImageListArgs(), ['image', 'ls', '--format', 'json']);
  assert.deepEqual(k3dImageImportArgs('a/b:1', 'k3s-default'), ['image', 'import', 'a/b:1', '-c', 'k3s-default']);
  assert.deepEqual(dockerBuildArgs('a; rm -rf /', '/dir with spaces'), ['build', '-t', 'a; rm -rf /', '/dir with spaces']);
});

test('docker image ls --format json: entries, digests and <none> rows', () => {
  const images = parseDockerImageList(LIST);
  assert.equal(images.length, 4);
  assert.deepEqual(images[0], {
    repository: 'jakousa/dwk-app1',
    tag: '0f1e2d3c4b5a69788796a5b4c3d2e1f001234567',
    digest: undefined,
    createdAt: '2025-06-01 10:00:00 +0200 CEST',
    canonicalName: 'docker.io/jakousa/dwk-app1',
  });
  assert.equal(images[2].canonicalName, 'docker.io/library/nginx');
  assert.equal(images[3].canonicalName, 'localhost:5000/app');
  assert.deepEqual(localTagsOf(images, ref('docker.io/jakousa/dwk-app1:x')).map((i) => i.tag.slice(0, 7)), ['0f1e2d3', 'b7fc18d']);
  assert.deepEqual(parseDockerImageList(''), []);
});

test('local only: listed under the tag, with no registry digest', () => {
  const images = parseDockerImageList(LIST);
  assert.equal(isLocalOnly(images, ref('jakousa/dwk-app1:0f1e2d3c4b5a69788796a5b4c3d2e1f001234567')), true);
  assert.equal(isLocalOnly(images, ref('jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64')), false, 'pulled: has a digest');
  assert.equal(isLocalOnly(images, ref('nginx:1.27')), false);
  assert.equal(isLocalOnly(images, ref('jakousa/dwk-app1:other')), false);
  assert.equal(isLocalOnly(images, ref('localhost:5000/app:v1')), true);
});

test('Docker down is told apart from a failed build', () => {
  assert.equal(isDockerDown(['Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?']), true);
  assert.equal(isDockerDown('ERROR: failed to solve: failed to read dockerfile: open Dockerfile: no such file or directory'), false);
});

test('push an image with a registry host, import a Docker Hub name; settings win', () => {
  assert.equal(publishMethod(ref('jakousa/dwk-app1:1'), 'auto'), 'import');
  assert.equal(publishMethod(ref('ghcr.io/me/app:1'), 'auto'), 'push');
  assert.equal(publishMethod(ref('k3d-registry.localhost:5000/app:1'), 'auto'), 'push');
  assert.equal(publishMethod(ref('jakousa/dwk-app1:1'), 'push'), 'push');
  assert.equal(publishMethod(ref('ghcr.io/me/app:1'), 'import'), 'import');
  assert.equal(publishSettingFrom('bogus'), 'auto');
  assert.equal(k3dClusterOfContext('k3d-k3s-default'), 'k3s-default');
  assert.equal(k3dClusterOfContext('minikube'), undefined);
  assert.equal(k3dClusterOfContext('k3d-'), undefined);
});

test('the build plan: build then push, or build then import into the cluster', () => {
  assert.deepEqual(
    buildPlan({ image: 'ghcr.io/me/app:2', contextDir: '/w/app', publish: 'push' }).map((s) => [s.tool, ...s.args]),
    [['docker', 'build', '-t', 'ghcr.io/me/app:2', '/w/app'], ['docker', 'push', 'ghcr.io/me/app:2']],
  );
  assert.deepEqual(
    buildPlan({ image: 'jakousa/dwk-app1:abc', contextDir: '/w/app1', publish: 'import', cluster: 'k3s-default' }).map((s) => [s.tool, ...s.args]),
    [['docker', 'build', '-t', 'jakousa/dwk-app1:abc', '/w/app1'], ['k3d', 'image', 'import', 'jakousa/dwk-app1:abc', '-c', 'k3s-default']],
  );
  assert.throws(() => buildPlan({ image: 'a:1', contextDir: '/w', publish: 'import' }));
});

// stderr of Docker CLI 28 against engine 20.10 (classic builder), as captured on this machine.
const DEPRECATED = [
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.',
  '            Install the buildx component to build images with BuildKit:',
  '            https://docs.docker.com/go/buildx/',
  '',
];

test('a failed docker step says why in Docker\'s own words, without the classic builder\'s deprecation notice', () => {
  assert.equal(dockerFailureReason([...DEPRECATED]), undefined, 'the notice alone (a successful build) is no reason');
  assert.equal(
    dockerFailureReason([...DEPRECATED, 'COPY failed: file not found in build context or excluded by .dockerignore: stat nope.txt: file does not exist']),
    'COPY failed: file not found in build context or excluded by .dockerignore: stat nope.txt: file does not exist',
  );
  assert.equal(dockerFailureReason([...DEPRECATED, "\x1b[91mThe command '/bin/sh -c exit 3' returned a non-zero code: 3\x1b[0m"]), "The command '/bin/sh -c exit 3' returned a non-zero code: 3");
  assert.equal(
    dockerFailureReason(['Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?']),
    'Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?',
  );
  assert.equal(dockerFailureReason(['Get "http://localhost:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused']), 'Get "http://localhost:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused');
  assert.deepEqual(withoutDeprecationNotice([...DEPRECATED, 'Step 1/2 : FROM k3d-deploy/base:1']), ['', 'Step 1/2 : FROM k3d-deploy/base:1']);
});

test('each failure of the loop gets what to do', () => {
  assert.match(dockerFailureHint('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host', 'build') ?? '', /FROM image is not on this machine/);
  assert.match(dockerFailureHint('COPY failed: file not found in build context', 'build') ?? '', /build context/);
  assert.match(dockerFailureHint("The command '/bin/sh -c exit 3' returned a non-zero code: 3", 'build') ?? '', /RUN step/);
  assert.match(dockerFailureHint('dial tcp 127.0.0.1:5999: connect: connection refused', 'push') ?? '', /registry does not answer/);
  assert.match(dockerFailureHint('denied: requested access to the resource is denied', 'push') ?? '', /docker login/);
  assert.equal(dockerFailureHint('something new', 'build'), undefined);
});

test('docker image inspect and docker tag argument arrays', () => {
  assert.deepEqual(dockerImageInspectArgs('hashapp:1'), ['image', 'inspect', '--format', '{{.Id}}', 'hashapp:1']);
  assert.deepEqual(dockerTagArgs('k3d-reg:5000/a:1', 'localhost:5001/a:1'), ['tag', 'k3d-reg:5000/a:1', 'localhost:5001/a:1']);
});

test('k3d image import of an image Docker does not have: the hint says to build it', () => {
  // As the simulated k3d (after k3d v5) says it, and as older k3d versions did.
  assert.match(importFailureHint("Failed to import image(s) into cluster 'dev': no valid images specified") ?? '', /not in this machine's Docker: build it first/);
  assert.match(importFailureHint('failed to save image(s) from runtime: Error response from daemon: reference does not exist') ?? '', /build it first/);
  assert.equal(importFailureHint("failed to import images in node 'k3d-dev-server-0': container is not running"), undefined);
});
