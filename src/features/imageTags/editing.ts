// Finding the image a command acts on, choosing its next tag, and writing it: one WorkspaceEdit
// that changes the tag's characters only, made against the version of the document it was parsed from.
import * as vscode from 'vscode';
import { localTagsOf } from '../../core/publish/docker.ts';
import { findTarget, isImageTarget, shortTag, targetOf } from '../../core/manifests/lenses.ts';
import type { ImageTarget } from '../../core/manifests/lenses.ts';
import { setImageTag } from '../../core/manifests/edit.ts';
import type { TextEdit } from '../../core/manifests/edit.ts';
import { madeEdit, undoEdit } from '../../core/deploy/undoEdit.ts';
import type { MadeEdit } from '../../core/deploy/undoEdit.ts';
import { findImages, imageAt } from '../../core/manifests/images.ts';
import type { ContainerImage, ImageReference } from '../../core/manifests/images.ts';
import { bumpChoices, bumpTag, classifyTag } from '../../core/manifests/tags.ts';
import { rankTagSuggestions } from '../../core/registry/tags.ts';
import type { ManifestReading } from './manifestReader.ts';
import { gitHeadFor } from './sources.ts';
import type { LocalImages, RegistryTags } from './sources.ts';

/** Where the next tag and "Set tag..." find suggestions besides git: local images, the registry's tags. */
export interface TagSuggestions {
  readonly localImages: Pick<LocalImages, 'get'>;
  readonly registryTags: Pick<RegistryTags, 'get'>;
}

export interface Located {
  readonly document: vscode.TextDocument;
  readonly image: ContainerImage;
  readonly target: ImageTarget;
}

export interface TagChoice {
  readonly tag: string;
  /** The image was pinned by digest and the user chose to switch to a tag. */
  readonly dropDigest: boolean;
}

/** The image a command is about: a lens's target, else the one under the cursor, else a pick. */
export async function locateImage(manifests: ManifestReading, arg: unknown, verb: string): Promise<Located | undefined> {
  let document: vscode.TextDocument | undefined;
  if (isImageTarget(arg)) {
    document = await vscode.workspace.openTextDocument(vscode.Uri.parse(arg.uri));
    const image = findTarget(manifests.parse(document), arg);
    if (!image) {
      void vscode.window.showWarningMessage('That image is no longer where it was in the file; try again from its CodeLens.');
      return undefined;
    }
    return { document, image, target: arg };
  }
  const editor = vscode.window.activeTextEditor;
  document = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : editor?.document;
  if (!document || document.languageId !== 'yaml') {
    void vscode.window.showInformationMessage(`${verb}: open a Kubernetes manifest (YAML) and put the cursor on an image line.`);
    return undefined;
  }
  const tooLarge = manifests.sizeNotice(document);
  if (tooLarge) {
    void vscode.window.showWarningMessage(`${verb}: ${tooLarge.replace(/^k3d: lenses off: /, 'the ')}; edit the image by hand.`);
    return undefined;
  }
  const file = manifests.parse(document);
  const images = findImages(file).filter((i) => i.reference.valid);
  if (images.length === 0) {
    void vscode.window.showInformationMessage(`${verb}: ${vscode.workspace.asRelativePath(document.uri)} has no container images.`);
    return undefined;
  }
  let image = editor?.document === document ? imageAt(file, document.offsetAt(editor.selection.active)) : undefined;
  if (!image && images.length === 1) image = images[0];
  if (!image) {
    const picked = await vscode.window.showQuickPick(
      images.map((i) => ({ label: i.image, description: `${i.document.label} · ${i.containerName ?? i.containerList}`, image: i })),
      { title: verb, placeHolder: 'Which container image?' },
    );
    image = picked?.image;
  }
  return image && { document, image, target: targetOf(document.uri.toString(), image) };
}

/**
 * Writes `tag` into the image, as one undoable edit: what was replaced (for undoTag), or
 * undefined (with a message) when it cannot.
 */
