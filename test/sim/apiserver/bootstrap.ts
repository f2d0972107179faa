// A fresh k3s cluster's objects: namespaces, nodes from cluster.json, the kube-system add-ons and default/kubernetes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Api } from './rest.ts';
import type { ClusterFile } from './cluster.ts';
import { kindOf } from './kinds.ts';
import { clone, nowISO, randomSuffix, uid } from './util.ts';
import type { Obj } from './util.ts';

const SYSTEM = { fieldManager: 'k3s' };

function ensure(api: Api, kind: string, ns: string | undefined, obj: Obj, options = SYSTEM): void {
  const info = kindOf(kind);
  if (api.tryGet(info, ns, obj.metadata.name)) return;
  api.create(info, ns, obj, options);
}

/** Go's encoding/json of a map: keys sorted (kubectl's last-applied-configuration). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What the simulated k3d left in <cluster dir>/manifests/ for `kubectl apply` after the start (k3d applies
 * the local-registry-hosting ConfigMap of a cluster with a registry that way), created once as kubectl would.
 */
function applyClusterManifests(api: Api, cluster: ClusterFile): void {
  const dir = join(cluster.dir, 'manifests');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    return;
  }
  for (const file of files) {
    for (const doc of YAML.parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const obj = doc.toJSON() as Obj | null;
      if (!obj?.kind || !obj.metadata?.name) continue;
      const applied = { ...obj, metadata: { annotations: {}, ...obj.metadata } };
      const annotations = { ...obj.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': `${sortedJson(applied)}\n` };
      ensure(api, obj.kind, obj.metadata.namespace, { ...obj, metadata: { ...obj.metadata, annotations } }, { fieldManager: 'kubectl-client-side-apply' });
    }
  }
}

function nodeObject(name: string, role: string, ip: string, version: string, created: string, idx: number): Obj {
  const labels: Obj = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': 'k3s',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'k3s',
  };
  if (role === 'server') {
    labels['node-role.kubernetes.io/control-plane'] = 'true';
    labels['node-role.kubernetes.io/master'] = 'true';
  }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': ip,
        'flannel.alpha.coreos.com/backend-type': 'vxlan',
        'flannel.alpha.coreos.com/public-ip': ip,
        'k3s.io/hostname': name,
        'k3s.io/internal-ip': ip,
        'k3s.io/node-args': role === 'server' ? '["server","--tls-san","0.0.0.0"]' : '["agent"]',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
      creationTimestamp: created,
    },
    spec: { podCIDR: `10.42.${idx}.0/24`, podCIDRs: [`10.42.${idx}.0/24`], providerID: `k3s://${name}` },
    status: {
      addresses: [{ address: ip, type: 'InternalIP' }, { address: name, type: 'Hostname' }],
      allocatable: { cpu: '2', 'ephemeral-storage': '60458209113', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '8039860Ki', pods: '110' },
      capacity: { cpu: '2', 'ephemeral-storage': '62147976Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '8039860Ki', pods: '110' },
      conditions: [],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: uid(),
        containerRuntimeVersion: 'containerd://1.7.23-k3s2',
        kernelVersion: '6.8.0-51-generic',
        kubeProxyVersion: version,
        kubeletVersion: version,
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'K3s v1.31.5+k3s1'.replace('v1.31.5+k3s1', version),
        systemUUID: uid(),
      },
    },
  };
}

function nodeConditions(ready: boolean, since: string): Obj[] {
  const c = (type: string, status: string, reason: string, message: string): Obj => ({ lastHeartbeatTime: nowISO(), lastTransitionTime: since, message, reason, status, type });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready ? c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status') : c('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'),
  ];
}

/** Makes the Node objects match cluster.json's server/agent nodes. */
export function syncNodes(api: Api, cluster: ClusterFile): void {
  const info = kindOf('Node');
  const cfg = cluster.read();
  const wanted = cluster.kubeNodes();
  for (const [idx, n] of wanted.entries()) {
    const existing = api.tryGet(info, undefined, n.name);
    if (!existing) {
      const created = nowISO();
      const o = nodeObject(n.name, n.role, n.ip ?? '172.18.0.2', cfg.k3sVersion, created, idx);
      o.status.conditions = nodeConditions(n.running !== false, created);
      api.create(info, undefined, o, SYSTEM);
      continue;
    }
    const ready = (existing.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready')?.status === 'True';
    const shouldBeReady = n.running !== false;
    const ip = n.ip ?? '172.18.0.2';
    const sameIp = (existing.status?.addresses ?? []).some((a: Obj) => a.type === 'InternalIP' && a.address === ip);
    if (ready !== shouldBeReady || !sameIp || existing.status?.nodeInfo?.kubeletVersion !== cfg.k3sVersion) {
      const next = clone(existing);
      next.status.conditions = nodeConditions(shouldBeReady, nowISO());
      next.status.addresses = [{ address: ip, type: 'InternalIP' }, { address: n.name, type: 'Hostname' }];
      next.status.nodeInfo.kubeletVersion = cfg.k3sVersion;
      next.status.nodeInfo.kubeProxyVersion = cfg.k3sVersion;
      api.updateStatus('Node', next);
    }
  }
  // A node whose container is gone (`k3d node delete`) stays registered, NotReady, until `kubectl delete node`: k3d's
  // NodeDelete (pkg/client/node.go) removes only the container.
  for (const o of api.store.list('Node')) {
    if (wanted.some((n) => n.name === o.metadata.name)) continue;
    if ((o.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready')?.status !== 'True') continue;
    const next = clone(o);
    next.status.conditions = nodeConditions(false, nowISO());
    api.updateStatus('Node', next);
  }
}

function addon(name: string, image: string, labels: Obj, extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'kube-system', labels, annotations: { 'objectset.rio.cattle.io/id': '' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: name,
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
          containers: [{ name: extra.container ?? name, image, ...(extra.ports ? { ports: extra.ports } : {}) }],
        },
      },
    },
  };
}

