// Links into the walkthrough from where a lesson bites (a diagnostic's code, a tooltip).
import * as vscode from 'vscode';
import { stepForLesson, WALKTHROUGH_ID } from '../../core/walkthrough/progress.ts';

/** `publisher.name#walkthrough`, as workbench.action.openWalkthrough names it. */
export const WALKTHROUGH_CATEGORY = `k3d-deploy.k3d-deploy#${WALKTHROUGH_ID}`;

/** A command link that opens the walkthrough at one step. */
export function walkthroughStepUri(step: string): vscode.Uri {
  const args = [{ category: WALKTHROUGH_CATEGORY, step: `${WALKTHROUGH_CATEGORY}#${step}` }, false];
  return vscode.Uri.parse(`command:workbench.action.openWalkthrough?${encodeURIComponent(JSON.stringify(args))}`);
}

/** A lesson's diagnostic code, linked to the step that explains it when one does. */
export function lessonCode(code: string): string | { value: string; target: vscode.Uri } {
  const step = stepForLesson(code);
  return step ? { value: code, target: walkthroughStepUri(step) } : code;
}

/** The code's own text, whether it carries a link or not. */
export function codeValue(code: vscode.Diagnostic['code']): string | number | undefined {
  return typeof code === 'object' ? code.value : code;
}