export async function applyTag(manifests: ManifestReading, located: Located, choice: TagChoice): Promise<MadeEdit | undefined> {
  const { document, target } = located;
  for (let attempt = 0; attempt < 3; attempt++) {
    const version = document.version;
    const file = manifests.parse(document);
    const image = findTarget(file, target);
    if (!image) {
      void vscode.window.showWarningMessage('The image is no longer in the file; nothing was changed.');
      return undefined;
    }
    const result = setImageTag(file, image, choice.tag, { dropDigest: choice.dropDigest });
    if (!result.ok) {
      void vscode.window.showWarningMessage(result.reason);
      return undefined;
    }
    if (document.version !== version) continue; // edited meanwhile: parse again
    const made = madeEdit(file.text, result.edit.span, result.edit.newText);
    if (await applyTextEdit(document, result.edit)) return made;
  }
  void vscode.window.showWarningMessage('The file kept changing; the tag was not set. Try again.');
  return undefined;
}

/** After a cancel: puts back what applyTag replaced, as one edit, and saves; false when the file changed there since. */
export async function undoTag(document: vscode.TextDocument, made: MadeEdit): Promise<boolean> {
  const undo = undoEdit(document.getText(), made);
  if (!undo || !(await vscode.workspace.applyEdit(workspaceEdit(document, undo)))) return false;
  return document.save();
}

export function applyTextEdit(document: vscode.TextDocument, edit: TextEdit): Thenable<boolean> {
  return vscode.workspace.applyEdit(workspaceEdit(document, edit));
}

/** The core's edit (offsets into this version's text) as a one-replacement WorkspaceEdit. */
export function workspaceEdit(document: vscode.TextDocument, edit: Pick<TextEdit, 'span' | 'newText'>): vscode.WorkspaceEdit {
  const result = new vscode.WorkspaceEdit();
  result.replace(document.uri, new vscode.Range(document.positionAt(edit.span.start), document.positionAt(edit.span.end)), edit.newText);
  return result;
}

/** A digest wins over any tag: ask before switching (dropping it). undefined: the user declined. */
async function digestConsent(image: ContainerImage): Promise<boolean | undefined> {
  if (!image.reference.valid || image.reference.digest === undefined) return false;
  const choice = await vscode.window.showWarningMessage(
    `${image.image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+/, '@sha256:$1…')} is pinned by digest, which wins over any tag. Switch it to a tag?`,
    { modal: true, detail: 'The digest is removed and the tag you choose is what Kubernetes pulls.' },
    'Switch to a Tag',
  );
  return choice === 'Switch to a Tag' ? true : undefined;
}

/**
 * The next tag by the tag's own scheme (tags.ts): semver offers patch/minor/major in a picker;
 * a SHA becomes the workspace's HEAD; numbers and dates are raised; anything else asks.
 */
export async function chooseNextTag(suggestions: TagSuggestions, located: Located): Promise<TagChoice | undefined> {
  const { image } = located;
  const ref = image.reference;
  if (!ref.valid) {
    void vscode.window.showWarningMessage(`The image "${image.image}" is not valid: ${ref.message}`);
    return undefined;
  }
  const dropDigest = await digestConsent(image);
  if (dropDigest === undefined) return undefined;
  const now = new Date();
  const choices = bumpChoices(ref.tag, { now });
  if (choices.length > 1) {
    const items = choices.map((c) => ({ label: c.tag, description: c.part, tag: c.tag }));
    const other = { label: '$(edit) Other tag...', description: '', tag: '' };
    const picked = await vscode.window.showQuickPick([...items, other], {
      title: `Bump ${ref.path}:${ref.tag}`,
      placeHolder: 'Which part of the version to raise? (patch is the usual)',
    });
    if (!picked) return undefined;
    if (picked === other) return pickTag(suggestions, located, { dropDigest });
    return { tag: picked.tag, dropDigest };
  }
  const pinned = ref.digest !== undefined;
  const kind = classifyTag(ref.tag, { pinned }).kind;
  const headSha = kind === 'sha' ? await gitHeadFor(located.document.uri) : undefined;
  const next = bumpTag(ref.tag, { headSha, now, pinned });
  if (next.ok) return { tag: next.tag, dropDigest };
  return pickTag(suggestions, located, { dropDigest, reason: next.reason });
}

interface TagItem extends vscode.QuickPickItem {
  tag?: string;
}

