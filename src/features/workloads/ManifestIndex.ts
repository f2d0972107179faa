import * as vscode from 'vscode';
import type { V1Deployment } from '@kubernetes/client-node';
import { loadManifestCore } from '../../core/lazy.ts';
import { deploymentDrift } from '../../core/manifests/drift.ts';

/** A Deployment as a workspace manifest declares it. */
export interface DeclaredDeployment {
  uri: vscode.Uri;
  line: number;
  replicas?: number;
  images: Map<string, string>;
}

/**
 * The Deployments that workspace manifests declare, by namespace/name, so that the tree can
 * say when the cluster no longer matches the file (after `scale` or `set image`): the course
 * teaches that the file is the truth.
 */
export class ManifestIndex implements vscode.Disposable {
  private readonly byKey = new Map<string, DeclaredDeployment[]>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly subscriptions: vscode.Disposable[];
  private timer: NodeJS.Timeout | undefined;

  /** Owned by whoever makes it (the workloads feature registers it with ctx). */
  constructor() {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}');
    this.subscriptions = [this.watcher.onDidChange(() => this.schedule()), this.watcher.onDidCreate(() => this.schedule()), this.watcher.onDidDelete(() => this.schedule())];
    this.schedule(0);
  }

  declared(namespace: string, name: string): DeclaredDeployment | undefined {
    return this.byKey.get(`${namespace}/${name}`)?.[0];
  }

  private schedule(ms = 500): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.scan().catch(() => undefined), ms); // a file it cannot read is left out, never an error
  }

  private async scan(): Promise<void> {
    const { declaredDeployments, decodeManifestBytes } = await loadManifestCore();
    const files = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/{node_modules,.git,.cache}/**', 500);
    this.byKey.clear();
    for (const uri of files) {
      const bytes = await vscode.workspace.fs.readFile(uri).then((b) => b, () => undefined);
      if (!bytes || bytes.byteLength > 1_000_000) continue;
      const decoded = decodeManifestBytes(bytes);
      if (!decoded.ok) continue;
      for (const d of declaredDeployments(decoded.text)) {
        const key = `${d.namespace}/${d.name}`;
        const entry: DeclaredDeployment = { uri, line: d.line, replicas: d.replicas, images: d.images };
        this.byKey.set(key, [...(this.byKey.get(key) ?? []), entry]);
      }
    }
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.watcher.dispose();
    this.changed.dispose();
  }
}

/** How the live deployment differs from its manifest: what a person should be told. */
export function differences(live: V1Deployment, declared: DeclaredDeployment): string[] {
  return deploymentDrift(live, declared);
}
