// The extension under test, as the suites see it from inside the extension host.
import * as vscode from 'vscode';

export const EXTENSION_ID = 'k3d-deploy.k3d-deploy';

/** What the extension's activate() returns for tests (see the note in suites/clusters.suite.ts). */
export interface K3dDeployTestApi {
  clusterTreeProvider?: vscode.TreeDataProvider<unknown>;
}

export interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

export function extension(): vscode.Extension<K3dDeployTestApi | undefined> {
  const ext = vscode.extensions.getExtension<K3dDeployTestApi | undefined>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
  return ext;
}

/** Activates the extension (as opening its view would) and returns its exports. */
export async function activate(): Promise<K3dDeployTestApi | undefined> {
  const ext = extension();
  return ext.isActive ? ext.exports : await ext.activate();
}

export function contributedCommands(): ContributedCommand[] {
  const pkg = extension().packageJSON as { contributes?: { commands?: ContributedCommand[] } };
  return pkg.contributes?.commands ?? [];
}

export function contributedViewIds(): string[] {
  const pkg = extension().packageJSON as { contributes?: { views?: Record<string, { id: string }[]> } };
  return Object.values(pkg.contributes?.views ?? {}).flatMap((views) => views.map((v) => v.id));
}