/**
 * "Set tag...": type a tag or choose a suggestion: the workspace's git HEAD (long and short),
 * tags of local images, and the registry's tags (when it answers within a few seconds).
 */
export async function pickTag(
  suggestions: TagSuggestions,
  located: Located,
  options: { dropDigest?: boolean; reason?: string } = {},
): Promise<TagChoice | undefined> {
  const ref = located.image.reference;
  if (!ref.valid) return undefined;
  let dropDigest = options.dropDigest ?? false;
  if (options.dropDigest === undefined) {
    const consent = await digestConsent(located.image);
    if (consent === undefined) return undefined;
    dropDigest = consent;
  }
  const pick = vscode.window.createQuickPick<TagItem>();
  pick.title = `Set tag of ${ref.registry ? `${ref.registry}/` : ''}${ref.path}${ref.tag ? ` (now ${shortTag(ref.tag)})` : ''}`;
  pick.placeholder = options.reason ? `${options.reason} Type a tag, or choose one.` : 'Type the new tag, or choose one below';
  pick.matchOnDescription = true;
  pick.ignoreFocusOut = true;
  const abort = new AbortController();
  const groups: { git: TagItem[]; local: TagItem[]; registry: TagItem[] } = { git: [], local: [], registry: [] };
  const typed = (): TagItem[] => {
    const value = pick.value.trim();
    if (value === '') return [];
    const valid = /^[\w][\w.-]{0,127}$/.test(value);
    return [
      valid
        ? { label: value, description: 'the tag you typed', alwaysShow: true, tag: value }
        : { label: `$(error) ${value}`, description: "not a valid tag: letters, digits, '_', '.', '-', at most 128", alwaysShow: true },
    ];
  };
  const section = (label: string, items: TagItem[]): TagItem[] => (items.length ? [{ label, kind: vscode.QuickPickItemKind.Separator }, ...items] : []);
  const render = () => {
    const active = pick.activeItems[0]?.tag;
    pick.items = [
      ...typed(),
      ...section('git HEAD', groups.git),
      ...section('local images', groups.local),
      ...section(`registry ${ref.domain}`, groups.registry),
    ];
    const keep = pick.items.find((i) => i.tag !== undefined && i.tag === active && pick.value.trim() === '');
    if (keep) pick.activeItems = [keep];
  };
  let loading = 3;
  const done = () => {
    pick.busy = --loading > 0;
    render();
  };
  pick.busy = true;
  pick.onDidChangeValue(render);

  void gitHeadFor(located.document.uri).then((head) => {
    if (head) {
      const long = ref.tag === undefined || /(^|[-_.])[0-9a-f]{40}$/.test(ref.tag);
      const items: TagItem[] = [
        { label: head, description: 'full commit SHA', tag: head },
        { label: head.slice(0, 7), description: 'short commit SHA', tag: head.slice(0, 7) },
      ];
      groups.git = (long ? items : items.reverse()).filter((i) => i.tag !== ref.tag);
    }
    done();
  });
  void suggestions.localImages.get().then((images) => {
    const local = images ? localTagsOf(images, ref as ImageReference) : [];
    groups.local = local
      .filter((i) => i.tag !== ref.tag && i.tag !== 'latest')
      .slice(0, 20)
      .map((i) => ({ label: i.tag, description: i.createdAt ? `built ${i.createdAt.replace(/ [+-]\d{4}.*$/, '')}` : 'local image', detail: i.digest ? undefined : 'only on this machine', tag: i.tag }));
    done();
  });
  void suggestions.registryTags.get(ref as ImageReference, abort.signal).then((tags) => {
    groups.registry = rankTagSuggestions(ref.tag, tags ?? []).map((t) => ({ label: t, tag: t }));
    done();
  });

  render();
  const result = await new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const item = pick.activeItems[0] ?? pick.selectedItems[0];
      const value = item?.tag ?? (/^[\w][\w.-]{0,127}$/.test(pick.value.trim()) ? pick.value.trim() : undefined);
      if (value === undefined) return; // an invalid typed tag: stay open
      resolve(value);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  abort.abort();
  pick.dispose();
  return result === undefined ? undefined : { tag: result, dropDigest };
}
