// What other features use of the walkthrough: the link from a lesson (a diagnostic's Quick Fix) to the step
// that explains it. Handed to them in extension.ts; the walkthrough's other files stay inside.
import type * as vscode from 'vscode';
import { lessonWalkthroughCommand } from './links.ts';

/** "Why? ..." for a lesson's code: the command that opens the walkthrough at the step explaining it, if one does. */
export type LessonLink = (code: string) => vscode.Command | undefined;

export const lessonLink: LessonLink = lessonWalkthroughCommand;
