// One open k3d config file at a time, in the editor: its schema Problems, key/value completion, and where its cluster
// (metadata.name) differs from it (Problems and CodeLens). A lazy part with fixes.ts (dist/k3dConfigEditor.js),
// required when the first k3d config file opens: index.ts keeps only the detection (a regex) and the providers.
import * as vscode from 'vscode';
import { diffClusterWithConfig, type ConfigDifference, type InPlaceFix, type RegistryFacts } from '../../core/k3d/configDiff.ts';
import type { ConfigAnalysis, ConfigProblem } from '../../core/k3d/configSchema.ts';
import { clusterNameArg } from '../../core/k3d/args.ts';
import { parseRegistryList, registryListArgs } from '../../core/k3d/registries.ts';
import type { K3dCluster, RawK3dCluster } from '../../core/k3d/types.ts';
import { loadK3dConfigCore } from '../../core/lazy.ts';
import { runTool } from '../../core/process.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore } from '../clusters/api.ts';

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

/** Where the editor's findings go: made at activation by index.ts, which owns them. */
export interface ConfigEditorOutputs {
  readonly schemaProblems: vscode.DiagnosticCollection;
  readonly clusterProblems: vscode.DiagnosticCollection;
  readonly lensesChanged: vscode.EventEmitter<void>;
}

export interface ConfigEditor {
  /** Reads a config file (index.ts checked it looks like one) and compares it with its cluster. */
  analyze(doc: vscode.TextDocument): Promise<void>;
  /** Whether the file was read as a config file (an edit that makes it something else must still be seen). */
  tracks(uri: vscode.Uri): boolean;
  /** A file closed, deleted, or no longer a config file: its Problems and lenses go. */
  forget(uri: vscode.Uri): void;
  /** The clusters changed: compare the open files again. */
  compareAll(): void;
  lenses(doc: vscode.TextDocument): vscode.CodeLens[];
  complete(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]>;
  /** Read the cluster's facts from k3d again at the next compare (after a fix or a recreate). */
  forgetFacts(cluster: string): void;
}

export function createConfigEditor(ctx: Ctx, store: ClusterStore, out: ConfigEditorOutputs): ConfigEditor {
  const { schemaProblems, clusterProblems, lensesChanged } = out;
  const files = new Map<string, FileState>();
  const facts = new Map<string, FactsCache>();

  const forget = (uri: vscode.Uri) => {
    if (files.delete(uri.toString())) lensesChanged.fire();
    schemaProblems.delete(uri);
    clusterProblems.delete(uri);
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

  return {
    async analyze(doc) {
      const version = doc.version;
      const core = await loadK3dConfigCore();
      if (doc.isClosed || doc.version !== version) return;
      const analysis = core.analyzeConfig(doc.getText());
      schemaProblems.set(doc.uri, analysis.problems.map((p) => toDiagnostic(doc, p)));
      const state: FileState = { version, analysis };
      files.set(doc.uri.toString(), state);
      await compare(doc, state);
    },
    tracks: (uri) => files.has(uri.toString()),
    forget,
    compareAll() {
      for (const doc of vscode.workspace.textDocuments) {
        const state = files.get(doc.uri.toString());
        if (state && state.version === doc.version) void compare(doc, state);
      }
    },
    lenses(doc) {
      const state = files.get(doc.uri.toString());
      return state ? lensesFor(doc, state) : [];
    },
    async complete(doc, position) {
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
    forgetFacts: (cluster) => facts.delete(cluster),
  };
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
