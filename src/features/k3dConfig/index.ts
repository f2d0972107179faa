// k3d config files in the editor (issue 18 item 5): schema Problems and key completion for any YAML file with
// `apiVersion: k3d.io/v1alpha*` and `kind: Simple`; for a file whose metadata.name is a cluster, where the
// running cluster differs from it (Problems and a CodeLens) with the in-place fixes and a recreate.
//
// Nothing here loads at activation beyond this adapter: the schema, the validator and the YAML parser are the
// lazy part dist/k3dConfig.js, required when the first k3d config file opens (looksLikeK3dConfig is a regex).
import * as vscode from 'vscode';
import { looksLikeK3dConfig } from '../../core/k3d/configFile.ts';
import { diffClusterWithConfig, type ConfigDifference, type InPlaceFix, type RegistryFacts } from '../../core/k3d/configDiff.ts';
import type { ConfigAnalysis, ConfigProblem } from '../../core/k3d/configSchema.ts';
import { clusterNameArg } from '../../core/k3d/args.ts';
import { addPorts } from '../../core/k3d/nodeOps.ts';
import { hostPortFree, splitPortSpec } from '../../core/k3d/hostPort.ts';
import { parseRegistryList, registryListArgs } from '../../core/k3d/registries.ts';
import type { K3dCluster, RawK3dCluster } from '../../core/k3d/types.ts';
import { loadK3dConfigCore } from '../../core/lazy.ts';
import { runTool } from '../../core/process.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore, ClustersApi } from '../clusters/api.ts';
import type { K3dConfigApi } from './api.ts';
import { newConfigFileFromWizard } from './saveFromWizard.ts';

const SELECTOR: vscode.DocumentSelector = [{ language: 'yaml' }];

/** What the editor shows for one open config file. */
interface FileState {
  version: number;
  analysis: ConfigAnalysis;
  /** The cluster named by metadata.name, when it exists. */
  cluster?: K3dCluster;
  diffs?: ConfigDifference[];
  /** Why the cluster could not be compared (k3d failed). */
  diffError?: string;
}

/** A cluster's facts read from k3d, kept while its containers are the same ones. */
interface FactsCache {
  signature: string;
  raw: RawK3dCluster;
  registries?: RegistryFacts[];
  imageIds: Map<string, string | undefined>;
}

