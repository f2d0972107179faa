// Where the simulated kubelet takes an image from (runtime/images.ts), with the host's Docker answered by the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noSuchHost, pullAccessDenied, resolveImage, splitRef, tagNotFound } from './runtime/images.ts';

const facts = {
  importedImageIds: { 'hashapp:v1': 'sha256:aaa', 'docker.io/me/app:2': 'sha256:bbb' },
  registries: [{ name: 'k3d-reg', host: '0.0.0.0', hostPort: '5111', port: 5000 }],
};
const onHost = (refs: string[]) => async (ref: string) => refs.includes(ref);

test('imported images are found under any spelling containerd canonicalises alike', async () => {
  for (const image of ['hashapp:v1', 'docker.io/library/hashapp:v1', 'library/hashapp:v1']) {
    assert.deepEqual(await resolveImage(image, facts, onHost([])), { kind: 'imported', id: 'sha256:aaa' }, image);
  }
  assert.deepEqual(await resolveImage('me/app:2', facts, onHost([])), { kind: 'imported', id: 'sha256:bbb' });
  assert.notEqual((await resolveImage('hashapp:v2', facts, onHost([]))).kind, 'imported');
});

test('cluster registry names: k3d-NAME:PORT and k3d-NAME:HOSTPORT (the mirrors k3d writes) reach 127.0.0.1:HOSTPORT', async () => {
  for (const image of ['k3d-reg:5000/app:v1', 'k3d-reg:5111/app:v1']) {
    assert.deepEqual(await resolveImage(image, facts, onHost([])), { kind: 'registry', hostPort: 5111, repo: 'app', tag: 'v1' }, image);
  }
  assert.equal((await resolveImage('k3d-reg:5000/team/app', facts, onHost([]))).kind, 'registry');
});

test('the registry\'s name on this machine (localhost:HOSTPORT) is the node\'s own loopback: refused, as containerd says', async () => {
  for (const image of ['localhost:5111/app:v1', '127.0.0.1:5111/app:v1']) {
    assert.deepEqual(await resolveImage(image, facts, onHost([])), { kind: 'refused', host: image.split('/')[0], repo: 'app', tag: 'v1' }, image);
  }
});

test('hosts that do not resolve, loopback with no registry, host-only images, public images', async () => {
  assert.deepEqual(await resolveImage('registry.example.invalid/app:v1', facts, onHost([])), { kind: 'unresolvable', host: 'registry.example.invalid', repo: 'app', tag: 'v1' });
  assert.equal((await resolveImage('k3d-other:5000/app:v1', facts, onHost([]))).kind, 'unresolvable');
  assert.equal((await resolveImage('localhost:5999/app:v1', facts, onHost([]))).kind, 'refused');
  assert.deepEqual(await resolveImage('hashapp:v2', facts, onHost(['hashapp:v2'])), { kind: 'hostOnly' });
  assert.deepEqual(await resolveImage('nginx', facts, onHost([])), { kind: 'scripted' });
  assert.deepEqual(await resolveImage('jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64', facts, onHost([])), { kind: 'scripted' });
  // Only Docker Hub images are asked about: a host tag of a registry name is not what the cluster pulls.
  assert.deepEqual(await resolveImage('ghcr.io/me/app:v1', facts, onHost(['ghcr.io/me/app:v1'])), { kind: 'scripted' });
});

test('containerd messages', () => {
  assert.deepEqual(splitRef('docker.io/library/nginx:1.27'), { host: 'docker.io', repo: 'library/nginx', tag: '1.27' });
  assert.equal(pullAccessDenied('docker.io/library/hashapp:v2'), 'failed to pull and unpack image "docker.io/library/hashapp:v2": failed to resolve reference "docker.io/library/hashapp:v2": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed');
  assert.equal(tagNotFound('k3d-reg:5000/app:v2'), 'failed to pull and unpack image "k3d-reg:5000/app:v2": failed to resolve reference "k3d-reg:5000/app:v2": k3d-reg:5000/app:v2: not found');
  assert.equal(noSuchHost('r.invalid/a:1', 'r.invalid', 'a', '1'), 'failed to pull and unpack image "r.invalid/a:1": failed to resolve reference "r.invalid/a:1": failed to do request: Head "https://r.invalid/v2/a/manifests/1": dial tcp: lookup r.invalid: no such host');
});
