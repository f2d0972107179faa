// The create wizard's choices saved as a k3d config file (`k3d cluster create --config FILE` creates the same
// cluster as the wizard's flags would).
import * as vscode from 'vscode';
import type { CreateClusterOptions } from '../../core/k3d/args.ts';
import { choicesFromCreateOptions, configFileName, renderConfigFile, type K3dConfigChoices } from '../../core/k3d/configFile.ts';

/**
 * New k3d Config File...: the create wizard's steps, then the choices saved as a config file instead of run; then
 * an offer to create the cluster from it (`k3d cluster create --config FILE`).
 */
export async function newConfigFileFromWizard(
  ask: () => Promise<CreateClusterOptions | undefined>,
  createFrom: (file: vscode.Uri) => Promise<void>,
): Promise<vscode.Uri | undefined> {
  const options = await ask();
  if (!options) return undefined;
  const saved = await saveConfigFile(choicesFromCreateOptions(options));
  if (!saved) return undefined;
  void vscode.window.showInformationMessage(
    `Saved ${vscode.workspace.asRelativePath(saved)}: k3d cluster create --config ${vscode.workspace.asRelativePath(saved)} creates cluster '${options.name}'.`,
    'Create Cluster',
  ).then((c) => c && createFrom(saved));
  return saved;
}

/** Writes the config file where the user says (refusing to overwrite without asking) and opens it. */
export async function saveConfigFile(choices: K3dConfigChoices): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let target: vscode.Uri | undefined;
  if (folder) {
    const rel = await vscode.window.showInputBox({
      title: 'Save k3d Config File',
      prompt: `A path in the workspace folder ${vscode.workspace.asRelativePath(folder, true) || folder.path}`,
      value: configFileName(choices.name),
      valueSelection: [0, configFileName(choices.name).length - '.yaml'.length],
      ignoreFocusOut: true,
      validateInput: (v) => {
        const p = v.trim();
        if (p === '') return 'Enter a file name, e.g. k3d-dev.yaml.';
        if (p.startsWith('/') || p.split(/[\\/]/).includes('..')) return 'Give a path inside the workspace folder.';
        if (!/\.ya?ml$/.test(p)) return 'A k3d config file ends in .yaml or .yml.';
        return undefined;
      },
    });
    if (rel === undefined) return undefined;
    target = vscode.Uri.joinPath(folder, ...rel.trim().split(/[\\/]/).filter((s) => s !== ''));
  } else {
    target = await vscode.window.showSaveDialog({ title: 'Save k3d Config File', filters: { 'k3d config': ['yaml', 'yml'] }, saveLabel: 'Save' });
    if (!target) return undefined;
  }
  const exists = await vscode.workspace.fs.stat(target).then(() => true, () => false);
  if (exists) {
    const go = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} exists. Replace it?`, { modal: true }, 'Replace');
    if (go !== 'Replace') return undefined;
  }
  await vscode.workspace.fs.writeFile(target, Buffer.from(renderConfigFile(choices), 'utf8'));
  await vscode.window.showTextDocument(target, { preview: false });
  vscode.window.setStatusBarMessage(`$(save) Saved ${vscode.workspace.asRelativePath(target)} (k3d cluster create --config)`, 5000);
  return target;
}
