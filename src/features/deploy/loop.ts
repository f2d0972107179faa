// One Deploy on Save run for one image: the core's pipeline (core/deploy/pipeline.ts) with this
// editor's adapters, and nothing asked: the tag comes from the tag's own scheme, a manifest with
// unsaved edits of the user's stops the run (a save would apply them), and every failure ends
// the run with its reason and fix — a build error also at its Dockerfile line in Problems.
import * as path from 'node:path';
import { promises as fs, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { findBuildContext } from '../../core/publish/context.ts';
import { k3dClusterOfContext } from '../../core/publish/publish.ts';
import { buildProblem } from '../../core/deploy/buildProblems.ts';
import { contextHash, nextLoopTag } from '../../core/deploy/nextTag.ts';
import { imagesOnNodes, importLanded } from '../../core/deploy/nodeImages.ts';
import { cancelledText, DeployStopped, formatAllTimings, formatTimings, phaseVerb, runDeploy } from '../../core/deploy/pipeline.ts';
import type { DeployOutcome, DeployPlan, PhaseTiming } from '../../core/deploy/pipeline.ts';
import { firstLogLine, watchRollout, watchSettle } from '../../core/deploy/rollout.ts';
import type { RolloutApi, RolloutFailure } from '../../core/deploy/rollout.ts';
import { findTarget } from '../../core/manifests/lenses.ts';
import type { ImageTarget } from '../../core/manifests/lenses.ts';
import type { KubeHttp } from '../../core/kube/http.ts';
import { logPath } from '../../core/kube/podLogs.ts';
import { formatImageReference } from '../../core/manifests/imageReference.ts';
import { runTool } from '../../core/process.ts';
import type { Ctx } from '../../ctx.ts';
import type { ImageTagsApi } from '../imageTags/api.ts';
import { buildOutput, checkImportLanded, nodeImageSource, runStep } from '../shared/buildSteps.ts';
import { clusterRegistry, localImageId, localImageIds, StepFailed } from '../../core/publish/steps.ts';
import type { MadeEdit } from '../../core/deploy/undoEdit.ts';
import { readGitHead } from '../../core/publish/git.ts';
import type { ApplyApi, ApplySummary } from '../apply/api.ts';

/** Where the new pods' logs go: the logs feature's follow (a deployment's pods, prefixed). */
export interface LogFollower {
  follow(target: { kind: 'deployment'; context: string; namespace: string; name: string; matchLabels: Record<string, string> }): Promise<void>;
}

export interface LoopDeps {
  readonly ctx: Ctx;
  readonly imageTags: ImageTagsApi;
  readonly apply: ApplyApi;
  readonly logs?: LogFollower;
  readonly buildProblems: vscode.DiagnosticCollection;
  readonly status: vscode.StatusBarItem;
}

/** How long the new pods must stay up after their first log line (a version that exits at start is caught). */
const SETTLE_MS = 2000;

/** Per image: the build context's hash (the manifest left out) when its current tag was deployed. */
const lastDeployed = new Map<string, { hash: string; tag: string }>();

/** The rollout ended in a failure waiting will not fix. */
class RolloutFailed extends Error {
  readonly failure: RolloutFailure;
  constructor(failure: RolloutFailure) {
    super(failure.reason);
    this.failure = failure;
  }
}

interface Rolled {
  context: string;
  namespace: string;
  deployment: V1Deployment;
  pods: V1Pod[];
}

/** Runs the loop once for `target`; `signal` is the scheduler's (Cancel, or a newer run). */
export async function deployOnSave(deps: LoopDeps, target: ImageTarget, signal: AbortSignal): Promise<DeployOutcome | undefined> {
  const { ctx, imageTags, status } = deps;
  const out = buildOutput(ctx);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri));
  const label = vscode.workspace.asRelativePath(document.uri);
  const show = (icon: string, text: string, tooltip?: string) => {
    status.text = `${icon} k3d: ${text}`;
    status.tooltip = tooltip ?? text;
    status.show();
  };
  const stop = (reason: string): undefined => {
    out.appendLine(`# Deploy on Save stopped: ${reason}`);
    show('$(warning)', `Deploy on Save stopped`, reason);
    void vscode.window.showWarningMessage(`Deploy on Save: ${reason}`, 'Show Output').then((c) => c && out.show(true));
    return undefined;
  };
  const image = findTarget(imageTags.parse(document), target);
  if (!image || !image.reference.valid) return stop(`the image is no longer in ${label}; turn Deploy on Save off and on again from its image line.`);
  const ref = image.reference;
  if (document.isDirty) return stop(`${label} has unsaved changes: save it (they would be applied with the new tag).`);
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const context = await findBuildContext({
    manifestPath: document.uri.fsPath,
    workspaceRoot: folder?.uri.fsPath,
    configured: ctx.config.buildContextPath(document.uri),
    isFile: (f) => fs.stat(f).then((s) => s.isFile(), () => false),
  });
  if (!context.ok) return stop(context.reason);
  const [head, hash] = await Promise.all([readGitHead(path.dirname(document.uri.fsPath)), contextHash(context.contextDir, [document.uri.fsPath])]);
  const next = nextLoopTag(ref.tag, { headSha: head, now: new Date(), contentHash: hash });
  if (!next.ok) return stop(next.reason);

  const kubeContext = await ctx.kube.currentContext();
  const cluster = k3dClusterOfContext(kubeContext);
  const http = kubeContext ? await ctx.kube.http(kubeContext).catch(() => undefined) : undefined;
  const registry = http ? await clusterRegistry(http, (m) => ctx.log.debug(m)) : undefined;
  const newImage = formatImageReference({ registry: ref.registry, path: ref.path, tag: next.tag });
  out.appendLine('');
  out.appendLine(`# Deploy on Save ${ref.path} (${label}): ${ref.tag ?? 'latest'} -> ${next.tag}`);
  deps.buildProblems.clear();

  const buildLines: string[] = [];
  let delivery: DeployPlan['delivery'] | undefined;
  let tagSet = false;
  let made: MadeEdit | undefined;
  let firstLine: string | undefined;
  let rolled: (Rolled & { http: KubeHttp }) | undefined;

  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Deploy on Save ${newImage}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const both = AbortSignal.any([abort.signal, signal]);
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        return await runDeploy<ApplySummary>(
          { ref, tag: next.tag, setting: ctx.config.buildPublish(document.uri), cluster, registry, contextDir: context.contextDir, dockerfile: path.basename(context.dockerfile) === 'Dockerfile' ? undefined : context.dockerfile },
          {
            runStep: (step, s) => runStep(ctx, out, step, s, progress, step.kind === 'build' ? buildLines : undefined),
            imageId: (img, s) => localImageId(ctx.config.dockerPath, img, s),
            imageIds: (imgs, s) => localImageIds(ctx.config.dockerPath, imgs, s),
            unchanged: async () => {
              const last = lastDeployed.get(target.uri + target.path);
              return hash !== undefined && last?.hash === hash && last.tag === ref.tag;
            },
            untag: async (img) => void (await runTool(ctx.config.dockerPath, ['image', 'rm', img], { timeoutMs: 15_000 }).catch(() => undefined)),
            onNodes: async (plan, id, s) => {
              if (plan.delivery.method !== 'import') return false;
              const nodes = await imagesOnNodes(plan.delivery.cluster, await nodeImageSource(ctx), s).catch(() => undefined);
              return nodes !== undefined && importLanded(plan.delivery.manifestImage, id, nodes).ok;
            },
            verifyDelivery: async (plan, id, s) => {
              if (plan.delivery.method === 'import') await checkImportLanded(ctx, out, plan.delivery.cluster, plan.delivery.manifestImage, id, s);
            },
            edit: async (plan, s) => {
              if (s.aborted) throw new DeployStopped('cancelled before the tag was set');
              if (document.isDirty) throw new DeployStopped(`${label} was edited during the build; the tag is unchanged. Save it to deploy.`);
              made = await imageTags.setTag({ document, image, target }, next.tag);
              if (!made) throw new DeployStopped('the tag could not be set');
              tagSet = true;
              if (!(await document.save())) throw new DeployStopped(`${label} could not be saved`);
              // For the lenses' "local image" lesson; the loop does not wait for the workspace state.
              if (plan.delivery.method === 'import') void imageTags.noteImported(plan.delivery.manifestImage).catch(() => undefined);
            },
            // Cancel after the tag edit: the file goes back as it was.
            undoEdit: async () => made !== undefined && (await imageTags.undoTag(document, made)),
            apply: async () => {
              const summary = await deps.apply.applyDocument(document.uri, { follow: false });
              imageTags.refreshLive(document);
              if (!summary?.applied) throw new DeployStopped('the manifest was not applied (the reason is in its notification)');
              return summary;
            },
            rollout: async (summary, s) => {
              rolled = await followRollouts(ctx, summary, newImage, delivery, s, (m) => progress.report({ message: m }));
            },
            firstLog: async (_summary, s) => {
              if (!rolled) return;
              const api = rolloutApi(rolled.http);
              const first = await firstLogLine(api, { namespace: rolled.namespace, pods: rolled.pods, timeoutMs: 30_000, signal: s });
              firstLine = first?.line;
              if (first) out.appendLine(`# first log line of ${first.pod}: ${first.line}`);
              const d = rolled.deployment;
              await deps.logs?.follow({ kind: 'deployment', context: rolled.context, namespace: rolled.namespace, name: d.metadata?.name ?? '', matchLabels: d.spec?.selector?.matchLabels ?? {} });
            },
            settle: async (_summary, s) => {
              if (!rolled || rolled.pods.length === 0) return;
              const r = await watchSettle(rolloutApi(rolled.http), { namespace: rolled.namespace, pods: rolled.pods, windowMs: SETTLE_MS, signal: s, delivery: delivery && { method: delivery.method, cluster: delivery.method === 'import' ? delivery.cluster : undefined } });
              if (!r.ok) throw new RolloutFailed(r);
            },
          },
          {
            signal: both,
            onPhaseStart: (phase, plan) => {
              delivery = plan?.delivery ?? delivery;
              const verb = phaseVerb(phase, delivery?.method);
              show('$(sync~spin)', `${verb} ${newImage}…`, `Deploy on Save: ${verb}`);
              progress.report({ message: verb[0].toUpperCase() + verb.slice(1) });
            },
            onPhaseEnd: (t: PhaseTiming) => out.appendLine(`# ${t.phase}: ${t.skipped ? 'nothing to do' : `${(t.ms / 1000).toFixed(2)} s`}`),
          },
        );
      } finally {
        cancel.dispose();
      }
    },
  );
  if (outcome.status === 'deployed' && hash) lastDeployed.set(target.uri + target.path, { hash, tag: next.tag });
  report(deps, outcome, { newImage, current: formatImageReference({ registry: ref.registry, path: ref.path, tag: ref.tag }), tagSet, firstLine, dockerfile: context.dockerfile, buildLines });
  return outcome;
}

