import * as vscode from 'vscode';
import { applyObjects, contextNamespace, type ApplyResult } from '../../core/kube/apply.ts';
import { Discovery } from '../../core/kube/discovery.ts';
import type { KubeHttp } from '../../core/kube/http.ts';
import type { ManifestDocument, ManifestFile } from '../../core/manifests/documents.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore, ClustersApi } from '../clusters/api.ts';
import type { WorkloadsApi } from '../workloads/api.ts';
import { serverProblems, toDiagnostic } from './diagnostics.ts';
import { followRollouts, type RolloutOutcome, type RolloutTarget } from './rollout.ts';
import type { ManifestSource } from './sources.ts';
import { loadManifestCore } from '../../core/lazy.ts';

export interface ApplySummary {
  applied: boolean;
  context?: string;
  results: ApplyResult[];
  /** The deployments the apply created or configured: what rolls out. */
  changed: RolloutTarget[];
  rollouts: Array<{ name: string; outcome: RolloutOutcome }>;
}

interface Parsed {
  source: ManifestSource;
  file: ManifestFile;
}

/** A document of one of the sources, in the order it is applied. */
interface Planned {
  parsed: Parsed;
  doc: ManifestDocument;
}

export class Applier {
  private readonly ctx: Ctx;
  private readonly store: ClusterStore;
  private readonly clusters: ClustersApi;
  private readonly workloads: WorkloadsApi;
  readonly diagnostics: vscode.DiagnosticCollection;

  /** `diagnostics`: the apply problems' collection, made at activation (index.ts clears a file's on its edit). */
  constructor(ctx: Ctx, clusters: ClustersApi, workloads: WorkloadsApi, diagnostics: vscode.DiagnosticCollection) {
    this.ctx = ctx;
    this.store = clusters.store;
    this.clusters = clusters;
    this.workloads = workloads;
    this.diagnostics = diagnostics;
  }

