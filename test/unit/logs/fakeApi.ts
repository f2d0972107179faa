// A small HTTPS Kubernetes API for the log tests: pods (get, list by label) and a kubelet-like
// /log endpoint (follow, tailLines, sinceTime in whole seconds, timestamps, previous), with knobs
// for what clusters do: restarts, deletions, dropped connections, failing answers.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import forge from 'node-forge';
import { KubeConfig } from '@kubernetes/client-node';

interface Run {
  lines: Array<{ t: number; text: string }>;
  closed: boolean;
  followers: Set<ServerResponse>;
}

export interface FakePod {
  name: string;
  uid: string;
  labels: Record<string, string>;
  containers: string[];
  /** Per container: the runs, the last one current. */
  runs: Map<string, Run[]>;
  waiting?: { reason: string; message?: string };
  deleting?: boolean;
  phase: string;
}

export interface LogRequest {
  pod: string;
  query: Record<string, string>;
  /** Set when the server saw the connection close. */
  closed: boolean;
}

export function selfSigned(): { key: string; cert: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: 'fake-apiserver' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  return { key, cert: forge.pki.certificateToPem(cert) };
}

let tls: { key: string; cert: string } | undefined;

export class FakeApi {
  readonly pods = new Map<string, FakePod>();
  readonly logRequests: LogRequest[] = [];
  /** Answers for the next log requests, instead of the log: [status, Status message]. */
  readonly failLogs: Array<[number, string]> = [];
  /** Answers for the next pod list requests. */
  readonly failLists: Array<[number, string]> = [];
  /** The clock of the log lines: every line is 1 ms after the previous, within few seconds. */
  now = Date.UTC(2025, 0, 1, 12, 0, 0, 100);
  private server!: https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly logSockets = new Set<Socket>();
  kc!: KubeConfig;

