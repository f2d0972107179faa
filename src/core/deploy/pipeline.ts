// Build & Deploy as one pipeline: plan → build → deliver → edit → apply →
// rollout → first log. Each phase is a step with a typed input and result, timed, and run under one
// AbortSignal: a cancel stops the running phase (its process is killed by the adapter) and no
// later phase runs, so the manifest is never edited after a cancel; a cancel that lands after the
// tag edit (while applying, rolling out, waiting for the first log) undoes that edit, so Cancel
// always leaves the file as it was. The editor side supplies the
// adapters (running docker/k3d, editing the document, applying, following the rollout) and shows
// the phase events; this file never imports `vscode`.
import type { ImageReference } from '../manifests/imageReference.ts';
import { buildPlan, planDelivery } from '../publish/publish.ts';
import type { BuildStep, Delivery, PublishSetting } from '../publish/publish.ts';
import type { ClusterRegistry } from '../publish/registry.ts';

export type Phase = 'plan' | 'build' | 'deliver' | 'edit' | 'apply' | 'rollout' | 'firstLog' | 'settle';
export const PHASES: readonly Phase[] = ['plan', 'build', 'deliver', 'edit', 'apply', 'rollout', 'firstLog', 'settle'];

export type PlannedDelivery = Extract<Delivery, { ok: true }>;

export interface DeployInput {
  /** The image as the manifest names it now (its tag is the current one). */
  readonly ref: ImageReference;
  /** The new tag, chosen before the pipeline starts. */
  readonly tag: string;
  readonly setting: PublishSetting;
  readonly cluster?: string;
  readonly registry?: ClusterRegistry;
  readonly contextDir: string;
  /** Only when it is not `Dockerfile` in the context. */
  readonly dockerfile?: string;
}

/** The plan phase's result: what is built, how it is delivered, and what the cluster has now. */
export interface DeployPlan {
  readonly delivery: PlannedDelivery;
  readonly build: BuildStep;
  readonly deliver: readonly BuildStep[];
  /** The current tag's image on this machine (as built/pushed), when the tag changes. */
  readonly currentImage?: string;
  /** Its Docker image ID before the build, when Docker has it. */
  readonly currentImageId?: string;
  /** Whether Docker had an image under the new name before the build. */
  readonly newImageExisted: boolean;
}

export interface Built {
  /** The freshly built image's ID (`sha256:...`), when Docker tells it. */
  readonly imageId?: string;
}

/** The editor side of the loop: each call may throw (the failure's reason) or `DeployStopped`. */
export interface DeployAdapters<Applied = unknown> {
  /** Runs `docker build` / `docker push` / `k3d image import`; kills the process when `signal` aborts. */
  runStep(step: BuildStep, signal: AbortSignal): Promise<void>;
  /** `docker image inspect --format {{.Id}}`: undefined when Docker has no such image. */
  imageId(image: string, signal: AbortSignal): Promise<string | undefined>;
  /** The same for several images at once (one `docker image inspect`); `imageId` per image when absent. */
  imageIds?(images: readonly string[], signal: AbortSignal): Promise<Array<string | undefined>>;
  /** Removes a tag the build made when nothing changed (the image stays under its current tag). */
  untag?(image: string): Promise<void>;
  /** Writes the new tag into the manifest (one undoable edit) and saves it. */
  edit(plan: DeployPlan, signal: AbortSignal): Promise<void>;
  /**
   * After a cancel that came once `edit` had run: puts the manifest back as it was (saved).
   * Returns false when it could not (the file was edited since); the outcome says so.
   */
  undoEdit?(plan: DeployPlan): Promise<boolean>;
  apply(plan: DeployPlan, signal: AbortSignal): Promise<Applied>;
  rollout(applied: Applied, signal: AbortSignal): Promise<void>;
  /**
   * Does every node already hold `imageId` under the image's name? Then there is nothing to
   * deliver (a retry after a failed apply, say). Only asked for an import.
   */
  onNodes?(plan: DeployPlan, imageId: string, signal: AbortSignal): Promise<boolean>;
  /** After the import: throws (the reason) when the image ID did not land on every node. */
  verifyDelivery?(plan: DeployPlan, imageId: string, signal: AbortSignal): Promise<void>;
  /**
   * Is the build context exactly what the manifest's current tag was built from (its content
   * hash recorded at the last deploy)? Then the loop ends as up to date without building.
   */
  unchanged?(signal: AbortSignal): Promise<boolean>;
  /** Waits for the new pods' first log line (and switches the log channel to them). */
  firstLog?(applied: Applied, signal: AbortSignal): Promise<void>;
  /** Watches the new pods a moment longer: throws when one exits (a crash that rollout status calls a success). */
  settle?(applied: Applied, signal: AbortSignal): Promise<void>;
}

