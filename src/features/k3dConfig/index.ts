// k3d config files in the editor (issue 18 item 5): schema Problems and key completion for any YAML file with
// `apiVersion: k3d.io/v1alpha*` and `kind: Simple`; for a file whose metadata.name is a cluster, where the
// running cluster differs from it (Problems and a CodeLens) with the in-place fixes and a recreate.
//
// Nothing here loads at activation beyond this adapter: the editor (editor.ts, fixes.ts) is the lazy part
// dist/k3dConfigEditor.js and the schema, the validator and the YAML parser dist/k3dConfig.js, both required
// when the first k3d config file opens (looksLikeK3dConfig is a regex).
import * as vscode from 'vscode';
import type { InPlaceFix } from '../../core/k3d/configDiff.ts';
import { looksLikeK3dConfig } from '../../core/k3d/configFile.ts';
import { loadPart } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import type { ClustersApi } from '../clusters/api.ts';
import type { K3dConfigApi } from './api.ts';
import type { ConfigEditor } from './editor.ts';

const SELECTOR: vscode.DocumentSelector = [{ language: 'yaml' }];

const loadEditorPart = (): Promise<typeof import('./part.ts')> => loadPart('k3dConfigEditor.js', () => import('./part.ts'));

export function register(ctx: Ctx, clusters: ClustersApi): K3dConfigApi {
  const { store } = clusters;
  const outputs = {
    schemaProblems: ctx.register(vscode.languages.createDiagnosticCollection('k3d config')),
    clusterProblems: ctx.register(vscode.languages.createDiagnosticCollection('k3d cluster vs config')),
    lensesChanged: ctx.register(new vscode.EventEmitter<void>()),
  };
  /** The editor, once a config file was seen (until then no file has state: nothing to forget or show). */
  let loaded: ConfigEditor | undefined;
  let loading: Promise<ConfigEditor> | undefined;
  const editor = (): Promise<ConfigEditor> =>
    (loading ??= loadEditorPart().then((p) => (loaded = p.createConfigEditor(ctx, store, outputs)), (e: unknown) => {
      loading = undefined;
      throw e;
    }));
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const isConfig = (doc: vscode.TextDocument) => doc.languageId === 'yaml' && doc.uri.scheme !== 'git' && looksLikeK3dConfig(doc.getText());

  const analyze = async (doc: vscode.TextDocument) => {
    if (!isConfig(doc)) {
      loaded?.forget(doc.uri);
      return;
    }
    await (await editor()).analyze(doc);
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
    if (e.contentChanges.length > 0 && (loaded?.tracks(e.document.uri) || isConfig(e.document))) schedule(e.document, 250);
  }));
  ctx.register(vscode.workspace.onDidCloseTextDocument((doc) => loaded?.forget(doc.uri)));
  // A config file deleted on disk keeps its document for a while: its Problems go with the file (an edit of the
  // orphaned document analyzes it again).
  const deletions = ctx.register(vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}', true, true, false));
  ctx.register(deletions.onDidDelete((uri) => loaded?.forget(uri)));
  ctx.register(store.onDidChange(() => loaded?.compareAll()));
  for (const doc of vscode.workspace.textDocuments) schedule(doc, 0);

  ctx.register(vscode.languages.registerCompletionItemProvider(SELECTOR, {
    async provideCompletionItems(doc, position) {
      if (!looksLikeK3dConfig(doc.getText())) return undefined;
      return (await editor()).complete(doc, position);
    },
  }));

  ctx.register(vscode.languages.registerCodeLensProvider(SELECTOR, {
    onDidChangeCodeLenses: outputs.lensesChanged.event,
    provideCodeLenses: (doc) => loaded?.lenses(doc) ?? [],
  }));

  const newConfigFile = async () => (await loadEditorPart()).newConfigFileFromWizard(() => clusters.askCreateOptions(), (file) => clusters.createFromConfig(file));
  ctx.registerCommand('newConfigFile', newConfigFile);
  ctx.registerCommand('k3dConfig.applyFix', async (uri?: vscode.Uri, clusterName?: string, fix?: InPlaceFix) => {
    if (!uri || typeof clusterName !== 'string' || !fix) {
      void vscode.window.showInformationMessage('Open a k3d config file whose cluster differs from it: the CodeLens above the file offers what can be applied.');
      return;
    }
    await (await loadEditorPart()).applyFix(ctx, clusters, clusterName, fix);
    (await editor()).forgetFacts(clusterName);
    await store.refresh();
  });
  ctx.registerCommand('k3dConfig.recreate', async (uri?: vscode.Uri, clusterName?: string) => {
    if (!uri || typeof clusterName !== 'string') {
      void vscode.window.showInformationMessage('Open a k3d config file whose cluster differs from it: the CodeLens above the file offers Recreate.');
      return;
    }
    await (await loadEditorPart()).recreate(ctx, clusters, uri, clusterName);
    (await editor()).forgetFacts(clusterName);
  });
  return { newConfigFile };
}
