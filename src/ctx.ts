import * as vscode from 'vscode';
import { Config } from './config.ts';
import { K3dCli } from './core/k3d/cli.ts';
import { KubeContexts } from './core/kube/contexts.ts';
import { setDefaultRequestTimeouts } from './core/kube/http.ts';
import { kubeconfigPaths } from './core/kube/kubeconfig.ts';

export const COMMAND_PREFIX = 'k3dDeploy.';

/** What every feature gets: the extension's lifetime, settings, log and clients. */
export class Ctx implements vscode.Disposable {
  readonly extension: vscode.ExtensionContext;
  readonly config = new Config();
  readonly log: vscode.LogOutputChannel;
  readonly k3d: K3dCli;
  /** Live cluster state: one connection per kubeconfig context, and shared watch caches. */
  readonly kube: KubeContexts;
  private readonly disposables: vscode.Disposable[] = [];
  private buildChannel: vscode.OutputChannel | undefined;

  constructor(extension: vscode.ExtensionContext) {
    this.extension = extension;
    this.log = this.register(vscode.window.createOutputChannel('k3d Deploy', { log: true }));
    this.k3d = new K3dCli({
      executable: () => this.config.k3dPath,
      env: () => ({ ...process.env }),
      // Listing runs every few seconds while the view is visible: trace, not info.
      onRun: (line) => (/ (cluster list|version)\b/.test(line) ? this.log.trace(`$ ${line}`) : this.log.info(`$ ${line}`)),
    });
    const kube = new KubeContexts({ kubeconfigFiles: () => this.kubeconfigPaths(), log: (m) => this.log.info(m) });
    this.kube = kube;
    this.register({ dispose: () => kube.dispose() });
    // Every API request connects and waits within k3d.requestTimeout.
    const applyRequestTimeout = () => setDefaultRequestTimeouts({ connectMs: this.config.requestTimeoutMs, idleMs: this.config.requestTimeoutMs });
    applyRequestTimeout();
    this.register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('k3d.requestTimeout') && applyRequestTimeout()));
  }

  /** The "k3d Build" channel (docker and k3d commands of Build & Deploy, Deploy on Save, Import Image), made on first use. */
  buildOutput(): vscode.OutputChannel {
    return (this.buildChannel ??= this.register(vscode.window.createOutputChannel('k3d Build')));
  }

  /** The kubeconfig files, as kubectl resolves them. */
  kubeconfigPaths(): string[] {
    return kubeconfigPaths(process.env);
  }

  register<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  /** Registers `k3dDeploy.<name>`; the handler's errors are logged and shown, never lost. */
  registerCommand(name: string, handler: (...args: any[]) => unknown): void {
    const id = COMMAND_PREFIX + name;
    this.register(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (e) {
          this.log.error(`${id} failed:`, e instanceof Error ? (e.stack ?? e.message) : String(e));
          const action = await vscode.window.showErrorMessage(`k3d: ${e instanceof Error ? e.message : String(e)}`, 'Show Log');
          if (action === 'Show Log') {
            this.log.show();
          }
          return undefined;
        }
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) {
      d.dispose();
    }
  }
}
