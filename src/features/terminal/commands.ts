// Open Terminal and Run Command… on a pod (its container picked when it has several): a lazy part (dist/terminal.js),
// required when a user first runs one.
import * as vscode from 'vscode';
import type { V1Pod } from '@kubernetes/client-node';
import { exec, runCommand as runInPod, splitCommand, type ExecSession } from '../../core/kube/exec.ts';
import { inUserNamespace } from '../../core/kube/namespaces.ts';
import type { Ctx } from '../../ctx.ts';
import type { WorkloadNode, WorkloadTree } from '../workloads/api.ts';

interface Target { context: string; namespace: string; pod: string; container: string | undefined }

/** A VS Code terminal over an exec session with a tty: keystrokes go to stdin, the window's size to resize. */
class ExecTerminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closed.event;
  private session: ExecSession | undefined;
  private size: vscode.TerminalDimensions | undefined;
  private readonly ctx: Ctx;
  private readonly target: Target;

  constructor(ctx: Ctx, target: Target) {
    this.ctx = ctx;
    this.target = target;
  }

  open(initial: vscode.TerminalDimensions | undefined): void {
    this.size = initial;
    void this.start();
  }

  private async start(): Promise<void> {
    const t = this.target;
    try {
      const http = await this.ctx.kube.http(t.context);
      // sh is in every image that has a shell; bash would be nicer where there is one.
      const session = await exec(http, {
        namespace: t.namespace, pod: t.pod, container: t.container, command: ['sh', '-c', 'command -v bash >/dev/null && exec bash || exec sh'], stdin: true, tty: true,
        onStdout: (d) => this.write.fire(d.toString('utf8')),
      });
      this.session = session;
      if (this.size) session.resize(this.size.columns, this.size.rows);
      const end = await session.done;
      this.write.fire(`\r\n[${end.exitCode !== undefined ? `exited with code ${end.exitCode}` : end.message}]\r\n`);
      this.closed.fire(end.exitCode ?? 1);
    } catch (e) {
      this.write.fire(`\r\nCould not open a terminal in ${t.pod}: ${(e as Error).message}\r\n`);
    }
  }

  handleInput(data: string): void {
    this.session?.write(data);
  }

  setDimensions(size: vscode.TerminalDimensions): void {
    this.size = size;
    this.session?.resize(size.columns, size.rows);
  }

  close(): void {
    this.session?.close();
  }
}

/** The handlers of Open Terminal and Run Command… (index.ts registers them); Run Command's output goes to `output`. */
export function terminalCommands(ctx: Ctx, tree: WorkloadTree, output: vscode.OutputChannel) {
  const pickTarget = async (node: unknown, title: string): Promise<Target | undefined> => {
    const n = node as WorkloadNode | undefined;
    let context: string | undefined;
    let pod: V1Pod | undefined;
    if (n && n.type === 'w-pod') {
      context = n.context;
      pod = tree.object(n) as V1Pod | undefined;
    } else {
      context = await ctx.kube.currentContext();
      if (!context) {
        void vscode.window.showWarningMessage('There is no current Kubernetes context: create a k3d cluster or choose a context first.');
        return undefined;
      }
      const pods = (await (await ctx.kube.http(context)).json<{ items: V1Pod[] }>('/api/v1/pods')).items.filter(inUserNamespace).filter((p) => p.status?.phase === 'Running');
      if (pods.length === 0) {
        void vscode.window.showInformationMessage(`No running pods in ${context} outside the system namespaces.`);
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(pods.map((p) => ({ label: p.metadata?.name ?? '', description: p.metadata?.namespace, p })), { title, placeHolder: `Which pod, in ${context}?` });
      pod = picked?.p;
    }
    if (!pod || !context) return undefined;
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const container = names.length <= 1 ? names[0] : await vscode.window.showQuickPick(names, { title, placeHolder: 'Which container?' });
    if (names.length > 1 && !container) return undefined;
    return { context, namespace: pod.metadata?.namespace ?? 'default', pod: pod.metadata?.name ?? '', container };
  };

  const openTerminal = async (node?: unknown) => {
    const t = await pickTarget(node, 'Open Terminal');
    if (!t) return;
    const terminal = vscode.window.createTerminal({ name: `${t.pod}${t.container ? `/${t.container}` : ''}`, pty: new ExecTerminal(ctx, t) });
    terminal.show();
  };

  const runCommand = async (node?: unknown) => {
    const t = await pickTarget(node, 'Run Command…');
    if (!t) return;
    const line = await vscode.window.showInputBox({ title: `Run a command in ${t.pod}`, prompt: 'The command and its arguments (no shell: use sh -c \'…\' for pipes)', placeHolder: 'ls -la /', validateInput: (v) => (splitCommand(v).length === 0 ? 'Type a command to run.' : undefined) });
    if (!line) return;
    const command = splitCommand(line);
    const http = await ctx.kube.http(t.context);
    const r = await runInPod(http, { namespace: t.namespace, pod: t.pod, container: t.container, command });
    output.appendLine(`$ ${line}   (${t.pod}${t.container ? `/${t.container}` : ''} in ${t.context})`);
    if (r.stdout) output.append(r.stdout.endsWith('\n') ? r.stdout : `${r.stdout}\n`);
    if (r.stderr) output.append(r.stderr.endsWith('\n') ? r.stderr : `${r.stderr}\n`);
    output.appendLine(r.exitCode !== undefined ? `[exit code ${r.exitCode}]` : `[failed: ${r.message}]`);
    output.appendLine('');
    output.show(true);
    if (r.exitCode !== 0) void vscode.window.showWarningMessage(r.exitCode !== undefined ? `${command[0]} exited with code ${r.exitCode}.` : `${command[0]} did not run: ${r.message}`);
  };
  return { openTerminal, runCommand };
}
