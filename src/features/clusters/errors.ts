import * as vscode from 'vscode';
import { K3dError } from '../../core/k3d/errors.ts';
import { KubeError } from '../../core/kube/gateway.ts';
import type { Ctx } from '../../ctx.ts';

export const INSTALL_URL = 'https://k3d.io/#installation';

/**
 * Tells the user what went wrong and offers the action that helps. `doing` says what was
 * being attempted ("Creating cluster 'dev'"); `afterwards` says what state it left.
 */
export async function showK3dError(ctx: Ctx, doing: string, error: unknown, afterwards = ''): Promise<void> {
  if (!(error instanceof K3dError)) {
    await showOther(ctx, doing, error);
    return;
  }
  const detail = error.detail && !error.message.includes(error.detail) ? ` k3d said: ${error.detail}` : '';
  const tail = afterwards ? ` ${afterwards}` : '';
  let choice: string | undefined;
  switch (error.kind) {
    case 'cancelled':
      void vscode.window.showInformationMessage(`${doing} was cancelled.${tail}`);
      return;
    case 'notInstalled':
      choice = await vscode.window.showErrorMessage(
        `${doing} failed: k3d is not installed or not on the PATH. Install it, or set "k3d.path" to where it is.`,
        'Install k3d', 'Set k3d Path',
      );
      if (choice === 'Install k3d') {
        await vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
      } else if (choice === 'Set k3d Path') {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'k3d.path');
      }
      return;
    case 'dockerDown':
      choice = await vscode.window.showErrorMessage(
        `${doing} failed: Docker is not running, or k3d cannot reach it. Start Docker, then try again.${tail}`,
        'Show Log',
      );
      break;
    case 'notFound':
      choice = await vscode.window.showWarningMessage(
        `${doing} failed: ${error.message} It may have been deleted outside VS Code.`,
        'Refresh', 'Show Log',
      );
      if (choice === 'Refresh') {
        await vscode.commands.executeCommand('k3dDeploy.refresh');
      }
      break;
    default:
      choice = await vscode.window.showErrorMessage(`${doing} failed: ${error.message}${detail}${tail}`, 'Show Log');
  }
  if (choice === 'Show Log') {
    ctx.log.show(true);
  }
}

async function showOther(ctx: Ctx, doing: string, error: unknown): Promise<void> {
  const message = error instanceof KubeError || error instanceof Error ? error.message : String(error);
  ctx.log.error(`${doing} failed: ${message}`);
  const choice = await vscode.window.showErrorMessage(`${doing} failed: ${message}`, 'Show Log');
  if (choice === 'Show Log') {
    ctx.log.show(true);
  }
}
