// Links into the walkthrough from where a lesson bites (a diagnostic's Quick Fixes).
// (A diagnostic's code link cannot run a command: VS Code opens it without allowCommands.)
import * as vscode from 'vscode';
import { LESSON_STEP_TITLES, stepForLesson, WALKTHROUGH_ID } from '../../core/walkthrough/progress.ts';

/** `publisher.name#walkthrough`, as workbench.action.openWalkthrough names it. */
export const WALKTHROUGH_CATEGORY = `k3d-deploy.k3d-deploy#${WALKTHROUGH_ID}`;

/** "Why? ..." for a lesson's Quick Fix list: opens the walkthrough at the step that explains it. */
export function lessonWalkthroughCommand(code: string): vscode.Command | undefined {
  const step = stepForLesson(code);
  if (!step) return undefined;
  const category = WALKTHROUGH_CATEGORY;
  // Two lessons on one line (a local :latest image) each get their own: the step's name tells them apart.
  const title = `Why? Open the First deploy walkthrough at "${LESSON_STEP_TITLES[step] ?? step}"`;
  return { title, command: 'workbench.action.openWalkthrough', arguments: [{ category, step: `${category}#${step}` }, false] };
}
