// `k3d cluster create`: the flags and config file of cmd/cluster/clusterCreate.go, then the INFO
// sequence of pkg/client/cluster.go ClusterRun (prep, create containers, tools node, start servers,
// agents, helpers, CoreDNS records) on a timeline of about 40 s (scaled), with k3d's rollback when a step
// fails or --timeout passes. A signal is not a failure: k3d installs no signal handler, so SIGINT/SIGTERM end
// the process at once and leave what it made (k3d-io/k3d cmd/cluster/clusterCreate.go rolls back only when
// ClusterRun returns an error; cmd/root.go runs cobra without signal.Notify).

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { createHash } from 'node:crypto';
import { DeadlineExceeded, Interrupted } from './clock.ts';
import { labelsError, DOCKER_DOWN, isDockerDown, setNode } from './context.ts';
import type { SimContext } from './context.ts';
import { DEFAULT_API_VERSION, UnsupportedApiVersion, validateConfigDocument } from './configSchema.ts';
import { parseDuration, UsageError } from './flags.ts';
import type { Parsed } from './flags.ts';
import {
  clusterKubeconfig, contextName, defaultKubeconfigPath, mergeIntoFile,
} from './kubeconfig.ts';
import { debug, enabled, error, fatal, info, println, trace, warn } from './log.ts';
import { writeClusterPki } from './pki.ts';
import { parseApiPort, parsePortSpec, splitFilters } from './ports.ts';
import {
  clusterDir, collectAbandoned, isAlive, listClusterStates, randomHex, readCluster, updateCluster,
  withLock, writeCluster,
} from './state.ts';
import type { ClusterState, NodeRole, NodeState } from './state.ts';
import { startApiserver, stopApiserver } from './apiserverProcess.ts';
import {
  deleteRegistry, k3sRegistriesYaml, listRegistries, localRegistryHostingConfigMap, parseRegistryPort, readRegistry, RegistryStartError,
} from './registry.ts';
import type { RegistryRecord } from './registry.ts';
import { runRegistry } from './registryCommands.ts';
import { DEFAULT_IMAGE, K3S_VERSION, nodePortMappings, PROXY_IMAGE, TOOLS_IMAGE } from './view.ts';

const HOSTNAME_RE = /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
export const MAX_NAME = 32;

/** pkg/client CheckName. Returns the error text or undefined. */
export function checkName(name: string): string | undefined {
  if (name.length === 0) return 'Invalid cluster name. No name provided';
  if (!HOSTNAME_RE.test(name)) return `Invalid cluster name. name ${name} is not a valid hostname as per RFC 1123`;
  if (name.length > MAX_NAME) return `Cluster name must be <= ${MAX_NAME} characters, but has ${name.length}`;
  return undefined;
}

export function imageId(image: string): string {
  return 'sha256:' + createHash('sha256').update(image).digest('hex');
}

interface SimpleConfig {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  servers?: number;
  agents?: number;
  image?: string;
  subnet?: string;
  kubeAPI?: { host?: string; hostIP?: string; hostPort?: string };
  ports?: { port?: string; nodeFilters?: string[] }[];
  registries?: { create?: { name?: string; host?: string; hostPort?: string | number }; use?: string[] };
  options?: {
    k3d?: { wait?: boolean; timeout?: string; disableLoadbalancer?: boolean };
    kubeconfig?: { updateDefaultKubeconfig?: boolean; switchCurrentContext?: boolean };
  };
}

/** os.ExpandEnv: $VAR and ${VAR}; unset variables become empty. */
function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_m, braced: string | undefined, bare: string | undefined) => env[braced ?? bare ?? ''] ?? '');
}

