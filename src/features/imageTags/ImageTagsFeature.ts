// The image-tags feature once loaded (index.ts loads it on first use). It only composes: each part is
// given what it uses (manifestReader.ts's parse cache, sources.ts's images and tags, kustomize.ts's index,
// lessons.ts's live state, the other features' APIs), and no part sees this object.
import * as vscode from 'vscode';
import type { ImageReference } from '../../core/manifests/imageReference.ts';
import { parseImageReference } from '../../core/manifests/imageReference.ts';
import type { Ctx } from '../../ctx.ts';
import type { ApplyApi, ApplySummary } from '../apply/api.ts';
import type { ClustersApi } from '../clusters/api.ts';
import { buildOutput, checkImportLanded, runStep } from '../shared/buildSteps.ts';
import type { LessonLink } from '../walkthrough/api.ts';
import type { ImagePhaseDone, ImageTagsApi } from './api.ts';
import type { BuildDeployParts } from './buildDeploy.ts';
import { imageLenses } from './codeLenses.ts';
import type { TagCommandParts } from './commands.ts';
import { applyTag, chooseNextTag, locateImage, undoTag } from './editing.ts';
import { KustomizeIndex } from './kustomize.ts';
import { ImageLessons } from './lessons.ts';
import { ManifestReader } from './manifestReader.ts';
import { offerPullPolicyFix } from './pullPolicyFix.ts';
import { ImportedImages, LocalImages, RegistryTags } from './sources.ts';

/** What the feature uses of the rest of the extension. */
export interface ImageTagsDeps {
  readonly apply: ApplyApi;
  readonly clusters: Pick<ClustersApi, 'useContext'>;
  readonly lessonLink: LessonLink;
}

export class ImageTagsFeature {
  readonly manifests = new ManifestReader();
  readonly localImages: LocalImages;
  readonly imported: ImportedImages;
  readonly registryTags: RegistryTags;
  readonly lessons: ImageLessons;
  /** The workspace's kustomizations: what they make of the images they include. */
  readonly kustomize: KustomizeIndex;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeLenses = this.lensesChanged.event;
  /** Build & Deploy finished a phase: the image was built, or delivered (pushed or imported). */
  private readonly imagePhaseDone = new vscode.EventEmitter<ImagePhaseDone>();
  readonly onDidImagePhase = this.imagePhaseDone.event;
  /** Bump tag, Set tag... */
  readonly tagCommands: TagCommandParts;
  /** Bump & Apply. */
  readonly bumpAndApply: TagCommandParts & { applyDocument(document: vscode.TextDocument): Promise<ApplySummary | undefined> };
  /** Build & Deploy (its own bundle: see buildDeploy.ts). */
  readonly buildAndDeploy: TagCommandParts & { readonly build: BuildDeployParts };
  /** What other features use (Deploy on Save). */
  readonly api: ImageTagsApi;

  constructor(ctx: Ctx, deps: ImageTagsDeps) {
    ctx.register(this.lensesChanged);
    ctx.register(this.imagePhaseDone);
    this.localImages = new LocalImages(ctx);
    this.imported = new ImportedImages(ctx.extension.workspaceState);
    this.registryTags = new RegistryTags(ctx);
    this.kustomize = ctx.register(new KustomizeIndex(ctx.log));
    const { manifests, localImages, imported, kustomize } = this;
    this.lessons = ctx.register(new ImageLessons({ manifests, localImages, imported, kustomize, kube: ctx.kube, log: ctx.log, lessonLink: deps.lessonLink }));
    // The lens summary shows what the cluster runs.
    ctx.register(this.lessons.onDidChangeLive(() => this.lensesChanged.fire()));
    ctx.register(
      this.kustomize.onDidChange(() => {
        this.lensesChanged.fire();
        vscode.workspace.textDocuments.forEach((d) => this.lessons.schedule(d, 0));
      }),
    );

    const suggestions = { localImages, registryTags: this.registryTags };
    this.tagCommands = { manifests, suggestions };
    /** Apply's API; then the lenses and lessons ask the cluster again. */
    const applyDocument = async (document: vscode.TextDocument, options: { follow?: boolean } = {}) => {
      const summary = await deps.apply.applyDocument(document.uri, options);
      this.lessons.refreshLive(document, true);
      return summary;
    };
    this.bumpAndApply = { manifests, suggestions, applyDocument };
    this.buildAndDeploy = {
      manifests,
      suggestions,
      build: {
        log: ctx.log,
        kube: ctx.kube,
        output: () => buildOutput(ctx),
        runStep: (out, step, signal, progress) => runStep(ctx, out, step, signal, progress),
        checkImportLanded: (out, cluster, image, imageId, signal) => checkImportLanded(ctx, out, cluster, image, imageId, signal),
        chooseNextTag: (located) => chooseNextTag(suggestions, located),
        applyTag: (located, choice) => applyTag(manifests, located, choice),
        undoTag,
        offerPullPolicyFix: (located) => offerPullPolicyFix((d) => manifests.parse(d), located),
        applyDocument,
        apply: deps.apply,
        delivered: async (delivery) => {
          const ref = parseImageReference(delivery.manifestImage);
          if (delivery.method === 'import' && ref.valid) await imported.add(ref as ImageReference);
          void localImages.get(true);
        },
        phaseDone: (event) => this.imagePhaseDone.fire(event),
        useContext: () => deps.clusters.useContext(),
      },
    };
    this.api = {
      parse: (document) => manifests.parse(document),
      locateImage: (arg, verb) => locateImage(manifests, arg, verb),
      setTag: (located, tag) => applyTag(manifests, located, { tag, dropDigest: false }),
      undoTag,
      noteImported: async (image) => {
        const ref = parseImageReference(image);
        if (ref.valid) await imported.add(ref as ImageReference);
      },
      refreshLive: (document) => this.lessons.refreshLive(document, true),
    };
  }

  forget(document: vscode.TextDocument): void {
    this.manifests.forget(document);
    this.lessons.forget(document);
  }

  refreshLenses(): void {
    this.lensesChanged.fire();
  }

  lenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    return imageLenses({ manifests: this.manifests, kustomize: this.kustomize, liveImageOf: (d, image) => this.lessons.liveImageOf(d, image) }, document, token);
  }
}