async function followRollouts(
  ctx: Ctx,
  summary: ApplySummary,
  image: string,
  delivery: DeployPlan['delivery'] | undefined,
  signal: AbortSignal,
  onProgress: (message: string) => void,
): Promise<(Rolled & { http: KubeHttp }) | undefined> {
  const changed = summary.results.filter((r) => r.ref.startsWith('deployment.apps/') && (r.outcome === 'created' || r.outcome === 'configured'));
  if (changed.length === 0 || !summary.context) return undefined;
  const http = await ctx.kube.http(summary.context);
  const api = rolloutApi(http);
  let last: (Rolled & { http: KubeHttp }) | undefined;
  for (const d of changed) {
    const namespace = d.namespace ?? 'default';
    const name = d.ref.split('/')[1];
    const result = await watchRollout(api, {
      namespace,
      name,
      image,
      delivery: delivery && { method: delivery.method, cluster: delivery.method === 'import' ? delivery.cluster : undefined },
      timeoutMs: ctx.config.rolloutTimeoutMs,
      signal,
      onProgress,
    });
    if (!result.ok) throw new RolloutFailed(result);
    const deployment = await api.deployment(namespace, name, signal);
    if (deployment) last = { context: summary.context, namespace, deployment, pods: [...result.pods], http };
  }
  return last;
}