  async start(): Promise<void> {
    tls ??= selfSigned();
    this.server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => this.handle(req, res));
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.kc = new KubeConfig();
    this.kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `https://127.0.0.1:${port}`, caData: Buffer.from(tls.cert).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'me', token: 'secret-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'me' }],
      currentContext: 'fake',
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) {
      s.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addPod(name: string, options: { labels?: Record<string, string>; containers?: string[]; waiting?: { reason: string; message?: string }; uid?: string } = {}): FakePod {
    const containers = options.containers ?? ['app'];
    const pod: FakePod = {
      name,
      uid: options.uid ?? randomBytes(8).toString('hex'),
      labels: options.labels ?? { app: 'hash' },
      containers,
      runs: new Map(containers.map((c) => [c, options.waiting ? [] : [{ lines: [], closed: false, followers: new Set() }]])),
      waiting: options.waiting,
      phase: options.waiting ? 'Pending' : 'Running',
    };
    this.pods.set(name, pod);
    return pod;
  }

  /** The container starts (after ContainerCreating). */
  startContainers(name: string): void {
    const pod = this.pods.get(name)!;
    pod.waiting = undefined;
    pod.phase = 'Running';
    for (const c of pod.containers) {
      pod.runs.get(c)!.push({ lines: [], closed: false, followers: new Set() });
    }
  }

  write(name: string, text: string, container = 'app', sameTime = false): void {
    const run = this.pods.get(name)!.runs.get(container)!.at(-1)!;
    if (!sameTime) {
      this.now += 1;
    }
    const line = { t: this.now, text };
    run.lines.push(line);
    for (const res of run.followers) {
      res.write(`${stamp(line.t)} ${line.text}\n`);
    }
  }

  /** The container exits (its followers' streams end) and a new run starts. */
  restart(name: string, container = 'app'): void {
    const runs = this.pods.get(name)!.runs.get(container)!;
    endRun(runs.at(-1)!);
    runs.push({ lines: [], closed: false, followers: new Set() });
  }

  /** The pod goes away: its streams end, then it is not found. */
  deletePod(name: string): void {
    const pod = this.pods.get(name)!;
    for (const runs of pod.runs.values()) {
      endRun(runs.at(-1)!);
    }
    this.pods.delete(name);
  }

  /** Cuts every log connection, as a dying load balancer would. */
  dropLogConnections(): void {
    for (const s of this.logSockets) {
      s.destroy();
    }
  }

  openLogRequests(): number {
    return this.logRequests.filter((r) => !r.closed).length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://x');
    if (req.headers.authorization !== 'Bearer secret-token') {
      return status(res, 401, 'Unauthorized');
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?(\/log)?$/.exec(url.pathname);
    if (!m) {
      return status(res, 404, 'the server could not find the requested resource');
    }
    const [, , name, log] = m;
    if (!name) {
      const fail = this.failLists.shift();
      if (fail) {
        return status(res, fail[0], fail[1]);
      }
      const selector = url.searchParams.get('labelSelector') ?? '';
      const wanted = selector ? selector.split(',').map((kv) => kv.split('=')) : [];
      const items = [...this.pods.values()].filter((p) => wanted.every(([k, v]) => p.labels[k] === v)).map((p) => this.podJson(p));
      return json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
    }
    const pod = this.pods.get(name);
    if (!log) {
      return pod ? json(res, 200, this.podJson(pod)) : status(res, 404, `pods "${name}" not found`);
    }
    const query = Object.fromEntries(url.searchParams);
    const request: LogRequest = { pod: name, query, closed: false };
    this.logRequests.push(request);
    req.socket.on('close', () => (request.closed = true));
    res.on('close', () => (request.closed = true));
    const fail = this.failLogs.shift();
    if (fail) {
      return status(res, fail[0], fail[1]);
    }
    if (!pod) {
      return status(res, 404, `pods "${name}" not found`);
    }
    const container = query.container ?? (pod.containers.length === 1 ? pod.containers[0] : '');
    if (!container) {
      return status(res, 400, `a container name must be specified for pod ${name}, choose one of: [${pod.containers.join(' ')}]`);
    }
    if (!pod.containers.includes(container)) {
      return status(res, 400, `container ${container} is not valid for pod ${name}`);
    }
    const runs = pod.runs.get(container)!;
    if (pod.waiting) {
      const reason = /ImagePull|ErrImage/.test(pod.waiting.reason) ? 'trying and failing to pull image' : pod.waiting.reason;
      return status(res, 400, `container "${container}" in pod "${name}" is waiting to start: ${reason}`);
    }
    const run = query.previous === 'true' ? runs.at(-2) : runs.at(-1);
    if (!run) {
      return status(res, 400, `previous terminated container "${container}" in pod "${name}" not found`);
    }
    this.logSockets.add(req.socket);
    req.socket.on('close', () => this.logSockets.delete(req.socket));
    const since = query.sinceTime ? Date.parse(query.sinceTime) : 0;
    let lines = run.lines.filter((l) => l.t >= since);
    if (query.tailLines !== undefined) {
      lines = lines.slice(-Number(query.tailLines));
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write(lines.map((l) => `${stamp(l.t)} ${l.text}\n`).join(''));
    if (query.follow !== 'true' || run.closed) {
      res.end();
      return;
    }
    run.followers.add(res);
    res.on('close', () => run.followers.delete(res));
  }

  private podJson(pod: FakePod): object {
    const statuses = pod.containers.map((c) => {
      const runs = pod.runs.get(c)!;
      const restartCount = Math.max(0, runs.length - 1);
      const state = pod.waiting ? { waiting: pod.waiting } : { running: { startedAt: new Date(this.now).toISOString() } };
      return {
        name: c,
        image: 'jakousa/dwk-app1',
        imageID: '',
        ready: !pod.waiting,
        restartCount,
        started: !pod.waiting,
        ...(pod.waiting ? {} : { containerID: `containerd://${pod.uid}-${c}-${restartCount}` }),
        state,
        ...(restartCount > 0 ? { lastState: { terminated: { exitCode: 1, reason: 'Error', containerID: `containerd://${pod.uid}-${c}-${restartCount - 1}` } } } : {}),
      };
    });
    return {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: pod.name, namespace: 'default', uid: pod.uid, labels: pod.labels, ...(pod.deleting ? { deletionTimestamp: new Date().toISOString() } : {}) },
      spec: { containers: pod.containers.map((c) => ({ name: c, image: 'jakousa/dwk-app1' })), restartPolicy: 'Always' },
      status: { phase: pod.phase, containerStatuses: statuses },
    };
  }
}

function endRun(run: Run): void {
  run.closed = true;
  for (const res of run.followers) {
    res.end();
  }
  run.followers.clear();
}

/** As the kubelet writes it: RFC3339Nano, trailing zeros trimmed. */
export function stamp(t: number): string {
  return new Date(t).toISOString().replace(/\.(\d{3})Z$/, (_, ms: string) => (/^0+$/.test(ms) ? 'Z' : `.${ms.replace(/0+$/, '')}Z`));
}

function json(res: ServerResponse, code: number, body: object): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, message: string): void {
  const reason = code === 400 ? 'BadRequest' : code === 404 ? 'NotFound' : code === 401 ? 'Unauthorized' : 'InternalError';
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}
