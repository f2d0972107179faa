// Defaulting and validation of incoming objects, following the Kubernetes API's rules for the served kinds.
import { invalid } from './status.ts';
import type { Cause } from './status.ts';
import type { KindInfo } from './kinds.ts';
import { labelSelectorToRequirements, matchRequirements } from './selectors.ts';
import { isObj, randomSuffix } from './util.ts';
import type { Obj } from './util.ts';

export function imageHasLatestTag(image: string): boolean {
  if (image.includes('@')) return false;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 || image.slice(colon + 1) === 'latest';
}

function defaultContainer(c: Obj): void {
  if (c.image !== undefined && c.imagePullPolicy === undefined) {
    c.imagePullPolicy = imageHasLatestTag(String(c.image)) ? 'Always' : 'IfNotPresent';
  }
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (isObj(probe)) defaultProbe(probe);
}

/** SetDefaults_Probe and SetDefaults_HTTPGetAction (pkg/apis/core/v1/defaults.go). */
function defaultProbe(p: Obj): void {
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (isObj(p.httpGet)) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

export function defaultPodSpec(spec: Obj): void {
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
}

function defaultPod(pod: Obj): void {
  pod.spec ??= {};
  defaultPodSpec(pod.spec);
  const spec = pod.spec;
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  spec.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  if (!(spec.volumes ?? []).some((v: Obj) => String(v.name).startsWith('kube-api-access-'))) {
    const vol = `kube-api-access-${randomSuffix(5)}`;
    spec.volumes = [...(spec.volumes ?? []), {
      name: vol,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
        ],
      },
    }];
    for (const c of spec.containers ?? []) {
      c.volumeMounts = [...(c.volumeMounts ?? []), { name: vol, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }];
    }
  }
  pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
}

