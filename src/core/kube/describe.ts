// What `kubectl describe pod|deployment` prints (k8s.io/kubectl pkg/describe/describe.go), from
// the objects and their events, for a read-only editor. The layout follows kubectl's: fields
// aligned per block, containers and conditions nested, Events last.
import type {
  V1Container, V1ContainerState, V1ContainerStatus, V1Deployment, V1Pod, V1Probe, V1ReplicaSet, V1Toleration,
} from '@kubernetes/client-node';
import type { KubeHttp } from './http.ts';
import { EventIndex, podWarning, eventsTable, groupEvents, warningText, type EventGroup, type KubeEvent } from './events.ts';
import { podSummary } from './status.ts';

type Line = [key: string, value: string] | string;

/** Lines `key: value` aligned as kubectl's tabwriter does for one block; a plain string is written as it is. */
function block(lines: Line[], indent = ''): string {
  const keyed = lines.filter((l): l is [string, string] => Array.isArray(l));
  const width = Math.max(0, ...keyed.map(([k]) => k.length + 1)) + 2;
  return lines
    .map((l) => (Array.isArray(l) ? `${indent}${`${l[0]}:`.padEnd(width)}${l[1]}`.trimEnd() : l))
    .join('\n');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's RFC1123Z in UTC: `Sun, 29 Nov 2026 23:00:00 +0000`. */
export function rfc1123z(t: string | Date | undefined): string {
  if (!t) return '<unset>';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Labels or annotations: the first on the key's line, the rest below it, `<none>` when empty. */
function mapLines(key: string, map: Record<string, string> | undefined, sep: string): Line[] {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return [[key, '<none>']];
  return entries.map(([k, v], i) => [i === 0 ? key : '', `${k}${sep}${v}`] as [string, string]).map(([k, v]) => (k ? [k, v] : `\u0000${v}`));
}

/** Resolves the continuation lines of mapLines to the block's value column. */
function blockWithContinuations(lines: Line[], indent = ''): string {
  const keyed = lines.filter((l): l is [string, string] => Array.isArray(l));
  const width = Math.max(0, ...keyed.map(([k]) => k.length + 1)) + 2;
  return block(lines.map((l) => (typeof l === 'string' && l.startsWith('\u0000') ? `${indent}${' '.repeat(width)}${l.slice(1)}` : l)), indent);
}

function ports(c: V1Container): { port: [string, string]; host: [string, string] } {
  const list = c.ports ?? [];
  const plural = list.length > 1 ? 's' : '';
  const port = list.length === 0 ? '<none>' : list.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ');
  const host = list.length === 0 ? '<none>' : list.map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ');
  return { port: [`Port${plural}`, port], host: [`Host Port${plural}`, host] };
}

function resources(c: V1Container, indent: string): string[] {
  const out: string[] = [];
  for (const [title, map] of [['Limits', c.resources?.limits], ['Requests', c.resources?.requests]] as const) {
    const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) continue;
    out.push(`${indent}${title}:`);
    out.push(block(entries.map(([k, v]) => [k, String(v)]), `${indent}  `));
  }
  return out;
}

/** kubectl's probe line: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`. */
export function probeText(p: V1Probe): string {
  let how = 'unknown';
  if (p.httpGet) how = `http-get ${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? ''}`;
  else if (p.tcpSocket) how = `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port}`;
  else if (p.exec) how = `exec [${(p.exec.command ?? []).join(' ')}]`;
  else if (p.grpc) how = `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''}`.trimEnd();
  return `${how} delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
}

function stateLines(title: string, s: V1ContainerState | undefined): Line[] {
  if (s?.running) return [[title, 'Running'], ['  Started', rfc1123z(s.running.startedAt)]];
  if (s?.waiting) return [[title, 'Waiting'], ...(s.waiting.reason ? [['  Reason', s.waiting.reason] as [string, string]] : [])];
  if (s?.terminated) {
    const t = s.terminated;
    const lines: Line[] = [[title, 'Terminated']];
    if (t.reason) lines.push(['  Reason', t.reason]);
    if (t.message) lines.push(['  Message', t.message]);
    lines.push(['  Exit Code', String(t.exitCode)]);
    if (t.signal) lines.push(['  Signal', String(t.signal)]);
    lines.push(['  Started', rfc1123z(t.startedAt)], ['  Finished', rfc1123z(t.finishedAt)]);
    return lines;
  }
  return [[title, 'Waiting']];
}

function envLines(c: V1Container): Line[] {
  const env = c.env ?? [];
  if (env.length === 0 && !(c.envFrom?.length)) return [['Environment', '<none>']];
  const out: Line[] = [['Environment', '']];
  for (const e of env) {
    const from = e.valueFrom?.secretKeyRef
      ? `<set to the key '${e.valueFrom.secretKeyRef.key}' in secret '${e.valueFrom.secretKeyRef.name}'>`
      : e.valueFrom?.configMapKeyRef
        ? `<set to the key '${e.valueFrom.configMapKeyRef.key}' of config map '${e.valueFrom.configMapKeyRef.name}'>`
        : e.valueFrom?.fieldRef
          ? `(${e.valueFrom.fieldRef.apiVersion ?? 'v1'}:${e.valueFrom.fieldRef.fieldPath})`
          : e.value ?? '';
    out.push(`\u0001${e.name}:\u0002${from}`);
  }
  return out;
}

function containerBlock(c: V1Container, status: V1ContainerStatus | undefined, indent: string, inPod: boolean): string {
  const { port, host } = ports(c);
  const lines: Line[] = [];
  if (inPod) lines.push(['Container ID', status?.containerID ?? '']);
  lines.push(['Image', c.image ?? '']);
  if (inPod) lines.push(['Image ID', status?.imageID ?? '']);
  lines.push(port, host);
  if (c.command?.length) lines.push(['Command', c.command.join(' ')]);
  if (c.args?.length) lines.push(['Args', c.args.join(' ')]);
  if (inPod) {
    lines.push(...stateLines('State', status?.state));
    if (status?.lastState?.terminated) lines.push(...stateLines('Last State', status.lastState));
    lines.push(['Ready', status?.ready ? 'True' : 'False'], ['Restart Count', String(status?.restartCount ?? 0)]);
  }
  const head = block(lines, `${indent}  `);
  const tail: Line[] = [];
  if (c.livenessProbe) tail.push(['Liveness', probeText(c.livenessProbe)]);
  if (c.readinessProbe) tail.push(['Readiness', probeText(c.readinessProbe)]);
  if (c.startupProbe) tail.push(['Startup', probeText(c.startupProbe)]);
  tail.push(...envLines(c));
  const mounts = c.volumeMounts ?? [];
  tail.push(['Mounts', mounts.length === 0 ? '<none>' : '']);
  const tailText = block(tail, `${indent}  `)
    .split('\n')
    .map((l) => (l.startsWith('\u0001') ? `${indent}    ${l.slice(1).replace('\u0002', '  ')}` : l))
    .join('\n');
  const mountText = mounts.map((m) => `${indent}    ${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`).join('\n');
  return [`${indent}${c.name}:`, head, ...resources(c, `${indent}  `), tailText, ...(mountText ? [mountText] : [])].join('\n');
}

function conditionsTable(rows: string[][], header: string[], rule: boolean, indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `${indent}${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(header), ...(rule ? [line(header.map((h) => '-'.repeat(h.length)))] : []), ...rows.map(line)].join('\n');
}

function qosClass(pod: V1Pod): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  const cs = pod.spec?.containers ?? [];
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] !== undefined && (c.resources?.requests?.[r] ?? c.resources?.limits?.[r]) === c.resources?.limits?.[r]));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function toleration(t: V1Toleration): string {
  let s = t.key ?? '';
  if (t.value) s += `=${t.value}`;
  if (t.effect) s += `:${t.effect}`;
  if (t.operator === 'Exists' && !t.value) s += ` op=Exists`;
  if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
  return s;
}

