import * as vscode from 'vscode';
import { loadSnapshot, type ClustersSnapshot } from '../../core/clusters/snapshot.ts';
import type { K3dVersion } from '../../core/k3d/cli.ts';
import { watchFiles, type FileWatch } from '../../core/kube/fileWatch.ts';
import type { Ctx } from '../../ctx.ts';

export type ViewState = 'loading' | 'ok' | 'empty' | 'missing' | 'dockerDown' | 'error';

/** An operation in flight on a cluster, shown in the tree until it ends. */
export interface PendingOperation {
  verb: 'creating' | 'starting' | 'stopping' | 'deleting' | 'restarting' | 'editing ports';
}

/**
 * The clusters view's data: a snapshot of k3d + kubeconfig, refreshed after operations,
 * when a kubeconfig file changes, and (while the view is visible) every few seconds for
 * changes made in a terminal. Refreshes coalesce: at most one runs, at most one waits.
 */
export class ClusterStore implements vscode.Disposable {
  private readonly ctx: Ctx;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private current: ClustersSnapshot | undefined;
  private version: K3dVersion | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private readonly pendingOps = new Map<string, PendingOperation>();
  private kubeconfigWatch: FileWatch | undefined;
  private watchedPaths = '';
  private poll: NodeJS.Timeout | undefined;
  /** What the last fired snapshot looked like: a poll that finds nothing new fires nothing. */
  private lastFired = '';
  private loggedProblems = '';

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    ctx.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('k3d.path')) {
          this.version = undefined;
          void this.refresh();
        }
      }),
    );
  }

  get snapshot(): ClustersSnapshot | undefined {
    return this.current;
  }

  get k3dVersion(): K3dVersion | undefined {
    return this.version;
  }

  get viewState(): ViewState {
    const s = this.current;
    if (!s) {
      return 'loading';
    }
    if (s.k3d.kind === 'error') {
      const kind = s.k3d.error.kind;
      return kind === 'notInstalled' ? 'missing' : kind === 'dockerDown' ? 'dockerDown' : 'error';
    }
    return s.clusters.length === 0 && this.pendingOps.size === 0 ? 'empty' : 'ok';
  }

  pending(name: string): PendingOperation | undefined {
    return this.pendingOps.get(name);
  }

  pendingNames(): string[] {
    return [...this.pendingOps.keys()];
  }

  /** Marks a cluster busy for the duration of `work`, then refreshes. */
  async track<T>(name: string, op: PendingOperation, work: () => Promise<T>): Promise<T> {
    this.pendingOps.set(name, op);
    this.lastFired = '';
    this.changed.fire();
    try {
      return await work();
    } finally {
      this.pendingOps.delete(name);
      this.lastFired = '';
      await this.refresh();
    }
  }

  /**
   * Reads k3d and the kubeconfig again. The promise settles after a read that STARTED after
   * this call (a read already under way may predate what the caller just changed).
   */
  refresh(): Promise<void> {
    if (this.running) {
      const again = () => {
        this.next = undefined;
        return this.refresh();
      };
      this.next ??= this.running.then(again, again);
      return this.next;
    }
    this.running = this.load().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Polls while `visible`; the view calls this when its visibility changes. */
  setPolling(visible: boolean): void {
    clearInterval(this.poll);
    this.poll = undefined;
    const interval = this.ctx.config.refreshIntervalMs;
    if (visible && interval > 0) {
      this.poll = setInterval(() => void this.refresh(), interval);
    }
  }

  private async load(): Promise<void> {
    const paths = this.ctx.kubeconfigPaths();
    const snapshot = await loadSnapshot({ cli: this.ctx.k3d, kubeconfigPaths: () => paths }, this.version);
    if (snapshot.k3d.kind === 'ok') {
      this.version = snapshot.k3d.version ?? this.version;
    } else {
      this.ctx.log.warn(`k3d: ${snapshot.k3d.error.message}${snapshot.k3d.error.detail ? ` (${snapshot.k3d.error.detail})` : ''}`);
      this.version = undefined;
    }
    // Said once per change, not on every poll. The messages name lines and fields, never values
    // (core/kube/redact.ts): a kubeconfig holds keys and tokens.
    const problems = snapshot.kubeconfig.problems.map((p) => `kubeconfig ${p.file} was not read: ${p.message}`);
    if (problems.join('\n') !== this.loggedProblems) {
      this.loggedProblems = problems.join('\n');
      problems.forEach((p) => this.ctx.log.warn(p));
    }
    this.current = snapshot;
    this.rearmKubeconfigWatch(paths);
    const signature = JSON.stringify([snapshot, this.version, [...this.pendingOps]]);
    if (signature !== this.lastFired) {
      this.lastFired = signature;
      this.changed.fire();
    }
  }

  private rearmKubeconfigWatch(paths: string[]): void {
    // Re-armed on every refresh: a folder that did not exist before (~/.kube) may exist now.
    const key = paths.join('\0');
    if (key === this.watchedPaths && this.kubeconfigWatch?.complete) {
      return;
    }
    this.kubeconfigWatch?.dispose();
    this.watchedPaths = key;
    this.kubeconfigWatch = watchFiles(paths, () => void this.refresh());
  }

  dispose(): void {
    clearInterval(this.poll);
    this.kubeconfigWatch?.dispose();
    this.changed.dispose();
  }
}
