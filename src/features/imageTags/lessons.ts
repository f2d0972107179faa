// The course's lessons as Problems with Quick Fixes: `:latest` or no tag; a local-only image
// that would be pulled; a live deployment running another image than the file says.
import * as vscode from 'vscode';
import { targetOf } from '../../core/manifests/lenses.ts';
import { CurrentContextCache } from '../../core/kube/currentContext.ts';
import { waitForSync } from '../../core/kube/contexts.ts';
import type { KubeObject } from '../../core/kube/reflector.ts';
import type { ManifestDocument } from '../../core/manifests/documents.ts';
import { setImage } from '../../core/manifests/edit.ts';
import type { ContainerImage } from '../../core/manifests/images.ts';
import { hasKustomization } from '../../core/manifests/kustomize.ts';
import { checkImageTags, checkLocalImagePullPolicy, rolloutFindings } from '../../core/manifests/lessons.ts';
import type { LessonFinding, LiveContainer } from '../../core/manifests/lessons.ts';
import type { KubeContexts } from '../../core/kube/contexts.ts';
import type { LessonLink } from '../walkthrough/api.ts';
import { workspaceEdit } from './editing.ts';
import type { KustomizeIndex } from './kustomize.ts';
import type { ManifestReading } from './manifestReader.ts';
import { isLocalImage } from './sources.ts';
import type { ImportedImages, LocalImages } from './sources.ts';

const SOURCE = 'k3d';
const LIVE_MIN_INTERVAL_MS = 10_000;
const UNREACHABLE_BACKOFF_MS = 30_000;
/** After a change in the cluster's deployments, open files re-read their live images this much later (one read per burst). */
const CLUSTER_CHANGE_QUIET_MS = 300;
const MAX_LIVE_DEPLOYMENTS = 20;

interface LiveState {
  context: string;
  fetchedAt: number;
  /** namespace/name -> the live containers, or null when the deployment does not exist. */
  deployments: Map<string, LiveContainer[] | null>;
  defaultNamespace: string;
}

interface LiveDeployment extends KubeObject {
  spec?: { template?: { spec?: { containers?: Array<{ name: string; image?: string }>; initContainers?: Array<{ name: string; image?: string }> } } };
}

/** What the lessons read: the documents, what is local, what kustomize rewrites, the cluster's deployments. */
export interface LessonParts {
  readonly manifests: ManifestReading;
  readonly localImages: Pick<LocalImages, 'peek'>;
  readonly imported: Pick<ImportedImages, 'has'>;
  readonly kustomize: Pick<KustomizeIndex, 'rewrites'>;
  /** Ctx's live cluster state: the kubeconfig, and the deployments cache shared with the tree. */
  readonly kube: KubeContexts;
  readonly log: Pick<vscode.LogOutputChannel, 'debug'>;
  /** The walkthrough step that explains a lesson, offered with its Quick Fixes (the walkthrough's API). */
  readonly lessonLink: LessonLink;
}

export class ImageLessons implements vscode.Disposable {
  private readonly parts: LessonParts;
  private readonly collection: vscode.DiagnosticCollection;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly findings = new Map<string, { version: number; findings: LessonFinding[] }>();
  private readonly live = new Map<string, LiveState>();
  private readonly liveInFlight = new Set<string>();
  /** The current context's deployments, shared with the tree; held while a file has live state. */
  private deploymentCache: CurrentContextCache<LiveDeployment> | undefined;
  private unreachableUntil = 0;
  private clusterTimer: NodeJS.Timeout | undefined;
  private readonly liveChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeLive = this.liveChanged.event;

  constructor(parts: LessonParts) {
    this.parts = parts;
    this.collection = vscode.languages.createDiagnosticCollection('k3d-image-tags');
  }

