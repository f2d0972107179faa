// New Manifest (the course's manifests/deployment.yaml) and Check Docker and k3d: a lazy part (dist/walkthrough.js),
// required when a user first runs one.
import * as vscode from 'vscode';
import { appNameOf, deploymentManifest, imageProblem, MANIFEST_PATH, nameProblem } from '../../core/walkthrough/newManifest.ts';
import type { Ctx } from '../../ctx.ts';

export interface WalkthroughMarks {
  markManifestWritten(): void;
  markToolsReady(): void;
}

/** The handlers of the commands index.ts registers. */
export function walkthroughCommands(ctx: Ctx, marks: WalkthroughMarks) {
  const newManifest = async (): Promise<vscode.Uri | undefined> => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showWarningMessage(`Open a folder first: New Manifest writes ${MANIFEST_PATH} in it.`);
      return undefined;
    }
    const uri = vscode.Uri.joinPath(folder.uri, MANIFEST_PATH);
    if (await exists(uri)) {
      const open = await vscode.window.showWarningMessage(`${MANIFEST_PATH} already exists; nothing was written.`, 'Open It');
      if (open) await vscode.window.showTextDocument(uri);
      return undefined;
    }
    const image = await vscode.window.showInputBox({
      title: `New Manifest (${MANIFEST_PATH})`,
      prompt: 'The image to run, with a tag: a new version needs a new tag',
      placeHolder: 'jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64',
      validateInput: imageProblem,
    });
    if (image === undefined || imageProblem(image)) return undefined;
    const app = await vscode.window.showInputBox({
      title: `New Manifest (${MANIFEST_PATH})`,
      prompt: 'The app\'s name: the label that ties the Deployment to its pods (the Deployment is NAME-dep)',
      value: appNameOf(image),
      validateInput: nameProblem,
    });
    if (app === undefined || nameProblem(app)) return undefined;
    // Written only if still absent: a file made meanwhile (a terminal, a save) is not overwritten.
    if (await exists(uri)) {
      void vscode.window.showWarningMessage(`${MANIFEST_PATH} appeared meanwhile; nothing was written.`);
      return undefined;
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(deploymentManifest(app.trim(), image)));
    await vscode.window.showTextDocument(uri);
    marks.markManifestWritten();
    return uri;
  };

  const checkTools = async () => {
    const { checkTools, describeTools, DOCKER_INSTALL_URL, K3D_INSTALL_URL } = await import('../../core/walkthrough/tools.ts');
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Checking Docker and k3d' }, () =>
      checkTools({ dockerPath: ctx.config.dockerPath, k3dPath: ctx.config.k3dPath, env: { ...process.env } }),
    );
    const { ready, lines } = describeTools(report);
    lines.forEach((l) => ctx.log.info(`check tools: ${l}`));
    if (ready) {
      marks.markToolsReady();
      void vscode.window.showInformationMessage(`Ready for the course: ${lines.join(' ')}`);
      return report;
    }
    const actions = [...(report.docker.kind === 'missing' ? ['Install Docker'] : []), ...(report.k3d.kind === 'missing' ? ['Install k3d', 'Set k3d Path'] : [])];
    const pick = await vscode.window.showWarningMessage(lines.join(' '), ...actions);
    if (pick === 'Install Docker') void vscode.env.openExternal(vscode.Uri.parse(DOCKER_INSTALL_URL));
    else if (pick === 'Install k3d') void vscode.env.openExternal(vscode.Uri.parse(K3D_INSTALL_URL));
    else if (pick === 'Set k3d Path') void vscode.commands.executeCommand('workbench.action.openSettings', 'k3d.path');
    return report;
  };
  return { newManifest, checkTools };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
