// The "First deploy with k3d" walkthrough: its steps complete from what really happened, seen in
// the cluster store, the shared watch caches, and the events other features report. At activation
// this only restores done keys and listens; the caches are acquired when a cluster runs, and given
// back once every step they can prove is done.
import * as vscode from 'vscode';
import type { ApplySummary } from '../apply/api.ts';
import type { ClusterStore } from '../clusters/api.ts';
import type { CacheKind, CacheLease } from '../../core/kube/contexts.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import { CLUSTER_KEYS, contextKeyOf, deletedDeclared, keyOfObject, observe, templateImages, WALKTHROUGH_KEYS, type WalkthroughKey } from '../../core/walkthrough/progress.ts';
import type { Ctx } from '../../ctx.ts';
import { lazyCommands, loadPart } from '../../core/lazy.ts';

const STATE_KEY = 'k3dDeploy.walkthrough.done';

/** What the walkthrough listens to; each feature reports its own events (no internals shared). */
export interface WalkthroughSources {
  store: ClusterStore;
  onDidFollowLog: vscode.Event<unknown>;
  onDidApply: vscode.Event<{ from: 'file' | 'url'; summary: ApplySummary }>;
  onDidDeleteFromFile: vscode.Event<{ context: string; results: Array<{ outcome: string }> }>;
  onDidImagePhase: vscode.Event<{ phase: 'build' | 'deliver' }>;
}

const KINDS = ['nodes', 'deployments', 'replicasets', 'pods'] as const satisfies readonly CacheKind[];

interface Watched {
  leases: Record<(typeof KINDS)[number], CacheLease<KubeObject>>;
  /** The user deployments as last seen, to notice one a file had declared going away. */
  deployments: KubeObject[];
  timer?: NodeJS.Timeout;
}