function rolloutApi(http: KubeHttp): RolloutApi {
  return {
    deployment: (ns, name, signal) => http.json<V1Deployment>(`/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments/${encodeURIComponent(name)}`, { signal }),
    pods: async (ns, selector, signal) => (await http.json<{ items: V1Pod[] }>(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, { query: { labelSelector: selector }, signal })).items,
    log: async (ns, pod, q, signal) => {
      const lines: string[] = [];
      await http.lines(logPath(ns, pod), { query: { container: q.container, previous: q.previous || undefined, tailLines: q.tailLines }, signal, accept: '*/*' }, (l) => lines.push(l));
      return lines.join('\n');
    },
    follow: (ns, pod, container, signal, onLine) => http.lines(logPath(ns, pod), { query: { container, follow: true }, signal, accept: '*/*', idleTimeoutMs: 0 }, onLine),
    // As kubectl rollout status: a watch on the deployment, so "rolled out" is seen at once.
    watchDeployment: (ns, name, signal, onChange) =>
      http.lines(`/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`, { query: { watch: true, fieldSelector: `metadata.name=${name}` }, signal, idleTimeoutMs: 0 }, () => onChange()),
  };
}

interface ReportInput {
  newImage: string;
  current: string;
  tagSet: boolean;
  firstLine?: string;
  dockerfile: string;
  buildLines: string[];
}