export function register(ctx: Ctx, clusters: ClustersApi): K3dConfigApi {
  const { store } = clusters;
  const schemaProblems = ctx.register(vscode.languages.createDiagnosticCollection('k3d config'));
  const clusterProblems = ctx.register(vscode.languages.createDiagnosticCollection('k3d cluster vs config'));
  const files = new Map<string, FileState>();
  const facts = new Map<string, FactsCache>();
  const lensesChanged = ctx.register(new vscode.EventEmitter<void>());
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const isConfig = (doc: vscode.TextDocument) => doc.languageId === 'yaml' && doc.uri.scheme !== 'git' && looksLikeK3dConfig(doc.getText());

  const forget = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    if (files.delete(key)) lensesChanged.fire();
    schemaProblems.delete(doc.uri);
    clusterProblems.delete(doc.uri);
  };

  const analyze = async (doc: vscode.TextDocument) => {
    if (!isConfig(doc)) {
      forget(doc);
      return;
    }
    const version = doc.version;
    const core = await loadK3dConfigCore();
    if (doc.isClosed || doc.version !== version) return;
    const analysis = core.analyzeConfig(doc.getText());
    schemaProblems.set(doc.uri, analysis.problems.map((p) => toDiagnostic(doc, p)));
    const state: FileState = { version, analysis };
    files.set(doc.uri.toString(), state);
    await compare(doc, state);
  };

  /** Compares the file with its cluster (metadata.name), reading k3d only when the cluster's containers changed. */
  const compare = async (doc: vscode.TextDocument, state: FileState) => {
    const name = state.analysis.model.name;
    const cluster = name ? store.snapshot?.clusters.find((c) => c.name === name) : undefined;
    state.cluster = cluster;
    state.diffs = undefined;
    state.diffError = undefined;
    if (cluster) {
      try {
        const f = await clusterFacts(ctx, cluster, state.analysis.model.image, facts);
        state.diffs = diffClusterWithConfig(state.analysis.model, { cluster: f.raw, registries: f.registries, imageIds: f.imageIds });
      } catch (e) {
        state.diffError = e instanceof Error ? e.message : String(e);
        ctx.log.warn(`Comparing ${vscode.workspace.asRelativePath(doc.uri)} with cluster ${cluster.name}: ${state.diffError}`);
      }
    }
    if (files.get(doc.uri.toString()) !== state) return;
    clusterProblems.set(doc.uri, (state.diffs ?? []).map((d) => differenceDiagnostic(doc, state, d)));
    lensesChanged.fire();
  };

  const schedule = (doc: vscode.TextDocument, delayMs: number) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      void analyze(doc).catch((e) => ctx.log.error(`k3d config ${key}: ${e instanceof Error ? e.stack : String(e)}`));
    }, delayMs));
  };
  ctx.register({ dispose: () => timers.forEach((t) => clearTimeout(t)) });

  ctx.register(vscode.workspace.onDidOpenTextDocument((doc) => schedule(doc, 0)));
  ctx.register(vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.contentChanges.length > 0 && (files.has(e.document.uri.toString()) || isConfig(e.document))) schedule(e.document, 250);
  }));
  ctx.register(vscode.workspace.onDidCloseTextDocument(forget));
  // A config file deleted on disk keeps its document for a while: its Problems go with the file.
  const deletions = ctx.register(vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}', true, true, false));
  ctx.register(deletions.onDidDelete((uri) => {
    // An edit of the orphaned document analyzes it again.
    if (files.delete(uri.toString())) lensesChanged.fire();
    schemaProblems.delete(uri);
    clusterProblems.delete(uri);
  }));
  ctx.register(store.onDidChange(() => {
    for (const doc of vscode.workspace.textDocuments) {
      const state = files.get(doc.uri.toString());
      if (state && state.version === doc.version) void compare(doc, state);
    }
  }));
  for (const doc of vscode.workspace.textDocuments) schedule(doc, 0);

  ctx.register(vscode.languages.registerCompletionItemProvider(SELECTOR, {
    async provideCompletionItems(doc, position) {
      if (!looksLikeK3dConfig(doc.getText())) return undefined;
      const core = await loadK3dConfigCore();
      const text = doc.getText();
      const offset = doc.offsetAt(position);
      const word = doc.getWordRangeAtPosition(position, /[A-Za-z0-9_]+/) ?? new vscode.Range(position, position);
      const values = core.completeValues(text, offset);
      if (values.length > 0) {
        return values.map((v, i) => {
          const item = new vscode.CompletionItem(v, vscode.CompletionItemKind.EnumMember);
          item.range = word;
          item.sortText = String(i).padStart(3, '0');
          return item;
        });
      }
      return core.completeKeys(text, offset).map((k) => {
        const item = new vscode.CompletionItem({ label: k.key, description: k.type }, vscode.CompletionItemKind.Property);
        item.insertText = k.key + k.insertText;
        item.range = word;
        item.documentation = k.description ? new vscode.MarkdownString(k.description) : undefined;
        item.detail = `k3d config (k3d.io/v1alpha5): ${k.type}`;
        if (k.insertText.includes('\n')) item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest' };
        return item;
      });
    },
  }));

  ctx.register(vscode.languages.registerCodeLensProvider(SELECTOR, {
    onDidChangeCodeLenses: lensesChanged.event,
    provideCodeLenses(doc) {
      const state = files.get(doc.uri.toString());
      return state ? lensesFor(doc, state) : [];
    },
  }));

  const newConfigFile = () => newConfigFileFromWizard(() => clusters.askCreateOptions(), (file) => clusters.createFromConfig(file));
  ctx.registerCommand('newConfigFile', newConfigFile);
  ctx.registerCommand('k3dConfig.applyFix', async (uri?: vscode.Uri, clusterName?: string, fix?: InPlaceFix) => {
    if (!uri || typeof clusterName !== 'string' || !fix) {
      void vscode.window.showInformationMessage('Open a k3d config file whose cluster differs from it: the CodeLens above the file offers what can be applied.');
      return;
    }
    await applyFix(ctx, clusters, clusterName, fix);
    facts.delete(clusterName);
    await store.refresh();
  });
  ctx.registerCommand('k3dConfig.recreate', async (uri?: vscode.Uri, clusterName?: string) => {
    if (!uri || typeof clusterName !== 'string') {
      void vscode.window.showInformationMessage('Open a k3d config file whose cluster differs from it: the CodeLens above the file offers Recreate.');
      return;
    }
    await recreate(ctx, clusters, uri, clusterName);
    facts.delete(clusterName);
  });
  return { newConfigFile };
}