export function register(ctx: Ctx, sources: WalkthroughSources): void {
  const done = new Set<WalkthroughKey>((ctx.extension.globalState.get<string[]>(STATE_KEY, []) ?? []).filter((k): k is WalkthroughKey => (WALKTHROUGH_KEYS as readonly string[]).includes(k)));
  for (const key of done) void vscode.commands.executeCommand('setContext', contextKeyOf(key), true);
  const appliedByUs = new Map<string, Set<string>>();
  const watched = new Map<string, Watched>();

  let resetting = false;
  const mark = (keys: Iterable<WalkthroughKey>) => {
    if (resetting) return; // re-evaluated once the reset is over
    const fresh = [...keys].filter((k) => !done.has(k));
    if (fresh.length === 0) return;
    for (const key of fresh) {
      done.add(key);
      void vscode.commands.executeCommand('setContext', contextKeyOf(key), true);
    }
    ctx.log.info(`walkthrough: done ${fresh.join(', ')}`);
    void ctx.extension.globalState.update(STATE_KEY, [...done]);
    if (CLUSTER_KEYS.every((k) => done.has(k))) releaseAll();
  };

  const releaseAll = () => {
    for (const w of watched.values()) {
      clearTimeout(w.timer);
      Object.values(w.leases).forEach((l) => l.release());
    }
    watched.clear();
  };
  ctx.register({ dispose: releaseAll });

  const evaluate = (w: Watched) => {
    const { nodes, deployments, replicasets, pods } = w.leases;
    const list = (l: CacheLease<KubeObject>) => (l.synced ? l.list() : []);
    mark(observe({ nodes: list(nodes), deployments: list(deployments), replicasets: list(replicasets), pods: list(pods) }, { appliedByUs }));
    if (!deployments.synced) return;
    const now = deployments.list();
    if (deletedDeclared(w.deployments, now, appliedByUs)) mark(['deletedFromFile']);
    w.deployments = now;
  };
  const schedule = (w: Watched) => {
    clearTimeout(w.timer);
    w.timer = setTimeout(() => evaluate(w), 150);
  };

  /** Watches the running clusters' contexts while a step only the cluster can prove is open. */
  const follow = (contexts: string[]) => {
    const wanted = CLUSTER_KEYS.some((k) => !done.has(k)) ? new Set(contexts) : new Set<string>();
    for (const [context, w] of watched) {
      if (wanted.has(context)) continue;
      clearTimeout(w.timer);
      Object.values(w.leases).forEach((l) => l.release());
      watched.delete(context);
    }
    for (const context of wanted) {
      if (watched.has(context)) continue;
      const w = { deployments: [] } as unknown as Watched;
      const listener = { onChange: () => schedule(w) };
      w.leases = Object.fromEntries(KINDS.map((kind) => [kind, ctx.kube.acquire<KubeObject>(context, kind, listener)])) as Watched['leases'];
      watched.set(context, w);
      schedule(w);
    }
  };

  let lookedForManifests = false;
  const onStore = () => {
    const state = sources.store.viewState;
    if (state === 'ok' || state === 'empty') mark(['toolsReady']);
    const running = (sources.store.snapshot?.clusters ?? []).filter((c) => c.state === 'running');
    if (running.length > 0) mark(['clusterRunning']);
    follow(running.map((c) => c.contextName));
    if (!lookedForManifests && !done.has('manifestWritten')) {
      lookedForManifests = true;
      void findDeploymentManifest().then((found) => found && mark(['manifestWritten']));
    }
  };
  ctx.register(sources.store.onDidChange(onStore));
  ctx.register(
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (!done.has('manifestWritten') && doc.languageId === 'yaml' && declaresDeployment(doc.getText())) mark(['manifestWritten']);
    }),
  );
  ctx.register(sources.onDidFollowLog(() => mark(['logsFollowed'])));
  ctx.register(sources.onDidImagePhase((e) => mark([e.phase === 'build' ? 'imageBuilt' : 'imageDelivered'])));
  ctx.register(
    sources.onDidApply(({ from, summary }) => {
      for (const r of summary.results) {
        if (r.object?.kind !== 'Deployment' || (r.outcome !== 'created' && r.outcome !== 'configured')) continue;
        const key = keyOfObject(r.object);
        appliedByUs.set(key, new Set([...(appliedByUs.get(key) ?? []), ...templateImages(r.object)]));
      }
      if (from === 'url') mark(['appliedFromUrl']);
      const w = summary.context ? watched.get(summary.context) : undefined;
      if (w) schedule(w);
    }),
  );
  ctx.register(sources.onDidDeleteFromFile(({ results }) => results.some((r) => r.outcome === 'deleted') && mark(['deletedFromFile'])));

  // New Manifest and Check Docker and k3d load with their part on first use (dist/walkthrough.js).
  const command = lazyCommands(async () =>
    (await loadPart<typeof import('./commands.ts')>('walkthrough.js', () => import('./commands.ts'))).walkthroughCommands(ctx, {
      markManifestWritten: () => mark(['manifestWritten']),
      markToolsReady: () => mark(['toolsReady']),
    }),
  );
  ctx.registerCommand('newManifest', command('newManifest'));
  ctx.registerCommand('checkTools', command('checkTools'));

  // Start over: every step open again, then whatever is still true (a running cluster) checks off again.
  ctx.registerCommand('resetWalkthrough', async () => {
    resetting = true;
    try {
      releaseAll();
      // The keys go false and VS Code forgets its checkmarks (of every walkthrough: it keeps its own, and
      // only ever adds to them) before `done` is cleared: a mark in between would be lost to that reset.
      await Promise.all(WALKTHROUGH_KEYS.map((k) => vscode.commands.executeCommand('setContext', contextKeyOf(k), false)));
      await vscode.commands.executeCommand('resetGettingStartedProgress').then(undefined, (e: unknown) => ctx.log.warn(`walkthrough: VS Code's progress was not reset: ${String(e)}`));
      done.clear();
      appliedByUs.clear();
      lookedForManifests = false;
      await ctx.extension.globalState.update(STATE_KEY, []).then(undefined, () => undefined);
    } finally {
      resetting = false;
    }
    await sources.store.refresh();
    ctx.log.info(`walkthrough: started over (k3d: ${sources.store.viewState})`);
    onStore();
  });
}

function declaresDeployment(text: string): boolean {
  return /^kind:\s*Deployment\s*$/m.test(text) && /^apiVersion:\s*apps\/v1\s*$/m.test(text);
}

/** A workspace YAML file that declares a Deployment (a look at a few files, once). */
async function findDeploymentManifest(): Promise<boolean> {
  const files = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/node_modules/**', 50);
  for (const uri of files) {
    try {
      if (declaresDeployment(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)))) return true;
    } catch {
      // unreadable: not ours to report
    }
  }
  return false;
}
