// Apply (kubectl apply -f: file, folder, URL), Diff with Cluster and Delete from Cluster (kubectl delete -f): the
// commands' bodies, a lazy part (dist/applyCommands.js) with applyManifests.ts, required when a user first runs one
// or another feature first applies. index.ts keeps the diagnostics, the events and the editor-title key.
import * as vscode from 'vscode';
import { applyObjects, deleteResultLine, executeDelete, planDelete, type DeleteResult } from '../../core/kube/apply.ts';
import { Discovery } from '../../core/kube/discovery.ts';
import { maskSecretDiff } from '../../core/kube/redact.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import { loadManifestCore, loadYaml } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import type { Applier, ApplySummary } from './applyManifests.ts';
import { fromUrl, sourcesFor, type ManifestSource } from './sources.ts';

/** Where the commands report what happened (index.ts's events). */
export interface ApplyReports {
  applied(from: 'file' | 'url', summary: ApplySummary): void;
  deleted(context: string, results: DeleteResult[]): void;
}

/** The handlers of the commands index.ts registers. */
export function applyCommands(ctx: Ctx, applier: Applier, reports: ApplyReports) {
  const told = (from: 'file' | 'url') => (summary: ApplySummary) => (summary.applied && reports.applied(from, summary), summary);

  // `options.follow: false`: Build & Deploy follows the rollout itself, as its own timed phase.
  const apply = async (uri?: vscode.Uri, selected?: vscode.Uri[], options?: { follow?: boolean }): Promise<ApplySummary | undefined> => {
    const sources = await sourcesFor(uri instanceof vscode.Uri ? uri : undefined, Array.isArray(selected) ? selected : undefined);
    return sources && applier.apply(sources, { follow: options?.follow }).then(told('file'));
  };
  const applyFromUrl = async () => {
    const url = await vscode.window.showInputBox({
      title: 'Apply from URL (kubectl apply -f https://...)',
      prompt: 'The address of a Kubernetes manifest',
      placeHolder: 'https://raw.githubusercontent.com/.../deployment.yaml',
      validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'Enter an http:// or https:// address.'),
    });
    if (!url) return undefined;
    const address = url.trim();
    const { DownloadError } = await import('../../core/download.ts');
    let source: ManifestSource;
    try {
      source = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${address}`, cancellable: true }, (_p, token) => {
        const abort = new AbortController();
        const cancelled = token.onCancellationRequested(() => abort.abort());
        return fromUrl(address, { signal: abort.signal, timeoutMs: ctx.config.requestTimeoutMs }).finally(() => cancelled.dispose());
      });
    } catch (e) {
      if (e instanceof DownloadError && e.reason === 'cancelled') return undefined;
      throw new Error(`Nothing was applied. ${(e as Error).message}${e instanceof DownloadError && e.reason === 'timeout' ? ' (setting k3d.requestTimeout)' : ''}`);
    }
    // What will be applied, before anything is: the file, read-only, and the list of its objects.
    const { parseManifest } = await loadManifestCore();
    const objects = parseManifest(source.text).documents.filter((d) => d.kind !== undefined);
    if (objects.length > 0) {
      const fileName = (new URL(address).pathname.split('/').pop() || 'manifest').replace(/[^\w.-]+/g, '_');
      await showReadOnly(`downloads/${new URL(address).host}/${/\.(ya?ml|json)$/i.test(fileName) ? fileName : `${fileName}.yaml`}`, source.text);
      const list = objects.map((d) => `${d.kind}/${d.name ?? '(no name)'}${d.namespace ? ` (namespace ${d.namespace})` : ''}`);
      const shown = list.length > 30 ? [...list.slice(0, 30), `… and ${list.length - 30} more`] : list;
      const ok = await vscode.window.showWarningMessage(
        `Apply ${objects.length} object${objects.length === 1 ? '' : 's'} from ${address}?`,
        { modal: true, detail: `${shown.join('\n')}\n\nThe downloaded file is open, read-only: read it before applying what someone else wrote.` },
        'Apply',
      );
      if (ok !== 'Apply') return undefined;
    }
    return applier.apply([source]).then(told('url'));
  };
  const diffWithCluster = async (uri?: vscode.Uri) => {
    const sources = await sourcesFor(uri instanceof vscode.Uri ? uri : undefined);
    if (!sources) return;
    const parsed = await applier.parse(sources);
    const target = parsed && (await applier.connect());
    if (!parsed || !target) return;
    const { sortForApply } = await loadManifestCore();
    const docs = sortForApply(parsed.flatMap((p) => p.file.documents.map((doc) => ({ doc, kind: doc.kind }))));
    const { results } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Dry-run apply' },
      () => applyObjects(target.http, new Discovery(target.http), docs.map((d) => d.doc.toObject() as Record<string, unknown>), { dryRun: true, force: true, defaultNamespace: target.namespace }),
    );
    const problem = results.find((r) => r.problem);
    if (problem) {
      void vscode.window.showErrorMessage(`Cannot diff: ${problem.ref}: ${problem.problem?.message}`);
      return;
    }
    const { stringify } = await loadYaml();
    const show = (o: KubeObject | undefined) => (o ? stringify(tidy(o), { lineWidth: 0 }) : '# (does not exist in the cluster yet)\n');
    // A Secret's values as kubectl diff shows them: ***, or *** (before) / *** (after) where they change.
    const masked = results.map((r) => ({ ref: r.ref, ...maskSecretDiff(r.before, r.object) }));
    const live = masked.map((r) => `# ${r.ref}\n${show(r.before)}`).join('---\n');
    const after = masked.map((r) => `# ${r.ref}\n${show(r.after)}`).join('---\n');
    const name = sources[0].label.replace(/[^\w.-]+/g, '_');
    const left = await showReadOnly(`diff/${target.context}/${name}.live.yaml`, live, false, false);
    const right = await showReadOnly(`diff/${target.context}/${name}.applied.yaml`, after, false, false);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${sources[0].label}: ${target.context} ↔ after apply`);
  };
  const deleteFile = async (uri?: vscode.Uri): Promise<DeleteResult[] | undefined> => {
    const sources = await sourcesFor(uri instanceof vscode.Uri ? uri : undefined);
    if (!sources) return undefined;
    const parsed = await applier.parse(sources);
    const target = parsed && (await applier.connect());
    if (!parsed || !target) return undefined;
    const objects = parsed.flatMap((p) => p.file.documents.map((d) => d.toObject() as KubeObject & Record<string, unknown>));
    // As kubectl: an object without a namespace goes to the context's namespace, not `default`.
    const namespace = target.namespace;
    const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Looking up what to delete' }, () =>
      planDelete(new Discovery(target.http), objects, namespace),
    );
    const what = sources.map((s) => s.label).join(', ');
    const list = plan.map((p) => `${p.ref} ${p.path ? (p.namespace ? `in namespace ${p.namespace}` : '(cluster-wide)') : `— cannot be deleted: ${p.problem}`}`);
    const deletable = plan.filter((p) => p.path).length;
    if (deletable === 0) {
      void vscode.window.showErrorMessage(`Nothing was deleted from ${target.context}: ${list.join('; ')}.`);
      return undefined;
    }
    const ok = await vscode.window.showWarningMessage(
      `Delete ${deletable} object${deletable === 1 ? '' : 's'} declared in ${what} from ${target.context} (namespace ${namespace})?`,
      { modal: true, detail: `${list.join('\n')}\n\nLike kubectl delete -f. Applying the file again is usually better than deleting: it rolls out without downtime.` },
      'Delete',
    );
    if (ok !== 'Delete') return undefined;
    const results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Deleting what ${what} declares from ${target.context}` }, () =>
      executeDelete(target.http, plan),
    );
    for (const r of results) {
      if (r.outcome === 'failed') ctx.log.error(`${deleteResultLine(r)} in ${target.context}`);
      else ctx.log.info(`${deleteResultLine(r)} in ${target.context}`);
    }
    reports.deleted(target.context, results);
    const failed = results.filter((r) => r.outcome === 'failed');
    const report = results.map(deleteResultLine).join(', ');
    if (failed.length === 0) {
      void vscode.window.showInformationMessage(`Deleted from ${target.context}: ${report}.`);
    } else {
      const deleted = results.filter((r) => r.outcome === 'deleted').length;
      void vscode.window.showErrorMessage(`Delete from ${target.context}: ${failed.length} of ${results.length} failed, ${deleted} deleted: ${report}.`, 'Show Log').then((c) => {
        if (c) ctx.log.show(true);
      });
    }
    return results;
  };
  return { apply, applyFromUrl, diffWithCluster, deleteFile };
}

/** What a person compares: no managedFields and no bookkeeping that always differs. */
function tidy(o: KubeObject): KubeObject {
  const copy = structuredClone(o) as KubeObject & { status?: unknown };
  if (copy.metadata) {
    const m = copy.metadata as Record<string, unknown>;
    delete m.managedFields;
    delete m.resourceVersion;
  }
  return copy;
}
