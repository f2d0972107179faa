// Deploy on Save's watches: while it is on for an image, a change to a file of the image's build context — saved in
// VS Code or written on disk — runs the loop (loop.ts, its own lazy part) after a quiet time; a change during a run
// queues one more; Cancel in the notification stops the running phase. A lazy part (dist/deployOnSave.js).
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { findBuildContext } from '../../core/publish/context.ts';
import { DeployScheduler } from '../../core/deploy/scheduler.ts';
import type { ImageTarget } from '../../core/manifests/lenses.ts';
import { loadPart } from '../../core/lazy.ts';
import type { Ctx } from '../../ctx.ts';
import type { ImageTagsApi } from '../imageTags/api.ts';
import { buildOutput } from '../shared/buildSteps.ts';
import type { LogFollower } from './loop.ts';
import type { ApplyApi } from '../apply/api.ts';

interface Watch {
  readonly target: ImageTarget;
  readonly contextDir: string;
  readonly manifest: string;
  readonly scheduler: DeployScheduler;
  readonly disposables: vscode.Disposable[];
}

export interface DeployDeps {
  readonly logs?: LogFollower;
  readonly apply: ApplyApi;
  readonly imageTags: () => Promise<ImageTagsApi>;
}

/** The loop (build, deliver, tag, apply, rollout): a lazy part, dist/deployLoop.js, required at the first run. */
const loadLoop = (): Promise<typeof import('./loop.ts')> => loadPart('deployLoop.js', () => import('./loop.ts'));

const keyOf = (t: ImageTarget) => `${t.uri}#${t.documentIndex}#${t.path}`;

/**
 * Deploy on Save's watches, status bar item and toggle, started (once) by index.ts at the toggle's first run, or at
 * activation when an earlier session had images turned on (`stateKey` in the workspace state).
 */
