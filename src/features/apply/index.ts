// Apply: `kubectl apply -f` (file, folder, URL), diff with the cluster, and `kubectl delete -f`. At activation only
// what must exist before a command runs: the commands' thunks, the apply problems' collection, the events and the
// editor-title key. The rest is the lazy part dist/applyCommands.js (part.ts), required on first use.
import * as vscode from 'vscode';
import type { DeleteResult } from '../../core/kube/apply.ts';
import { lazyCommands, loadPart } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClustersApi } from '../clusters/api.ts';
import type { WorkloadsApi } from '../workloads/api.ts';
import type { ApplyApi, ApplySummary } from './api.ts';

/** What others may observe (the walkthrough): applies that happened, and deletes from a file. */
export interface ApplyEvents {
  onDidApply: vscode.Event<{ from: 'file' | 'url'; summary: ApplySummary }>;
  onDidDeleteFromFile: vscode.Event<{ context: string; results: DeleteResult[] }>;
}

const loadApplyPart = (): Promise<typeof import('./part.ts')> => loadPart('applyCommands.js', () => import('./part.ts'));

export function register(ctx: Ctx, deps: { readonly clusters: ClustersApi; readonly workloads: WorkloadsApi }): ApplyEvents & ApplyApi {
  const applied = ctx.register(new vscode.EventEmitter<{ from: 'file' | 'url'; summary: ApplySummary }>());
  const deleted = ctx.register(new vscode.EventEmitter<{ context: string; results: DeleteResult[] }>());
  const diagnostics = ctx.register(vscode.languages.createDiagnosticCollection('k3d-apply'));
  // A file's apply problems are stale once it is edited.
  ctx.register(vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length > 0 && diagnostics.delete(e.document.uri)));

  let started: Promise<ReturnType<(typeof import('./part.ts'))['start']>> | undefined;
  const start = () =>
    (started ??= loadApplyPart().then(
      (part) => part.start(ctx, deps, diagnostics, { applied: (from, summary) => applied.fire({ from, summary }), deleted: (context, results) => deleted.fire({ context, results }) }),
      (e: unknown) => {
        started = undefined;
        throw e;
      },
    ));
  const command = lazyCommands(async () => (await start()).commands);
  ctx.registerCommand('apply', command('apply'));
  ctx.registerCommand('applyFromUrl', command('applyFromUrl'));
  ctx.registerCommand('diffWithCluster', command('diffWithCluster'));
  ctx.registerCommand('deleteFile', command('deleteFile'));

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
  return {
    onDidApply: applied.event,
    onDidDeleteFromFile: deleted.event,
    applyDocument: async (uri, options) => (await start()).api.applyDocument(uri, options),
    followRollouts: async (context, targets) => (await start()).api.followRollouts(context, targets),
  };
}
