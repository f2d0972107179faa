// Running one step of getting an image into the cluster — docker build / tag / push, k3d image
// import — as argument arrays, each failure told in the tool's own words (stderr, cleaned) with
// what to do; and the small Docker and cluster look-ups the loop and the pull fixes share. No
// `vscode` here: the editor side adds its channel and progress through `onLine`.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { K3dError } from '../k3d/errors.ts';
import type { K3dCli } from '../k3d/cli.ts';
import { stripAnsi } from '../k3d/logLine.ts';
import type { KubeHttp } from '../kube/http.ts';
import { ToolError, runTool } from '../process.ts';
import { dockerFailureHint, dockerFailureReason, dockerImageInspectArgs, importFailureHint, isDockerDown } from './docker.ts';
import type { BuildStep } from './publish.ts';
import { LOCAL_REGISTRY_HOSTING, parseLocalRegistryHosting } from './registry.ts';
import type { ClusterRegistry } from './registry.ts';

/** A step failed: `message` is what the user reads (the tool's own reason and what to do). */
export class StepFailed extends Error {
  /** Which step, for the action offered with the message (a failed build opens its Dockerfile). */
  readonly step?: BuildStep['kind'];

  constructor(message: string, step?: BuildStep['kind']) {
    super(message);
    this.step = step;
  }
}

/** What a step runs with: the tools as the settings name them. */
export interface StepTools {
  readonly dockerPath: string;
  readonly k3dPath: string;
  readonly k3d: Pick<K3dCli, 'run'>;
  readonly k3dTimeoutMs: number;
}

/**
 * Runs one step; every line (stdout and stderr, in order, ANSI removed) goes to `onLine`, the
 * command first as `$ docker build ...`. Throws StepFailed with the reason; a cancel (the
 * signal) is rethrown as the tool's own cancelled error.
 */
export async function runBuildStep(tools: StepTools, step: BuildStep, signal: AbortSignal, onLine: (line: string, stream?: 'stdout' | 'stderr') => void): Promise<void> {
  const stderr: string[] = [];
  const each = (line: string, stream?: 'stdout' | 'stderr') => {
    const text = stripAnsi(line);
    if (stream === 'stderr') stderr.push(text);
    onLine(text, stream);
  };
  if (step.tool === 'k3d') {
    onLine(`$ ${[tools.k3dPath, ...step.args].join(' ')}`);
    try {
      await tools.k3d.run([...step.args], { onLine: each, signal, timeoutMs: tools.k3dTimeoutMs });
    } catch (e) {
      if (e instanceof K3dError) {
        if (e.kind === 'cancelled') throw e;
        if (e.kind === 'notInstalled') throw new StepFailed('k3d was not found. Install it, or set "k3d.path" to where it is.');
        if (e.kind === 'dockerDown') throw new StepFailed(`${step.title} failed: Docker is not running, or k3d cannot reach it. Start Docker, then try again.`);
        const why = (e.detail ?? e.message).replace(/\.$/, '');
        const hint = importFailureHint(why);
        throw new StepFailed(`${step.title} failed: ${why}.${hint ? ` ${hint}` : ''}`, step.kind);
      }
      throw e;
    }
    return;
  }
  const docker = tools.dockerPath;
  onLine(`$ ${[docker, ...step.args].join(' ')}`);
  try {
    // Success is the exit code alone: the classic builder's deprecation notice on stderr is no failure.
    await runTool(docker, step.args, { onLine: each, signal, timeoutMs: 30 * 60_000 });
  } catch (e) {
    if (e instanceof ToolError && e.kind !== 'cancelled') {
      if (e.kind === 'notInstalled') throw new StepFailed(`Docker was not found (${docker}). Install Docker, or set "k3d.dockerPath" to where it is.`);
      if (isDockerDown(stderr.length ? stderr : e.output)) throw new StepFailed(`${step.title} failed: Docker is not running. Start Docker (Docker Desktop, or \`sudo systemctl start docker\`), then try again.`);
      if (e.kind === 'timedOut') throw new StepFailed(`${step.title} did not finish: ${e.message}`);
      const reason = dockerFailureReason(stderr) ?? e.message;
      const hint = dockerFailureHint(reason, step.kind === 'push' ? 'push' : step.kind === 'build' ? 'build' : 'tag');
      throw new StepFailed(`${step.title} failed: ${reason}${hint ? ` — ${hint}` : ''}`, step.kind);
    }
    throw e;
  }
}