/**
 * cmd/util/config/config.go InitViperWithConfigFile (stat, expand the environment, read, validate against the
 * apiVersion's JSON schema, then INFO "Using config file"), and pkg/config/config.go SimpleConfigFromViper's
 * WARN for an older apiVersion, which k3d then migrates.
 */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv): SimpleConfig {
  if (!fs.existsSync(file)) fatal(`Failed to stat config file ${file}: stat ${file}: no such file or directory`);
  let doc: unknown;
  try {
    doc = YAML.parse(expandEnv(fs.readFileSync(file, 'utf8'), env));
  } catch (err) {
    fatal(`Failed to read config file ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  let problems: string | undefined;
  // cmd/util/config/config.go validates a temp copy with the environment expanded (os.CreateTemp).
  debug(`Validating file ${path.join(os.tmpdir(), `k3d-config-tmp-${path.basename(file)}${String(Math.floor(Math.random() * 1e9))}`)} against default JSONSchema...`);
  try {
    problems = validateConfigDocument(doc);
  } catch (err) {
    if (err instanceof UnsupportedApiVersion) fatal(`Cannot validate config file ${file}: ${err.message}`);
    throw err;
  }
  if (problems) fatal(`Schema Validation failed for config file ${file}: ${problems}`);
  const cfg = doc as SimpleConfig;
  const apiVersion = String(cfg.apiVersion).toLowerCase();
  info(`Using config file ${file} (${apiVersion}#${String(cfg.kind).toLowerCase()})`);
  if (apiVersion !== DEFAULT_API_VERSION) {
    warn(`Default config apiVersion is '${DEFAULT_API_VERSION}', but you're using '${apiVersion}': consider migrating.`);
  }
  return cfg;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface CreatePlan {
  name: string;
  servers: number;
  agents: number;
  image: string;
  apiHost: string;
  apiHostIP: string;
  apiPort: string;
  ports: string[];
  noLb: boolean;
  timeout: number;
  updateDefault: boolean;
  switchContext: boolean;
  registry?: { name: string; host: string; hostPort: string };
  /** --registry-use k3d-NAME[:PORT] (and the config file's registries.use). */
  registryUse: string[];
  /** --subnet: '' (docker picks), 'auto' or a CIDR. */
  subnet: string;
}

function plan(p: Parsed, env: NodeJS.ProcessEnv): CreatePlan {
  const cfgPath = p.values.get('config') as string;
  const cfg: SimpleConfig = cfgPath ? loadConfigFile(cfgPath, env) : {};
  const pick = <T>(flag: string, fromCfg: T | undefined, fallback: T): T =>
    p.changed.has(flag) ? (p.values.get(flag) as T) : fromCfg ?? fallback;

  const name = p.args[0] ?? cfg.metadata?.name ?? 'k3s-default';
  const servers = Math.max(0, Number(pick('servers', cfg.servers, 1)));
  const agents = Math.max(0, Number(pick('agents', cfg.agents, 0)));
  let image = pick('image', cfg.image, DEFAULT_IMAGE);
  if (image === 'latest' || image === 'stable') image = DEFAULT_IMAGE;

  let api = { host: cfg.kubeAPI?.host ?? '', hostIP: cfg.kubeAPI?.hostIP ?? '', hostPort: cfg.kubeAPI?.hostPort !== undefined ? String(cfg.kubeAPI.hostPort) : '' };
  if (p.changed.has('api-port')) {
    try {
      api = parseApiPort(p.values.get('api-port') as string);
    } catch (err) {
      fatal(`Failed to apply CLI overrides: ${(err as Error).message}`);
    }
  }

  const ports: string[] = [];
  for (const entry of cfg.ports ?? []) {
    if (!entry.port) continue;
    ports.push(entry.nodeFilters?.length ? `${entry.port}@${entry.nodeFilters.join(';')}` : entry.port);
  }
  const seen = new Set<string>();
  for (const flag of (p.values.get('port') as string[]) ?? []) {
    const { value } = splitFilters(flag);
    if (seen.has(value)) fatal('Same Portmapping can not be used for multiple nodes');
    seen.add(value);
    ports.push(flag);
  }

  let timeout = 0;
  const timeoutRaw = p.changed.has('timeout') ? (p.values.get('timeout') as string) : cfg.options?.k3d?.timeout;
  if (timeoutRaw !== undefined) {
    try {
      timeout = parseDuration(String(timeoutRaw));
    } catch (err) {
      fatal(`Failed to load config: ${(err as Error).message}`);
    }
  }

  let registry: CreatePlan['registry'];
  const regFlag = p.changed.has('registry-create') ? (p.values.get('registry-create') as string) : undefined;
  if (regFlag !== undefined) {
    const [regName, ...rest] = regFlag.split(':');
    registry = { name: regName, host: rest.length > 1 ? rest[0] : '0.0.0.0', hostPort: rest.length ? rest[rest.length - 1] : '' };
  } else if (cfg.registries?.create?.name) {
    const c = cfg.registries.create;
    registry = { name: c.name ?? '', host: c.host ?? '0.0.0.0', hostPort: c.hostPort !== undefined ? String(c.hostPort) : '' };
  }

  const registryUse = [...(cfg.registries?.use ?? []), ...((p.values.get('registry-use') as string[] | undefined) ?? [])];

  const subnet = String(pick('subnet', cfg.subnet, ''));
  if (subnet !== '' && subnet !== 'auto' && !/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2}$/.test(subnet)) {
    fatal(`invalid subnet '${subnet}': netip.ParsePrefix("${subnet}"): no '/'`);
  }

  return {
    name,
    subnet,
    registryUse,
    servers,
    agents,
    image,
    apiHost: api.host || api.hostIP || '0.0.0.0',
    apiHostIP: api.hostIP || '0.0.0.0',
    apiPort: api.hostPort,
    ports,
    noLb: pick('no-lb', cfg.options?.k3d?.disableLoadbalancer, false),
    timeout,
    updateDefault: pick('kubeconfig-update-default', cfg.options?.kubeconfig?.updateDefaultKubeconfig, true),
    switchContext: pick('kubeconfig-switch-context', cfg.options?.kubeconfig?.switchCurrentContext, true),
    registry,
  };
}

/** The flags clusterCreate.go binds to its "pre-processed" viper (ppViper), as sigs.k8s.io/yaml prints them. */
function additionalCliConfiguration(p: Parsed): string {
  const list = (flag: string) => {
    const v = (p.values.get(flag) as string[] | undefined) ?? [];
    return v.length ? `\n${v.map((x) => `  - ${JSON.stringify(x)}`).join('\n')}` : ' []';
  };
  const str = (flag: string) => JSON.stringify(String(p.values.get(flag) ?? ''));
  return [
    'cli:', `  api-port: ${str('api-port')}`, `  env:${list('env').replace(/\n {2}/g, '\n    ')}`,
    `  k3s-node-labels:${list('k3s-node-label').replace(/\n {2}/g, '\n    ')}`, `  k3sargs:${list('k3s-arg').replace(/\n {2}/g, '\n    ')}`,
    `  ports:${list('port').replace(/\n {2}/g, '\n    ')}`, '  registries:', `    create: ${str('registry-create')}`,
    `  runtime-labels:${list('runtime-label').replace(/\n {2}/g, '\n    ')}`, `  volumes:${list('volume').replace(/\n {2}/g, '\n    ')}`,
    `config: ${str('config')}`, `hostaliases:${list('host-alias')}`,
  ].join('\n');
}

const DEFAULT_PORT_FILTERS = ['servers:*:proxy', 'agents:*:proxy'];

/**
 * pkg/util/filter.go FilterNodes for one filter without its suffix: the indices it picks in its group, or
 * k3d's error text. The nodes are the load balancer (if any), the servers, then the agents.
 */
function filterNodes(pl: CreatePlan, filter: string): string | undefined {
  const m = /^(server|servers|agent|agents|loadbalancer|all)(?::(?:((?:\d+,?)+)|(\d*-\d*)|(\*)))?$/.exec(filter);
  if (!m) return `Failed to parse node filters: invalid format or empty subset in '${filter}'`;
  const [, group, subsetList, subsetRange, wildcard] = m;
  if (group === 'all') return undefined;
  if (group === 'loadbalancer') return pl.noLb ? `Node filter '${filter}' targets a node that does not exist (disabled?)` : undefined;
  const size = group.startsWith('server') ? pl.servers : pl.agents;
  if (subsetList !== undefined) {
    for (const index of subsetList.split(',').filter((x) => x !== '')) {
      if (Number(index) >= size) return `Index out of range: index '${Number(index)}' < 0 or > number of available nodes in filter '${filter}'`;
    }
    return undefined;
  }
  if (subsetRange !== undefined) {
    const [from, to] = subsetRange.split('-');
    const start = from === '' ? 0 : Number(from);
    if (from !== '' && start >= size) return `Invalid subset range: start < 0 or > number of available nodes in '${filter}'`;
    if (to !== '' && (Number(to) < start || Number(to) >= size)) return `Invalid subset range: end < start or > number of available nodes in '${filter}'`;
    return undefined;
  }
  if (wildcard !== undefined) return undefined;
  return `Failed to parse node specifiers: unknown subset in '${filter}'`;
}

/**
 * pkg/client/ports.go TransformPorts, called by pkg/config/transform.go (errors wrapped as "failed to transform
 * ports: …"): a mapping without a node filter on a cluster of more than one node (the load balancer counts)
 * goes to [servers:*:proxy agents:*:proxy], as does one aimed at the load balancer; pkg/util/filter.go
 * FilterNodesWithSuffix resolves the filters (suffixes proxy, direct); a proxy mapping needs the load balancer.
 */
function validatePorts(pl: CreatePlan): void {
  const nodeCount = pl.servers + pl.agents + (pl.noLb ? 0 : 1);
  const failTransform: (message: string) => never = (message) => fatal(`failed to transform ports: ${message}`);
  for (const spec of pl.ports) {
    const split = splitFilters(spec);
    const value = split.value;
    let filters = split.filters;
    trace(`inspecting port mapping for ${value} with nodefilters [${filters.join(' ')}]`);
    if (filters.length === 0 && nodeCount > 1) {
      info(`portmapping '${value}' lacks a nodefilter, but there's more than one node: defaulting to [${DEFAULT_PORT_FILTERS.join(' ')}]`);
      filters = DEFAULT_PORT_FILTERS;
    }
    if (filters.some((f) => f.startsWith('loadbalancer'))) {
      info(`portmapping '${value}' targets the loadbalancer: defaulting to [${DEFAULT_PORT_FILTERS.join(' ')}]`);
      filters = DEFAULT_PORT_FILTERS;
    }
    if (filters.length === 0 || filters[0] === '') failTransform('No nodefilters specified');
    const picked = new Map<string, number>([['proxy', 0], ['direct', 0]]);
    for (const nf of filters) {
      // pkg/util/filter.go NodeFilterRegexp: GROUP[:SUBSET][:SUFFIX]
      const m = /^(server|servers|agent|agents|loadbalancer|all)(:((?:\d+,?)+|\d*-\d*|\*))?(:([A-Za-z]+))?$/.exec(nf);
      if (!m) failTransform(`Failed to parse node filters (with suffix): invalid format or empty subset in '${nf}'`);
      const suffix = m[5] ?? 'nosuffix';
      const cleaned = m[4] !== undefined ? nf.slice(0, -m[4].length) : nf;
      if (!['all', 'nosuffix', 'proxy', 'direct'].includes(suffix)) failTransform(`error filtering nodes: unallowed suffix '${suffix}' in nodefilter '${nf}'`);
      trace(`Filtering ${nodeCount} nodes by [${cleaned}]`);
      const problem = filterNodes(pl, cleaned);
      if (problem) failTransform(`failed to filter nodes by filter '${nf}': ${problem}`);
      const key = suffix === 'nosuffix' ? 'proxy' : suffix;
      picked.set(key, (picked.get(key) ?? 0) + countNodes(pl, cleaned));
      trace(`Filtered ${countNodes(pl, cleaned)} nodes (filter: [${cleaned}])`);
      trace(`Filtered ${countNodes(pl, cleaned)} nodes for suffix '${suffix}' (filter: ${nf})`);
    }
    try {
      parsePortSpec(value);
    } catch (err) {
      failTransform(`error parsing port spec '${value}': ${(err as Error).message}`);
    }
    if ((picked.get('proxy') ?? 0) > 0 && pl.noLb) failTransform("port-mapping of type 'proxy' specified, but loadbalancer is disabled");
    if ((picked.get('direct') ?? 0) > 1) failTransform(`error: cannot apply a direct port-mapping (${value}) to more than one node`);
  }
}

/** How many nodes a valid filter (without suffix) picks. */
function countNodes(pl: CreatePlan, filter: string): number {
  const [group, subset] = filter.split(':');
  if (group === 'all') return pl.servers + pl.agents + (pl.noLb ? 0 : 1);
  if (group === 'loadbalancer') return pl.noLb ? 0 : 1;
  const size = group.startsWith('server') ? pl.servers : pl.agents;
  if (subset === undefined || subset === '*') return size;
  if (subset.includes('-')) {
    const [from, to] = subset.split('-');
    return (to === '' ? size - 1 : Number(to)) - (from === '' ? 0 : Number(from)) + 1;
  }
  return new Set(subset.split(',').filter((x) => x !== '')).size;
}

class StartFailure extends Error {}

/** Which step of ClusterRun is running, to word errors as k3d does. */
let phase = 'Failed Cluster Preparation: Failed Network Preparation: failed to create cluster network';

function phaseError(err: unknown): string {
  if (err instanceof Interrupted) return `${phase}: context canceled`;
  if (err instanceof DeadlineExceeded) return `${phase}: context deadline exceeded`;
  return `${phase}: ${(err as Error).message}`;
}

function dockerDownCreate(name: string): never {
  error(`Failed to get nodes for cluster '${name}': ${labelsError(`map[k3d.cluster:${name}]`)}`);
  info('Prep: Network');
  error(`Failed Cluster Preparation: Failed Network Preparation: failed to create cluster network: failed to check for duplicate docker networks: docker failed to list networks: ${DOCKER_DOWN}`);
  error('Failed to create cluster >>> Rolling Back');
  info(`Deleting cluster '${name}'`);
  error(`Failed to get nodes for cluster '${name}': ${labelsError(`map[k3d.cluster:${name}]`)}`);
  error('failed to get cluster: No nodes found for given cluster');
  fatal('Cluster creation FAILED, also FAILED to rollback changes!');
}

function usedHostPorts(states: ClusterState[], except: string): Map<string, string> {
  const used = new Map<string, string>();
  for (const s of states) {
    if (s.name === except) continue;
    for (const n of s.nodes) {
      if (!n.running) continue;
      for (const bindings of Object.values(nodePortMappings(s, n))) {
        for (const b of bindings) if (b.HostPort) used.set(b.HostPort, n.name);
      }
    }
  }
  return used;
}

export async function clusterCreate(ctx: SimContext, p: Parsed): Promise<void> {
  // cobra.RangeArgs(0, 1) (cmd/cluster/clusterCreate.go)
  if (p.args.length > 1) throw new UsageError(`accepts between 0 and 1 arg(s), received ${p.args.length}`);
  // No signal handler from here on (see the header): the default action kills the process mid-create.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(sig);
  // cmd/cluster/clusterCreate.go initConfig: the pre-processed flags, as YAML, at debug level.
  if (enabled('debug')) debug(`Additional CLI Configuration:\n${additionalCliConfiguration(p)}`);
  const pl = plan(p, ctx.env);
  trace(`PortFilterMap: map[${[...new Set(((p.values.get('port') as string[] | undefined) ?? []))].map((f) => splitFilters(f)).sort((a, b) => (a.value < b.value ? -1 : 1)).map((x) => `${x.value}:[${x.filters.join(' ')}]`).join(' ')}]`);
  // pkg/config/transform.go (ports) runs before ValidateClusterConfig (name, timeout).
  validatePorts(pl);
  const nameProblem = checkName(pl.name);
  if (nameProblem) fatal(`Failed Cluster Configuration Validation:  provided cluster name '${pl.name}' does not match requirements: ${nameProblem}`);
  if (pl.timeout < 0) fatal(`Failed Cluster Configuration Validation:  timeout may not be negative (is '${p.values.get('timeout')}')`);

  if (isDockerDown(ctx)) dockerDownCreate(pl.name);

  if (!pl.apiPort) pl.apiPort = String(await freePort());
  if (pl.updateDefault) debug("'--kubeconfig-update-default set: enabling wait-for-server");
  const name = pl.name;
  const dir = clusterDir(ctx.home, name);

  // Reserve the name (ClusterGet + network creation happen under one lock here).
  const reserved = await withLock(ctx.home, () => {
    collectAbandoned(ctx.home);
    const existing = readCluster(ctx.home, name);
    if (existing && (!existing.creating || isAlive(existing.creating.pid))) return undefined;
    const others = listClusterStates(ctx.home);
    const usedSubnets = new Set(others.map((c) => c.subnet));
    let octet = 18;
    while (usedSubnets.has(`172.${octet}.0.0/16`)) octet++;
    const subnet = pl.subnet !== '' && pl.subnet !== 'auto' ? pl.subnet : `172.${octet}.0.0/16`;
    const state: ClusterState = {
      name,
      created: new Date().toISOString(),
      image: pl.image,
      k3sVersion: K3S_VERSION.replace('-k3s', '+k3s'),
      network: `k3d-${name}`,
      networkId: randomHex(32),
      subnet,
      ...(pl.subnet !== '' ? { ipamManaged: true } : {}),
      token: randomToken(),
      apiHost: pl.apiHost,
      apiHostIP: pl.apiHostIP,
      apiPort: Number(pl.apiPort),
      hasLoadbalancer: !pl.noLb,
      ports: pl.ports.map((spec) => ({ spec })),
      registries: [],
      importedImages: [],
      nodes: [],
      helperNodes: [],
      creating: { pid: process.pid },
    };
    fs.rmSync(dir, { recursive: true, force: true });
    writeCluster(ctx.home, state);
    return { state, others };
  });
  if (!reserved) fatal(`Failed to create cluster '${name}' because a cluster with that name already exists`);

  const { state } = reserved;
  const subnetBase = state.subnet.split('.').slice(0, 2).join('.');
  let nextIp = 2;
  const addNode = async (nodeName: string, role: NodeRole | 'noRole', imageName: string) => {
    const node: NodeState = {
      name: nodeName,
      role: role as NodeRole,
      running: false,
      status: 'created',
      id: randomHex(32),
      ip: `${subnetBase}.0.${nextIp++}`,
      created: new Date().toISOString(),
      started: '',
      image: imageId(imageName),
      imageName,
    };
    await updateCluster(ctx.home, name, (s) => {
      if (role === 'noRole') s.helperNodes.push({ ...node, role: 'noRole' });
      else s.nodes.push(node);
    });
  };
  const removeTools = async () => {
    await updateCluster(ctx.home, name, (s) => { s.helperNodes = s.helperNodes.filter((n) => n.role !== 'noRole'); });
  };
  const clock = ctx.clock;
  clock.setTimeout(pl.timeout);
  const serverNames = Array.from({ length: pl.servers }, (_, i) => `k3d-${name}-server-${i}`);
  const agentNames = Array.from({ length: pl.agents }, (_, i) => `k3d-${name}-agent-${i}`);
  const lbName = `k3d-${name}-serverlb`;

  try {
    phase = 'Failed Cluster Preparation: Failed Network Preparation: failed to create cluster network';
    info('Prep: Network');
    await clock.sleep(0.2);
    info(`Created network '${state.network}'`);
    phase = 'Failed Cluster Preparation: Failed Image Volume Preparation: failed to create image volume';
    await clock.sleep(0.1);
    info(`Created image volume k3d-${name}-images`);
    writeClusterPki(dir, name);
    await prepareRegistries(ctx, name, dir, pl);

    phase = 'Failed Cluster Creation: failed to ensure tools node';
    info('Starting new tools node...');
    await addNode(`k3d-${name}-tools`, 'noRole', TOOLS_IMAGE);
    await clock.sleep(0.1);
    info(`Starting node 'k3d-${name}-tools'`);
    await setNode(ctx, name, `k3d-${name}-tools`, { running: true, status: 'running' });

    for (const [i, server] of serverNames.entries()) {
      phase = `Failed Cluster Creation: failed setup of server/agent node ${server}: failed to create node`;
      if (i === 0 && pl.servers > 1) info('Creating initializing server node');
      await clock.sleep(1); // k3d waits a second before every server "to avoid race conditions"
      info(`Creating node '${server}'`);
      await addNode(server, 'server', pl.image);
    }
    for (const agent of agentNames) {
      phase = `Failed Cluster Creation: failed setup of server/agent node ${agent}: failed to create node`;
      await clock.sleep(0.2);
      info(`Creating node '${agent}'`);
      await addNode(agent, 'agent', pl.image);
    }
    if (pl.servers === 2) warn("You're creating 2 server nodes: Please consider creating at least 3 to achieve etcd quorum & fault tolerance");
    if (!pl.noLb) {
      phase = 'Failed Cluster Creation: error creating loadbalancer';
      await clock.sleep(0.2);
      info(`Creating LoadBalancer '${lbName}'`);
      await addNode(lbName, 'loadbalancer', PROXY_IMAGE);
    }

    phase = 'Failed Pre-Start Configuration: failed to gather environment information used for cluster creation';
    await clock.sleep(0.2);
    info('Using the k3d-tools node to gather environment information');
    info('Starting new tools node...');
    await clock.sleep(0.1);
    info(`Starting node 'k3d-${name}-tools'`);
    await clock.sleep(0.4);
    await removeTools();

    await startNodes(ctx, state, { serverNames, agentNames, lbName: pl.noLb ? undefined : lbName, intent: 'create' });

    await updateCluster(ctx.home, name, (s) => { delete s.creating; });
  } catch (err) {
    if (!(err instanceof DeadlineExceeded || err instanceof StartFailure)) throw err;
    error(err instanceof StartFailure ? err.message : phaseError(err));
    error('Failed to create cluster >>> Rolling Back');
    await rollback(ctx, name);
    fatal('Cluster creation FAILED, all changes have been rolled back!');
  }

  info(`Cluster '${name}' created successfully!`);
  const final = readCluster(ctx.home, name) ?? state;
  let switchContext = pl.switchContext;
  if (!pl.updateDefault && switchContext) {
    info('--kubeconfig-update-default=false --> sets --kubeconfig-switch-context=false');
    switchContext = false;
  }
  if (pl.updateDefault) {
    debug(`Updating default kubeconfig with a new context for cluster ${name}`);
    try {
      const file = defaultKubeconfigPath(ctx.env);
      await withLock(ctx.home, () => mergeIntoFile(file, clusterKubeconfig(final, dir), switchContext));
    } catch (err) {
      const message = (err as Error).message;
      warn(message.startsWith('multiple kubeconfigs') ? `failed to get default kubeconfig path: ${message}` : message);
    }
  }
  info('You can now use it like this:');
  if (pl.updateDefault && !switchContext) println(`kubectl config use-context ${contextName(name)}`);
  else if (!switchContext) println(`export KUBECONFIG=$(${process.env.K3D_SIM_ARGV0 ?? 'k3d'} kubeconfig write ${name})`);
  println('kubectl cluster-info');
}

/** pkg/config/transform.go: the name as given (no k3d- prefix added), else k3d-CLUSTER-registry. */
function registryName(name: string, cluster: string): string {
  return name === '' ? `k3d-${cluster}-registry` : name;
}

/**
 * ClusterPrep's registry part: `--registry-create` runs a real registry for this cluster (labelled with
 * it, so that cluster delete removes it), `--registry-use` finds existing ones; then what k3d writes for
 * them: registries.yaml (every node's /etc/rancher/k3s/registries.yaml) and the local-registry-hosting
 * ConfigMap, which the API server applies from manifests/ when it starts (test/sim/apiserver/bootstrap.ts).
 */
async function prepareRegistries(ctx: SimContext, name: string, dir: string, pl: CreatePlan): Promise<void> {
  const used: RegistryRecord[] = [];
  if (pl.registry) {
    phase = 'Failed Cluster Preparation: Failed to create registry';
    let port: Awaited<ReturnType<typeof parseRegistryPort>>;
    try {
      port = await parseRegistryPort(`${pl.registry.host || '0.0.0.0'}:${pl.registry.hostPort || 'random'}`);
    } catch (err) {
      throw new StartFailure(`Failed Cluster Preparation: Failed to create registry: ${(err as Error).message}`);
    }
    try {
      used.push(await runRegistry(ctx, { name: registryName(pl.registry.name, name), hostIp: port.hostIp, host: port.host, hostPort: port.hostPort, cluster: name }));
    } catch (err) {
      if (!(err instanceof RegistryStartError)) throw err;
      throw new StartFailure(`Failed Cluster Preparation: Failed to create registry: ${err.message}`);
    }
  }
  for (const ref of pl.registryUse) {
    phase = 'Failed Cluster Preparation';
    const regName = ref.split(':')[0];
    const rec = readRegistry(ctx.home, regName);
    if (!rec) throw new StartFailure(`Failed Cluster Preparation: Failed to find registry node '${regName}': failed to get node '${regName}': Failed to get nodes: No node found with name '${regName}'`);
    if (!used.some((u) => u.name === rec.name)) used.push(rec);
  }
  if (used.length === 0) return;
  await updateCluster(ctx.home, name, (s) => {
    s.registries = used.map((r) => ({ name: r.name, host: r.host || r.hostIp, hostPort: String(r.hostPort), port: r.port }));
  });
  fs.writeFileSync(path.join(dir, 'registries.yaml'), k3sRegistriesYaml(used));
  if (used.length > 1) warn(`More than one registry specified, but the LocalRegistryHostingV1 spec only supports one -> Selecting the first one: ${used[0].name}`);
  fs.mkdirSync(path.join(dir, 'manifests'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifests', 'local-registry-hosting.yaml'), localRegistryHostingConfigMap(used[0]));
}

/** Registries created for this cluster (--registry-create) that no other cluster uses. */
export function ownedRegistries(ctx: SimContext, cluster: string): { remove: RegistryRecord[]; shared: { rec: RegistryRecord; users: string[] }[] } {
  const remove: RegistryRecord[] = [];
  const shared: { rec: RegistryRecord; users: string[] }[] = [];
  const others = listClusterStates(ctx.home).filter((c) => c.name !== cluster);
  for (const rec of listRegistries(ctx.home)) {
    if (rec.cluster !== cluster) continue;
    const users = others.filter((c) => c.registries.some((r) => r.name === rec.name)).map((c) => c.network);
    if (users.length) shared.push({ rec, users });
    else remove.push(rec);
  }
  return { remove, shared };
}

function randomToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  for (let i = 0; i < 20; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** ClusterDelete during rollback: no waiting, no interruption. */
async function rollback(ctx: SimContext, name: string): Promise<void> {
  info(`Deleting cluster '${name}'`);
  const dir = clusterDir(ctx.home, name);
  await stopApiserver(dir);
  for (const rec of ownedRegistries(ctx, name).remove) await deleteRegistry(ctx.home, rec.name);
  await withLock(ctx.home, () => fs.rmSync(dir, { recursive: true, force: true }));
  info(`Deleting cluster network 'k3d-${name}'`);
  info('Deleting 1 attached volumes...');
}

export interface StartPlan {
  serverNames: string[];
  agentNames: string[];
  lbName?: string;
  intent: 'create' | 'start';
}

/**
 * ClusterStart: servers one by one (each waits for k3s), agents together, then helpers, then the
 * CoreDNS host records. The API server simulator starts with the first server.
 */
export async function startNodes(ctx: SimContext, state: ClusterState, sp: StartPlan): Promise<void> {
  const clock = ctx.clock;
  const name = state.name;
  const current = readCluster(ctx.home, name) ?? state;
  const isRunning = (n: string) => current.nodes.find((x) => x.name === n)?.running === true;
  const servers = sp.serverNames.filter((n) => !isRunning(n));
  const agents = sp.agentNames.filter((n) => !isRunning(n));
  const helpers = sp.lbName && !isRunning(sp.lbName) ? [sp.lbName] : [];

  phase = 'Failed Cluster Start';
  info(`Starting cluster '${name}'`);
  const multiServer = sp.serverNames.length > 1;
  let first = true;
  const startServer = async (server: string) => {
    phase = `Failed Cluster Start: Failed to start server ${server}`;
    info(`Starting node '${server}'`);
    await setNode(ctx, name, server, { running: true, status: 'running' });
    if (first) {
      first = false;
      const result = await startApiserver(clusterDir(ctx.home, name), path.join(ctx.home, 'logs', `${name}-apiserver.log`));
      if (!result.ok) {
        throw new StartFailure(`Failed Cluster Start: Failed to start server ${server}: Node ${server} failed to get ready: error waiting for log line \`k3s is up and running\` from node '${server}': ${result.reason}`);
      }
    }
    await clock.sleep(sp.intent === 'create' ? 7 : 6);
  };
  if (multiServer && servers.includes(sp.serverNames[0])) {
    info('Starting the initializing server...');
    await startServer(sp.serverNames[0]);
  }
  const rest = servers.filter((s) => !(multiServer && s === sp.serverNames[0]));
  if (rest.length > 0) {
    info('Starting servers...');
    for (const s of rest) await startServer(s);
  } else if (!(multiServer && servers.length > 0)) {
    info('All servers already running.');
  }
  if (first && servers.length === 0 && sp.serverNames.length > 0) {
    // servers were already running: make sure the API server is too
    const result = await startApiserver(clusterDir(ctx.home, name), path.join(ctx.home, 'logs', `${name}-apiserver.log`));
    if (!result.ok) throw new StartFailure(`Failed Cluster Start: Failed to start server ${sp.serverNames[0]}: ${result.reason}`);
  }

  if (agents.length > 0) {
    phase = 'Failed Cluster Start: Failed to add one or more agents';
    info('Starting agents...');
    for (const a of agents) {
      info(`Starting node '${a}'`);
      await setNode(ctx, name, a, { running: true, status: 'running' });
    }
    await clock.sleep(sp.intent === 'create' ? 17 : 12);
  } else {
    info('All agents already running.');
  }

  if (helpers.length > 0) {
    phase = 'Failed Cluster Start: Failed to add one or more helper nodes';
    info('Starting helpers...');
    for (const h of helpers) {
      const clash = usedHostPorts(listClusterStates(ctx.home), name);
      const mine = nodePortMappings(current, { name: h, role: 'loadbalancer' });
      for (const bindings of Object.values(mine)) {
        for (const b of bindings) {
          const owner = clash.get(b.HostPort);
          if (owner) {
            throw new StartFailure(`Failed Cluster Start: Failed to add one or more helper nodes: runtime failed to start node '${h}': docker failed to start container for node '${h}': Error response from daemon: driver failed programming external connectivity on endpoint ${h} (${randomHex(32)}): Bind for ${b.HostIp || '0.0.0.0'}:${b.HostPort} failed: port is already allocated (used by ${owner})`);
          }
        }
      }
      info(`Starting node '${h}'`);
      await setNode(ctx, name, h, { running: true, status: 'running' });
    }
    await clock.sleep(3);
  } else {
    info('All helpers already running.');
  }

  if (servers.length > 0 || agents.length > 0) {
    phase = 'Failed Cluster Start: error during post-start cluster preparation';
    const members = current.nodes.length + 1;
    info(`Injecting records for hostAliases (incl. host.k3d.internal) and for ${members} network members into CoreDNS configmap...`);
    await clock.sleep(sp.intent === 'create' ? 8 : 7);
  }
}

export { StartFailure };

/** Used by `cluster start`: the cluster's node names by role. */
export function roleNames(state: ClusterState): StartPlan {
  const byRole = (r: NodeRole) => state.nodes.filter((n) => n.role === r).map((n) => n.name).sort();
  return { serverNames: byRole('server'), agentNames: byRole('agent'), lbName: byRole('loadbalancer')[0], intent: 'start' };
}
