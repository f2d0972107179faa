// Image tags on the `image:` line: CodeLenses to bump, set, bump & apply, build &
// deploy; the course's lessons as Problems with Quick Fixes. Registration is cheap: the parser
// (`yaml`), child_process and the rest load with ImageTagsFeature.ts on first use.
import * as vscode from 'vscode';
import type { Ctx } from '../../ctx.ts';
import { loadPart } from '../../core/lazy.ts';
import type { ImageTagsDeps, ImageTagsFeature } from './ImageTagsFeature.ts';
import type { ImagePhaseDone, ImageTagsApi } from './api.ts';

const loadImageTagsPart = (): Promise<typeof import('./part.ts')> => loadPart('imageTags.js', () => import('./part.ts'));

/** Documents the feature looks at: YAML that lives somewhere (not git's or an output's views). */
function watched(document: vscode.TextDocument): boolean {
  return document.languageId === 'yaml' && ['file', 'untitled', 'vscode-remote'].includes(document.uri.scheme);
}

/**
 * The composition root: loads ImageTagsFeature.ts (which hands each part what it uses) on first use. Returns
 * the loader, the Build & Deploy phase event (the walkthrough) and the API other features use (Deploy on Save).
 */
export function register(ctx: Ctx, deps: ImageTagsDeps): (() => Promise<ImageTagsFeature>) & { onDidImagePhase: vscode.Event<ImagePhaseDone>; api: () => Promise<ImageTagsApi> } {
  let feature: Promise<ImageTagsFeature> | undefined;
  const load = (): Promise<ImageTagsFeature> =>
    (feature ??= loadImageTagsPart().then((m) => {
      const f = new m.ImageTagsFeature(ctx, deps);
      ctx.register(f.onDidChangeLenses(() => lensesChanged.fire()));
      ctx.register(f.onDidImagePhase((e) => imagePhaseDone.fire(e)));
      ctx.register(f.localImages.onDidChange(() => vscode.workspace.textDocuments.filter(watched).forEach((d) => f.lessons.schedule(d, 0))));
      return f;
    }));
  /** Only once loaded: an edit to a YAML file opened before is not a reason to load. */
  const ifLoaded = (use: (f: ImageTagsFeature) => void) => void feature?.then(use);
  const lensesChanged = ctx.register(new vscode.EventEmitter<void>());
  const imagePhaseDone = ctx.register(new vscode.EventEmitter<ImagePhaseDone>());
  const selector: vscode.DocumentSelector = [
    { language: 'yaml', scheme: 'file' },
    { language: 'yaml', scheme: 'untitled' },
    { language: 'yaml', scheme: 'vscode-remote' },
  ];

  ctx.register(
    vscode.languages.registerCodeLensProvider(selector, {
      onDidChangeCodeLenses: lensesChanged.event,
      provideCodeLenses: async (document, token) => (await load()).lenses(document, token),
    }),
  );
  ctx.register(
    vscode.languages.registerCodeActionsProvider(
      selector,
      {
        provideCodeActions: async (document, _range, context) =>
          context.diagnostics.some((d) => d.source === 'k3d') ? (await load()).lessons.provideCodeActions(document, context) : [],
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );

  const opened = (document: vscode.TextDocument) => {
    if (!watched(document)) return;
    void load().then((f) => {
      f.lessons.schedule(document, 0);
      f.lessons.refreshLive(document);
    });
  };
  ctx.register(vscode.workspace.onDidOpenTextDocument(opened));
  // VS Code asks again after an edit, but in code-server a lens row's titles were seen to stay
  // stale after an edit made by a command; an explicit refresh a moment later settles them.
  let lensRefresh: NodeJS.Timeout | undefined;
  ctx.register({ dispose: () => clearTimeout(lensRefresh) });
  ctx.register(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (!watched(e.document) || e.contentChanges.length === 0) return;
      ifLoaded((f) => f.lessons.schedule(e.document));
      clearTimeout(lensRefresh);
      lensRefresh = setTimeout(() => lensesChanged.fire(), 400);
    }),
  );
  ctx.register(
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (watched(document)) ifLoaded((f) => f.lessons.refreshLive(document));
    }),
  );
  ctx.register(vscode.workspace.onDidCloseTextDocument((document) => ifLoaded((f) => f.forget(document))));
  ctx.register(
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && watched(editor.document)) ifLoaded((f) => f.lessons.refreshLive(editor.document));
    }),
  );
  ctx.register(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('k3d.codeLens.enabled')) lensesChanged.fire();
    }),
  );
  // Manifests already open when the extension starts: after activate() has returned.
  setTimeout(() => vscode.workspace.textDocuments.forEach(opened), 0);

  ctx.registerCommand('bumpImageTag', async (arg?: unknown) => (await loadImageTagsPart()).bumpImageTag((await load()).tagCommands, arg));
  ctx.registerCommand('setImageTag', async (arg?: unknown) => (await loadImageTagsPart()).setImageTag((await load()).tagCommands, arg));
  ctx.registerCommand('bumpImageTagAndApply', async (arg?: unknown) => (await loadImageTagsPart()).bumpImageTagAndApply((await load()).bumpAndApply, arg));
  // The Quick Fix for a local image's pull policy: the diff first, then the edit if the user agrees.
  ctx.registerCommand('previewImagePullPolicyFix', async (target?: unknown, policy?: unknown) => {
    const f = await load();
    return (await loadImageTagsPart()).previewPullPolicyFix((d) => f.manifests.parse(d), target, policy);
  });
  ctx.registerCommand('buildAndDeployImage', async (arg?: unknown) => (await loadImageTagsPart()).buildAndDeployImage((await load()).buildAndDeploy, arg));
  /** The narrow API other features use (imageTags/api.ts). */
  const api = async (): Promise<ImageTagsApi> => (await load()).api;
  return Object.assign(load, { onDidImagePhase: imagePhaseDone.event, api });
}
