// Bump & Apply and Build & Deploy save the manifest before applying it. A save takes every
// unsaved edit with it, so they ask first when the editor holds edits other than their own
// (a silent save would apply them too); the decision is src/core/publish/saveBeforeApply.ts.
import * as vscode from 'vscode';
import { describeUnsavedEdits, unsavedEditsDecision, unsavedEditsQuestion } from '../../core/publish/saveBeforeApply.ts';

export const SAVE_AND_APPLY = 'Save & Apply';

async function diskText(uri: vscode.Uri): Promise<string | undefined> {
  if (uri.scheme === 'untitled') return undefined;
  try {
    return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

export class UnsavedEditsGuard {
  private readonly document: vscode.TextDocument;
  private readonly verb: string;
  /** The text the user agreed to save and apply (our own edits included). */
  private confirmed: string | undefined;

  constructor(document: vscode.TextDocument, verb: string) {
    this.document = document;
    this.verb = verb;
  }

  /**
   * true to go on: nothing but our own edits is unsaved, or the user chose Save & Apply.
   * `during` names what ran since the last check ("the build"), for the question.
   */
  async check(during?: string): Promise<boolean> {
    const bufferText = this.document.getText();
    const disk = await diskText(this.document.uri);
    const decision = unsavedEditsDecision({ isDirty: this.document.isDirty, bufferText, diskText: disk, confirmedText: this.confirmed });
    if (decision !== 'ask') return true;
    const label = vscode.workspace.asRelativePath(this.document.uri);
    const choice = await vscode.window.showWarningMessage(
      unsavedEditsQuestion(label, this.confirmed === undefined ? undefined : during),
      {
        modal: true,
        detail: `${describeUnsavedEdits(disk, bufferText)} ${this.verb} saves the file and applies it as saved, with those changes. Cancel changes nothing.`,
      },
      SAVE_AND_APPLY,
    );
    if (choice !== SAVE_AND_APPLY) return false;
    this.confirmed = this.document.getText();
    return true;
  }

  /** After an edit of our own (the tag, the pull policy): it belongs to what is saved and applied. */
  accept(): void {
    this.confirmed = this.document.getText();
  }
}
