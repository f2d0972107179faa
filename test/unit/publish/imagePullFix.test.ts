import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonImagePullFix, describeImagePullFix, imagePullFixes, isImagePullFailure } from '../../../src/core/publish/imagePullFix.ts';
import type { ImagePullFix } from '../../../src/core/publish/imagePullFix.ts';
import { parseLocalRegistryHosting } from '../../../src/core/publish/registry.ts';

const registry = parseLocalRegistryHosting({ 'localRegistryHosting.v1': 'host: localhost:5001\nhostFromContainerRuntime: k3d-reg:5000\n' });
const local = (...names: string[]) => {
  const asked: string[] = [];
  const has = async (image: string) => {
    asked.push(image);
    return names.includes(image);
  };
  return Object.assign(has, { asked });
};

test('ErrImagePull for an image the local Docker has: Import into Cluster', async () => {
  const fixes = await imagePullFixes({ reason: 'ErrImagePull', image: 'hashapp-local:1', pullPolicy: 'IfNotPresent', cluster: 'k3s-default' }, local('hashapp-local:1'));
  assert.deepEqual(fixes, [{ kind: 'import', label: 'Import into Cluster', image: 'hashapp-local:1', cluster: 'k3s-default' }]);
  assert.equal((await imagePullFixes({ reason: 'ImagePullBackOff', image: 'hashapp-local:1', cluster: 'dev' }, local('hashapp-local:1')))[0]?.kind, 'import');
  assert.equal((await imagePullFixes({ reason: 'ErrImageNeverPull', image: 'hashapp-local:1', pullPolicy: 'Never', cluster: 'dev' }, local('hashapp-local:1')))[0]?.kind, 'import');
});

test('no fix when the image is not local, the failure is not a pull, or the cluster is not k3d', async () => {
  assert.deepEqual(await imagePullFixes({ reason: 'ErrImagePull', image: 'nginx:1.27', cluster: 'dev' }, local()), []);
  assert.deepEqual(await imagePullFixes({ reason: 'CrashLoopBackOff', image: 'app:1', cluster: 'dev' }, local('app:1')), []);
  assert.deepEqual(await imagePullFixes({ reason: 'ErrImagePull', image: 'app:1' }, local('app:1')), []);
  assert.deepEqual(await imagePullFixes({ reason: 'InvalidImageName', image: 'App:1', cluster: 'dev' }, local('App:1')), []);
  assert.equal(isImagePullFailure('ImagePullBackOff'), true);
});

test('imagePullPolicy Always (or :latest without one): the import is offered, with what else to change', async () => {
  const [always] = await imagePullFixes({ reason: 'ErrImagePull', image: 'app:1', pullPolicy: 'Always', cluster: 'dev' }, local('app:1'));
  assert.ok(always?.kind === 'import');
  assert.match(always.pullPolicyNote ?? '', /imagePullPolicy is Always.*IfNotPresent.*Quick Fix/);
  const [latest] = await imagePullFixes({ reason: 'ErrImagePull', image: 'app', cluster: 'dev' }, local('app'));
  assert.ok(latest?.kind === 'import');
  assert.match(latest.pullPolicyNote ?? '', /:latest/);
});

test('an image on the cluster registry: Push to Cluster Registry, under its name on this machine', async () => {
  const built = local('localhost:5001/hashapp:2');
  assert.deepEqual(await imagePullFixes({ reason: 'ErrImagePull', image: 'k3d-reg:5000/hashapp:2', cluster: 'dev', registry }, built), [
    { kind: 'push', label: 'Push to Cluster Registry', source: 'localhost:5001/hashapp:2', pushImage: 'localhost:5001/hashapp:2' },
  ]);
  // Built under the nodes' name: tagged for this machine's side, then pushed.
  assert.deepEqual(await imagePullFixes({ reason: 'ErrImagePull', image: 'k3d-reg:5000/hashapp:2', cluster: 'dev', registry }, local('k3d-reg:5000/hashapp:2')), [
    { kind: 'push', label: 'Push to Cluster Registry', source: 'k3d-reg:5000/hashapp:2', pushImage: 'localhost:5001/hashapp:2' },
  ]);
  assert.deepEqual(await imagePullFixes({ reason: 'ErrImagePull', image: 'k3d-reg:5000/hashapp:3', cluster: 'dev', registry }, local()), []);
});

