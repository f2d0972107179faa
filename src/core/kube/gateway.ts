// The only door to @kubernetes/client-node. It is big (MBs of bundled code) and ESM-only.
// The extension's bundle leaves it out: esbuild puts it in dist/clientNode.js, which is read
// (parsed and run) only when a feature first needs the API, so activation never pays for it.
// Run from source (tests, the simulator), it is a plain dynamic import.
import type * as k8s from '@kubernetes/client-node';
import { describeNetworkCode } from '../networkErrors.ts';
import { credentialProblem } from './redact.ts';

type ClientNode = typeof k8s;
let clientNode: Promise<ClientNode> | undefined;

declare const K3D_DEPLOY_BUNDLE: boolean | undefined;

export function loadClientNode(): Promise<ClientNode> {
  clientNode ??=
    typeof K3D_DEPLOY_BUNDLE !== 'undefined' && K3D_DEPLOY_BUNDLE
      ? Promise.resolve().then(() => require(`${__dirname}/clientNode.js`) as ClientNode)
      : import('@kubernetes/client-node');
  return clientNode;
}

/** Whether client-node has been loaded in this process (the benchmark checks activation leaves it). */
export function clientNodeLoaded(): boolean {
  return clientNode !== undefined;
}

export type KubeErrorKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'notFound' | 'noContext' | 'failed';

export class KubeError extends Error {
  override readonly name = 'KubeError';
  readonly kind: KubeErrorKind;
  readonly status?: number;