export function startDeployOnSave(ctx: Ctx, deps: DeployDeps, stateKey: string): { toggle(arg?: unknown): Promise<void> } {
  const watches = new Map<string, Watch>();
  const status = ctx.register(vscode.window.createStatusBarItem('k3dDeploy.deployOnSave', vscode.StatusBarAlignment.Left, 48));
  status.name = 'k3d Deploy on Save';
  const buildProblems = ctx.register(vscode.languages.createDiagnosticCollection('k3d-build'));

  const stored = (): ImageTarget[] => ctx.extension.workspaceState.get<ImageTarget[]>(stateKey, []);
  const save = () => ctx.extension.workspaceState.update(stateKey, [...watches.values()].map((w) => w.target));
  const idleText = () => {
    if (watches.size === 0) return status.hide();
    const names = [...watches.values()].map((w) => vscode.workspace.asRelativePath(w.contextDir));
    status.text = `$(rocket) k3d: Deploy on Save`;
    status.tooltip = `Deploy on Save is on for ${names.join(', ')}: saving a file there builds and deploys it. Click to turn it off.`;
    status.show();
  };

  const stopWatch = (key: string) => {
    const w = watches.get(key);
    if (!w) return;
    w.scheduler.dispose();
    w.disposables.forEach((d) => d.dispose());
    watches.delete(key);
  };
  ctx.register({ dispose: () => [...watches.keys()].forEach(stopWatch) });

  /** Starts watching the target's build context; a reason when it cannot. */
  const startWatch = async (target: ImageTarget): Promise<string | undefined> => {
    const uri = vscode.Uri.parse(target.uri);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const context = await findBuildContext({
      manifestPath: uri.fsPath,
      workspaceRoot: folder?.uri.fsPath,
      configured: ctx.config.buildContextPath(uri),
      isFile: (f) => fs.stat(f).then((s) => s.isFile(), () => false),
    });
    if (!context.ok) return context.reason;
    const key = keyOf(target);
    stopWatch(key);
    const scheduler = new DeployScheduler({
      debounceMs: ctx.config.deployOnSaveDelayMs(uri),
      run: async (signal) => {
        if (!ctx.config.deployOnSaveEnabled(uri)) return;
        const [{ deployOnSave }, imageTags] = await Promise.all([loadLoop(), deps.imageTags()]);
        await deployOnSave({ ctx, imageTags, apply: deps.apply, logs: deps.logs, buildProblems, status }, target, signal);
      },
    });
    const manifest = path.resolve(uri.fsPath);
    const changed = (file: vscode.Uri) => {
      const p = path.resolve(file.fsPath);
      const rel = path.relative(context.contextDir, p);
      if (rel.startsWith('..') || path.isAbsolute(rel) || rel === '') return;
      // The loop's own tag edit saves the manifest: not a change of the image.
      if (p === manifest || rel.split(path.sep).some((part) => part === '.git' || part === 'node_modules')) return;
      ctx.log.debug(`Deploy on Save: ${rel} changed`);
      scheduler.trigger();
    };
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(context.contextDir), '**/*'));
    const disposables: vscode.Disposable[] = [
      watcher,
      watcher.onDidChange(changed),
      watcher.onDidCreate(changed),
      watcher.onDidDelete(changed),
      vscode.workspace.onDidSaveTextDocument((d) => d.uri.scheme === 'file' && changed(d.uri)),
    ];
    watches.set(key, { target, contextDir: context.contextDir, manifest, scheduler, disposables });
    return undefined;
  };

  const toggle = async (arg?: unknown): Promise<void> => {
    // From the palette away from a manifest: which of the watched images to turn off.
    if (arg === undefined && watches.size > 0 && vscode.window.activeTextEditor?.document.languageId !== 'yaml') {
      const picked = await vscode.window.showQuickPick(
        [...watches.entries()].map(([key, w]) => ({ label: vscode.workspace.asRelativePath(w.contextDir), description: vscode.workspace.asRelativePath(vscode.Uri.parse(w.target.uri)), key })),
        { placeHolder: 'Turn Deploy on Save off for which build context?' },
      );
      if (!picked) return;
      const w = watches.get(picked.key) as Watch;
      stopWatch(picked.key);
      await save();
      idleText();
      void vscode.window.showInformationMessage(`Deploy on Save is off for ${vscode.workspace.asRelativePath(w.contextDir)}.`);
      return;
    }
    const located = await (await deps.imageTags()).locateImage(arg, 'Deploy on Save');
    if (!located) return;
    const key = keyOf(located.target);
    const name = located.image.reference.valid ? located.image.reference.path : located.image.image;
    if (watches.has(key)) {
      const w = watches.get(key) as Watch;
      stopWatch(key);
      await save();
      idleText();
      void vscode.window.showInformationMessage(`Deploy on Save is off for ${name} (${vscode.workspace.asRelativePath(w.contextDir)}).`);
      return;
    }
    if (located.document.uri.scheme !== 'file') {
      void vscode.window.showInformationMessage('Deploy on Save: save the manifest first; the build context is found next to its folder.');
      return;
    }
    const problem = await startWatch(located.target);
    if (problem) {
      void vscode.window.showWarningMessage(`Deploy on Save: ${problem}`);
      return;
    }
    await save();
    let enabledNow = '';
    if (!ctx.config.deployOnSaveEnabled(located.document.uri)) {
      await ctx.config.setDeployOnSaveEnabled(true, located.document.uri);
      enabledNow = ' (k3d.deployOnSave.enabled is now true for this workspace)';
    }
    idleText();
    const w = watches.get(key) as Watch;
    buildOutput(ctx).appendLine(`# Deploy on Save is on for ${name}: watching ${w.contextDir}`);
    void vscode.window.showInformationMessage(
      `Deploy on Save is on for ${name}${enabledNow}: saving a file of ${vscode.workspace.asRelativePath(w.contextDir)} builds it, delivers it, sets the tag, applies and follows the rollout.`,
    );
  };

  ctx.register(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('k3d.deployOnSave')) {
        for (const w of watches.values()) if (!ctx.config.deployOnSaveEnabled(vscode.Uri.parse(w.target.uri))) w.scheduler.cancel();
      }
    }),
  );

  // Images turned on in an earlier session: watch them again (cheap: no parse until a change).
  const restore = stored();
  if (restore.length > 0) {
    void (async () => {
      for (const t of restore) await startWatch(t).catch(() => undefined);
      idleText();
    })();
  }
  return { toggle };
}
