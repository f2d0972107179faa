import * as vscode from 'vscode';
import { publishSettingFrom } from '../../core/build/publish.ts';
import type { PublishSetting } from '../../core/build/publish.ts';

/** This feature's settings, coerced to safe values (a workspace may hold anything). */
export const imageTagSettings = {
  /** `k3d.dockerPath` is machine-scoped: no workspace can choose what we execute. */
  get dockerPath(): string {
    const value = vscode.workspace.getConfiguration('k3d').get<unknown>('dockerPath');
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : 'docker';
  },
  contextPath(scope?: vscode.Uri): string | undefined {
    const value = vscode.workspace.getConfiguration('k3d', scope).get<unknown>('build.contextPath');
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  },
  publish(scope?: vscode.Uri): PublishSetting {
    return publishSettingFrom(vscode.workspace.getConfiguration('k3d', scope).get<unknown>('build.publish'));
  },
  get codeLensEnabled(): boolean {
    return vscode.workspace.getConfiguration('k3d').get<unknown>('codeLens.enabled') !== false;
  },
};