/** Thrown by an adapter when the user declined or the file cannot be used: the loop stops quietly with `reason`. */
export class DeployStopped extends Error {}

export interface PhaseTiming {
  readonly phase: Phase;
  readonly ms: number;
  /** The phase had nothing to do (the nodes already had the image). */
  readonly skipped?: boolean;
}

export type DeployOutcome =
  | { readonly status: 'deployed'; readonly plan: DeployPlan; readonly timings: PhaseTiming[] }
  | { readonly status: 'upToDate'; readonly plan: DeployPlan; readonly timings: PhaseTiming[] }
  | {
      readonly status: 'cancelled';
      readonly phase: Phase;
      readonly plan?: DeployPlan;
      readonly timings: PhaseTiming[];
      /** The cancel came after the tag edit: true when `undoEdit` put the file back, false when it could not. */
      readonly editUndone?: boolean;
    }
  | { readonly status: 'stopped'; readonly phase: Phase; readonly reason: string; readonly plan?: DeployPlan; readonly timings: PhaseTiming[] }
  | { readonly status: 'failed'; readonly phase: Phase; readonly error: unknown; readonly plan?: DeployPlan; readonly timings: PhaseTiming[] };

export interface DeployEvents {
  onPhaseStart?(phase: Phase, plan?: DeployPlan): void;
  onPhaseEnd?(timing: PhaseTiming): void;
}

export interface DeployOptions extends DeployEvents {
  readonly signal: AbortSignal;
  /** Milliseconds; `performance.now` unless a test sets it. */
  readonly now?: () => number;
}

class Cancelled extends Error {}

/** The plan phase: pure, plus one `docker image inspect` of both tags for the up-to-date check. */
export async function planDeploy(input: DeployInput, adapters: Pick<DeployAdapters, 'imageId' | 'imageIds'>, signal: AbortSignal, inspect = true): Promise<DeployPlan> {
  const delivery = planDelivery({ ref: input.ref, tag: input.tag, setting: input.setting, cluster: input.cluster, registry: input.registry });
  if (!delivery.ok) throw new DeployStopped(delivery.reason);
  const [build, ...deliver] = buildPlan({
    image: delivery.buildImage,
    contextDir: input.contextDir,
    dockerfile: input.dockerfile,
    publish: delivery.method,
    cluster: delivery.method === 'import' ? delivery.cluster : undefined,
  });
  let currentImage: string | undefined;
  if (input.ref.tag !== undefined && input.ref.tag !== input.tag && input.ref.digest === undefined) {
    const now = planDelivery({ ref: input.ref, tag: input.ref.tag, setting: input.setting, cluster: input.cluster, registry: input.registry });
    if (now.ok) currentImage = now.buildImage;
  }
  if (!inspect) return { delivery, build, deliver, currentImage, newImageExisted: false };
  const images = currentImage ? [delivery.buildImage, currentImage] : [delivery.buildImage];
  const [newImageId, currentImageId] = adapters.imageIds
    ? await adapters.imageIds(images, signal)
    : await Promise.all(images.map((image) => adapters.imageId(image, signal)));
  return { delivery, build, deliver, currentImage, currentImageId, newImageExisted: newImageId !== undefined };
}

/**
 * Runs the loop. Never throws: the outcome says how it ended, in which phase, and how long each
 * finished phase took. "Nothing changed" (the build's image ID is the current tag's) ends after
 * the build with `upToDate`: no new tag in the file, no delivery, no rollout.
 */