  constructor(kind: KubeErrorKind, message: string, status?: number) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

/** What an HTTP status of the API server means, written once for every reader of answers. */
export function errorKindOfStatus(status: number): KubeErrorKind {
  return status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'notFound' : 'failed';
}

/** Turns client-node's errors (ApiException, fetch TypeError with a cause) into KubeError. */
export function toKubeError(error: unknown, server?: string): KubeError {
  if (error instanceof KubeError) {
    return error;
  }
  const e = error as { code?: unknown; body?: unknown; message?: string; cause?: { code?: string; message?: string } };
  if (typeof e?.code === 'number') {
    const status = e.code;
    let reason = '';
    try {
      reason = (JSON.parse(String(e.body)) as { message?: string }).message ?? '';
    } catch {
      reason = typeof e.body === 'string' ? e.body.slice(0, 200) : '';
    }
    return new KubeError(errorKindOfStatus(status), `The API server answered ${status}${reason ? `: ${reason}` : ''}`, status);
  }
  const cause = e?.cause?.code ?? '';
  const why = describeNetworkCode(cause);
  if (why || cause === 'UND_ERR_SOCKET') {
    return new KubeError('unreachable', `The API server at ${server ?? 'the context\'s address'} ${why ?? `does not answer (${cause})`}.`);
  }
  return new KubeError('failed', e?.cause?.message ?? e?.message ?? String(error));
}

export interface ClusterInfo {
  context: string;
  server: string;
  version?: string;
  /** `kubectl cluster-info`'s list: services labelled kubernetes.io/cluster-service=true. */
  services: Array<{ title: string; url: string }>;
  nodes: Array<{ name: string; ready: boolean; roles: string[]; version: string }>;
}

/** What `kubectl cluster-info` and `kubectl get nodes` tell, for one context. */
export async function getClusterInfo(contextName: string, kubeconfigFiles?: string[]): Promise<ClusterInfo> {
  const k8s = await loadClientNode();
  const kc = await loadKubeConfig(k8s, contextName, kubeconfigFiles);
  const server = kc.getCurrentCluster()?.server;
  if (!server) {
    throw new KubeError('noContext', `Context '${contextName}' has no cluster server.`);
  }
  // Over KubeHttp, whose timeouts apply: a silent API server must not leave Cluster Info waiting.
  const { KubeHttp } = await import('./http.ts');
  const http = new KubeHttp(kc);
  const [version, services, nodes] = await Promise.all([
    http.json<{ gitVersion?: string }>('/version'),
    http.json<{ items?: k8s.V1Service[] }>('/api/v1/namespaces/kube-system/services', { query: { labelSelector: 'kubernetes.io/cluster-service=true' } }),
    http.json<{ items?: k8s.V1Node[] }>('/api/v1/nodes'),
  ]);
  return {
    context: contextName,
    server,
    version: version.gitVersion,
    services: (services.items ?? []).flatMap((svc) => serviceLinks(server, svc)),
    nodes: (nodes.items ?? []).map((n) => ({
      name: n.metadata?.name ?? '?',
      ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      roles: Object.keys(n.metadata?.labels ?? {})
        .filter((l) => l.startsWith('node-role.kubernetes.io/'))
        .map((l) => l.slice('node-role.kubernetes.io/'.length)),
      version: n.status?.nodeInfo?.kubeletVersion ?? '',
    })),
  };
}

/** As kubectl: `CoreDNS is running at <server>/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy`. */
function serviceLinks(server: string, svc: k8s.V1Service): Array<{ title: string; url: string }> {
  const name = svc.metadata?.name ?? '';
  const title = svc.metadata?.labels?.['kubernetes.io/name'] ?? name;
  const ports = svc.spec?.ports ?? [];
  if (svc.status?.loadBalancer?.ingress?.length && ports.length) {
    const ingress = svc.status.loadBalancer.ingress[0];
    return [{ title, url: `http://${ingress.ip || ingress.hostname}:${ports[0].port}` }];
  }
  // kubectl links the first port only, with an https: prefix when the port is named https.
  const port = ports[0];
  if (!port) {
    return [];
  }
  const scheme = port.name === 'https' ? 'https:' : '';
  const ref = port.name ? `${scheme}${name}:${port.name}` : name;
  return [{ title, url: `${server.replace(/\/$/, '')}/api/v1/namespaces/${svc.metadata?.namespace ?? 'kube-system'}/services/${ref}/proxy` }];
}

export async function loadKubeConfig(k8s: ClientNode, contextName: string, files?: string[]): Promise<k8s.KubeConfig> {
  const kc = new k8s.KubeConfig();
  const unreadable: string[] = [];
  if (files && files.length > 0) {
    // Merge as kubectl does: the first file that defines a name wins (client-node's own
    // mergeConfig throws on duplicates instead).
    const clusters = new Map<string, k8s.Cluster>();
    const users = new Map<string, k8s.User>();
    const contexts = new Map<string, k8s.Context>();
    for (const file of files) {
      const one = new k8s.KubeConfig();
      try {
        one.loadFromFile(file);
      } catch (e) {
        // Missing or broken: the clusters view reports why (client-node's message quotes the file).
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.push(file);
        continue;
      }
      for (const c of one.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
      for (const u of one.users) if (!users.has(u.name)) users.set(u.name, u);
      for (const c of one.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    }
    kc.loadFromOptions({
      clusters: [...clusters.values()],
      users: [...users.values()],
      contexts: [...contexts.values()],
      currentContext: contextName,
    });
  } else {
    try {
      kc.loadFromDefault(undefined, true);
    } catch {
      throw new KubeError('failed', 'The kubeconfig could not be read (the Clusters view\'s log says why).'); // client-node's message quotes it
    }
  }
  if (!kc.getContextObject(contextName)) {
    const skipped = unreadable.length ? ` (${unreadable.join(', ')} could not be read as a kubeconfig)` : '';
    throw new KubeError('noContext', `There is no kubeconfig context named '${contextName}'${skipped}.`);
  }
  kc.setCurrentContext(contextName);
  // Before client-node uses them: Node's errors on a malformed credential quote it.
  const unusable = await credentialProblem(kc.getCurrentUser(), kc.getCurrentCluster());
  if (unusable) {
    throw new KubeError('failed', unusable);
  }
  return kc;
}
