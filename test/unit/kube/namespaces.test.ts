// The system namespaces, written once (src/core/kube/namespaces.ts): the Workloads tree groups them,
// and the Logs and workload pickers leave them out by the same rule.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { inUserNamespace, isSystemNamespace, SYSTEM_NAMESPACES } from '../../../src/core/kube/namespaces.ts';

test('kube-system, kube-public and kube-node-lease are the system namespaces, and only they', () => {
  assert.deepEqual([...SYSTEM_NAMESPACES].sort(), ['kube-node-lease', 'kube-public', 'kube-system']);
  for (const ns of SYSTEM_NAMESPACES) assert.equal(isSystemNamespace(ns), true, ns);
  for (const ns of ['default', 'kube', 'kube-systems', 'Kube-System', '', undefined]) assert.equal(isSystemNamespace(ns), false, String(ns));
});

test("a picker keeps the user's objects, including ones with no namespace, and drops the system ones", () => {
  const objects = [
    { metadata: { name: 'web', namespace: 'default' } },
    { metadata: { name: 'coredns', namespace: 'kube-system' } },
    { metadata: { name: 'api', namespace: 'shop' } },
    { metadata: { name: 'lease', namespace: 'kube-node-lease' } },
    { metadata: { name: 'node-1' } },
  ];
  assert.deepEqual(objects.filter(inUserNamespace).map((o) => o.metadata.name), ['web', 'api', 'node-1']);
});