function qosClass(spec: Obj): string {
  const cs: Obj[] = spec.containers ?? [];
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => {
    const l = c.resources?.limits ?? {};
    const r = c.resources?.requests ?? l;
    return l.cpu && l.memory && r.cpu === l.cpu && r.memory === l.memory;
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaultTemplate(obj: Obj): void {
  obj.spec.template ??= {};
  obj.spec.template.metadata ??= {};
  obj.spec.template.spec ??= {};
  defaultPodSpec(obj.spec.template.spec);
}

let nextClusterIP = 100;

export function allocateClusterIP(): string {
  nextClusterIP++;
  return `10.43.${Math.floor(nextClusterIP / 250)}.${(nextClusterIP % 250) + 1}`;
}

let nextNodePort = 30000 + Math.floor(Math.random() * 2000);

export function allocateNodePort(): number {
  nextNodePort = nextNodePort >= 32767 ? 30000 : nextNodePort + 1;
  return nextNodePort;
}

/** Defaults applied on create (and, for spec fields, on update). */
export function applyDefaults(info: KindInfo, obj: Obj, creating: boolean): void {
  obj.spec = obj.spec ?? (['Pod', 'Deployment', 'ReplicaSet', 'Service', 'DaemonSet', 'Namespace', 'Node'].includes(info.kind) ? {} : undefined);
  if (obj.spec === undefined) delete obj.spec;
  switch (info.kind) {
    case 'Pod':
      if (creating) defaultPod(obj);
      else defaultPodSpec(obj.spec);
      break;
    case 'Deployment': {
      const s = obj.spec;
      s.replicas ??= 1;
      s.revisionHistoryLimit ??= 10;
      s.progressDeadlineSeconds ??= 600;
      s.strategy ??= { type: 'RollingUpdate' };
      s.strategy.type ??= 'RollingUpdate';
      if (s.strategy.type === 'RollingUpdate') {
        s.strategy.rollingUpdate ??= {};
        s.strategy.rollingUpdate.maxSurge ??= '25%';
        s.strategy.rollingUpdate.maxUnavailable ??= '25%';
      }
      defaultTemplate(obj);
      if (creating) obj.status = {};
      break;
    }
    case 'ReplicaSet':
    case 'DaemonSet':
      if (info.kind === 'ReplicaSet') obj.spec.replicas ??= 1;
      defaultTemplate(obj);
      if (creating) obj.status = info.kind === 'ReplicaSet' ? { replicas: 0 } : {};
      break;
    case 'Service': {
      const s = obj.spec;
      s.type ??= 'ClusterIP';
      if (creating && s.clusterIP === undefined && s.type !== 'ExternalName') s.clusterIP = allocateClusterIP();
      if (s.clusterIP && !s.clusterIPs) s.clusterIPs = [s.clusterIP];
      s.sessionAffinity ??= 'None';
      s.ipFamilies ??= ['IPv4'];
      s.ipFamilyPolicy ??= 'SingleStack';
      s.internalTrafficPolicy ??= 'Cluster';
      for (const p of s.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
        // The API server gives each port of a NodePort or LoadBalancer Service a node port (30000-32767) when none is asked for.
        if ((s.type === 'NodePort' || s.type === 'LoadBalancer') && p.nodePort === undefined) p.nodePort = allocateNodePort();
      }
      if (creating) obj.status ??= { loadBalancer: {} };
      break;
    }
    case 'Namespace':
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
      obj.spec.finalizers ??= ['kubernetes'];
      if (creating) obj.status = { phase: 'Active' };
      break;
    case 'Secret':
      obj.type ??= 'Opaque';
      break;
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function nameCauses(info: KindInfo, name: string): Cause[] {
  const labelKinds = ['Namespace', 'Service'];
  if (labelKinds.includes(info.kind)) {
    if (!DNS1123_LABEL.test(name) || name.length > 63) {
      return [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')` }];
    }
    return [];
  }
  if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
    return [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')` }];
  }
  return [];
}

function podSpecCauses(spec: Obj | undefined, prefix: string): Cause[] {
  const causes: Cause[] = [];
  const cs = spec?.containers;
  if (!Array.isArray(cs) || cs.length === 0) {
    causes.push({ field: `${prefix}.containers`, reason: 'FieldValueRequired', message: 'Required value' });
    return causes;
  }
  const names = new Set<string>();
  cs.forEach((c: Obj, i: number) => {
    const f = `${prefix}.containers[${i}]`;
    if (!c.name) causes.push({ field: `${f}.name`, reason: 'FieldValueRequired', message: 'Required value' });
    else if (!DNS1123_LABEL.test(c.name)) {
      causes.push({ field: `${f}.name`, reason: 'FieldValueInvalid', message: `Invalid value: "${c.name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')` });
    } else if (names.has(c.name)) causes.push({ field: `${f}.name`, reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.name}"` });
    names.add(c.name);
    if (!c.image) causes.push({ field: `${f}.image`, reason: 'FieldValueRequired', message: 'Required value' });
    const ppol = c.imagePullPolicy;
    if (ppol !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(ppol)) {
      causes.push({ field: `${f}.imagePullPolicy`, reason: 'FieldValueNotSupported', message: `Unsupported value: "${ppol}": supported values: "Always", "IfNotPresent", "Never"` });
    }
  });
  return causes;
}

function goMap(m: Obj | undefined): string {
  const entries = Object.entries(m ?? {}).map(([k, v]) => `"${k}":"${v}"`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** Validates an object; throws a 422 Invalid Status listing every cause. */
export function validate(info: KindInfo, obj: Obj, old?: Obj): void {
  const name = obj.metadata?.name ?? '';
  const causes: Cause[] = [];
  if (!name) causes.push({ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' });
  else causes.push(...nameCauses(info, name));
  for (const [k, v] of Object.entries(obj.metadata?.labels ?? {})) {
    if (typeof v !== 'string' || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v) || v.length > 63) {
      causes.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')` });
    }
    void k;
  }
  switch (info.kind) {
    case 'Pod':
      causes.push(...podSpecCauses(obj.spec, 'spec'));
      if (old) {
        const strip = (s: Obj): string => JSON.stringify({ ...s, containers: (s.containers ?? []).map((c: Obj) => ({ ...c, image: undefined })), activeDeadlineSeconds: undefined, tolerations: undefined, terminationGracePeriodSeconds: undefined });
        if (strip(obj.spec) !== strip(old.spec)) {
          causes.push({ field: 'spec', reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)' });
        }
      }
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet': {
      const sel = obj.spec?.selector;
      if (!isObj(sel) || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
        causes.push({ field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' });
      } else if (!matchRequirements(labelSelectorToRequirements(sel), obj.spec.template?.metadata?.labels)) {
        causes.push({ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: ${goMap(obj.spec.template?.metadata?.labels)}: \`selector\` does not match template \`labels\`` });
      }
      if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(sel) && info.kind !== 'ReplicaSet') {
        causes.push({ field: 'spec.selector', reason: 'FieldValueInvalid', message: `Invalid value: v1.LabelSelector{MatchLabels:${goMap(sel?.matchLabels)}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable` });
      }
      if (typeof obj.spec?.replicas === 'number' && obj.spec.replicas < 0) {
        causes.push({ field: 'spec.replicas', reason: 'FieldValueInvalid', message: `Invalid value: ${obj.spec.replicas}: must be greater than or equal to 0` });
      }
      causes.push(...podSpecCauses(obj.spec?.template?.spec, 'spec.template.spec'));
      const rp = obj.spec?.template?.spec?.restartPolicy;
      if (rp && rp !== 'Always') causes.push({ field: 'spec.template.spec.restartPolicy', reason: 'FieldValueNotSupported', message: `Unsupported value: "${rp}": supported values: "Always"` });
      break;
    }
    case 'Service':
      (obj.spec?.ports ?? []).forEach((p: Obj, i: number) => {
        if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535) {
          causes.push({ field: `spec.ports[${i}].port`, reason: 'FieldValueInvalid', message: `Invalid value: ${p.port}: must be between 1 and 65535, inclusive` });
        }
      });
      if (old && old.spec?.clusterIP && obj.spec?.clusterIP !== old.spec.clusterIP && obj.spec?.clusterIP !== undefined) {
        causes.push({ field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid', message: 'Invalid value: []string{"' + obj.spec.clusterIP + '"}: may not change once set' });
      }
      break;
  }
  if (causes.length) throw invalid(info, name, causes);
}