function toDiagnostic(doc: vscode.TextDocument, p: ConfigProblem): vscode.Diagnostic {
  const d = new vscode.Diagnostic(
    new vscode.Range(doc.positionAt(p.start), doc.positionAt(p.end)),
    p.message,
    p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
  );
  d.source = p.kind === 'syntax' ? 'k3d config' : 'k3d schema';
  d.code = p.kind;
  return d;
}

/** Where a difference is written in the file: its key, its `ports:` entry, else metadata. */
function differenceRange(doc: vscode.TextDocument, state: FileState, d: ConfigDifference): vscode.Range {
  const a = state.analysis;
  const at = d.portIndex !== undefined ? a.portEntries[d.portIndex] : a.keys[d.field] ?? a.keys.metadata ?? a.keys.kind;
  if (!at) return new vscode.Range(0, 0, 0, 0);
  return new vscode.Range(doc.positionAt(at.start), doc.positionAt(at.end));
}

function differenceDiagnostic(doc: vscode.TextDocument, state: FileState, d: ConfigDifference): vscode.Diagnostic {
  const diag = new vscode.Diagnostic(
    differenceRange(doc, state, d),
    `Cluster '${state.cluster?.name}' differs from this file: ${d.message}.${d.fix ? ` ${fixTitle(d.fix)} applies it in place (CodeLens above).` : ' Only a recreate applies it (CodeLens above).'}`,
    vscode.DiagnosticSeverity.Warning,
  );
  diag.source = 'k3d cluster';
  diag.code = d.field;
  return diag;
}

function fixTitle(fix: InPlaceFix): string {
  switch (fix.kind) {
    case 'addAgents': return `Add ${fix.count} agent${fix.count === 1 ? '' : 's'}`;
    case 'deleteAgents': return `Delete ${fix.nodes.join(', ')}`;
    case 'addPorts': return `Add port ${fix.specs.join(', ')}`;
  }
}

