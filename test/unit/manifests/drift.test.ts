import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deploymentDrift } from '../../../src/core/manifests/drift.ts';
import { compareWithLive } from '../../../src/core/manifests/lessons.ts';
import { ManifestFile } from '../../../src/core/manifests/documents.ts';

const live = (replicas: number | undefined, containers: Array<{ name: string; image: string }>) => ({ spec: { replicas, template: { spec: { containers } } } });

test('a scaled or set-image deployment says how it differs from its file, cluster first', () => {
  const drift = deploymentDrift(live(3, [{ name: 'app', image: 'app:2' }, { name: 'side', image: 'busybox:1' }]), { replicas: 1, images: new Map([['app', 'app:1'], ['side', 'busybox:1']]) });
  assert.deepEqual(drift, ['replicas: 3 in the cluster, 1 in the file', 'app image: app:2 in the cluster, app:1 in the file']);
});

test('what the file does not say is not drift: no replicas in the file, a container the file does not name', () => {
  assert.deepEqual(deploymentDrift(live(undefined, [{ name: 'extra', image: 'x:1' }]), { images: new Map() }), []);
  assert.deepEqual(deploymentDrift(live(undefined, []), { replicas: 1, images: new Map() }), [], 'no replicas in the cluster is 1, as the API defaults it');
});

test('the tree and the image lessons agree on what is the same image (nginx:1.25 is docker.io/library/nginx:1.25)', () => {
  const file = new ManifestFile('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n');
  for (const liveImage of ['docker.io/library/nginx:1.25', 'nginx:1.25', 'nginx:1.26']) {
    const tree = deploymentDrift(live(1, [{ name: 'web', image: liveImage }]), { images: new Map([['web', 'nginx:1.25']]) });
    const lesson = compareWithLive(file.documents[0], [{ name: 'web', image: liveImage }]);
    assert.equal(tree.length > 0, lesson[0].changes, `${liveImage}: tree ${JSON.stringify(tree)}, lesson changes=${lesson[0].changes}`);
  }
});