export async function runDeploy<Applied>(input: DeployInput, adapters: DeployAdapters<Applied>, options: DeployOptions): Promise<DeployOutcome> {
  const now = options.now ?? (() => performance.now());
  const { signal } = options;
  const timings: PhaseTiming[] = [];
  let plan: DeployPlan | undefined;
  let current: Phase = 'plan';
  let edited = false;

  let skipped = false;
  const phase = async <T>(name: Phase, run: () => Promise<T>): Promise<T> => {
    current = name;
    if (signal.aborted) throw new Cancelled();
    options.onPhaseStart?.(name, plan);
    const started = now();
    skipped = false;
    const result = await run();
    if (signal.aborted) throw new Cancelled(); // a step that ignored the signal still ends the loop here
    const timing: PhaseTiming = skipped ? { phase: name, ms: now() - started, skipped } : { phase: name, ms: now() - started };
    timings.push(timing);
    options.onPhaseEnd?.(timing);
    return result;
  };

  try {
    let unchanged = false;
    plan = await phase('plan', async () => {
      // The context is byte for byte what the running tag was built from: no build at all.
      unchanged = (await adapters.unchanged?.(signal)) === true;
      return planDeploy(input, adapters, signal, !unchanged);
    });
    if (unchanged) return { status: 'upToDate', plan, timings };
    const p = plan;
    const built: Built = await phase('build', async () => {
      await adapters.runStep(p.build, signal);
      return { imageId: await adapters.imageId(p.delivery.buildImage, signal) };
    });
    if (built.imageId !== undefined && p.currentImageId !== undefined && built.imageId === p.currentImageId) {
      // Same context, same image: the tag the build just made would only be a second name for it.
      if (!p.newImageExisted) await adapters.untag?.(p.delivery.buildImage).catch(() => undefined);
      return { status: 'upToDate', plan: p, timings };
    }
    await phase('deliver', async () => {
      const id = built.imageId;
      if (id !== undefined && p.delivery.method === 'import' && (await adapters.onNodes?.(p, id, signal))) {
        skipped = true;
        return;
      }
      for (const step of p.deliver) await adapters.runStep(step, signal);
      // k3d has said "Successfully imported" for images that never arrived: look.
      if (id !== undefined && p.delivery.method === 'import') await adapters.verifyDelivery?.(p, id, signal);
    });
    await phase('edit', async () => {
      await adapters.edit(p, signal);
      edited = true;
    });
    const applied = await phase('apply', () => adapters.apply(p, signal));
    await phase('rollout', () => adapters.rollout(applied, signal));
    const firstLog = adapters.firstLog;
    if (firstLog) await phase('firstLog', () => firstLog(applied, signal));
    const settle = adapters.settle;
    if (settle) await phase('settle', () => settle(applied, signal));
    return { status: 'deployed', plan: p, timings };
  } catch (e) {
    if (e instanceof Cancelled || signal.aborted) {
      if (!edited || !plan || !adapters.undoEdit) return { status: 'cancelled', phase: current, plan, timings };
      const editUndone = await adapters.undoEdit(plan).catch(() => false);
      return { status: 'cancelled', phase: current, plan, timings, editUndone };
    }
    if (e instanceof DeployStopped) return { status: 'stopped', phase: current, reason: e.message, plan, timings };
    return { status: 'failed', phase: current, error: e, plan, timings };
  }
}

/** "built 3.1 s · imported 1.2 s · rolled out 2.0 s · first log 0.4 s": the phases that take the time. */
export function formatTimings(timings: readonly PhaseTiming[], delivery?: 'import' | 'push'): string {
  const label: Record<Phase, string> = {
    plan: 'planned',
    build: 'built',
    deliver: delivery === 'push' ? 'pushed' : 'imported',
    edit: 'tag set',
    apply: 'applied',
    rollout: 'rolled out',
    firstLog: 'first log',
    settle: 'stayed up',
  };
  return timings
    .filter((t) => t.phase !== 'plan' && t.phase !== 'edit' && t.phase !== 'settle')
    .map((t) => (t.skipped && t.phase === 'deliver' ? `already on the nodes` : `${label[t.phase]} ${formatSeconds(t.ms)}`))
    .join(' · ');
}

/** Every phase, for the log: "plan 0.02 s, build 3.1 s, ...". */
export function formatAllTimings(timings: readonly PhaseTiming[]): string {
  return timings.map((t) => `${t.phase} ${formatSeconds(t.ms)}`).join(', ');
}

export function formatSeconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

/** The status bar's word for a running phase: "building", "importing", "rolling out". */
export function phaseVerb(phase: Phase, delivery?: 'import' | 'push'): string {
  switch (phase) {
    case 'plan':
      return 'planning';
    case 'build':
      return 'building';
    case 'deliver':
      return delivery === 'push' ? 'pushing' : 'importing';
    case 'edit':
      return 'setting the tag';
    case 'apply':
      return 'applying';
    case 'rollout':
      return 'rolling out';
    case 'firstLog':
      return 'waiting for the first log line';
    case 'settle':
      return 'checking that the new pods stay up';
  }
}

/** What a cancel left, in one sentence: where it stopped, and what the manifest (and the cluster) now say. */
export function cancelledText(what: string, outcome: Extract<DeployOutcome, { status: 'cancelled' }>, tagSet: boolean, newImage: string): string {
  const head = `${what} was cancelled while ${phaseVerb(outcome.phase, outcome.plan?.delivery.method)}`;
  if (!tagSet) return `${head}; the manifest is unchanged.`;
  if (outcome.editUndone === false) return `${head}; the manifest was edited since the tag was set, so it still says ${newImage}.`;
  if (outcome.editUndone === undefined) return `${head}; the manifest says ${newImage}.`;
  const sent = outcome.phase === 'apply' ? ` The apply may already have reached the cluster: apply the file to be sure it runs what the file says.` : outcome.phase === 'edit' ? '' : ` The cluster already has ${newImage}: apply the file to go back.`;
  return `${head}; the tag edit was undone, so the manifest is as it was.${sent}`;
}
