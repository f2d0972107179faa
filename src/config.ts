import * as vscode from 'vscode';
import {
  booleanFrom,
  countFrom,
  millisecondsFrom,
  publishSettingFrom,
  secondsFrom,
  SETTINGS,
  stringFrom,
  systemNamespacesFrom,
  type PublishSetting,
  type SystemNamespacesSetting,
} from './core/settings.ts';

/**
 * Typed access to the `k3d.*` settings, the only place that reads them. Untrusted values are
 * coerced to safe defaults by the pure functions of core/settings.ts (unit-tested there).
 */
export class Config {
  private get(key: string, scope?: vscode.Uri): unknown {
    return vscode.workspace.getConfiguration('k3d', scope).get<unknown>(key);
  }

  /** The k3d executable: `k3d.path` (machine scope, so no workspace can choose it) or `k3d` on PATH. */
  get k3dPath(): string {
    return stringFrom(this.get('path'), 'k3d');
  }

  /** `k3d.dockerPath` is machine-scoped: no workspace can choose what we execute. */
  get dockerPath(): string {
    return stringFrom(this.get('dockerPath'), 'docker');
  }

  /** 0: no background refresh. */
  get refreshIntervalMs(): number {
    return secondsFrom(this.get('refreshInterval'), SETTINGS.refreshInterval) * 1000;
  }

  get operationTimeoutMs(): number {
    return secondsFrom(this.get('operationTimeout'), SETTINGS.operationTimeout) * 1000;
  }

  get rolloutTimeoutMs(): number {
    return secondsFrom(this.get('rolloutTimeout'), SETTINGS.rolloutTimeout) * 1000;
  }

  /** How long an API request may wait to connect, and how long the server may stay silent. */
  get requestTimeoutMs(): number {
    return secondsFrom(this.get('requestTimeout'), SETTINGS.requestTimeout) * 1000;
  }

  get systemNamespaces(): SystemNamespacesSetting {
    return systemNamespacesFrom(this.get('systemNamespaces'));
  }

  get logTailLines(): number {
    return countFrom(this.get('logs.tailLines'), 100);
  }

  get logTimestamps(): boolean {
    return booleanFrom(this.get('logs.timestamps'), false);
  }

  setLogTimestamps(on: boolean): Thenable<void> {
    return vscode.workspace.getConfiguration('k3d').update('logs.timestamps', on, vscode.ConfigurationTarget.Global);
  }

  get codeLensEnabled(): boolean {
    return booleanFrom(this.get('codeLens.enabled'), true);
  }

  /** `k3d.build.contextPath` for the workspace folder of `scope`; undefined when not set. */
  buildContextPath(scope?: vscode.Uri): string | undefined {
    return stringFrom(this.get('build.contextPath', scope));
  }

  buildPublish(scope?: vscode.Uri): PublishSetting {
    return publishSettingFrom(this.get('build.publish', scope));
  }

  /** `k3d.deployOnSave.enabled`: off unless the user opts in. */
  deployOnSaveEnabled(scope?: vscode.Uri): boolean {
    return booleanFrom(this.get('deployOnSave.enabled', scope), false);
  }

  setDeployOnSaveEnabled(on: boolean, scope?: vscode.Uri): Thenable<void> {
    return vscode.workspace.getConfiguration('k3d', scope).update('deployOnSave.enabled', on, vscode.ConfigurationTarget.Workspace);
  }

  /** `k3d.deployOnSave.delay`: the quiet time before a run, in ms. */
  deployOnSaveDelayMs(scope?: vscode.Uri): number {
    return millisecondsFrom(this.get('deployOnSave.delay', scope), SETTINGS.deployOnSaveDelay);
  }
}
