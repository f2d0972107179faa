// meta.k8s.io/v1 Table rendering: the columns of pkg/printers/internalversion/printers.go, as `kubectl get` prints them.
import { labelSelectorString } from './selectors.ts';
import { ageOf, humanDuration } from './util.ts';
import type { Obj } from './util.ts';

interface Column { name: string; type: string; format?: string; description: string; priority?: number }

const NAME_DOC = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DOC = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const name: Column = { name: 'Name', type: 'string', format: 'name', description: NAME_DOC };
const age: Column = { name: 'Age', type: 'string', description: AGE_DOC };
const col = (n: string, description: string, priority = 0, type = 'string'): Column => ({ name: n, type, description, priority });

interface Printer { columns: Column[]; row: (o: Obj) => unknown[] }

function podStatus(pod: Obj): { ready: string; reason: string; restarts: string } {
  const st = pod.status ?? {};
  const total = (pod.spec?.containers ?? []).length;
  let readyCount = 0;
  let restarts = 0;
  let lastRestart = 0;
  let reason: string = st.reason || st.phase || 'Pending';
  let initializing = false;
  const inits: Obj[] = st.initContainerStatuses ?? [];
  inits.forEach((c, i) => {
    restarts += c.restartCount ?? 0;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) return;
    initializing = true;
    if (t) reason = t.reason ? `Init:${t.reason}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(pod.spec?.initContainers ?? []).length}`;
  });
  if (!initializing) {
    let hasRunning = false;
    const cs: Obj[] = [...(st.containerStatuses ?? [])].reverse();
    for (const c of cs) {
      restarts += c.restartCount ?? 0;
      const lt = c.lastState?.terminated?.finishedAt;
      if (lt) lastRestart = Math.max(lastRestart, Date.parse(lt));
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.state?.running && c.ready) {
        hasRunning = true;
        readyCount++;
      } else if (c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCond = (st.conditions ?? []).find((c: Obj) => c.type === 'Ready');
      reason = readyCond?.status === 'True' ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  let r = String(restarts);
  if (lastRestart) r = `${restarts} (${humanDuration(Date.now() - lastRestart)} ago)`;
  return { ready: `${readyCount}/${total}`, reason, restarts: r };
}

function containersAndImages(spec: Obj | undefined): [string, string] {
  const cs: Obj[] = spec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

function servicePorts(s: Obj): string {
  const ports: Obj[] = s.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function externalIP(s: Obj): string {
  const type = s.spec?.type;
  const ext: string[] = s.spec?.externalIPs ?? [];
  if (type === 'LoadBalancer') {
    const ing: Obj[] = s.status?.loadBalancer?.ingress ?? [];
    const ips = [...ing.map((i) => i.ip ?? i.hostname), ...ext];
    return ips.length ? ips.join(',') : '<pending>';
  }
  if (type === 'ExternalName') return s.spec.externalName;
  return ext.length ? ext.join(',') : '<none>';
}

function nodeRoles(n: Obj): string {
  const roles: string[] = [];
  for (const k of Object.keys(n.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.push(k.slice('node-role.kubernetes.io/'.length));
  }
  return roles.length ? roles.sort().join(',') : '<none>';
}

function nodeStatus(n: Obj): string {
  const ready = (n.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  // printNode (pkg/printers/internalversion/printers.go): a Ready condition that is not True, Unknown included, is NotReady.
  let s = ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  if (n.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function addr(n: Obj, type: string): string {
  return (n.status?.addresses ?? []).find((a: Obj) => a.type === type)?.address ?? '<none>';
}

function eventObject(e: Obj): string {
  const io = e.involvedObject ?? {};
  return `${String(io.kind ?? '').toLowerCase()}/${io.name}`;
}

function eventSource(e: Obj): string {
  const s = e.source ?? {};
  if (s.component && s.host) return `${s.component}, ${s.host}`;
  return s.component ?? e.reportingComponent ?? '';
}

function eventLastSeen(e: Obj): string {
  const t = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
  return ageOf(t);
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      name,
      col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      age,
      col('IP', 'podIP is the IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
      col('Node', "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename", 1),
      col('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.', 1),
      col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', 1),
    ],
    row: (p) => {
      const s = podStatus(p);
      const gates: Obj[] = p.spec?.readinessGates ?? [];
      const conds: Obj[] = p.status?.conditions ?? [];
      const gateCell = gates.length ? `${gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}` : '<none>';
      return [p.metadata.name, s.ready, s.reason, s.restarts, ageOf(p.metadata.creationTimestamp), p.status?.podIP || '<none>', p.spec?.nodeName || '<none>', p.status?.nominatedNodeName || '<none>', gateCell];
    },
  },
  Deployment: {
    columns: [
      name,
      col('Ready', 'Number of the pod with ready state'),
      col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      age,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
    ],
    row: (d) => {
      const [c, i] = containersAndImages(d.spec?.template?.spec);
      const st = d.status ?? {};
      return [d.metadata.name, `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, ageOf(d.metadata.creationTimestamp), c, i, labelSelectorString(d.spec?.selector)];
    },
  },
  ReplicaSet: {
    columns: [
      name,
      col('Desired', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller', 0, 'integer'),
      col('Current', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller', 0, 'integer'),
      col('Ready', 'The number of ready replicas for this replica set.', 0, 'integer'),
      age,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
    ],
    row: (r) => {
      const [c, i] = containersAndImages(r.spec?.template?.spec);
      return [r.metadata.name, r.spec?.replicas ?? 0, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, ageOf(r.metadata.creationTimestamp), c, i, labelSelectorString(r.spec?.selector)];
    },
  },
  DaemonSet: {
    columns: [
      name,
      col('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/', 0, 'integer'),
      col('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/', 0, 'integer'),
      col('Ready', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', 0, 'integer'),
      col('Up-to-date', 'The total number of nodes that are running updated daemon pod', 0, 'integer'),
      col('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', 0, 'integer'),
      col('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/'),
      age,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col('Selector', 'A label query over pods that are managed by the daemon set.', 1),
    ],
    row: (d) => {
      const [c, i] = containersAndImages(d.spec?.template?.spec);
      const st = d.status ?? {};
      const ns = Object.entries(d.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
      return [d.metadata.name, st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0, st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, ns, ageOf(d.metadata.creationTimestamp), c, i, labelSelectorString(d.spec?.selector)];
    },
  },
  Node: {
    columns: [
      name,
      col('Status', 'The status of the node'),
      col('Roles', 'The roles of the node'),
      age,
      col('Version', 'Kubelet Version reported by the node.'),
      col('Internal-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node\'s address in its own status or consumers of the downward API (status.hostIP).', 1),
      col('External-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses', 1),
      col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
      col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
      col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
    ],
    row: (n) => {
      const info = n.status?.nodeInfo ?? {};
      return [n.metadata.name, nodeStatus(n), nodeRoles(n), ageOf(n.metadata.creationTimestamp), info.kubeletVersion ?? '', addr(n, 'InternalIP'), addr(n, 'ExternalIP'), info.osImage ?? '<unknown>', info.kernelVersion ?? '<unknown>', info.containerRuntimeVersion ?? '<unknown>'];
    },
  },
  Service: {
    columns: [
      name,
      col('Type', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
      col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
      col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
      col('Port(s)', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
      age,
      col('Selector', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/', 1),
    ],
    row: (s) => {
      const sel = Object.entries(s.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
      return [s.metadata.name, s.spec?.type ?? 'ClusterIP', s.spec?.clusterIP || '<none>', externalIP(s), servicePorts(s), ageOf(s.metadata.creationTimestamp), sel];
    },
  },
  Namespace: {
    columns: [name, col('Status', 'The status of the namespace'), age],
    row: (n) => [n.metadata.name, n.status?.phase ?? 'Active', ageOf(n.metadata.creationTimestamp)],
  },
  Event: {
    columns: [
      col('Last Seen', 'Time when last Event occurred'),
      col('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
      col('Reason', 'Reason why the action was taken. It is human-readable. This field cannot be empty for new Events and it can have at most 128 characters.'),
      col('Object', 'The object this Event is about. In most cases it\'s an Object reporting controller implements, e.g. ReplicaSetController implements ReplicaSets and this event is emitted because it acts on some changes in a ReplicaSet object.'),
      col('Subobject', 'The object this Event is about. In most cases it\'s an Object reporting controller implements, e.g. ReplicaSetController implements ReplicaSets and this event is emitted because it acts on some changes in a ReplicaSet object.', 1),
      col('Source', 'The component reporting this event. Should be a short machine understandable string.', 1),
      col('Message', 'A human-readable description of the status of this operation.'),
      col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
      col('Count', 'The number of times this event has occurred.', 1),
      { ...name, priority: 1 },
    ],
    row: (e) => [eventLastSeen(e), e.type ?? '', e.reason ?? '', eventObject(e), e.involvedObject?.fieldPath ?? '', eventSource(e), e.message ?? '', ageOf(e.firstTimestamp ?? e.eventTime), e.count ?? 1, e.metadata.name],
  },
  ConfigMap: {
    columns: [name, col('Data', 'Data contains the configuration data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.', 0, 'integer'), age],
    row: (c) => [c.metadata.name, Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, ageOf(c.metadata.creationTimestamp)],
  },
  Secret: {
    columns: [name, col('Type', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'), col('Data', 'Data contains the secret data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4', 0, 'integer'), age],
    row: (s) => [s.metadata.name, s.type ?? 'Opaque', Object.keys(s.data ?? {}).length, ageOf(s.metadata.creationTimestamp)],
  },
  ServiceAccount: {
    columns: [name, col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', 0, 'integer'), age],
    row: (s) => [s.metadata.name, (s.secrets ?? []).length, ageOf(s.metadata.creationTimestamp)],
  },
  Endpoints: {
    columns: [name, col('Endpoints', 'Endpoints of the service'), age],
    row: (e) => {
      const list: string[] = [];
      for (const sub of e.subsets ?? []) for (const a of sub.addresses ?? []) for (const p of sub.ports ?? [{}]) list.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      const cell = list.length === 0 ? '<none>' : list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
      return [e.metadata.name, cell, ageOf(e.metadata.creationTimestamp)];
    },
  },
};

function partial(o: Obj): Obj {
  const m = { ...o.metadata };
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: m };
}

export interface TableOptions { includeObject?: string; noHeaders?: boolean }

/** A Table for objects of one kind. */
export function toTable(kind: string, objs: Obj[], listMeta: Obj, opts: TableOptions = {}): Obj {
  const p = PRINTERS[kind] ?? { columns: [name, age], row: (o: Obj) => [o.metadata.name, ageOf(o.metadata.creationTimestamp)] };
  const include = opts.includeObject ?? 'Metadata';
  const table: Obj = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta };
  if (!opts.noHeaders) table.columnDefinitions = p.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 }));
  table.rows = objs.map((o) => {
    const row: Obj = { cells: p.row(o) };
    if (include === 'Object') row.object = o;
    else if (include === 'Metadata') row.object = partial(o);
    return row;
  });
  return table;
}

export { podStatus };