  /** Parses and validates; says what is wrong and returns undefined when anything is. */
  async parse(sources: ManifestSource[]): Promise<Parsed[] | undefined> {
    const { applySizeRefusal, parseManifest, validateManifest, hasErrors } = await loadManifestCore();
    const parsed = sources.map((source) => ({ source, file: parseManifest(source.text) }));
    let errors = 0;
    let first: string | undefined;
    for (const p of parsed) {
      const tooLarge = applySizeRefusal(p.source.text.length);
      if (tooLarge) {
        errors++;
        first ??= `${p.source.label}: ${tooLarge}`;
        continue;
      }
      const problems = p.file.isKubernetes || p.file.documents.length === 0 ? validateManifest(p.file) : [];
      if (!p.file.isKubernetes) {
        errors++;
        first ??= `${p.source.label} has no Kubernetes document (one with apiVersion and kind)`;
      }
      if (p.source.uri) this.diagnostics.set(p.source.uri, problems.map(toDiagnostic));
      if (hasErrors(problems)) {
        const e = problems.filter((x) => x.severity === 'error');
        errors += e.length;
        first ??= `${p.source.label}:${e[0].range.start.line + 1}: ${e[0].message}`;
      }
    }
    if (errors > 0) {
      void vscode.window.showErrorMessage(`Nothing was applied: ${errors} problem${errors === 1 ? '' : 's'} (${first}).`, 'Show Problems').then((c) => {
        if (c) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
      return undefined;
    }
    return parsed;
  }

  async apply(sources: ManifestSource[], options: { force?: boolean; follow?: boolean } = {}): Promise<ApplySummary> {
    const none: ApplySummary = { applied: false, results: [], changed: [], rollouts: [] };
    const parsed = await this.parse(sources);
    if (!parsed) return none;
    const { sortForApply } = await loadManifestCore();
    const target = await this.connect();
    if (!target) return none;
    const { context, http, namespace } = target;
    const plan: Planned[] = sortForApply(parsed.flatMap((p) => p.file.documents.map((doc) => ({ parsed: p, doc, kind: doc.kind }))));
    const objects = plan.map((p) => p.doc.toObject() as Record<string, unknown>);
    const what = sources.length === 1 ? sources[0].label : `${sources.length} files`;
    const unsaved = sources.some((s) => s.unsaved) ? ' (with its unsaved edits)' : '';
    // Cancel ends every request of this apply at once (a silent API server included).
    const cancel = new AbortController();
    const { applied, results } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Applying ${what}${unsaved} to ${context}`, cancellable: true },
      (_progress, token) => {
        const listener = token.onCancellationRequested(() => cancel.abort());
        const op = http.withSignal(cancel.signal);
        return applyObjects(op, new Discovery(op), objects, { force: options.force, defaultNamespace: namespace }).finally(() => listener.dispose());
      },
    );
    if (cancel.signal.aborted) {
      const done = results.filter((r) => r.outcome);
      for (const r of done) this.ctx.log.info(`${r.ref} ${r.outcome} in ${context} (before the apply was cancelled)`);
      void vscode.window.showWarningMessage(
        `Apply to ${context} cancelled. ${done.length ? `Applied before cancelling: ${done.map((r) => `${r.ref} ${r.outcome}`).join(', ')}.` : 'Nothing was applied.'}${done.length < results.length ? ` Not applied, or not confirmed when the cancel cut the answer: ${results.filter((r) => !r.outcome).map((r) => r.ref).join(', ')}.` : ''}`,
      );
      return { applied: false, context, results, changed: [], rollouts: [] };
    }

    // Problems go where they point, per file.
    for (const p of parsed) {
      if (!p.source.uri) continue;
      const mine = results.filter((r) => plan[r.index].parsed === p);
      const order = mine.map((r) => p.file.documents.indexOf(plan[r.index].doc));
      const remapped = mine.map((r, i) => ({ ...r, index: i }));
      this.diagnostics.set(p.source.uri, await serverProblems(p.file, remapped, order));
    }
    for (const r of results) {
      if (r.outcome) this.ctx.log.info(`${r.ref} ${r.outcome}${r.namespace ? ` (namespace ${r.namespace})` : ''} in ${context}`);
      else if (r.problem) this.ctx.log.error(`${r.ref}: ${r.problem.message}`);
    }

    if (!applied) {
      return { ...(await this.explainFailure(sources, results, context, options)), context };
    }
    const summary = results.map((r) => `${r.ref} ${r.outcome}`).join(', ');
    const deployments = results.filter((r) => r.ref.startsWith('deployment.apps/'));
    const changed: RolloutTarget[] = deployments
      .filter((d) => d.outcome === 'created' || d.outcome === 'configured')
      .map((d) => ({ namespace: d.namespace ?? 'default', name: d.ref.split('/')[1] }));
    if (changed.length > 0) {
      // A rollout's notification follows at once (here, or the caller's with `follow: false`), and its outcome
      // may come within a second (a pull that fails at once). VS Code drops the fourth notification shown within
      // 800 ms (its toasts' spam protection): with "Applying", "Applied" and "Rolling out" before it, that was the
      // stuck rollout's, with its fix, seen only in the bell's list. What was applied goes to the status bar and
      // the log instead.
      vscode.window.setStatusBarMessage(`$(check) Applied ${what}${unsaved} to ${context}: ${summary}`, 10_000);
    } else {
      void vscode.window.showInformationMessage(`Applied ${what}${unsaved} to ${context}: ${summary}.`);
    }

    const rollouts: ApplySummary['rollouts'] = [];
    for (const r of deployments.filter((d) => d.outcome === 'unchanged')) {
      const name = r.ref.split('/')[1];
      void vscode.window.showInformationMessage(
        `deployment/${name} is unchanged, so nothing rolls out. A new version needs a new image tag: change the tag in the manifest (not just rebuild :latest), then apply again.`,
      );
    }
    if (options.follow !== false && changed.length > 0) {
      const outcomes = await followRollouts(this.ctx, http, context, changed, this.workloads.showPodYaml);
      changed.forEach((t, i) => rollouts.push({ name: t.name, outcome: outcomes[i] }));
    }
    return { applied: true, context, results, changed, rollouts };
  }

  private async explainFailure(sources: ManifestSource[], results: ApplyResult[], context: string, options: { force?: boolean; follow?: boolean }): Promise<ApplySummary> {
    const failed = results.filter((r) => r.problem);
    const done = results.filter((r) => r.outcome);
    const conflicts = failed.filter((r) => r.problem?.kind === 'conflict');
    if (conflicts.length > 0 && conflicts.length === failed.length && done.length === 0) {
      const fields = conflicts.flatMap((r) => (r.problem?.conflicts ?? []).map((c) => `${r.ref} ${c.field} (changed by "${c.manager}")`));
      const choice = await vscode.window.showWarningMessage(
        `Nothing was applied: the file disagrees with changes made in the cluster since: ${fields.join('; ')}. Force makes the file win (like --force-conflicts).`,
        'Force',
        'Show Problems',
      );
      if (choice === 'Force') return this.apply(sources, { ...options, force: true });
      if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      return { applied: false, context, results, changed: [], rollouts: [] };
    }
    const first = failed[0]?.problem;
    const partial = done.length > 0
      ? ` Applied before the failure: ${done.map((r) => `${r.ref} ${r.outcome}`).join(', ')}. Not applied: ${results.filter((r) => !r.outcome).map((r) => r.ref).join(', ')}.`
      : ' Nothing was applied.';
    const choice = await vscode.window.showErrorMessage(`Apply to ${context} failed: ${failed[0]?.ref}: ${first?.message ?? 'unknown error'}.${partial}`, 'Show Problems', 'Show Log');
    if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    if (choice === 'Show Log') this.ctx.log.show(true);
    return { applied: false, context, results, changed: [], rollouts: [] };
  }

  /**
   * The current context's API, checked before anything is sent: a stopped k3d cluster offers
   * to start; an unreachable one says so and offers another context.
   */
  /** The current context, reachable; `namespace` is where objects that name none go (kubectl's rule). */
  async connect(): Promise<{ context: string; http: KubeHttp; namespace: string } | undefined> {
    const view = await this.ctx.kube.kubeconfig();
    const context = view.currentContext;
    if (!context) {
      const c = await vscode.window.showWarningMessage('Nothing was applied: there is no current Kubernetes context. Create a k3d cluster, or choose a context.', 'Create Cluster', 'Use Context');
      if (c) void (c === 'Create Cluster' ? this.clusters.create() : this.clusters.useContext());
      return undefined;
    }
    if (!this.store.snapshot) await this.store.refresh();
    const cluster = this.store.snapshot?.clusters.find((c) => c.contextName === context);
    if (cluster && cluster.state === 'stopped') {
      const c = await vscode.window.showWarningMessage(`Nothing was applied: cluster '${cluster.name}' (context ${context}) is stopped.`, 'Start Cluster', 'Use Context');
      if (c === 'Start Cluster') {
        await this.clusters.start(cluster);
        const after = this.store.snapshot?.clusters.find((x) => x.name === cluster.name);
        if (after?.state !== 'running') return undefined;
      } else {
        if (c) void this.clusters.useContext();
        return undefined;
      }
    }
    try {
      const http = await this.ctx.kube.http(context);
      await http.json('/version', { idleTimeoutMs: 5000 });
      return { context, http, namespace: contextNamespace(view, context) };
    } catch (e) {
      const c = await vscode.window.showErrorMessage(
        `Nothing was applied: the cluster of context ${context} does not answer (${(e as Error).message}).${cluster ? ' Is it running?' : ''}`,
        ...(cluster ? ['Start Cluster'] : []),
        'Use Context',
      );
      if (c === 'Start Cluster' && cluster) void this.clusters.start(cluster);
      if (c === 'Use Context') void this.clusters.useContext();
      return undefined;
    }
  }
}
