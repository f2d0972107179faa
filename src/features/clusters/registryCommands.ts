// Create Registry / Delete Registry (`k3d registry create NAME --port 127.0.0.1:PORT`, `k3d registry delete k3d-NAME`)
// and the create wizard's registry step. A registry is published on the loopback only; k3d's pull-through cache
// (`--proxy-remote-url`) is not offered: it needs the internet.
import * as vscode from 'vscode';
import { K3dError } from '../../core/k3d/errors.ts';
import { hostPortFree } from '../../core/k3d/hostPort.ts';
import {
  pullHost, pushHost, registryCreateArgs, registryCreateHint, registryDeleteArgs, validateRegistryName, validateRegistryPort,
} from '../../core/k3d/registries.ts';
import type { ClusterRegistryChoice, K3dRegistry } from '../../core/k3d/registries.ts';
import type { Ctx } from '../../ctx.ts';
import { showK3dError } from './errors.ts';
import { withK3dProgress } from './k3dProgress.ts';
import { registryList, type RegistryList, type RegistryTreeNode } from './registries.ts';

/** A free loopback port from 5001 up that no registry publishes. */
async function suggestPort(taken: Set<string>): Promise<string> {
  for (let port = 5001; port < 5100; port++) {
    if (!taken.has(String(port)) && (await hostPortFree(port, '127.0.0.1'))) return String(port);
  }
  return '';
}

/**
 * Asks for a name and a host port (both checked as typed); undefined when cancelled. `asGiven`: the name is the
 * container's as typed (`cluster create --registry-create NAME`), not k3d-NAME (`k3d registry create NAME`).
 */
export async function askNewRegistry(existing: readonly K3dRegistry[], title: string, suggestedName: string, asGiven = false): Promise<{ name: string; hostPort: number } | undefined> {
  const names = new Set(existing.map((r) => r.name));
  const container = (n: string) => (asGiven ? n : `k3d-${n}`);
  let suggested = suggestedName;
  for (let i = 2; names.has(container(suggested)); i++) suggested = `${suggestedName}-${i}`;
  const name = await vscode.window.showInputBox({
    title: `${title}: name`,
    prompt: asGiven
      ? 'The registry container\'s name (k3d uses it as given): the cluster pulls images as NAME:PORT/app:tag'
      : 'k3d names the container k3d-NAME; clusters that use it pull images as k3d-NAME:PORT/app:tag',
    value: suggested,
    ignoreFocusOut: true,
    validateInput: (v) => validateRegistryName(v.trim(), asGiven) ?? (names.has(container(v.trim())) ? `Registry ${container(v.trim())} exists already.` : undefined),
  });
  if (name === undefined) return undefined;
  const port = await vscode.window.showInputBox({
    title: `${title}: host port`,
    prompt: 'Published on 127.0.0.1 only: docker push 127.0.0.1:PORT/app:tag from this machine. (A pull-through cache, --proxy-remote-url, is not offered: it needs the internet.)',
    value: await suggestPort(new Set(existing.map((r) => r.hostPort))),
    ignoreFocusOut: true,
    validateInput: async (v) => {
      const why = validateRegistryPort(v);
      if (why) return why;
      const taken = existing.find((r) => r.hostPort === v.trim());
      if (taken) return `Registry ${taken.name} publishes port ${v.trim()}.`;
      return (await hostPortFree(Number(v.trim()), '127.0.0.1')) ? undefined : `Something on this machine listens on 127.0.0.1:${v.trim()}: choose another port.`;
    },
  });
  if (port === undefined) return undefined;
  return { name: name.trim(), hostPort: Number(port.trim()) };
}

