import * as vscode from 'vscode';

/** Typed access to the `k3d.*` settings; untrusted values are coerced to safe defaults. */
export class Config {
  private get<T>(key: string): T | undefined {
    return vscode.workspace.getConfiguration('k3d').get<T>(key);
  }

  /** The k3d executable: `k3d.path` (machine scope, so no workspace can choose it) or `k3d` on PATH. */
  get k3dPath(): string {
    const value = this.get<string>('path');
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : 'k3d';
  }

  get refreshIntervalMs(): number {
    return secondsToMs(this.get<number>('refreshInterval'), 10, 0);
  }

  get operationTimeoutMs(): number {
    return secondsToMs(this.get<number>('operationTimeout'), 300, 30);
  }
}

function secondsToMs(value: unknown, fallback: number, min: number): number {
  const seconds = typeof value === 'number' && Number.isFinite(value) ? Math.max(value, min) : fallback;
  return seconds * 1000;
}
