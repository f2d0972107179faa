import * as vscode from 'vscode';
import type { CreateClusterOptions } from '../../core/k3d/args.ts';
import { parsePortMappings, validateClusterName, validateNodeCount } from '../../core/k3d/names.ts';
import { askClusterRegistry } from './registryCommands.ts';

const TITLE = 'Create k3d Cluster';

/**
 * The Create Cluster wizard: a name, agents, servers, port mappings and an optional image,
 * each checked as it is typed. Returns undefined when the user cancels at any step.
 */
export async function askCreateOptions(existing: ReadonlySet<string>): Promise<CreateClusterOptions | undefined> {
  const steps = 6;
  const suggested = existing.has('k3s-default') ? uniqueName(existing) : 'k3s-default';
  const name = await vscode.window.showInputBox({
    title: `${TITLE} (1/${steps})`,
    prompt: 'Cluster name: its kubeconfig context will be k3d-<name>',
    value: suggested,
    valueSelection: [0, suggested.length],
    ignoreFocusOut: true,
    validateInput: (v) => validateClusterName(v.trim()) ?? (existing.has(v.trim()) ? `A cluster named '${v.trim()}' already exists.` : undefined),
  });
  if (name === undefined) {
    return undefined;
  }
  const agents = await vscode.window.showInputBox({
    title: `${TITLE} (2/${steps})`,
    prompt: 'Agent nodes (workers), like `k3d cluster create -a 2`',
    value: '2',
    ignoreFocusOut: true,
    validateInput: (v) => validateNodeCount(v, 'agents'),
  });
  if (agents === undefined) {
    return undefined;
  }
  const servers = await vscode.window.showInputBox({
    title: `${TITLE} (3/${steps})`,
    prompt: 'Server nodes (control plane); 1 is enough to learn with',
    value: '1',
    ignoreFocusOut: true,
    validateInput: (v) => validateNodeCount(v, 'servers'),
  });
  if (servers === undefined) {
    return undefined;
  }
  const ports = await vscode.window.showInputBox({
    title: `${TITLE} (4/${steps})`,
    prompt: 'Port mappings, comma-separated (optional), e.g. 8081:80@loadbalancer to reach the cluster\'s port 80 at localhost:8081',
    placeHolder: '8081:80@loadbalancer',
    ignoreFocusOut: true,
    validateInput: (v) => parsePortMappings(v).error,
  });
  if (ports === undefined) {
    return undefined;
  }
  const image = await vscode.window.showInputBox({
    title: `${TITLE} (5/${steps})`,
    prompt: 'k3s image (optional): empty uses k3d\'s default, e.g. rancher/k3s:v1.31.5-k3s1',
    placeHolder: 'k3d\'s default k3s image',
    ignoreFocusOut: true,
    validateInput: (v) => (/\s/.test(v.trim()) ? 'An image name has no spaces.' : undefined),
  });
  if (image === undefined) {
    return undefined;
  }
  const registry = await askClusterRegistry(name.trim(), `${TITLE} (6/${steps})`);
  if (registry === undefined) {
    return undefined;
  }
  return {
    name: name.trim(),
    agents: Number(agents.trim()),
    servers: Number(servers.trim()),
    ports: parsePortMappings(ports).mappings,
    image: image.trim() || undefined,
    registry: registry === 'none' ? undefined : registry,
  };
}

/** Finds k3d config files (apiVersion k3d.io/...) in the workspace, or lets the user browse. */
export async function askConfigFile(): Promise<vscode.Uri | undefined> {
  const candidates = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/node_modules/**', 200);
  const configs: vscode.Uri[] = [];
  for (const uri of candidates) {
    const bytes = await vscode.workspace.fs.readFile(uri).then((b) => b, () => undefined);
    if (bytes && /^apiVersion:\s*k3d\.io\//m.test(Buffer.from(bytes.slice(0, 4096)).toString('utf8'))) {
      configs.push(uri);
    }
  }
  const browse: vscode.QuickPickItem = { label: '$(folder-opened) Browse...', description: 'choose a k3d config file' };
  const items: Array<vscode.QuickPickItem & { uri?: vscode.Uri }> = [
    ...configs.map((uri) => ({ label: `$(file-code) ${vscode.workspace.asRelativePath(uri)}`, description: 'k3d config', uri })),
    browse,
  ];
  const picked = configs.length === 0 ? browse : await vscode.window.showQuickPick(items, { title: `${TITLE} from a Config File`, placeHolder: 'A k3d config file (apiVersion: k3d.io/v1alpha5, kind: Simple)' });
  if (!picked) {
    return undefined;
  }
  if (picked !== browse) {
    return (picked as { uri?: vscode.Uri }).uri;
  }
  const chosen = await vscode.window.showOpenDialog({
    title: 'k3d config file',
    canSelectMany: false,
    filters: { 'k3d config': ['yaml', 'yml'] },
    openLabel: 'Create Cluster',
  });
  return chosen?.[0];
}

function uniqueName(existing: ReadonlySet<string>): string {
  for (let i = 2; ; i++) {
    if (!existing.has(`k3s-${i}`)) {
      return `k3s-${i}`;
    }
  }
}
