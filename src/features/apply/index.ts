import * as vscode from 'vscode';
import { applyObjects, deleteObjects } from '../../core/kube/apply.ts';
import { Discovery } from '../../core/kube/discovery.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClusterStore } from '../clusters/ClusterStore.ts';
import { showReadOnly } from '../shared/readOnlyDocuments.ts';
import { Applier, type ApplySummary } from './applyManifests.ts';
import { fromUrl, sourcesFor } from './sources.ts';
import { loadYaml, loadManifestCore } from '../../core/lazy.ts';

/** `kubectl apply -f` (file, folder, URL), diff with the cluster, and `kubectl delete -f`. */
export function register(ctx: Ctx, store: ClusterStore): Applier {
  const applier = new Applier(ctx, store);

  ctx.registerCommand('apply', async (uri?: vscode.Uri, selected?: vscode.Uri[]): Promise<ApplySummary | undefined> => {
    const sources = await sourcesFor(uri instanceof vscode.Uri ? uri : undefined, Array.isArray(selected) ? selected : undefined);
    return sources && applier.apply(sources);
  });

  ctx.registerCommand('applyFromUrl', async () => {
    const url = await vscode.window.showInputBox({
      title: 'Apply from URL (kubectl apply -f https://...)',
      prompt: 'The address of a Kubernetes manifest',
      placeHolder: 'https://raw.githubusercontent.com/.../deployment.yaml',
      validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'Enter an http:// or https:// address.'),
    });
    if (!url) return undefined;
    const source = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${url}`, cancellable: true }, (_p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return fromUrl(url.trim(), abort.signal);
    });
    return applier.apply([source]);
  });

  ctx.registerCommand('diffWithCluster', async (uri?: vscode.Uri) => {
    const sources = await sourcesFor(uri instanceof vscode.Uri ? uri : undefined);
    if (!sources) return;
    const parsed = await applier.parse(sources);
    const target = parsed && (await applier.connect());
    if (!parsed || !target) return;
    const { sortForApply } = await loadManifestCore();
    const docs = sortForApply(parsed.flatMap((p) => p.file.documents.map((doc) => ({ doc, kind: doc.kind }))));
    const { results } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Dry-run apply' },
      () => applyObjects(target.http, new Discovery(target.http), docs.map((d) => d.doc.toObject() as Record<string, unknown>), { dryRun: true, force: true }),
    );
    const problem = results.find((r) => r.problem);
    if (problem) {
      void vscode.window.showErrorMessage(`Cannot diff: ${problem.ref}: ${problem.problem?.message}`);
      return;
    }
    const { stringify } = await loadYaml();
    const show = (o: KubeObject | undefined) => (o ? stringify(tidy(o), { lineWidth: 0 }) : '# (does not exist in the cluster yet)\n');
    const live = results.map((r) => `# ${r.ref}\n${show(r.before)}`).join('---\n');
    const after = results.map((r) => `# ${r.ref}\n${show(r.object)}`).join('---\n');
    const name = sources[0].label.replace(/[^\w.-]+/g, '_');
    const left = await showReadOnly(`diff/${target.context}/${name}.live.yaml`, live, false, false);
    const right = await showReadOnly(`diff/${target.context}/${name}.applied.yaml`, after, false, false);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${sources[0].label}: ${target.context} ↔ after apply`);
  });

  ctx.registerCommand('deleteFile', async (uri?: vscode.Uri) => {
    const sources = await sourcesFor(uri instanceof vscode.Uri ? uri : undefined);
    if (!sources) return;
    const parsed = await applier.parse(sources);
    const target = parsed && (await applier.connect());
    if (!parsed || !target) return;
    const objects = parsed.flatMap((p) => p.file.documents.map((d) => d.toObject() as KubeObject & Record<string, unknown>));
    const list = objects.map((o) => `${o.kind}/${o.metadata?.name}${o.metadata?.namespace ? ` (namespace ${o.metadata.namespace})` : ''}`);
    const ok = await vscode.window.showWarningMessage(
      `Delete ${objects.length} object${objects.length === 1 ? '' : 's'} declared in ${sources.map((s) => s.label).join(', ')} from ${target.context}?`,
      { modal: true, detail: `${list.join('\n')}\n\nLike kubectl delete -f. Applying the file again is usually better than deleting: it rolls out without downtime.` },
      'Delete',
    );
    if (ok !== 'Delete') return;
    const results = await deleteObjects(target.http, new Discovery(target.http), objects);
    for (const r of results) ctx.log.info(`${r.ref} ${r.deleted ? 'deleted' : `not deleted: ${r.message}`}`);
    const deleted = results.filter((r) => r.deleted).map((r) => r.ref);
    const missing = results.filter((r) => !r.deleted);
    void vscode.window.showInformationMessage(
      `${deleted.length ? `Deleted from ${target.context}: ${deleted.join(', ')}.` : 'Nothing was deleted.'}${missing.length ? ` Not deleted: ${missing.map((m) => `${m.ref} (${m.message})`).join(', ')}.` : ''}`,
    );
  });

  // The editor-title Apply button shows on Kubernetes YAML only.
  const updateKey = (editor: vscode.TextEditor | undefined) => {
    const doc = editor?.document;
    // A cheap look (no parse): a top-level apiVersion and kind, as every Kubernetes document has.
    const text = doc?.languageId === 'yaml' ? doc.getText(new vscode.Range(0, 0, Math.min(doc.lineCount, 5000), 0)) : '';
    const isK8s = /^apiVersion:\s*\S/m.test(text) && /^kind:\s*\S/m.test(text);
    void vscode.commands.executeCommand('setContext', 'k3dDeploy.kubernetesYaml', isK8s);
  };
  ctx.register(vscode.window.onDidChangeActiveTextEditor(updateKey));
  let timer: NodeJS.Timeout | undefined;
  ctx.register(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== vscode.window.activeTextEditor?.document) return;
      clearTimeout(timer);
      timer = setTimeout(() => updateKey(vscode.window.activeTextEditor), 300);
    }),
  );
  updateKey(vscode.window.activeTextEditor);
  return applier;
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
