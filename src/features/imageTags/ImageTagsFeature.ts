// The image-tags feature once loaded (index.ts loads it on first use): the parse cache shared by
// lenses, diagnostics and commands, the lens provider, and the sources of suggestions.
import * as vscode from 'vscode';
import { lensNotices, lensRows, shortTag, targetOf } from '../../core/imageTags/lenses.ts';
import { hasKustomization } from '../../core/manifests/kustomize.ts';
import { lensSizeNotice } from '../../core/manifests/limits.ts';
import { ManifestCache } from '../../core/manifests/cache.ts';
import type { ManifestFile } from '../../core/manifests/documents.ts';
import { parseImageReference, sameImage } from '../../core/manifests/imageReference.ts';
import type { Ctx } from '../../ctx.ts';
import { KustomizeIndex, rewriteLens } from './kustomize.ts';
import { ImageLessons } from './lessons.ts';
import { imageTagSettings } from './settings.ts';
import { ImportedImages, LocalImages, RegistryTags } from './sources.ts';

export interface ImagePhaseDone {
  phase: 'build' | 'deliver';
  image: string;
}

export class ImageTagsFeature {
  readonly ctx: Ctx;
  readonly cache = new ManifestCache(20);
  readonly localImages: LocalImages;
  readonly imported: ImportedImages;
  readonly registryTags: RegistryTags;
  readonly lessons: ImageLessons;
  /** The workspace's kustomizations: what they make of the images they include. */
  readonly kustomize: KustomizeIndex;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeLenses = this.lensesChanged.event;
  /** Build & Deploy finished a phase: the image was built, or delivered (pushed or imported). */
  readonly imagePhaseDone = new vscode.EventEmitter<ImagePhaseDone>();

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    ctx.register(this.lensesChanged);
    ctx.register(this.imagePhaseDone);
    this.localImages = new LocalImages(ctx);
    this.imported = new ImportedImages(ctx.extension.workspaceState);
    this.registryTags = new RegistryTags(ctx);
    this.lessons = new ImageLessons(this);
    ctx.register(this.lessons);
    // The lens summary shows what the cluster runs.
    ctx.register(this.lessons.onDidChangeLive(() => this.lensesChanged.fire()));
    this.kustomize = ctx.register(new KustomizeIndex(ctx.log));
    ctx.register(
      this.kustomize.onDidChange(() => {
        this.lensesChanged.fire();
        vscode.workspace.textDocuments.forEach((d) => this.lessons.schedule(d, 0));
      }),
    );
  }

  /** One parse per (document, version), shared by everything that asks. */
  parse(document: vscode.TextDocument): ManifestFile {
    return this.cache.get(document.uri.toString(), document.version, () => document.getText());
  }

  /** Over the lens limit: `k3d: lenses off: file is 50 MB, over the 2 MB limit`. Costs no copy of the text. */
  sizeNotice(document: vscode.TextDocument): string | undefined {
    const last = document.lineAt(document.lineCount - 1);
    return lensSizeNotice(document.offsetAt(last.range.end));
  }

  forget(document: vscode.TextDocument): void {
    this.cache.delete(document.uri.toString());
    this.lessons.forget(document);
  }

  refreshLenses(): void {
    this.lensesChanged.fire();
  }

  /** One row of lenses on each `image:` line. Reads the outline only (fast for big files). */
  lenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    if (!imageTagSettings.codeLensEnabled || document.languageId !== 'yaml') return [];
    const tooLarge = this.sizeNotice(document);
    if (tooLarge) return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: tooLarge, tooltip: 'Image lenses and diagnostics skip files this large; Apply refuses files over its own limit.', command: '' })];
    const file = this.parse(document);
    if (!file.isKubernetes && !hasKustomization(file)) return [];
    const uri = document.uri.toString();
    const lenses: vscode.CodeLens[] = [];
    for (const row of lensRows(file)) {
      if (token.isCancellationRequested) return [];
      const position = document.positionAt(row.at);
      const range = new vscode.Range(position, position);
      const rewrites = row.image.kustomize ? [] : this.kustomize.rewrites(document.uri, row.image.image);
      if (rewrites.length > 0) {
        lenses.push(rewriteLens(range, row.image.image, rewrites, this.kustomize));
        continue;
      }
      const live = this.lessons.liveImageOf(document, row.image);
      let summary = row.summary;
      let tooltip = row.tooltip;
      if (live !== undefined) {
        const same = sameImage(live, row.image.image);
        const liveRef = parseImageReference(live);
        summary += same ? ' · $(cloud) deployed' : ` · $(cloud) cluster has ${liveRef.valid && liveRef.tag ? shortTag(liveRef.tag) : live}`;
        tooltip += same ? '\nThe deployment in the cluster already uses this image: applying again rolls out nothing.' : `\nThe deployment in the cluster uses ${live}.`;
      }
      lenses.push(new vscode.CodeLens(range, { title: summary, tooltip, command: '' }));
      if (!row.editable) continue;
      const target = targetOf(uri, row.image);
      lenses.push(
        new vscode.CodeLens(range, { title: 'Bump tag', tooltip: 'The next tag by the tag\'s own scheme (semver, git SHA, number, date)', command: 'k3dDeploy.bumpImageTag', arguments: [target] }),
        new vscode.CodeLens(range, { title: 'Set tag...', tooltip: 'Type a tag or choose: git HEAD, local images, the registry\'s tags', command: 'k3dDeploy.setImageTag', arguments: [target] }),
      );
      if (row.image.kustomize) continue; // Apply does not run kustomize: kubectl apply -k does
      lenses.push(
        new vscode.CodeLens(range, { title: 'Bump & Apply', tooltip: 'Bump the tag, save, apply the file and follow the rollout', command: 'k3dDeploy.bumpImageTagAndApply', arguments: [target] }),
        new vscode.CodeLens(range, { title: 'Build & Deploy', tooltip: 'docker build under the next tag, push or k3d image import, bump, save and apply', command: 'k3dDeploy.buildAndDeployImage', arguments: [target] }),
      );
    }
    for (const notice of lensNotices(file)) {
      const position = document.positionAt(notice.at);
      lenses.push(new vscode.CodeLens(new vscode.Range(position, position), { title: notice.title, tooltip: notice.tooltip, command: '' }));
    }
    return lenses;
  }
}
