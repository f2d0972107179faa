// kubectl's client-side to server-side apply migration, judged by the real kubectl: `kubectl apply --server-side`
// after a client-side `kubectl apply` that changed fields succeeds, as on a real API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCluster } from './test/harness.ts';

const deployment = (image: string, replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
`;

test('kubectl apply --server-side after client-side applies takes the fields over without a conflict', {
  timeout: 60_000,
}, async (t) => {
  const tc = await makeCluster({ agents: 0 });
  t.after(() => tc.cleanup());
  for (const [image, replicas] of [['nginx:1.27', 1], ['nginx:1.28', 2]] as const) {
    const r = await tc.kubectl(['apply', '-f', '-'], deployment(image, replicas));
    assert.equal(r.code, 0, r.stderr);
  }
  const ssa = await tc.kubectl(['apply', '--server-side', '-f', '-'], deployment('nginx:1.29', 3));
  assert.equal(ssa.code, 0, ssa.stderr);
  assert.equal(ssa.stdout.trim(), 'deployment.apps/web serverside-applied');
  const got = await tc.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}']);
  assert.equal(got.stdout, '3 nginx:1.29');
  const managers = await tc.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation}{"\\n"}{end}']);
  assert.match(managers.stdout, /^kubectl\/Apply$/m);
  // Another field manager still gets the conflict a real API server reports.
  const other = await tc.kubectl(['apply', '--server-side', '--field-manager=ci', '-f', '-'], deployment('nginx:1.30', 3));
  assert.equal(other.code, 1);
  assert.match(other.stderr, /Apply failed with 1 conflict: conflict with "kubectl" using apps\/v1: \.spec\.template\.spec\.containers\[name="web"\]\.image/);
});
