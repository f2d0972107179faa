// Port Forward… on a pod, deployment or service (issue 19): a local port (the container port unless it is
// taken) carried to the pod over the portforward API, listed in the "Port Forwards" view and the status bar,
// stoppable, opened in the browser, and following a deployment to its new pod after a rollout.
import * as vscode from 'vscode';
import type { V1Deployment, V1Pod, V1Service } from '@kubernetes/client-node';
import { inUserNamespace } from '../../core/kube/namespaces.ts';
import { containerPorts, pickPod, podNotForwardable, serviceTargetPort, type PortChoice } from '../../core/kube/portForward.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import type { Ctx } from '../../ctx.ts';
import type { WorkloadNode, WorkloadTree } from '../workloads/api.ts';
import { Forwards, type Forward, type ForwardKind, type ForwardSpec } from './forwards.ts';

const VIEW = 'k3dDeploy.portForwards';

interface Target { context: string; kind: ForwardKind; obj: KubeObject }

function describe(f: Forward): string {
  return `localhost:${f.localPort} → ${f.kind}/${f.name}:${f.remotePort}`;
}

export function browserUrl(f: Pick<Forward, 'localPort'>): string {
  return `http://localhost:${f.localPort}`;
}

class ForwardItem extends vscode.TreeItem {
  readonly forwardId: string;
  constructor(f: Forward) {
    super(`localhost:${f.localPort}`, vscode.TreeItemCollapsibleState.None);
    this.forwardId = f.id;
    this.id = f.id;
    const where = f.problem ? f.problem : `pod ${f.pod}`;
    this.description = `→ ${f.kind}/${f.name}:${f.remotePort} · ${where}${f.lastError ? ' · last connection failed' : ''}`;
    const bad = f.problem || f.lastError;
    this.iconPath = new vscode.ThemeIcon('plug', new vscode.ThemeColor(bad ? 'charts.yellow' : 'charts.green'));
    this.contextValue = 'k3dPortForward';
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${describe(f)}** in \`${f.namespace}\` (${f.context})\n\n`);
    md.appendMarkdown(f.problem ? `$(warning) ${f.problem}\n\n` : `Connections go to pod \`${f.pod}\`${f.kind === 'pod' ? '' : ` (it follows the ${f.kind} to its new pod after a rollout)`}.\n\n`);
    if (f.taken) md.appendMarkdown(`Local port ${f.localPort}: ${f.taken}.\n\n`);
    md.appendMarkdown(`${f.connections} connection${f.connections === 1 ? '' : 's'} so far.`);
    if (f.lastError) md.appendMarkdown(`\n\n$(error) Last connection: ${f.lastError}`);
    this.tooltip = md;
  }
}

class ForwardsView implements vscode.TreeDataProvider<Forward> {
  private readonly forwards: Forwards;
  readonly onDidChangeTreeData: vscode.Event<void>;
  constructor(forwards: Forwards) {
    this.forwards = forwards;
    this.onDidChangeTreeData = forwards.onDidChange;
  }
  getChildren(element?: Forward): Forward[] {
    return element ? [] : this.forwards.list();
  }
  getTreeItem(f: Forward): vscode.TreeItem {
    return new ForwardItem(f);
  }
}

/** Why a forward's connection failed, in words a user can act on. */
export function explainFailure(message: string, f: Pick<Forward, 'remotePort' | 'pod' | 'kind' | 'name'>): string {
  if (/connection refused/i.test(message)) {
    return `Nothing listens on port ${f.remotePort} inside pod ${f.pod ?? f.name} (connection refused). Is the app listening on another port, or still starting?`;
  }
  return message;
}

