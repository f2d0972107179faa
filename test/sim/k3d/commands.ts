// `k3d cluster list`, `node list`, `kubeconfig get|merge`, `image import`, `version`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interrupted } from './clock.ts';
import {
  clusterGet, clusterGetOrFatal, clusterList, dirOf, isDockerDown, labelsError, NoNodesFound,
} from './context.ts';
import type { SimContext } from './context.ts';
import type { Parsed } from './flags.ts';
import { UsageError } from './flags.ts';
import {
  clusterKubeconfig, defaultKubeconfigPath, k3dConfigDir, mergeIntoFile, serializeKubeconfig,
} from './kubeconfig.ts';
import { error, ExitError, fatal, info, println, warn } from './log.ts';
import { withToolsNode } from './lifecycle.ts';
import { updateCluster, withLock, listClusterStates, collectAbandoned } from './state.ts';
import type { ClusterState } from './state.ts';
import { findImages, RuntimeListError } from './runtimeImages.ts';
import { listRegistries, registryNodeJson } from './registry.ts';
import type { ImageSearch } from './runtimeImages.ts';
import { clusterJson, clusterTable, goYaml, K3D_VERSION, K3S_VERSION, nodeJson, tabulate } from './view.ts';

export function clusterListCmd(ctx: SimContext, p: Parsed): void {
  const output = String(p.values.get('output') ?? '').toLowerCase();
  const detailed = p.args.length > 0;
  const states = detailed ? p.args.map((n) => clusterGetOrFatal(ctx, n)) : clusterList(ctx);
  const sorted = [...states].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (output === 'json' || output === 'yaml') {
    const entries = sorted.map((s) => {
      const j = clusterJson(s, detailed);
      if (p.values.get('token') === true) return { ...j, clusterToken: s.token };
      return j;
    });
    if (output === 'json') println(JSON.stringify(entries));
    else println(goYaml(entries));
    return;
  }
  process.stdout.write(clusterTable(sorted, p.values.get('no-headers') !== true, p.values.get('token') === true));
}

export function nodeListCmd(ctx: SimContext, p: Parsed): void {
  if (isDockerDown(ctx)) fatal(`failed to list nodes: ${labelsError('map[app:k3d]')}`);
  collectAbandoned(ctx.home);
  interface Row { name: string; role: string; cluster: string; status: string; json: () => unknown }
  const all: Row[] = [];
  for (const state of listClusterStates(ctx.home)) {
    for (const node of [...state.nodes, ...state.helperNodes]) {
      all.push({ name: node.name, role: node.role === 'noRole' ? '' : node.role, cluster: state.name, status: node.status, json: () => nodeJson(state, node) });
    }
  }
  // Registries are k3d nodes too (role registry), labelled with a cluster only when created with one.
  for (const rec of listRegistries(ctx.home)) {
    const json = registryNodeJson(rec);
    all.push({ name: rec.name, role: 'registry', cluster: rec.cluster, status: (json.State as { Status: string }).Status, json: () => json });
  }
  let selected = all;
  if (p.args.length) {
    selected = [];
    for (const name of p.args) {
      // The docker runtime looks a node up by the name filter ^/?(k3d-)?NAME$: the prefix may be left out.
      const hit = all.find((e) => e.name === name || e.name === `k3d-${name}`);
      if (!hit) fatal(`failed to get node '${name}': Failed to get nodes: No node found with name '${name}'`);
      selected.push(hit);
    }
  }
  selected.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const output = String(p.values.get('output') ?? '').toLowerCase();
  if (output === 'json' || output === 'yaml') {
    const items = selected.length === 0 && p.args.length === 0 ? null : selected.map((e) => e.json());
    if (output === 'json') println(JSON.stringify(items));
    else println(items === null ? 'null\n' : goYaml(items));
    return;
  }
  const rows: string[][] = [];
  const headers = p.values.get('no-headers') !== true;
  if (headers) rows.push(['NAME', 'ROLE', 'CLUSTER', 'STATUS']);
  for (const e of selected) rows.push([e.name, e.role, e.cluster, e.status]);
  // cmd/node/nodeList.go passes an empty header list for --no-headers, and cmd/util/listings.go PrintNodes
  // prints it all the same: an empty first line.
  process.stdout.write((headers ? '' : '\n') + tabulate(rows));
}

function kubeconfigClusters(ctx: SimContext, p: Parsed, defaultName: string | undefined): ClusterState[] {
  if (p.values.get('all') === true) return clusterList(ctx);
  const names = p.args.length ? p.args : defaultName ? [defaultName] : [];
  return names.map((n) => clusterGetOrFatal(ctx, n));
}

