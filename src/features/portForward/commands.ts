// Port Forward… and the commands on a running forward: a lazy part with forwards.ts (dist/portForward.js),
// required when a user first runs one. index.ts keeps the view and the status bar.
import * as vscode from 'vscode';
import type { V1Deployment, V1Pod, V1Service } from '@kubernetes/client-node';
import { inUserNamespace } from '../../core/kube/namespaces.ts';
import { containerPorts, pickPod, podNotForwardable, serviceTargetPort, type PortChoice } from '../../core/kube/portForward.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import type { Ctx } from '../../ctx.ts';
import type { WorkloadNode, WorkloadTree } from '../workloads/api.ts';
import type { Forward, ForwardKind, ForwardSpec, Forwards } from './forwards.ts';
import { browserUrl, describe, explainFailure } from './text.ts';

interface Target { context: string; kind: ForwardKind; obj: KubeObject }

/** The handlers of the commands index.ts registers, acting on `forwards` (made once, with the part). */
export function portForwardCommands(ctx: Ctx, tree: WorkloadTree, forwards: Forwards) {
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

  const portForward = async (node?: unknown) => {
    const t = await pickTarget(node);
    if (!t) return;
    const spec = await specOf(t);
    if (spec) await startForward(spec);
  };

  const stopPortForward = async (arg?: unknown) => {
    const f = await pickForward(arg, 'Stop Port Forward');
    if (f) forwards.stop(f.id);
  };

  const openPortForwardInBrowser = async (arg?: unknown) => {
    const f = await pickForward(arg, 'Open in Browser');
    if (f) await openInBrowser(f);
  };

  const changePortForwardPort = async (arg?: unknown) => {
    const f = await pickForward(arg, 'Change Port');
    if (!f) return;
    const typed = await vscode.window.showInputBox({ title: `Forward localhost:${f.localPort} to which port of ${f.kind}/${f.name}?`, value: String(f.remotePort), validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number, 1 to 65535.') });
    if (!typed || Number(typed) === f.remotePort) return;
    const spec: ForwardSpec = { context: f.context, namespace: f.namespace, kind: f.kind, name: f.name, selector: f.selector, remotePort: Number(typed), localPort: f.localPort };
    forwards.stop(f.id);
    await startForward(spec);
  };
  return { portForward, stopPortForward, openPortForwardInBrowser, changePortForwardPort };
}
