// Where tag suggestions and "is this image local?" come from: git, Docker, registries, and the
// images this extension imported. All cached, all silent when their source does not answer.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { dockerImageEventsArgs, dockerImageListArgs, isLocalOnly, parseDockerImageList } from '../../core/publish/docker.ts';
import type { LocalImage } from '../../core/publish/docker.ts';
import { readGitHead } from '../../core/publish/git.ts';
import { runTool } from '../../core/process.ts';
import { normalizeImageReference } from '../../core/manifests/imageReference.ts';
import type { ImageReference } from '../../core/manifests/imageReference.ts';
import { listRegistryTags } from '../../core/registry/tags.ts';
import type { FetchLike } from '../../core/registry/tags.ts';
import type { Ctx } from '../../ctx.ts';
import { imageTagSettings } from './settings.ts';

/** The folder whose git HEAD tags an image built for this manifest. */
export function gitFolderOf(uri: vscode.Uri): string | undefined {
  if (uri.scheme === 'file') return path.dirname(uri.fsPath);
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
}

export async function gitHeadFor(uri: vscode.Uri): Promise<string | undefined> {
  const dir = gitFolderOf(uri);
  return dir ? readGitHead(dir) : undefined;
}

/**
 * How long a `docker image ls` answers the local-image lessons when Docker's image events are not followed
 * (Docker down, or `docker events` ended). While they are followed, an image tagged, built, loaded or removed
 * in a terminal makes a new listing within a second, and the lessons re-run when it changes.
 */
const LOCAL_TTL_MS = 5_000;
/** Events come in bursts (a build tags, a tag untags another image): one listing after the burst. */
const EVENT_SETTLE_MS = 300;

/** `docker image ls`, kept fresh by `docker events`; undefined while Docker does not answer. */
export class LocalImages {
  private readonly ctx: Ctx;
  private value: LocalImage[] | undefined;
  /** When the listing that gave `value` started: an event after that start makes it stale. */
  private listedAt = 0;
  private lastEventAt = -1;
  private pending: Promise<LocalImage[] | undefined> | undefined;
  private events: AbortController | undefined;
  private settle: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    ctx.register(this.changed);
    ctx.register({ dispose: () => { this.events?.abort(); clearTimeout(this.settle); } });
  }

  private stale(): boolean {
    return this.listedAt <= this.lastEventAt || Date.now() - this.listedAt > LOCAL_TTL_MS;
  }

  /** What is known now, without waiting; starts a refresh when stale. */
  peek(): LocalImage[] | undefined {
    if (this.stale()) void this.get();
    return this.value;
  }

  async get(force = false): Promise<LocalImage[] | undefined> {
    if (!force && !this.stale()) return this.value;
    if (this.pending) return this.pending;
    const startedAt = Date.now();
    this.pending = runTool(imageTagSettings.dockerPath, dockerImageListArgs(), { timeoutMs: 8000 })
      .then(
        ({ stdout }) => parseDockerImageList(stdout),
        (e: Error) => {
          this.ctx.log.debug(`docker image ls: ${e.message} (local image checks are skipped)`);
          return undefined;
        },
      )
      .then((images) => {
        const before = JSON.stringify(this.value);
        this.value = images;
        this.listedAt = startedAt;
        this.pending = undefined;
        if (images !== undefined) this.followEvents();
        if (JSON.stringify(images) !== before) this.changed.fire();
        return images;
      });
    return this.pending;
  }

  /** Follows `docker events` for images while Docker answers; each burst of events makes a new listing. */
  private followEvents(): void {
    if (this.events) return;
    const stop = new AbortController();
    this.events = stop;
    // A change between the listing's start and the moment docker events listens would be missed: list once more
    // when it has had time to start (once per start of the follower).
    this.settle = setTimeout(() => {
      this.lastEventAt = Date.now();
      void Promise.resolve(this.pending).then(() => this.get());
    }, 1000);
    void runTool(imageTagSettings.dockerPath, dockerImageEventsArgs(), {
      signal: stop.signal,
      onLine: (line, stream) => {
        if (stream !== 'stdout' || line.trim() === '') return;
        this.lastEventAt = Date.now();
        clearTimeout(this.settle);
        this.settle = setTimeout(() => void Promise.resolve(this.pending).then(() => this.get()), EVENT_SETTLE_MS);
      },
    })
      .catch((e: Error) => stop.signal.aborted || this.ctx.log.debug(`docker events: ${e.message} (local images are listed again after ${LOCAL_TTL_MS / 1000} s)`))
      .finally(() => {
        if (this.events === stop) this.events = undefined;
      });
  }
}

const IMPORTED_KEY = 'k3dDeploy.importedImages';

/** Images this extension imported with `k3d image import` (so: local, not pullable). */
export class ImportedImages {
  private readonly memento: vscode.Memento;

  constructor(memento: vscode.Memento) {
    this.memento = memento;
  }

  has(ref: ImageReference): boolean {
    return (this.memento.get<string[]>(IMPORTED_KEY) ?? []).includes(normalizeImageReference(ref));
  }

  async add(ref: ImageReference): Promise<void> {
    const list = (this.memento.get<string[]>(IMPORTED_KEY) ?? []).filter((i) => i !== normalizeImageReference(ref));
    await this.memento.update(IMPORTED_KEY, [normalizeImageReference(ref), ...list].slice(0, 200));
  }
}

/** "Exists only locally": built here and never pushed or pulled, or imported by us. */
export function isLocalImage(ref: ImageReference, local: LocalImage[] | undefined, imported: Pick<ImportedImages, 'has'>): boolean {
  return imported.has(ref) || (local !== undefined && isLocalOnly(local, ref));
}

const REGISTRY_TTL_MS = 5 * 60_000;
const REGISTRY_FAILED_TTL_MS = 60_000;

/** Registry tags per repository; a failure (this machine is often offline) is remembered for a minute. */
export class RegistryTags {
  private readonly ctx: Ctx;
  private readonly entries = new Map<string, { at: number; tags: string[] | undefined }>();

  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  async get(ref: ImageReference, signal?: AbortSignal): Promise<string[] | undefined> {
    const key = ref.canonicalName;
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < (hit.tags ? REGISTRY_TTL_MS : REGISTRY_FAILED_TTL_MS)) return hit.tags;
    const fetchLike: FetchLike = (url, init) => fetch(url, init);
    const result = await listRegistryTags({ domain: ref.domain, repository: ref.repository }, { fetch: fetchLike, timeoutMs: 3000, signal });
    if (!result.ok) this.ctx.log.debug(`registry tags of ${key}: ${result.reason}`);
    const tags = result.ok ? result.tags : undefined;
    if (!signal?.aborted) this.entries.set(key, { at: Date.now(), tags });
    return tags;
  }
}
