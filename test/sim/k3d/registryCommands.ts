// `k3d registry create|list|delete` (cmd/registry/*.go, pkg/client/registry.go), on real local
// registries (registry.ts).

import { isDockerDown, labelsError, DOCKER_DOWN } from './context.ts';
import type { SimContext } from './context.ts';
import type { Parsed } from './flags.ts';
import { UsageError } from './flags.ts';
import { error, fatal, info, println } from './log.ts';
import {
  createRegistry, deleteRegistry, listRegistries, parseRegistryPort, readRegistry, registryNodeJson, registryNodeName,
  registryRunning, RegistryStartError, startRegistry,
} from './registry.ts';
import type { RegistryRecord } from './registry.ts';
import { withLock } from './state.ts';
import { goYaml, tabulate } from './view.ts';

/** Docker's container-name rule: also keeps the name a single path segment under $K3D_SIM_HOME. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const helpText = (reg: string) => `# You can now use the registry like this (example):
# 1. create a new cluster that uses this registry
k3d cluster create --registry-use ${reg}

# 2. tag an existing local image to be pushed to the registry
docker tag nginx:latest ${reg}/mynginx:v0.1

# 3. push that image to the registry
docker push ${reg}/mynginx:v0.1

# 4. run a pod that uses this image
kubectl run mynginx --image ${reg}/mynginx:v0.1
`;

/**
 * RegistryRun for `registry create` and `cluster create --registry-create`: creates and starts a real
 * registry. Throws RegistryStartError with k3d's words (the caller adds its prefix).
 */
export async function runRegistry(ctx: SimContext, spec: { name: string; hostIp: string; host?: string; hostPort: number; cluster: string; deleteEnabled?: boolean }): Promise<RegistryRecord> {
  if (!CONTAINER_NAME.test(spec.name)) {
    throw new RegistryStartError(`failed to create registry node '${spec.name}': Error response from daemon: Invalid container name (${spec.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  if (isDockerDown(ctx)) throw new RegistryStartError(`failed to create registry node '${spec.name}': ${DOCKER_DOWN}`);
  await withLock(ctx.home, () => createRegistry(ctx.home, spec));
  info(`Creating node '${spec.name}'`);
  info(`Successfully created registry '${spec.name}'`);
  info(`Starting node '${spec.name}'`);
  try {
    return await startRegistry(ctx.home, spec.name);
  } catch (err) {
    // k3d leaves a container that failed to start behind; nothing to gain from that here.
    await deleteRegistry(ctx.home, spec.name);
    throw err;
  }
}

export async function registryCreateCmd(ctx: SimContext, p: Parsed): Promise<void> {
  if (p.args.length > 1) throw new UsageError(`accepts at most 1 arg(s), received ${p.args.length}`);
  let port: Awaited<ReturnType<typeof parseRegistryPort>>;
  try {
    port = await parseRegistryPort(String(p.values.get('port') ?? 'random'));
  } catch (err) {
    error('Failed to parse registry port');
    fatal((err as Error).message);
  }
  const name = p.args.length ? registryNodeName(p.args[0]) : 'k3d-registry';
  let rec: RegistryRecord;
  try {
    rec = await runRegistry(ctx, { name, hostIp: port.hostIp, host: port.host, hostPort: port.hostPort, cluster: '', deleteEnabled: p.values.get('delete-enabled') === true });
  } catch (err) {
    if (!(err instanceof RegistryStartError)) throw err;
    fatal(err.message.startsWith('runtime failed to start') ? `Failed to start registry: ${err.message}` : `Failed to create registry: ${err.message}`);
  }
  info(`Successfully created registry '${rec.name}'`);
  if (p.values.get('no-help') !== true) println(helpText(`${rec.name}:${rec.hostPort}`));
}

function selectRegistries(ctx: SimContext, names: readonly string[]): RegistryRecord[] {
  if (names.length === 0) return listRegistries(ctx.home);
  return names.map((name) => {
    const rec = readRegistry(ctx.home, name);
    if (!rec) fatal(`failed to get node '${name}': Failed to get nodes: No node found with name '${name}'`);
    return rec;
  });
}

export function registryListCmd(ctx: SimContext, p: Parsed): void {
  if (isDockerDown(ctx)) fatal(`failed to list nodes: ${labelsError('map[app:k3d]')}`);
  const regs = selectRegistries(ctx, p.args);
  const output = String(p.values.get('output') ?? '').toLowerCase();
  if (output === 'json' || output === 'yaml') {
    const items = regs.map(registryNodeJson);
    if (output === 'json') println(JSON.stringify(items));
    else println(goYaml(items));
    return;
  }
  const rows: string[][] = [];
  if (p.values.get('no-headers') !== true) rows.push(['NAME', 'ROLE', 'CLUSTER', 'STATUS']);
  for (const r of regs) rows.push([r.name, 'registry', r.cluster, registryRunning(r) ? 'running' : r.started ? 'exited' : 'created']);
  process.stdout.write(tabulate(rows));
}

export async function registryDeleteCmd(ctx: SimContext, p: Parsed): Promise<void> {
  const all = p.values.get('all') === true;
  if (!all && p.args.length < 1) fatal('Expecting at least one registry name if `--all` is not set');
  if (isDockerDown(ctx)) fatal(`failed to list nodes: ${labelsError('map[app:k3d]')}`);
  const regs = all ? listRegistries(ctx.home) : selectRegistries(ctx, p.args);
  if (regs.length === 0) {
    info('No registries found');
    return;
  }
  for (const r of regs) {
    await deleteRegistry(ctx.home, r.name);
    info(`Deleted ${r.name}`);
  }
}
