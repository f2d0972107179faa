import type * as vscode from 'vscode';
import { Config } from '../../config.ts';
import type { PublishSetting } from '../../core/publish/publish.ts';

const config = new Config();

/** This feature's settings, read and coerced by src/config.ts. */
export const imageTagSettings = {
  get dockerPath(): string {
    return config.dockerPath;
  },
  contextPath(scope?: vscode.Uri): string | undefined {
    return config.buildContextPath(scope);
  },
  publish(scope?: vscode.Uri): PublishSetting {
    return config.buildPublish(scope);
  },
  get codeLensEnabled(): boolean {
    return config.codeLensEnabled;
  },
};