export function register(ctx: Ctx, tree: WorkloadTree): Forwards {
  const forwards = ctx.register(new Forwards(ctx));
  const view = ctx.register(vscode.window.createTreeView('k3dDeploy.portForwards', { treeDataProvider: new ForwardsView(forwards) }));
  const status = ctx.register(vscode.window.createStatusBarItem('k3dDeploy.portForwards', vscode.StatusBarAlignment.Left, 47));
  status.name = 'k3d Port Forwards';
  status.command = `${VIEW}.focus`;
  // The view shows while forwards run: it does not take the Clusters view's room otherwise.
  let shown = false;
  const refreshStatus = (): void => {
    const list = forwards.list();
    if (shown !== list.length > 0) {
      shown = list.length > 0;
      void vscode.commands.executeCommand('setContext', 'k3dDeploy.hasPortForwards', shown);
    }
    view.badge = list.length ? { value: list.length, tooltip: `${list.length} port forward${list.length === 1 ? '' : 's'}` } : undefined;
    if (list.length === 0) {
      status.hide();
      return;
    }
    const bad = list.some((f) => f.problem || f.lastError);
    status.text = `$(plug) ${list.length === 1 ? `localhost:${list[0]!.localPort}` : `${list.length} port forwards`}`;
    status.tooltip = list.map((f) => `${describe(f)}${f.problem ? ` (${f.problem})` : f.pod ? ` (pod ${f.pod})` : ''}`).join('\n');
    status.backgroundColor = bad ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    status.show();
  };
  ctx.register(forwards.onDidChange(refreshStatus));

  const openInBrowser = (f: Forward): Thenable<boolean> => vscode.env.openExternal(vscode.Uri.parse(browserUrl(f)));

  const pickForward = async (arg: unknown, title: string): Promise<Forward | undefined> => {
    const id = (arg as { forwardId?: string; id?: string } | undefined)?.forwardId ?? (arg as { id?: string } | undefined)?.id;
    if (id) return forwards.get(id);
    const list = forwards.list();
    if (list.length === 0) {
      void vscode.window.showInformationMessage('No port forwards are running. Right-click a pod, deployment or service > Port Forward… to start one.');
      return undefined;
    }
    if (list.length === 1) return list[0];
    const picked = await vscode.window.showQuickPick(list.map((f) => ({ label: `localhost:${f.localPort}`, description: `→ ${f.kind}/${f.name}:${f.remotePort}`, f })), { title });
    return picked?.f;
  };

  /** The pod, deployment or service to forward to: the clicked row, or one picked from the current context. */
  const pickTarget = async (node: unknown): Promise<Target | undefined> => {
    const n = node as WorkloadNode | undefined;
    if (n && (n.type === 'w-pod' || n.type === 'w-deployment' || n.type === 'w-service')) {
      const obj = tree.object(n);
      if (!obj) {
        void vscode.window.showWarningMessage('That object no longer exists.');
        return undefined;
      }
      return { context: n.context, kind: n.type === 'w-pod' ? 'pod' : n.type === 'w-deployment' ? 'deployment' : 'service', obj };
    }
    const context = await ctx.kube.currentContext();
    if (!context) {
      void vscode.window.showWarningMessage('There is no current Kubernetes context: create a k3d cluster or choose a context first.');
      return undefined;
    }
    const http = await ctx.kube.http(context);
    const [deployments, services, pods] = await Promise.all([
      http.json<{ items: V1Deployment[] }>('/apis/apps/v1/deployments'),
      http.json<{ items: V1Service[] }>('/api/v1/services'),
      http.json<{ items: V1Pod[] }>('/api/v1/pods'),
    ]);
    const items = [
      ...deployments.items.filter(inUserNamespace).map((obj) => ({ kind: 'deployment' as const, obj })),
      ...services.items.filter(inUserNamespace).filter((s) => Object.keys(s.spec?.selector ?? {}).length > 0).map((obj) => ({ kind: 'service' as const, obj })),
      ...pods.items.filter(inUserNamespace).filter((p) => p.status?.phase === 'Running').map((obj) => ({ kind: 'pod' as const, obj })),
    ];
    if (items.length === 0) {
      void vscode.window.showInformationMessage(`Nothing to forward to in ${context}: no deployments, services or running pods outside the system namespaces.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items.map((i) => ({ label: `${i.kind}/${i.obj.metadata?.name}`, description: i.obj.metadata?.namespace, i })), { title: 'Port Forward…', placeHolder: `Forward a local port to which pod, deployment or service, in ${context}?` });
    return picked && { context, ...picked.i };
  };

  const pickPort = async (choices: PortChoice[], title: string, what: string): Promise<number | undefined> => {
    if (choices.length === 1) return choices[0]!.port;
    if (choices.length > 1) {
      const picked = await vscode.window.showQuickPick(choices.map((c) => ({ label: String(c.port), description: c.label, c })), { title, placeHolder: `Which port of ${what}?` });
      return picked?.c.port;
    }
    const typed = await vscode.window.showInputBox({ title, prompt: `${what} declares no container port: which port does the app listen on?`, placeHolder: '8080', validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number, 1 to 65535.') });
    return typed ? Number(typed.trim()) : undefined;
  };

  /** What the forward needs to know of its target; undefined when the user cancelled or was told why not. */
  const specOf = async (t: Target): Promise<ForwardSpec | undefined> => {
    const namespace = t.obj.metadata?.namespace ?? 'default';
    const name = t.obj.metadata?.name ?? '';
    const title = `Port Forward to ${t.kind}/${name}`;
    if (t.kind === 'pod') {
      const pod = t.obj as V1Pod;
      const why = podNotForwardable(pod, name);
      if (why) {
        void vscode.window.showWarningMessage(`${why} A port can be forwarded to a running pod only.`);
        return undefined;
      }
      const port = await pickPort(containerPorts(pod.spec?.containers), title, `pod ${name}`);
      return port === undefined ? undefined : { context: t.context, namespace, kind: 'pod', name, remotePort: port, localPort: port };
    }
    if (t.kind === 'deployment') {
      const d = t.obj as V1Deployment;
      const selector = d.spec?.selector?.matchLabels ?? {};
      const port = await pickPort(containerPorts(d.spec?.template?.spec?.containers), title, `deployment ${name}`);
      return port === undefined ? undefined : { context: t.context, namespace, kind: 'deployment', name, selector, remotePort: port, localPort: port };
    }
    const svc = t.obj as V1Service;
    const selector = svc.spec?.selector ?? {};
    if (Object.keys(selector).length === 0) {
      void vscode.window.showWarningMessage(`Service ${name} selects no pods (it has no selector), so there is no pod to forward to.`);
      return undefined;
    }
    const servicePort = await pickPort((svc.spec?.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => ({ port: p.port, label: `${p.name ? `${p.name}, ` : ''}→ ${p.targetPort ?? p.port}` })), title, `service ${name}`);
    if (servicePort === undefined) return undefined;
    const http = await ctx.kube.http(t.context);
    const pods = (await http.json<{ items: V1Pod[] }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`)).items;
    const remotePort = serviceTargetPort(svc, servicePort, pickPod(pods, namespace, selector));
    return { context: t.context, namespace, kind: 'service', name, selector, remotePort, localPort: remotePort };
  };

  const startForward = async (spec: ForwardSpec): Promise<void> => {
    const { forward: f, existing } = await forwards.start(spec);
    const actions = ['Open in Browser', 'Stop'];
    let text: string;
    if (existing) text = `Already forwarding ${describe(f)}.`;
    else if (f.problem) text = `Forwarding ${describe(f)}, but no connection can reach it yet: ${f.problem}`;
    else text = `Forwarding ${describe(f)} (pod ${f.pod}).${f.taken ? ` Local port ${f.localPort} because ${f.taken}.` : ''}`;
    const show = f.problem ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const action = await show(text, ...actions);
    if (action === 'Open in Browser') await openInBrowser(f);
    else if (action === 'Stop') forwards.stop(f.id);
  };

  ctx.register(forwards.onDidFail(async ({ forward: f, message }) => {
    const refused = /connection refused/i.test(message);
    const actions = refused ? ['Change Port…', 'Stop Forward'] : ['Stop Forward', 'Show Log'];
    const action = await vscode.window.showWarningMessage(`Port forward ${describe(f)}: ${explainFailure(message, f)}`, ...actions);
    if (action === 'Stop Forward') forwards.stop(f.id);
    else if (action === 'Show Log') ctx.log.show(true);
    else if (action === 'Change Port…') await vscode.commands.executeCommand('k3dDeploy.changePortForwardPort', { forwardId: f.id });
  }));

  ctx.registerCommand('portForward', async (node?: unknown) => {
    const t = await pickTarget(node);
    if (!t) return;
    const spec = await specOf(t);
    if (spec) await startForward(spec);
  });

  ctx.registerCommand('stopPortForward', async (arg?: unknown) => {
    const f = await pickForward(arg, 'Stop Port Forward');
    if (f) forwards.stop(f.id);
  });

  ctx.registerCommand('openPortForwardInBrowser', async (arg?: unknown) => {
    const f = await pickForward(arg, 'Open in Browser');
    if (f) await openInBrowser(f);
  });

  ctx.registerCommand('changePortForwardPort', async (arg?: unknown) => {
    const f = await pickForward(arg, 'Change Port');
    if (!f) return;
    const typed = await vscode.window.showInputBox({ title: `Forward localhost:${f.localPort} to which port of ${f.kind}/${f.name}?`, value: String(f.remotePort), validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number, 1 to 65535.') });
    if (!typed || Number(typed) === f.remotePort) return;
    const spec: ForwardSpec = { context: f.context, namespace: f.namespace, kind: f.kind, name: f.name, selector: f.selector, remotePort: Number(typed), localPort: f.localPort };
    forwards.stop(f.id);
    await startForward(spec);
  });

  return forwards;
}