function listOrNone(key: string, items: string[]): Line[] {
  if (items.length === 0) return [[key, '<none>']];
  return items.map((v, i) => (i === 0 ? [key, v] : `\u0000${v}`));
}

function controller(obj: { metadata?: { ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }> } }): string | undefined {
  const o = obj.metadata?.ownerReferences?.find((r) => r.controller) ?? obj.metadata?.ownerReferences?.[0];
  return o && `${o.kind}/${o.name}`;
}

/** `kubectl describe pod`, with its events (of this pod). */
export function describePod(pod: V1Pod, events: readonly KubeEvent[] | readonly EventGroup[], now: number = Date.now()): string {
  const m = pod.metadata ?? {};
  const s = pod.status ?? {};
  const groups = asGroups(events);
  const top: Line[] = [
    ['Name', m.name ?? ''],
    ['Namespace', m.namespace ?? 'default'],
    ['Priority', String(pod.spec?.priority ?? 0)],
  ];
  if (pod.spec?.priorityClassName) top.push(['Priority Class Name', pod.spec.priorityClassName]);
  top.push(['Service Account', pod.spec?.serviceAccountName ?? 'default']);
  top.push(['Node', pod.spec?.nodeName ? `${pod.spec.nodeName}${s.hostIP ? `/${s.hostIP}` : ''}` : '<none>']);
  if (s.startTime) top.push(['Start Time', rfc1123z(s.startTime)]);
  top.push(...mapLines('Labels', m.labels, '='), ...mapLines('Annotations', m.annotations, ': '));
  top.push(['Status', m.deletionTimestamp ? `Terminating (lasts ${Math.round((now - new Date(m.deletionTimestamp).getTime()) / 1000)}s)` : s.phase ?? 'Unknown']);
  if (s.reason) top.push(['Reason', s.reason]);
  if (s.message) top.push(['Message', s.message]);
  top.push(['IP', s.podIP ?? '']);
  const ips = (s.podIPs ?? []).map((i) => i.ip).filter(Boolean);
  const c = controller(pod);
  const out: string[] = [blockWithContinuations(top)];
  out.push(ips.length === 0 ? 'IPs:              <none>' : `IPs:\n${ips.map((ip) => `  IP:           ${ip}`).join('\n')}`);
  if (c) out.push(`Controlled By:  ${c}`);
  const statuses = new Map((s.containerStatuses ?? []).map((cs) => [cs.name, cs]));
  const initStatuses = new Map((s.initContainerStatuses ?? []).map((cs) => [cs.name, cs]));
  if (pod.spec?.initContainers?.length) {
    out.push('Init Containers:', ...pod.spec.initContainers.map((ic) => containerBlock(ic, initStatuses.get(ic.name), '  ', true)));
  }
  out.push('Containers:', ...(pod.spec?.containers ?? []).map((ct) => containerBlock(ct, statuses.get(ct.name), '  ', true)));
  const conditions = s.conditions ?? [];
  out.push(conditions.length === 0 ? 'Conditions:  <none>' : `Conditions:\n${conditionsTable(conditions.map((x) => [x.type, x.status]), ['Type', 'Status'], false)}`);
  const volumes = pod.spec?.volumes ?? [];
  out.push(volumes.length === 0 ? 'Volumes:  <none>' : `Volumes:\n${volumes.map((v) => `  ${v.name}:`).join('\n')}`);
  out.push(blockWithContinuations([
    ['QoS Class', qosClass(pod)],
    ...listOrNone('Node-Selectors', Object.entries(pod.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`)),
    ...listOrNone('Tolerations', (pod.spec?.tolerations ?? []).map(toleration)),
  ]));
  out.push(eventsTable(groups, now).trimEnd());
  return `${out.join('\n')}\n`;
}

function revisionOf(o: { metadata?: { annotations?: Record<string, string> } }): string | undefined {
  return o.metadata?.annotations?.['deployment.kubernetes.io/revision'];
}

function rsLine(rs: V1ReplicaSet): string {
  return `${rs.metadata?.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`;
}

/**
 * `kubectl describe deployment`, from the deployment, its ReplicaSets and its own events; then,
 * beyond kubectl, its pods with their status and newest warning (`podEvents` by pod), since a
 * deployment's events rarely say why its pods fail.
 */
export function describeDeployment(
  d: V1Deployment,
  replicaSets: readonly V1ReplicaSet[],
  events: readonly KubeEvent[] | readonly EventGroup[],
  pods: readonly V1Pod[] = [],
  podEvents: (pod: V1Pod) => readonly EventGroup[] = () => [],
  now: number = Date.now(),
): string {
  const m = d.metadata ?? {};
  const spec = d.spec;
  const st = d.status ?? {};
  const desired = spec?.replicas ?? 1;
  const strategy = spec?.strategy?.type ?? 'RollingUpdate';
  const selector = Object.entries(spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of spec?.selector?.matchExpressions ?? []) selector.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
  const top: Line[] = [
    ['Name', m.name ?? ''],
    ['Namespace', m.namespace ?? 'default'],
    ['CreationTimestamp', rfc1123z(m.creationTimestamp)],
    ...mapLines('Labels', m.labels, '='),
    ...mapLines('Annotations', m.annotations, ': '),
    ['Selector', selector.join(',') || '<none>'],
    ['Replicas', `${desired} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable`],
    ['StrategyType', strategy],
    ['MinReadySeconds', String(spec?.minReadySeconds ?? 0)],
  ];
  if (strategy === 'RollingUpdate') {
    const ru = spec?.strategy?.rollingUpdate;
    top.push(['RollingUpdateStrategy', `${ru?.maxUnavailable ?? '25%'} max unavailable, ${ru?.maxSurge ?? '25%'} max surge`]);
  }
  const out: string[] = [blockWithContinuations(top)];
  const tpl = spec?.template;
  out.push('Pod Template:');
  out.push(blockWithContinuations(mapLines('Labels', tpl?.metadata?.labels, '='), '  '));
  if (tpl?.metadata?.annotations && Object.keys(tpl.metadata.annotations).length) out.push(blockWithContinuations(mapLines('Annotations', tpl.metadata.annotations, ': '), '  '));
  out.push('  Containers:', ...(tpl?.spec?.containers ?? []).map((c) => containerBlock(c, undefined, '   ', false)));
  const volumes = tpl?.spec?.volumes ?? [];
  out.push(blockWithContinuations([
    ['Volumes', volumes.length === 0 ? '<none>' : volumes.map((v) => v.name).join(', ')],
    ...listOrNone('Node-Selectors', Object.entries(tpl?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`)),
    ...listOrNone('Tolerations', (tpl?.spec?.tolerations ?? []).map(toleration)),
  ], '  '));
  const conditions = st.conditions ?? [];
  if (conditions.length) out.push(`Conditions:\n${conditionsTable(conditions.map((c) => [c.type, c.status, c.reason ?? '']), ['Type', 'Status', 'Reason'], true)}`);
  const revision = revisionOf(d);
  const newRS = replicaSets.find((rs) => revision !== undefined && revisionOf(rs) === revision);
  const oldRS = replicaSets.filter((rs) => rs !== newRS && (rs.spec?.replicas ?? 0) > 0);
  out.push(blockWithContinuations([
    ...listOrNone('OldReplicaSets', oldRS.map(rsLine)),
    ['NewReplicaSet', newRS ? rsLine(newRS) : '<none>'],
  ]));
  out.push(eventsTable(asGroups(events), now).trimEnd());
  if (pods.length) {
    out.push('', `Pods (not part of kubectl describe deployment; see Describe on a pod for its events):`);
    for (const p of pods) {
      const s = podSummary(p);
      const w = podWarning(p, podEvents(p));
      out.push(`  ${p.metadata?.name}  ${s.status}  ${s.ready} ready  ${s.restarts} restarts${w ? `\n    ${warningText(w, 400)}` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function asGroups(events: readonly KubeEvent[] | readonly EventGroup[]): EventGroup[] {
  if (events.length > 0 && 'subject' in events[0] && 'first' in events[0]) return [...(events as readonly EventGroup[])];
  return groupEvents(events as readonly KubeEvent[]);
}

/** Reads what describe needs, as kubectl does (the object, then its events by field selector). */
export async function describeLive(http: KubeHttp, kind: 'pod' | 'deployment', namespace: string, name: string, now?: () => number): Promise<string> {
  const ns = encodeURIComponent(namespace);
  const events = (query: Record<string, string> = {}) => http.json<{ items: KubeEvent[] }>(`/api/v1/namespaces/${ns}/events`, { query }).then((l) => l.items);
  if (kind === 'pod') {
    const pod = await http.json<V1Pod>(`/api/v1/namespaces/${ns}/pods/${encodeURIComponent(name)}`);
    const own = await events({ fieldSelector: `involvedObject.uid=${pod.metadata?.uid ?? ''}` });
    return describePod(pod, own, now?.());
  }
  const d = await http.json<V1Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(name)}`);
  const [sets, pods, all] = await Promise.all([
    http.json<{ items: V1ReplicaSet[] }>(`/apis/apps/v1/namespaces/${ns}/replicasets`).then((l) => l.items),
    http.json<{ items: V1Pod[] }>(`/api/v1/namespaces/${ns}/pods`).then((l) => l.items),
    events(),
  ]);
  const owned = sets.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid));
  const setUids = new Set(owned.map((rs) => rs.metadata?.uid));
  const ownedPods = pods.filter((p) => p.metadata?.ownerReferences?.some((o) => setUids.has(o.uid))).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const index = new EventIndex(all);
  return describeDeployment(d, owned, index.of([{ kind: 'Deployment', metadata: d.metadata }]), ownedPods, (p) => groupEvents(index.of([{ kind: 'Pod', metadata: p.metadata }])), now?.());
}