function lensesFor(doc: vscode.TextDocument, state: FileState): vscode.CodeLens[] {
  const name = state.analysis.model.name;
  if (!name) return [];
  const line = doc.positionAt(state.analysis.keys.metadata?.start ?? state.analysis.keys.apiVersion?.start ?? 0).line;
  const range = new vscode.Range(line, 0, line, 0);
  const lens = (title: string, command = '', args: unknown[] = [], tooltip?: string) => new vscode.CodeLens(range, { title, command, arguments: args, tooltip });
  const cluster = state.cluster;
  if (!cluster) {
    return [lens(`$(circle-slash) No cluster '${name}'`), lens('Create Cluster from this File', 'k3dDeploy.createClusterFromConfig', [doc.uri], `k3d cluster create --config ${vscode.workspace.asRelativePath(doc.uri)}`)];
  }
  if (state.diffError) return [lens(`$(question) Cluster '${name}': could not compare (${state.diffError.slice(0, 80)})`)];
  const diffs = state.diffs;
  if (!diffs) return [lens(`$(sync) Comparing cluster '${name}' with this file…`)];
  if (diffs.length === 0) return [lens(`$(pass) Cluster '${name}' matches this file (servers, agents, ports, image, registries)`)];
  // The verdict and the recreate at the top; each difference, with its fix, above the line it is about.
  const out = [
    lens(`$(warning) Cluster '${name}' differs from this file (${diffs.length === 1 ? '1 difference' : `${diffs.length} differences`})`),
    lens('Recreate from File…', 'k3dDeploy.k3dConfig.recreate', [doc.uri, name], `k3d cluster delete ${name}, then k3d cluster create --config ${vscode.workspace.asRelativePath(doc.uri)}`),
  ];
  for (const d of diffs) {
    const dLine = differenceRange(doc, state, d).start.line;
    const at = new vscode.Range(dLine, 0, dLine, 0);
    out.push(new vscode.CodeLens(at, { title: d.message, command: '' }));
    if (d.fix) out.push(new vscode.CodeLens(at, { title: fixTitle(d.fix), command: 'k3dDeploy.k3dConfig.applyFix', arguments: [doc.uri, name, d.fix], tooltip: fixCommandLine(name, d.fix) }));
  }
  return out;
}

function fixCommandLine(cluster: string, fix: InPlaceFix): string {
  switch (fix.kind) {
    case 'addAgents': return `k3d node create NAME --cluster ${cluster} --role agent --replicas ${fix.count}`;
    case 'deleteAgents': return fix.nodes.map((n) => `k3d node delete ${n}`).join('; ');
    case 'addPorts': return `k3d cluster edit ${cluster}${fix.specs.map((s) => ` --port-add ${s}`).join('')}`;
  }
}

/** `k3d cluster list NAME -o json`, `k3d registry list -o json` and the file's image ID, re-read only when the cluster's containers change. */
async function clusterFacts(ctx: Ctx, cluster: K3dCluster, image: string | undefined, cache: Map<string, FactsCache>): Promise<FactsCache> {
  const signature = cluster.nodes.map((n) => `${n.name}/${n.created ?? ''}/${n.status}`).join(',');
  const cached = cache.get(cluster.name);
  if (cached && cached.signature === signature && (!image || cached.imageIds.has(image))) return cached;
  const { stdout } = await ctx.k3d.run(['cluster', 'list', clusterNameArg(cluster.name), '-o', 'json'], { timeoutMs: 30_000 });
  const list = JSON.parse(stdout.trim() || '[]') as RawK3dCluster[];
  const raw = list.find((c) => c.name === cluster.name) ?? list[0];
  if (!raw) throw new Error(`k3d cluster list ${cluster.name} printed no cluster`);
  let registries: RegistryFacts[] | undefined;
  try {
    registries = parseRegistryList((await ctx.k3d.run(registryListArgs(), { timeoutMs: 30_000 })).stdout).map((r) => ({ name: r.name, cluster: r.cluster }));
  } catch (e) {
    ctx.log.warn(`k3d registry list: ${e instanceof Error ? e.message : String(e)} (registries are not compared)`);
  }
  const imageIds = new Map<string, string | undefined>();
  if (image && (raw.nodes ?? []).some((n) => (n.role === 'server' || n.role === 'agent') && n.image?.startsWith('sha256:'))) {
    // k3d reports the nodes' image by ID: ask Docker which ID the file's image has (none when it is not pulled).
    const id = await runTool(ctx.config.dockerPath, ['image', 'inspect', '--format', '{{.Id}}', image], { timeoutMs: 15_000 }).then((r) => r.stdout.trim() || undefined, () => undefined);
    imageIds.set(image, id);
  }
  const fresh = { signature, raw, registries, imageIds };
  cache.set(cluster.name, fresh);
  return fresh;
}

function freshCluster(store: ClusterStore, name: string): K3dCluster | undefined {
  return store.snapshot?.clusters.find((c) => c.name === name);
}

