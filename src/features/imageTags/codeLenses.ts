// One row of lenses on each `image:` line: what the image is (and what the cluster runs), then Bump tag,
// Set tag..., Bump & Apply, Build & Deploy. Reads the outline only (fast for big files).
import * as vscode from 'vscode';
import { lensNotices, lensRows, shortTag, targetOf } from '../../core/manifests/lenses.ts';
import type { ContainerImage } from '../../core/manifests/images.ts';
import { parseImageReference, sameImage } from '../../core/manifests/imageReference.ts';
import { hasKustomization } from '../../core/manifests/kustomize.ts';
import { rewriteLens } from './kustomize.ts';
import type { KustomizeIndex } from './kustomize.ts';
import type { ManifestReading } from './manifestReader.ts';
import { imageTagSettings } from './settings.ts';

export interface LensParts {
  readonly manifests: ManifestReading;
  /** What the workspace's kustomizations make of an image, and where they are. */
  readonly kustomize: Pick<KustomizeIndex, 'rewrites' | 'uriOf'>;
  /** The image the cluster runs in this container, when known (the lessons' live state). */
  liveImageOf(document: vscode.TextDocument, image: ContainerImage): string | undefined;
}

export function imageLenses(parts: LensParts, document: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
  if (!imageTagSettings.codeLensEnabled || document.languageId !== 'yaml') return [];
  const tooLarge = parts.manifests.sizeNotice(document);
  if (tooLarge) return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: tooLarge, tooltip: 'Image lenses and diagnostics skip files this large; Apply refuses files over its own limit.', command: '' })];
  const file = parts.manifests.parse(document);
  if (!file.isKubernetes && !hasKustomization(file)) return [];
  const uri = document.uri.toString();
  const lenses: vscode.CodeLens[] = [];
  for (const row of lensRows(file)) {
    if (token.isCancellationRequested) return [];
    const position = document.positionAt(row.at);
    const range = new vscode.Range(position, position);
    const rewrites = row.image.kustomize ? [] : parts.kustomize.rewrites(document.uri, row.image.image);
    if (rewrites.length > 0) {
      lenses.push(rewriteLens(range, row.image.image, rewrites, parts.kustomize));
      continue;
    }
    const live = parts.liveImageOf(document, row.image);
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