function service(name: string, labels: Obj, selector: Obj, ports: Obj[], clusterIP?: string, type = 'ClusterIP'): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'kube-system', labels },
    spec: { type, selector, ports, ...(clusterIP ? { clusterIP } : {}) },
  };
}

/** Creates what a fresh k3s has, unless it already exists (a restart keeps the stored objects). */
export function bootstrap(api: Api, cluster: ClusterFile): void {
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    ensure(api, 'Namespace', undefined, { metadata: { name: ns } });
  }
  syncNodes(api, cluster);
  applyClusterManifests(api, cluster);
  ensure(api, 'Service', 'default', {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  });
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    ensure(api, 'ServiceAccount', ns, { metadata: { name: 'default', namespace: ns } });
    ensure(api, 'ConfigMap', ns, { metadata: { name: 'kube-root-ca.crt', namespace: ns, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n(simulated)\n-----END CERTIFICATE-----\n' } });
  }
  ensure(api, 'Deployment', 'kube-system', addon('coredns', 'rancher/mirrored-coredns-coredns:1.12.0', { 'k8s-app': 'kube-dns' }, {
    ports: [{ containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' }, { containerPort: 9153, name: 'metrics', protocol: 'TCP' }],
  }));
  ensure(api, 'Deployment', 'kube-system', addon('local-path-provisioner', 'rancher/local-path-provisioner:v0.0.30', { app: 'local-path-provisioner' }));
  ensure(api, 'Deployment', 'kube-system', addon('metrics-server', 'rancher/mirrored-metrics-server:v0.7.2', { 'k8s-app': 'metrics-server' }, {
    ports: [{ containerPort: 10250, name: 'https', protocol: 'TCP' }],
  }));
  ensure(api, 'Deployment', 'kube-system', addon('traefik', 'rancher/mirrored-library-traefik:2.11.18', { 'app.kubernetes.io/instance': 'traefik-kube-system', 'app.kubernetes.io/name': 'traefik' }, {
    ports: [{ containerPort: 8000, name: 'web', protocol: 'TCP' }, { containerPort: 8443, name: 'websecure', protocol: 'TCP' }],
  }));
  ensure(api, 'Service', 'kube-system', service('kube-dns',
    { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    { 'k8s-app': 'kube-dns' },
    [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }, { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 }],
    '10.43.0.10'));
  ensure(api, 'Service', 'kube-system', service('metrics-server',
    { 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'Metrics-server' },
    { 'k8s-app': 'metrics-server' },
    [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }]));
  const traefikSvc = service('traefik',
    { 'app.kubernetes.io/instance': 'traefik-kube-system', 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/name': 'traefik' },
    { 'app.kubernetes.io/instance': 'traefik-kube-system', 'app.kubernetes.io/name': 'traefik' },
    [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 'web', nodePort: 30000 + Math.floor(Math.random() * 2000) }, { name: 'websecure', port: 443, protocol: 'TCP', targetPort: 'websecure', nodePort: 32000 + Math.floor(Math.random() * 700) }],
    undefined, 'LoadBalancer');
  ensure(api, 'Service', 'kube-system', traefikSvc);
  const svc = api.tryGet(kindOf('Service'), 'kube-system', 'traefik');
  if (svc && !(svc.status?.loadBalancer?.ingress ?? []).length) {
    svc.status = { loadBalancer: { ingress: cluster.kubeNodes().map((n) => ({ ip: n.ip ?? '172.18.0.2', ipMode: 'VIP' })) } };
    api.updateStatus('Service', svc);
  }
  const dsName = `svclb-traefik-${randomSuffix(8)}`;
  if (!api.store.list('DaemonSet', 'kube-system').some((d) => String(d.metadata.name).startsWith('svclb-traefik'))) {
    const labels = { app: dsName, 'svccontroller.k3s.cattle.io/svcname': 'traefik', 'svccontroller.k3s.cattle.io/svcnamespace': 'kube-system' };
    api.create(kindOf('DaemonSet'), 'kube-system', {
      metadata: { name: dsName, namespace: 'kube-system', labels: { 'objectset.rio.cattle.io/hash': randomSuffix(10), 'svccontroller.k3s.cattle.io/nodeselector': 'false', 'svccontroller.k3s.cattle.io/svcname': 'traefik', 'svccontroller.k3s.cattle.io/svcnamespace': 'kube-system' } },
      spec: {
        selector: { matchLabels: { app: dsName } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              { name: 'lb-tcp-80', image: 'rancher/klipper-lb:v0.4.9', ports: [{ containerPort: 80, hostPort: 80, name: 'lb-tcp-80', protocol: 'TCP' }] },
              { name: 'lb-tcp-443', image: 'rancher/klipper-lb:v0.4.9', ports: [{ containerPort: 443, hostPort: 443, name: 'lb-tcp-443', protocol: 'TCP' }] },
            ],
            tolerations: [{ key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' }, { key: 'CriticalAddonsOnly', operator: 'Exists' }],
          },
        },
      },
    }, SYSTEM);
  }
}