async function applyFix(ctx: Ctx, clusters: ClustersApi, clusterName: string, fix: InPlaceFix): Promise<void> {
  const { store } = clusters;
  await store.refresh();
  const cluster = freshCluster(store, clusterName);
  if (!cluster) {
    void vscode.window.showWarningMessage(`Cluster '${clusterName}' does not exist any more. Nothing was run.`);
    return;
  }
  if (fix.kind === 'addAgents') {
    // Add Agent's own steps (how many — the file wants this many more — name, memory), progress and `kubectl get nodes` check.
    if (fix.count > 1) vscode.window.setStatusBarMessage(`The file wants ${fix.count} more agents: enter ${fix.count} as the number`, 15_000);
    await clusters.addAgent(cluster);
    return;
  }
  if (fix.kind === 'deleteAgents') {
    for (const name of fix.nodes) {
      const node = freshCluster(store, clusterName)?.nodes.find((n) => n.name === name);
      if (!node) continue;
      // Delete Node asks first, and removes the Node object k3d leaves behind.
      await clusters.deleteNode(cluster, node);
    }
    return;
  }
  for (const spec of fix.specs) {
    const p = splitPortSpec(spec);
    if (p.hostPort && !(await hostPortFree(Number(p.hostPort), p.hostIp || '0.0.0.0'))) {
      void vscode.window.showWarningMessage(`Host port ${p.hostPort} is in use on this machine: k3d would re-create the load balancer and then fail to bind it. Free the port or change it in the file. Nothing was run.`);
      return;
    }
  }
  const go = await vscode.window.showWarningMessage(
    `Add ${fix.specs.join(', ')} to cluster '${clusterName}'?`,
    { modal: true, detail: `k3d cluster edit ${clusterName}${fix.specs.map((s) => ` --port-add ${s}`).join('')} re-creates the load balancer k3d-${clusterName}-serverlb: for a few seconds the Kubernetes API and the ports it already publishes do not answer.` },
    'Add Port',
  );
  if (go !== 'Add Port') return;
  const doing = `Adding port ${fix.specs.join(', ')} to cluster '${clusterName}'`;
  try {
    // Not cancellable: killing k3d between removing the old load balancer and starting the new one breaks the cluster.
    await store.track(clusterName, { verb: 'editing ports' }, () => clusters.withK3dProgress(doing, (run) => addPorts(ctx.k3d, clusterName, fix.specs, run), false));
    vscode.window.setStatusBarMessage(`$(check) Cluster '${clusterName}' now publishes ${fix.specs.join(', ')}`, 5000);
  } catch (e) {
    await clusters.showK3dError(doing, e, 'k3d restores the previous load balancer when the new one does not start.');
  }
}

async function recreate(ctx: Ctx, clusters: ClustersApi, uri: vscode.Uri, clusterName: string): Promise<void> {
  const { store } = clusters;
  const rel = vscode.workspace.asRelativePath(uri);
  const go = await vscode.window.showWarningMessage(
    `Recreate cluster '${clusterName}' from ${rel}?`,
    {
      modal: true,
      detail: `k3d cluster delete ${clusterName}, then k3d cluster create --config ${rel}. Everything deployed in the cluster is lost (its node containers, volumes and kubeconfig context are re-created); images imported into it must be imported again.`,
    },
    'Delete and Recreate',
  );
  if (go !== 'Delete and Recreate') return;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty && !(await doc.save())) {
    void vscode.window.showWarningMessage(`${rel} could not be saved: k3d reads the file from disk. Nothing was run.`);
    return;
  }
  const doing = `Deleting cluster '${clusterName}' to recreate it from ${rel}`;
  try {
    await store.track(clusterName, { verb: 'deleting' }, () => clusters.withK3dProgress(doing, (run) => ctx.k3d.deleteCluster(clusterName, run), false));
  } catch (e) {
    await clusters.showK3dError(doing, e, 'Nothing was created.');
    return;
  }
  await clusters.createFromConfig(uri);
}