/** Is it a cancel (the user's, through the signal) rather than a failure? */
export function isCancelled(e: unknown): boolean {
  return (e instanceof ToolError || e instanceof K3dError) && e.kind === 'cancelled';
}

/** `docker image inspect --format {{.Id}}`: the image ID, or undefined when Docker has no such image. */
export async function localImageId(dockerPath: string, image: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const { stdout } = await runTool(dockerPath, dockerImageInspectArgs(image), { timeoutMs: 15_000, signal });
    const id = stdout.trim().split('\n')[0];
    return id.startsWith('sha256:') ? id : undefined;
  } catch (e) {
    if (e instanceof ToolError && e.kind === 'cancelled') throw e;
    return undefined;
  }
}

/**
 * The image IDs of several images from one `docker image inspect` (one process instead of one per
 * image: each docker CLI start costs 60-100 ms). Docker prints the IDs of the images it has, in
 * order, exits 1 and names each missing one on stderr ("No such image: REF"); when that output
 * cannot be mapped back with certainty, each image is asked for on its own.
 */
export async function localImageIds(dockerPath: string, images: readonly string[], signal?: AbortSignal): Promise<Array<string | undefined>> {
  if (images.length <= 1) return Promise.all(images.map((image) => localImageId(dockerPath, image, signal)));
  let stdout: string[] = [];
  let stderr: string[] = [];
  try {
    stdout = (await runTool(dockerPath, dockerImageInspectArgs(images[0], ...images.slice(1)), { timeoutMs: 15_000, signal })).stdout.split('\n');
  } catch (e) {
    if (e instanceof ToolError && e.kind === 'cancelled') throw e;
    if (!(e instanceof ToolError) || e.exitCode !== 1) return images.map(() => undefined);
    stderr = e.output.filter((line) => /no such image/i.test(line));
    stdout = e.output.filter((line) => line.trim().startsWith('sha256:'));
  }
  const ids = stdout.map((line) => line.trim()).filter((line) => line.startsWith('sha256:'));
  const missing = images.map((image) => stderr.some((line) => line.toLowerCase().includes(`no such image: ${image.toLowerCase()}`)));
  if (ids.length !== missing.filter((m) => !m).length) return Promise.all(images.map((image) => localImageId(dockerPath, image, signal)));
  let next = 0;
  return images.map((_image, i) => (missing[i] ? undefined : ids[next++]));
}

/** `docker image inspect IMAGE`: does this machine's Docker have it? */
export async function hasLocalImage(dockerPath: string, image: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await runTool(dockerPath, dockerImageInspectArgs(image), { timeoutMs: 15_000, signal });
    return true;
  } catch {
    return false;
  }
}

/** The registry the context's cluster announces (kube-public/local-registry-hosting), if any. */
export async function clusterRegistry(http: KubeHttp, debug: (message: string) => void = () => undefined): Promise<ClusterRegistry | undefined> {
  const { namespace, name } = LOCAL_REGISTRY_HOSTING;
  try {
    const cm = await http.json<V1ConfigMap>(`/api/v1/namespaces/${namespace}/configmaps/${name}`);
    return parseLocalRegistryHosting(cm.data);
  } catch (e) {
    if ((e as { kind?: string }).kind !== 'notFound') debug(`${namespace}/${name}: ${(e as Error).message} (assuming the cluster has no registry)`);
    return undefined;
  }
}
