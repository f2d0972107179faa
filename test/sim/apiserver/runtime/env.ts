// A container's environment as the kubelet builds it: envFrom (config maps, secrets), then env (values, $(VAR)
// references to earlier variables, fieldRef, configMapKeyRef, secretKeyRef). Missing optional sources are skipped.
import type { Api } from '../rest.ts';
import type { Obj } from '../util.ts';

/** Expands $(NAME) with the variables defined so far; $$(NAME) stays a literal $(NAME); unknown references stay. */
export function expandVars(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && vars.has(name) ? vars.get(name)! : m;
  });
}

function sourceData(api: Api, kind: 'ConfigMap' | 'Secret', ns: string, name: string): Record<string, string> | undefined {
  const o = api.store.peek(kind, ns, name);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((o.data ?? {}) as Record<string, string>)) out[k] = kind === 'Secret' ? Buffer.from(String(v), 'base64').toString('utf8') : String(v);
  if (kind === 'Secret') for (const [k, v] of Object.entries((o.stringData ?? {}) as Record<string, string>)) out[k] = String(v);
  return out;
}

function fieldRef(pod: Obj, path: string): string {
  const m = path.match(/^metadata\.(labels|annotations)\['(.+)'\]$/);
  if (m) return String(pod.metadata?.[m[1]!]?.[m[2]!] ?? '');
  switch (path) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace;
    case 'metadata.uid': return pod.metadata.uid;
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? '';
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    default: return '';
  }
}

export function containerEnv(api: Api, pod: Obj, c: Obj): [string, string][] {
  const vars = new Map<string, string>();
  const ns = pod.metadata.namespace;
  for (const from of (c.envFrom ?? []) as Obj[]) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref?.name) continue;
    const data = sourceData(api, from.configMapRef ? 'ConfigMap' : 'Secret', ns, ref.name);
    for (const [k, v] of Object.entries(data ?? {})) vars.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of (c.env ?? []) as Obj[]) {
    if (!e?.name) continue;
    const vf = e.valueFrom;
    if (!vf) {
      vars.set(e.name, expandVars(String(e.value ?? ''), vars));
      continue;
    }
    if (vf.fieldRef?.fieldPath) vars.set(e.name, fieldRef(pod, String(vf.fieldRef.fieldPath)));
    else if (vf.configMapKeyRef || vf.secretKeyRef) {
      const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
      const value = sourceData(api, vf.configMapKeyRef ? 'ConfigMap' : 'Secret', ns, ref.name)?.[ref.key];
      if (value !== undefined) vars.set(e.name, value);
    }
  }
  return [...vars.entries()];
}