  /** Recomputes the document's diagnostics after a quiet moment (typing does not re-check every key). */
  schedule(document: vscode.TextDocument, delayMs = 300): void {
    if (document.languageId !== 'yaml') return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!document.isClosed) this.update(document);
      }, delayMs),
    );
  }

  /** Asks the cluster again (on open, save, focus); at most every 10 s per file unless forced. */
  refreshLive(document: vscode.TextDocument, force = false): void {
    const key = document.uri.toString();
    const state = this.live.get(key);
    if (!force && state && Date.now() - state.fetchedAt < LIVE_MIN_INTERVAL_MS) return;
    if (this.liveInFlight.has(key) || (!force && Date.now() < this.unreachableUntil)) return;
    this.liveInFlight.add(key);
    void this.fetchLive(document)
      .catch((e: Error) => this.parts.log.debug(`live images for ${vscode.workspace.asRelativePath(document.uri)}: ${e.message}`))
      .finally(() => this.liveInFlight.delete(key));
  }

  /** At most every 300 ms, every open file with live state reads the cache again (no request: it is watched). */
  private clusterChanged(): void {
    if (this.clusterTimer) return;
    this.clusterTimer = setTimeout(() => {
      this.clusterTimer = undefined;
      for (const key of this.live.keys()) {
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
        if (document && !document.isClosed) this.refreshLive(document, true);
      }
    }, CLUSTER_CHANGE_QUIET_MS);
  }

  forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.findings.delete(key);
    this.live.delete(key);
    this.collection.delete(document.uri);
    if (this.live.size === 0) {
      this.deploymentCache?.dispose();
      this.deploymentCache = undefined;
    }
  }

  /** The image the cluster runs in this container, when known. */
  liveImageOf(document: vscode.TextDocument, image: ContainerImage): string | undefined {
    const state = this.live.get(document.uri.toString());
    const containers = state?.deployments.get(deploymentKey(image.document, state.defaultNamespace));
    return containers?.find((c) => (c.list ?? 'containers') === image.containerList && c.name === image.containerName)?.image;
  }

  private update(document: vscode.TextDocument): LessonFinding[] {
    // Over the lens limit the lens says why; the lessons are off too.
    const file = this.parts.manifests.sizeNotice(document) === undefined ? this.parts.manifests.parse(document) : undefined;
    if (!file?.isKubernetes && !(file && hasKustomization(file))) {
      this.collection.delete(document.uri);
      this.findings.delete(document.uri.toString());
      return [];
    }
    const local = this.parts.localImages.peek();
    const findings = [
      ...checkImageTags(file, { rewritten: (image) => this.parts.kustomize.rewrites(document.uri, image.image).length > 0 }),
      ...checkLocalImagePullPolicy(file, (ref) => isLocalImage(ref, local, this.parts.imported)),
      ...this.liveFindings(document),
    ];
    this.findings.set(document.uri.toString(), { version: document.version, findings });
    this.collection.set(document.uri, findings.map((f) => toDiagnostic(document, f)));
    return findings;
  }

  private liveFindings(document: vscode.TextDocument): LessonFinding[] {
    const state = this.live.get(document.uri.toString());
    if (!state) return [];
    return this.parts.manifests.parse(document).documents.flatMap((doc) => {
      const containers = doc.kind === 'Deployment' ? state.deployments.get(deploymentKey(doc, state.defaultNamespace)) : undefined;
      // Only the difference is a Problem; "the cluster already runs this" is in the lens.
      return containers ? rolloutFindings(doc, containers).filter((f) => f.code === 'lesson.liveImageDiffers') : [];
    });
  }

  private async fetchLive(document: vscode.TextDocument): Promise<void> {
    if (this.parts.manifests.sizeNotice(document) !== undefined) return;
    const file = this.parts.manifests.parse(document);
    const deployments = file.documents.filter((d) => d.kind === 'Deployment' && d.name !== undefined).slice(0, MAX_LIVE_DEPLOYMENTS);
    if (deployments.length === 0) return;
    const kubeconfig = await this.parts.kube.kubeconfig();
    const context = kubeconfig.currentContext;
    if (!context) return;
    const defaultNamespace = kubeconfig.contexts.find((c) => c.name === context)?.namespace ?? 'default';
    // A change in the cluster (a rollback, kubectl set image, another apply) re-reads the open files' live
    // images from the cache at once: the lens must not keep saying what the cluster ran before.
    this.deploymentCache ??= new CurrentContextCache(this.parts.kube, 'deployments', { onChange: () => this.clusterChanged() });
    const cache = await this.deploymentCache.get();
    if (!cache || !(await waitForSync(cache, 4000))) {
      // Unreachable, stopped, unauthorized: say nothing, try again later.
      this.unreachableUntil = Date.now() + UNREACHABLE_BACKOFF_MS;
      throw new Error(`the deployments of ${context} are not listed (${cache?.state.kind ?? 'no context'})`);
    }
    const result = new Map<string, LiveContainer[] | null>();
    for (const doc of deployments) {
      const key = deploymentKey(doc, defaultNamespace);
      const live = cache.get(key);
      const spec = live?.spec?.template?.spec;
      result.set(key, live ? [
        ...(spec?.containers ?? []).map((c) => ({ list: 'containers' as const, name: c.name, image: c.image ?? '' })),
        ...(spec?.initContainers ?? []).map((c) => ({ list: 'initContainers' as const, name: c.name, image: c.image ?? '' })),
      ] : null);
    }
    const before = this.live.get(document.uri.toString());
    this.live.set(document.uri.toString(), { context, fetchedAt: Date.now(), deployments: result, defaultNamespace });
    if (!document.isClosed) this.update(document);
    if (!before || JSON.stringify([...before.deployments]) !== JSON.stringify([...result])) this.liveChanged.fire();
  }

  /** The findings of the document's current version (recomputed if stale), for quick fixes. */
  findingsOf(document: vscode.TextDocument): LessonFinding[] {
    const known = this.findings.get(document.uri.toString());
    return known && known.version === document.version ? known.findings : this.update(document);
  }

  async provideCodeActions(document: vscode.TextDocument, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const ours = context.diagnostics.filter((d) => d.source === SOURCE && typeof d.code === 'string');
    if (ours.length === 0) return [];
    const findings = this.findingsOf(document);
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      const finding = findings.find((f) => f.code === diagnostic.code && document.positionAt(f.span.start).isEqual(diagnostic.range.start));
      if (!finding) continue;
      const target = targetOf(document.uri.toString(), finding.image);
      const action = (title: string, preferred = false) => {
        const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [diagnostic];
        a.isPreferred = preferred;
        actions.push(a);
        return a;
      };
      if (finding.fix?.kind === 'setTag') {
        action('Set a tag...', true).command = { title: 'Set a tag...', command: 'k3dDeploy.setImageTag', arguments: [target] };
      } else if (finding.fix?.kind === 'setPullPolicy') {
        // Never rewritten silently: the fix opens the change as a diff and asks (pullPolicyFix.ts).
        action(`${finding.fix.title} (shows the diff first)`, true).command = { title: finding.fix.title, command: 'k3dDeploy.previewImagePullPolicyFix', arguments: [target, finding.fix.policy] };
      } else if (finding.code === 'lesson.liveImageDiffers') {
        // Apply is part of this extension: its command is always there.
        action(`Apply the file (rolls out ${finding.image.image})`, true).command = { title: 'Apply', command: 'k3dDeploy.apply', arguments: [document.uri] };
        const live = this.liveImageOf(document, finding.image);
        const result = live !== undefined ? setImage(this.parts.manifests.parse(document), finding.image, live) : undefined;
        if (result?.ok) {
          action(`Write the cluster's image into the file (${live})`).edit = workspaceEdit(document, result.edit);
        }
      }
      const why = this.parts.lessonLink(finding.code); // the walkthrough step that explains this lesson
      if (why) action(why.title).command = why;
    }
    return actions;
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.timers.clear();
    clearTimeout(this.clusterTimer);
    this.collection.dispose();
    this.liveChanged.dispose();
    this.deploymentCache?.dispose();
  }
}

function deploymentKey(doc: ManifestDocument, defaultNamespace: string): string {
  return `${doc.namespace ?? defaultNamespace}/${doc.name ?? ''}`;
}

function toDiagnostic(document: vscode.TextDocument, f: LessonFinding): vscode.Diagnostic {
  const severity =
    f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const d = new vscode.Diagnostic(new vscode.Range(document.positionAt(f.span.start), document.positionAt(f.span.end)), f.message, severity);
  d.source = SOURCE;
  d.code = f.code;
  return d;
}
