// What other features use of the image-tags feature (Deploy on Save): its parse cache, finding the
// image a command is about, and the tag edit with its undo. Returned by register(), wired in
// extension.ts; the feature object itself stays inside.
import type * as vscode from 'vscode';
import type { MadeEdit } from '../../core/deploy/undoEdit.ts';
import type { ImageTarget } from '../../core/manifests/lenses.ts';
import type { ManifestFile } from '../../core/manifests/documents.ts';
import type { ContainerImage } from '../../core/manifests/images.ts';

export interface LocatedImage {
  readonly document: vscode.TextDocument;
  readonly image: ContainerImage;
  readonly target: ImageTarget;
}

export interface ImageTagsApi {
  /** One parse per (document, version), shared with the lenses and lessons. */
  parse(document: vscode.TextDocument): ManifestFile;
  /** The image a command is about: a lens's target, else the one under the cursor, else a pick. */
  locateImage(arg: unknown, verb: string): Promise<LocatedImage | undefined>;
  /** Writes `tag` into the image as one undoable edit; what was replaced, or undefined (with a message). */
  setTag(located: LocatedImage, tag: string): Promise<MadeEdit | undefined>;
  /** Puts back what setTag replaced and saves; false when the file changed there since. */
  undoTag(document: vscode.TextDocument, made: MadeEdit): Promise<boolean>;
  /** An image this extension imported into a cluster (local, not pullable): for the lessons. */
  noteImported(image: string): Promise<void>;
  /** The cluster changed (an apply): the lenses and lessons ask it again. */
  refreshLive(document: vscode.TextDocument): void;
}

/** Build & Deploy finished a phase: the image was built, or delivered (pushed or imported). register() returns the event. */
export interface ImagePhaseDone {
  phase: 'build' | 'deliver';
  image: string;
}