export function kubeconfigGetCmd(ctx: SimContext, p: Parsed): void {
  const all = p.values.get('all') === true;
  if ((p.args.length < 1 && !all) || (p.args.length > 0 && all)) {
    throw new UsageError('Need to specify one or more cluster names *or* set `--all` flag');
  }
  let failed = false;
  for (const c of kubeconfigClusters(ctx, p, undefined)) {
    println('---');
    try {
      process.stdout.write(serializeKubeconfig(clusterKubeconfig(c, dirOf(ctx, c.name))));
    } catch (err) {
      error(`failed to get kubeconfig for cluster '${c.name}': ${(err as Error).message}`);
      failed = true;
    }
  }
  if (failed) throw new ExitError(1);
}

/**
 * `kubeconfig merge|write` (cmd/kubeconfig/kubeconfigMerge.go, pkg/client/kubeconfig.go KubeconfigGetWrite): to
 * `-o FILE`, to the default kubeconfig with `-d`, else to kubeconfig-NAME.yaml in k3d's config folder. An
 * existing file is merged into (a conflicting entry is replaced unless `--update=false`: "Cluster '…' already
 * exists in target KubeConfig"); `--overwrite` replaces the file with this cluster's kubeconfig alone.
 */
export async function kubeconfigMergeCmd(ctx: SimContext, p: Parsed): Promise<void> {
  const output = String(p.values.get('output') ?? '');
  const toDefault = p.values.get('kubeconfig-merge-default') === true;
  if (toDefault && output !== '') fatal("Cannot use both '--output' and '--kubeconfig-merge-default' at the same time");
  const clusters = kubeconfigClusters(ctx, p, 'k3s-default');
  const outputs: string[] = [];
  let failed = false;
  let configDir: string;
  try {
    configDir = k3dConfigDir(ctx.env);
  } catch (err) {
    error(`failed to create config directory: ${(err as Error).message}`);
    fatal('Failed to save kubeconfig to local directory');
  }
  for (const c of clusters) {
    try {
      const config = clusterKubeconfig(c, dirOf(ctx, c.name));
      if (output === '-') {
        process.stdout.write(serializeKubeconfig(config));
        continue;
      }
      const target = output !== '' ? output : toDefault ? '' : path.join(configDir, `kubeconfig-${c.name}.yaml`);
      let file: string;
      try {
        file = target !== '' ? target : defaultKubeconfigPath(ctx.env);
      } catch (err) {
        throw new Error(`failed to get default kubeconfig path: ${(err as Error).message}`);
      }
      if (p.values.get('overwrite') === true) {
        // KubeconfigWriteToPath: os.Create, no folders made, the file's contents ignored.
        try {
          fs.writeFileSync(file, serializeKubeconfig(config));
        } catch (err) {
          throw new Error(`failed to create file '${file}': open ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
        }
      } else {
        await withLock(ctx.home, () => mergeIntoFile(file, config, p.values.get('kubeconfig-switch-context') !== false, p.values.get('update') !== false));
      }
      outputs.push(file);
    } catch (err) {
      error((err as Error).message);
      failed = true;
    }
  }
  if (output !== '-') println(outputs.join(':'));
  if (failed) throw new ExitError(1);
}

/** k3d's canonical image name: docker.io/ and library/ stripped, :latest added. */
export function canonicalImage(image: string): string {
  let name = image;
  for (const prefix of ['docker.io/library/', 'docker.io/', 'library/']) {
    if (name.startsWith(prefix)) {
      name = name.slice(prefix.length);
      break;
    }
  }
  const afterSlash = name.slice(name.lastIndexOf('/') + 1);
  if (!afterSlash.includes(':') && !name.includes('@')) name += ':latest';
  return name;
}

export async function imageImportCmd(ctx: SimContext, p: Parsed): Promise<void> {
  if (p.args.length < 1) throw new UsageError(`requires at least 1 arg(s), only received 0`);
  const mode = String(p.values.get('mode') ?? 'tools-node');
  const clusterNames = (p.values.get('cluster') as string[] | undefined) ?? ['k3s-default'];
  const clusters: ClusterState[] = [];
  for (const name of clusterNames) {
    try {
      clusters.push(clusterGet(ctx, name));
    } catch (err) {
      if (err instanceof NoNodesFound) fatal(`failed to get cluster ${name}: ${err.message}`);
      throw err;
    }
  }
  if (!['auto', 'direct', 'tools-node'].includes(mode)) fatal(`Unknown image loading mode '${mode}'\n`);
  const images = p.args;
  let errOccurred = false;
  for (const c of clusters) {
    info(`Importing image(s) into cluster '${c.name}'`);
    // ImageImportIntoClusterMulti: the images come from the real engine (or `docker save` archives).
    let search: ImageSearch;
    try {
      search = await findImages(images, ctx.env);
    } catch (err) {
      if (!(err instanceof RuntimeListError)) throw err;
      error(`Failed to import image(s) into cluster '${c.name}': failed to find images: failed to fetch list of existing images from runtime: ${err.message}`);
      errOccurred = true;
      continue;
    }
    for (const m of search.missing) warn(`Image '${m}' is not a file and couldn't be found in the container runtime`);
    const found = [...search.fromRuntime, ...search.fromArchives];
    if (found.length === 0) {
      error(`Failed to import image(s) into cluster '${c.name}': no valid images specified`);
      errOccurred = true;
      continue;
    }
    const runtimeNames = search.fromRuntime.map((f) => f.name);
    const targets = c.nodes.filter((n) => n.role === 'server' || n.role === 'agent');
    let imported = false;
    const reached = new Set<string>();
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    try {
      // auto picks the stream (direct) for a local engine, as k3d does for a unix socket.
      if (mode === 'direct' || mode === 'auto') {
        const streams: { label: string; names: string[] }[] = [];
        if (runtimeNames.length > 0) {
          info(`Loading ${runtimeNames.length} image(s) from runtime into nodes...`);
          streams.push({ label: 'runtime', names: runtimeNames });
        }
        if (search.fromArchives.length > 0) {
          info(`Importing images from ${search.fromArchives.length} tarball(s)...`);
          for (const a of search.fromArchives) streams.push({ label: 'file', names: [a.requested] });
        }
        await ctx.clock.sleep(2);
        for (const stream of streams) {
          let failed = false;
          for (const n of targets) {
            info(`Importing images '[${stream.names.join(' ')}]' into node '${n.name}'...`);
            if (!n.running) {
              error(`Failed to import image(s) into cluster '${c.name}': could not load image to cluster from stream [${stream.names.join(' ')}]: error loading image to cluster, first error: failed to import images in node '${n.name}': Error response from daemon: container ${n.id} is not running`);
              failed = true;
            } else {
              imported = true;
              reached.add(n.name);
            }
          }
          if (failed) {
            errOccurred = true;
            break;
          }
        }
        await ctx.clock.sleep(2);
        if (!errOccurred) info('Successfully imported image(s)');
      } else {
        await withToolsNode(ctx, c, async () => {
          const tars: string[] = [];
          if (runtimeNames.length > 0) {
            info(`Saving ${runtimeNames.length} image(s) from runtime...`);
            await ctx.clock.sleep(3);
            tars.push(`/k3d/images/k3d-${c.name}-images-${stamp}.tar`);
          }
          if (search.fromArchives.length > 0) {
            info(`Saving ${search.fromArchives.length} tarball(s) to shared image volume...`);
            await ctx.clock.sleep(1);
            for (const a of search.fromArchives) tars.push(`/k3d/images/k3d-${c.name}-images-${stamp}-file-${path.basename(a.requested)}`);
          }
          info('Importing images into nodes...');
          for (const tar of tars) {
            for (const n of targets) {
              info(`Importing images from tarball '${tar}' into node '${n.name}'...`);
              if (!n.running) error(`failed to import images in node '${n.name}': Error response from daemon: container ${n.id} is not running`);
              else {
                imported = true;
                reached.add(n.name);
              }
            }
          }
          await ctx.clock.sleep(2);
          info('Removing the tarball(s) from image volume...');
          await ctx.clock.sleep(0.2);
          info('Removing k3d-tools node...');
        });
        info('Successfully imported image(s)');
      }
    } catch (err) {
      if (err instanceof Interrupted) fatal('context canceled');
      throw err;
    }
    if (imported) {
      await updateCluster(ctx.home, c.name, (s) => {
        s.importedImageIds ??= {};
        for (const f of found) {
          for (const name of f.archiveTags ?? [f.name]) {
            const canonical = canonicalImage(name);
            if (!s.importedImages.includes(canonical)) s.importedImages.push(canonical);
            // A rebuilt tag imported again replaces the ID: the cluster now has the new image.
            s.importedImageIds[canonical] = f.id;
            s.nodeImageIds ??= {};
            for (const node of reached) (s.nodeImageIds[node] ??= {})[canonical] = f.id;
          }
        }
      });
    }
  }
  if (errOccurred) {
    warn('At least one error occured while trying to import the image(s) into the selected cluster(s)');
    throw new ExitError(1);
  }
  info(`Successfully imported ${images.length} image(s) into ${clusters.length} cluster(s)`);
}

export function versionCmd(p: Parsed): void {
  if (p.args.length > 0) throw new UsageError(`unknown command "${p.args[0]}" for "k3d version"`);
  if (String(p.values.get('output') ?? '') === 'json') {
    println(JSON.stringify({ k3d: K3D_VERSION, k3s: K3S_VERSION, simulated: true }));
    return;
  }
  printVersion();
}

export function printVersion(): void {
  println(`k3d version ${K3D_VERSION} (simulated)`);
  println(`k3s version ${K3S_VERSION} (default)`);
}
