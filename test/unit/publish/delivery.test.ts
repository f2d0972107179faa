import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPlan, planDelivery } from '../../../src/core/publish/publish.ts';
import { hostSideImage, isOnClusterRegistry, parseLocalRegistryHosting } from '../../../src/core/publish/registry.ts';
import { parseImageReference } from '../../../src/core/manifests/imageReference.ts';
import type { ImageReference } from '../../../src/core/manifests/imageReference.ts';

const ref = (s: string) => parseImageReference(s) as ImageReference;

// What k3d 5 writes into kube-public/local-registry-hosting (pkg/client/registry.go).
const HOSTING = {
  'localRegistryHosting.v1': 'host: localhost:5001\nhostFromContainerRuntime: k3d-reg:5000\nhostFromClusterNetwork: k3d-reg:5000\nhelp: https://k3d.io/stable/usage/registries/#using-a-local-registry\n',
};
const registry = parseLocalRegistryHosting(HOSTING)!;

test('the local-registry-hosting ConfigMap: the host for docker push and the name the nodes pull by', () => {
  assert.deepEqual(registry, { host: 'localhost:5001', hostFromContainerRuntime: 'k3d-reg:5000', hostFromClusterNetwork: 'k3d-reg:5000' });
  assert.deepEqual(parseLocalRegistryHosting({ 'localRegistryHosting.v1': 'host: "127.0.0.1:5002"\nhostFromContainerRuntime: "k3d-r2:5000"\n' }), {
    host: '127.0.0.1:5002',
    hostFromContainerRuntime: 'k3d-r2:5000',
    hostFromClusterNetwork: undefined,
  });
  assert.equal(parseLocalRegistryHosting(undefined), undefined);
  assert.equal(parseLocalRegistryHosting({ other: 'host: localhost:1' }), undefined);
  assert.equal(parseLocalRegistryHosting({ 'localRegistryHosting.v1': 'host: "; rm -rf /"' }), undefined, 'a host that is not a host is ignored');
});

test('an image names the cluster registry by the nodes\' name or by its name on this machine', () => {
  assert.equal(isOnClusterRegistry(ref('k3d-reg:5000/app:1'), registry), true);
  assert.equal(isOnClusterRegistry(ref('localhost:5001/app:1'), registry), true);
  assert.equal(isOnClusterRegistry(ref('127.0.0.1:5001/app:1'), registry), true);
  assert.equal(isOnClusterRegistry(ref('k3d-other:5000/app:1'), registry), false);
  assert.equal(isOnClusterRegistry(ref('app:1'), registry), false);
  assert.equal(hostSideImage(ref('k3d-reg:5000/team/app:1'), '2', registry), 'localhost:5001/team/app:2');
});

test('Build & Deploy to a cluster with a registry: build as localhost:PORT/app:NEW, push it, the manifest keeps k3d-reg:5000', () => {
  const d = planDelivery({ ref: ref('k3d-reg:5000/hashapp:1'), tag: '2', setting: 'auto', cluster: 'dev', registry });
  assert.deepEqual(d, { ok: true, method: 'push', manifestImage: 'k3d-reg:5000/hashapp:2', buildImage: 'localhost:5001/hashapp:2', toClusterRegistry: true });
  assert.ok(d.ok && d.method === 'push');
  assert.deepEqual(
    buildPlan({ image: d.buildImage, contextDir: '/w/app', publish: 'push' }).map((s) => [s.kind, s.tool, ...s.args]),
    [['build', 'docker', 'build', '-t', 'localhost:5001/hashapp:2', '/w/app'], ['push', 'docker', 'push', 'localhost:5001/hashapp:2']],
  );
});

test('Build & Deploy of a plain name to a k3d cluster: build and k3d image import under the manifest\'s name', () => {
  const d = planDelivery({ ref: ref('hashapp:1'), tag: '2', setting: 'auto', cluster: 'k3s-default', registry });
  assert.deepEqual(d, { ok: true, method: 'import', manifestImage: 'hashapp:2', buildImage: 'hashapp:2', cluster: 'k3s-default' });
  const notK3d = planDelivery({ ref: ref('hashapp:1'), tag: '2', setting: 'auto' });
  assert.equal(notK3d.ok, false);
  assert.equal(!notK3d.ok && notK3d.needs, 'k3dContext');
});

test('a k3d registry name with no registry announced by the cluster: says there is nowhere to push, runs nothing', () => {
  const d = planDelivery({ ref: ref('k3d-reg:5000/hashapp:1'), tag: '2', setting: 'auto', cluster: 'dev' });
  assert.equal(d.ok, false);
  assert.match(!d.ok ? d.reason : '', /k3d-reg:5000 .*announces no registry.*--registry-use/);
});

test('the setting wins: import even an image on the registry; push a Docker Hub name', () => {
  assert.equal(planDelivery({ ref: ref('k3d-reg:5000/a:1'), tag: '2', setting: 'import', cluster: 'dev', registry }).ok && 'import', 'import');
  const push = planDelivery({ ref: ref('me/app:1'), tag: '2', setting: 'push', cluster: 'dev' });
  assert.deepEqual(push, { ok: true, method: 'push', manifestImage: 'me/app:2', buildImage: 'me/app:2', toClusterRegistry: false });
});

test('a manifest naming the cluster registry by this machine\'s name (localhost:PORT): refused with the nodes\' name, nothing built', () => {
  // The nodes would pull localhost:5001 from their own loopback: push and pull names must differ.
  for (const image of ['localhost:5001/team/hashapp:1', '127.0.0.1:5001/team/hashapp:1']) {
    const d = planDelivery({ ref: ref(image), tag: '2', setting: 'auto', cluster: 'dev', registry });
    assert.equal(d.ok, false, image);
    const reason = !d.ok ? d.reason : '';
    assert.match(reason, /nodes would pull from their own (localhost|127\.0\.0\.1):5001/);
    assert.match(reason, /Change the image to k3d-reg:5000\/team\/hashapp;/);
    assert.match(reason, /pushes to localhost:5001 and the manifest keeps k3d-reg:5000/);
  }
  // Announced with hostFromClusterNetwork only: that name is the one to use.
  const networkOnly = parseLocalRegistryHosting({ 'localRegistryHosting.v1': 'host: localhost:5001\nhostFromClusterNetwork: k3d-net:5001\n' })!;
  const d = planDelivery({ ref: ref('localhost:5001/app:1'), tag: '2', setting: 'auto', cluster: 'dev', registry: networkOnly });
  assert.match(!d.ok ? d.reason : '', /Change the image to k3d-net:5001\/app;/);
  // A registry whose announcement names no cluster-side host: nothing better to say, the push goes ahead.
  const hostOnly = parseLocalRegistryHosting({ 'localRegistryHosting.v1': 'host: localhost:5001\n' })!;
  assert.equal(planDelivery({ ref: ref('localhost:5001/app:1'), tag: '2', setting: 'auto', cluster: 'dev', registry: hostOnly }).ok, true);
});
