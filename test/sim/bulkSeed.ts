// Bulk seeding of the simulated API server's store, for scale benchmarks: namespaces full of
// Deployments, their ReplicaSets and Running, Ready pods, written straight into the Store as the
// controllers and kubelet would have left them (pod-template-hash labels, owner references,
// conditions, container statuses, managedFields of two managers). Creating 10,000 pods through
// the API would make the simulated kubelet start each and its event recorder scan every event
// of the namespace per event: hours, not seconds.
import { randomUUID } from 'node:crypto';
import type { Store } from './apiserver/storage.ts';
import type { Obj } from './apiserver/util.ts';

export interface BulkShape {
  namespaces: number;
  deploymentsPerNamespace: number;
  replicas: number;
  nodes: string[];
  /** e.g. `scale-` -> namespaces scale-01, scale-02... */
  prefix?: string;
}

const T0 = '2026-11-29T10:00:00Z';

function managed(manager: string, operation: string, subresource?: string): Obj {
  return {
    manager,
    operation,
    apiVersion: 'v1',
    time: T0,
    fieldsType: 'FieldsV1',
    ...(subresource ? { subresource } : {}),
    fieldsV1: subresource
      ? { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:startTime': {} } }
      : { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': { '.': {}, 'k:{"uid":"x"}': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:ports': {}, 'f:resources': {} } }, 'f:dnsPolicy': {}, 'f:restartPolicy': {} } },
  };
}

/** Returns the keys (namespace/name) of the pods it made, per namespace. */
export function seedWorkloads(store: Store, shape: BulkShape): Map<string, string[]> {
  const prefix = shape.prefix ?? 'scale-';
  const podsByNamespace = new Map<string, string[]>();
  let ip = 0;
  for (let n = 1; n <= shape.namespaces; n++) {
    const ns = `${prefix}${String(n).padStart(2, '0')}`;
    store.put('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: randomUUID(), creationTimestamp: T0, labels: { 'kubernetes.io/metadata.name': ns } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    const keys: string[] = [];
    podsByNamespace.set(ns, keys);
    for (let d = 1; d <= shape.deploymentsPerNamespace; d++) {
      const app = `web-${n}-${d}`;
      const hash = `${(n * 7919 + d * 104729).toString(36).slice(0, 8).padEnd(8, 'x')}`.slice(0, 10);
      const labels = { app };
      const container = { name: 'web', image: `registry.local/${app}:1.0.${d}`, imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
      const deploymentUid = randomUUID();
      const replicas = shape.replicas;
      store.put('Deployment', {
        apiVersion: 'apps/v1', kind: 'Deployment',
        metadata: { name: app, namespace: ns, uid: deploymentUid, generation: 1, creationTimestamp: T0, labels, annotations: { 'deployment.kubernetes.io/revision': '1' } },
        spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 },
        status: {
          observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas,
          conditions: [
            { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: T0, lastTransitionTime: T0 },
            { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${app}-${hash}" has successfully progressed.`, lastUpdateTime: T0, lastTransitionTime: T0 },
          ],
        },
      });
      const rsName = `${app}-${hash}`;
      const rsUid = randomUUID();
      const podLabels = { app, 'pod-template-hash': hash };
      store.put('ReplicaSet', {
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: { name: rsName, namespace: ns, uid: rsUid, generation: 1, creationTimestamp: T0, labels: podLabels, annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)), 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: deploymentUid, controller: true, blockOwnerDeletion: true }] },
        spec: { replicas, selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec: { containers: [container], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' } } },
        status: { replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1 },
      });
      for (let p = 0; p < replicas; p++) {
        const name = `${rsName}-${p.toString(36).padStart(5, '0')}`;
        const node = shape.nodes[p % shape.nodes.length];
        ip++;
        const podIP = `10.42.${Math.floor(ip / 250) % 250}.${(ip % 250) + 1}`;
        store.put('Pod', {
          apiVersion: 'v1', kind: 'Pod',
          metadata: {
            name, generateName: `${rsName}-`, namespace: ns, uid: randomUUID(), creationTimestamp: T0, labels: podLabels,
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rsUid, controller: true, blockOwnerDeletion: true }],
            managedFields: [managed('k3s', 'Update'), managed('k3s', 'Update', 'status')],
          },
          spec: {
            containers: [{ ...container, volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] }],
            nodeName: node, restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', serviceAccountName: 'default', terminationGracePeriodSeconds: 30, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0,
            tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
            volumes: [{ name: 'kube-api-access', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } }],
          },
          status: {
            phase: 'Running', hostIP: '172.18.0.2', podIP, podIPs: [{ ip: podIP }], startTime: T0, qosClass: 'BestEffort',
            conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: T0 })),
            containerStatuses: [{ name: 'web', ready: true, started: true, restartCount: 0, image: container.image, imageID: `${container.image.split(':')[0]}@sha256:${'0'.repeat(64)}`, containerID: `containerd://${randomUUID().replace(/-/g, '')}`, state: { running: { startedAt: T0 } }, lastState: {} }],
          },
        });
        keys.push(`${ns}/${name}`);
      }
    }
  }
  return podsByNamespace;
}