export async function createRegistry(ctx: Ctx, registries: RegistryList): Promise<void> {
  let existing: K3dRegistry[];
  try {
    existing = await registries.list(true);
  } catch (e) {
    await showK3dError(ctx, 'Listing registries', e);
    return;
  }
  const asked = await askNewRegistry(existing, 'Create Registry', 'registry');
  if (!asked) return;
  const container = `k3d-${asked.name}`;
  const doing = `Creating registry ${container}`;
  try {
    await withK3dProgress(ctx, doing, (run) => ctx.k3d.run(registryCreateArgs(asked.name, asked.hostPort), run));
  } catch (e) {
    registries.invalidate();
    const hint = e instanceof K3dError ? registryCreateHint(e.detail ?? e.message) : undefined;
    await showK3dError(ctx, doing, e, hint ?? '');
    return;
  }
  registries.invalidate();
  const pull = `${container}:${asked.hostPort}`;
  void vscode.window.showInformationMessage(
    `Registry ${container} runs. Push from this machine to 127.0.0.1:${asked.hostPort}/app:tag; a cluster created with it (Create Cluster…, or k3d cluster create --registry-use ${pull}) pulls it as ${pull}/app:tag.`,
    'Copy Pull Name',
  ).then((c) => c && vscode.env.clipboard.writeText(pull));
}

export async function deleteRegistry(ctx: Ctx, registries: RegistryList, node?: RegistryTreeNode): Promise<void> {
  let registry: K3dRegistry | undefined;
  let all: K3dRegistry[];
  try {
    all = await registries.list(true);
  } catch (e) {
    await showK3dError(ctx, 'Listing registries', e);
    return;
  }
  if (node?.type === 'registry') {
    const name: unknown = node.registry?.name;
    registry = all.find((r) => r.name === name);
    if (!registry) {
      void vscode.window.showWarningMessage(`Registry ${JSON.stringify(String(name)).slice(0, 80)} does not exist any more. Nothing was run.`);
      registries.invalidate();
      return;
    }
  } else {
    if (all.length === 0) {
      void vscode.window.showInformationMessage('There is no k3d registry to delete.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      all.map((r) => ({ label: r.name, description: `push ${pushHost(r)} · ${r.status}`, registry: r })),
      { title: 'Delete Registry', placeHolder: 'Which registry?' },
    );
    registry = picked?.registry;
  }
  if (!registry) return;
  const go = await vscode.window.showWarningMessage(
    `Delete registry ${registry.name}?`,
    {
      modal: true,
      detail: `k3d registry delete ${registry.name}: the container goes, and every image pushed to it with it.${registry.cluster ? ` Cluster '${registry.cluster}' was created with it and can no longer pull images from it.` : ' Clusters created with --registry-use can no longer pull images from it.'}`,
    },
    'Delete',
  );
  if (go !== 'Delete') return;
  const doing = `Deleting registry ${registry.name}`;
  try {
    await withK3dProgress(ctx, doing, (run) => ctx.k3d.run(registryDeleteArgs(registry.name), run), false);
  } catch (e) {
    registries.invalidate();
    await showK3dError(ctx, doing, e);
    return;
  }
  registries.invalidate();
  void vscode.window.showInformationMessage(`Registry ${registry.name} deleted.`);
}

/**
 * The create wizard's registry step: none, a new one made with the cluster (`--registry-create`), or one that
 * runs (`--registry-use`). Undefined when cancelled.
 */
export async function askClusterRegistry(cluster: string, title: string): Promise<ClusterRegistryChoice | 'none' | undefined> {
  let existing: K3dRegistry[] = [];
  try {
    existing = (await registryList()?.list(true)) ?? [];
  } catch {
    // k3d cannot list them: creating one with the cluster is still offered.
  }
  type Item = vscode.QuickPickItem & { choice: ClusterRegistryChoice | 'none' | 'create' };
  const items: Item[] = [
    { label: 'No registry', description: 'images come by k3d image import (or from a public registry)', choice: 'none' },
    { label: '$(add) Create a registry with the cluster', description: '--registry-create NAME:127.0.0.1:PORT (deleted with the cluster)', choice: 'create' },
    ...existing.filter((r) => r.running).map((r): Item => ({
      label: `$(package) Use ${r.name}`,
      description: `--registry-use ${pullHost(r)} · push to ${pushHost(r)}`,
      choice: { kind: 'use', registry: { name: r.name, port: r.port } },
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'A local registry for this cluster: Build & Deploy pushes to it from this machine and the cluster pulls from it',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.choice !== 'create') return picked.choice;
  const asked = await askNewRegistry(existing, `${title} registry`, `k3d-${cluster}-registry`.slice(0, 63), true);
  return asked && { kind: 'create', name: asked.name, hostPort: asked.hostPort };
}