function report(deps: LoopDeps, outcome: DeployOutcome, r: ReportInput): void {
  const { ctx, status } = deps;
  const out = buildOutput(ctx);
  const times = formatTimings(outcome.timings, outcome.plan?.delivery.method);
  const show = (icon: string, text: string, tooltip: string) => {
    status.text = `${icon} k3d: ${text}`;
    status.tooltip = tooltip;
    status.show();
  };
  if (outcome.timings.length > 0) out.appendLine(`# timings: ${formatAllTimings(outcome.timings)}`);
  switch (outcome.status) {
    case 'deployed':
      out.appendLine(`# ${r.newImage} deployed: ${times}`);
      ctx.log.info(`Deploy on Save ${r.newImage}: ${times}`);
      show('$(check)', times, `Deploy on Save: ${r.newImage} is running${r.firstLine ? `; its first log line: ${r.firstLine}` : ''}`);
      return;
    case 'upToDate':
      out.appendLine(`# ${r.current} is up to date: the build gives the same image; no new tag, nothing rolled out (${times})`);
      show('$(check)', `${r.current} is up to date`, `The build gives ${r.current}'s image: no new tag, nothing rolled out (${times}).`);
      return;
    case 'cancelled': {
      const where = phaseVerb(outcome.phase, outcome.plan?.delivery.method);
      const text = cancelledText('Deploy on Save', outcome, r.tagSet, r.newImage);
      out.appendLine(`# ${text}`);
      show('$(circle-slash)', `cancelled while ${where}`, text);
      return;
    }
    case 'stopped':
      out.appendLine(`# stopped: ${outcome.reason}`);
      show('$(warning)', `Deploy on Save stopped`, outcome.reason);
      void vscode.window.showWarningMessage(`Deploy on Save: ${outcome.reason}`);
      return;
    case 'failed': {
      const e = outcome.error;
      let message = (e instanceof Error ? e.message : String(e)).replace(/\.?$/, '.');
      let fix = '';
      const actions: string[] = [];
      if (e instanceof RolloutFailed) {
        fix = e.failure.fix;
        if (e.failure.lastLines?.length) {
          out.appendLine(`# the last lines of ${e.failure.pod} before it exited:`);
          e.failure.lastLines.forEach((l) => out.appendLine(`  ${l}`));
        }
      }
      if (outcome.phase === 'build') {
        const problem = buildProblem(r.buildLines, safeRead(r.dockerfile));
        if (problem) {
          const uri = vscode.Uri.file(r.dockerfile);
          const d = new vscode.Diagnostic(new vscode.Range(problem.line, 0, problem.line, 1000), problem.message, vscode.DiagnosticSeverity.Error);
          d.source = 'docker build';
          deps.buildProblems.set(uri, [d]);
          message = `docker build failed at ${path.basename(r.dockerfile)} line ${problem.line + 1}: ${problem.message}.`;
          actions.push('Open Dockerfile');
        }
        if (e instanceof StepFailed && !problem) message = e.message.replace(/\.?$/, '.');
      }
      const unchanged = r.tagSet ? '' : ' The manifest is unchanged.';
      out.appendLine(`# failed while ${phaseVerb(outcome.phase, outcome.plan?.delivery.method)}: ${message}${fix ? ` ${fix}` : ''}`);
      ctx.log.warn(`Deploy on Save ${r.newImage} failed (${outcome.phase}): ${message}`);
      const failedText: Record<string, string> = {
        plan: 'Deploy on Save stopped',
        build: 'build failed',
        deliver: `${outcome.plan?.delivery.method === 'push' ? 'push' : 'import'} failed`,
        edit: 'tag not set',
        apply: 'apply failed',
        rollout: 'rollout failed',
        firstLog: 'no first log line',
        settle: 'the new pod crashed',
      };
      show('$(error)', failedText[outcome.phase] ?? `${outcome.phase} failed`, `${message}${fix ? ` ${fix}` : ''}`);
      void vscode.window.showErrorMessage(`Deploy on Save stopped: ${message}${fix ? ` ${fix}` : ''}${unchanged}`, ...actions, 'Show Output').then(async (c) => {
        if (c === 'Show Output') out.show(true);
        if (c === 'Open Dockerfile') {
          const editor = await vscode.window.showTextDocument(vscode.Uri.file(r.dockerfile));
          const problem = buildProblem(r.buildLines, editor.document.getText());
          if (problem) editor.selection = new vscode.Selection(problem.line, 0, problem.line, 0);
        }
      });
    }
  }
}

/** The Dockerfile is small and docker build has just read it: a synchronous read keeps report() simple. */
function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