test('the notification says what the fix runs', () => {
  assert.equal(
    describeImagePullFix({ kind: 'import', label: 'Import into Cluster', image: 'hashapp-local:1', cluster: 'k3s-default' }),
    "hashapp-local:1 is in this machine's Docker but not in cluster 'k3s-default': Import into Cluster runs k3d image import hashapp-local:1 -c k3s-default, and the pod starts at its next pull attempt.",
  );
  assert.match(describeImagePullFix({ kind: 'push', label: 'Push to Cluster Registry', source: 'k3d-reg:5000/a:1', pushImage: 'localhost:5001/a:1' }), /docker tag k3d-reg:5000\/a:1 localhost:5001\/a:1, then docker push localhost:5001\/a:1/);
});

// The Quick Fix that sets imagePullPolicy for a locally imported image is shown as a diff first:
// the edit must be exactly one line in the container's map, right under `image:`, in the file's
// own line breaks, and the question beside the diff says which line changes.
const deployment = (eol: string, tag: string, extra = '') =>
  ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', 'spec:', '  template:', '    spec:', '      containers:', '        - name: app', `          image: hashapp${tag}`, ...(extra ? [extra] : []), '          ports:', '            - containerPort: 8080', ''].join(eol);

test('the pull policy edit: one line under image:, byte for byte, LF and CRLF, before the container\'s other keys', async () => {
  const { parseManifest } = await import('../../../src/core/manifests/api.ts');
  const { findImages } = await import('../../../src/core/manifests/images.ts');
  const { setImagePullPolicy } = await import('../../../src/core/manifests/edit.ts');
  const { lineChange, formatLineChange } = await import('../../../src/core/publish/imagePullFix.ts');
  for (const eol of ['\n', '\r\n']) {
    for (const tag of ['', ':latest']) {
      const text = deployment(eol, tag);
      const file = parseManifest(text);
      const result = setImagePullPolicy(file, findImages(file)[0], 'IfNotPresent');
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.text, text.replace(`image: hashapp${tag}${eol}`, `image: hashapp${tag}${eol}          imagePullPolicy: IfNotPresent${eol}`));
      assert.equal(result.edit.span.start, result.edit.span.end, 'an insertion: nothing of the file is replaced');
      const change = lineChange(text, result.edit);
      assert.deepEqual(change, { line: 9, before: [`          image: hashapp${tag}`], after: [`          image: hashapp${tag}`, '          imagePullPolicy: IfNotPresent'] });
      assert.equal(formatLineChange(change), 'line 11: + imagePullPolicy: IfNotPresent');
    }
  }
});

test('a pull policy already there (Always) is replaced in place: only its value changes', async () => {
  const { parseManifest } = await import('../../../src/core/manifests/api.ts');
  const { findImages } = await import('../../../src/core/manifests/images.ts');
  const { setImagePullPolicy } = await import('../../../src/core/manifests/edit.ts');
  const { lineChange, formatLineChange } = await import('../../../src/core/publish/imagePullFix.ts');
  const text = deployment('\r\n', ':1', '          imagePullPolicy: Always # the course said so');
  const file = parseManifest(text);
  const result = setImagePullPolicy(file, findImages(file)[0], 'IfNotPresent');
  assert.ok(result.ok);
  assert.equal(result.text, text.replace('imagePullPolicy: Always #', 'imagePullPolicy: IfNotPresent #'));
  assert.equal(formatLineChange(lineChange(text, result.edit)), 'line 11: - imagePullPolicy: Always # the course said so  + imagePullPolicy: IfNotPresent # the course said so');
});

test('several stuck rollouts: one fix for all when each pod has a fix of one kind, each image once', () => {
  const imp = (image: string, cluster = 'dev'): ImagePullFix => ({ kind: 'import', label: 'Import into Cluster', image, cluster });
  const push: ImagePullFix = { kind: 'push', label: 'Push to Cluster Registry', source: 'app:1', pushImage: 'localhost:5001/app:1' };
  // Three deployments of one host-only image, and a fourth of another: two imports, not four.
  const all = commonImagePullFix([[imp('app:1')], [imp('app:1')], [imp('worker:2')], [imp('app:1')]]);
  assert.equal(all?.label, 'Import All into Cluster');
  assert.deepEqual(all?.fixes, [imp('app:1'), imp('worker:2')]);
  assert.equal(all?.runs, 'k3d image import app:1 -c dev; k3d image import worker:2 -c dev');
  const pushed = commonImagePullFix([[push], [{ ...push }]]);
  assert.equal(pushed?.label, 'Push All to Cluster Registry');
  assert.equal(pushed?.runs, 'docker tag app:1 localhost:5001/app:1, docker push localhost:5001/app:1');
  // A pod with no fix (a crash loop, an image nobody has), or fixes of two kinds: each on its own.
  assert.equal(commonImagePullFix([[imp('app:1')], []]), undefined);
  assert.equal(commonImagePullFix([[imp('app:1')], [push]]), undefined);
  assert.equal(commonImagePullFix([]), undefined);
});
