import type { ManifestDocument, ManifestFile } from './documents.ts';
import { sopsProblem } from './encrypted.ts';
import { kustomizationProblem } from './kustomize.ts';
import { applySizeRefusal } from './limits.ts';
import { Checker } from './objectChecks.ts';
import type { ManifestProblem } from './problems.ts';

/**
 * What can be checked before talking to a cluster: YAML syntax, the fields every object needs
 * and the types of the fields learners most often get wrong (a number where a string belongs,
 * `replicas: "2"`). Kinds and fields the cluster does not know are the adapter's job (discovery
 * and `fieldValidation=Strict`); `locateField` places those.
 *
 * The rule for applying: any problem of severity 'error' in any document means nothing is applied.
 */
export function validateManifest(file: ManifestFile): ManifestProblem[] {
  const tooLarge = applySizeRefusal(file.text.length);
  if (tooLarge !== undefined) {
    const start = { line: 0, character: 0 }; // not file.rangeOf: no line index of 50 MB for one position
    return [{ severity: 'error', code: 'manifest.tooLarge', message: tooLarge, span: { start: 0, end: 0 }, range: { start, end: start }, documentIndex: 0 }];
  }
  const problems: ManifestProblem[] = [];
  for (const doc of file.documents) {
    const found = validateDocument(doc);
    for (const p of found) {
      problems.push(p);
    }
    if (found.some((p) => p.code === 'yaml.tokenBudget')) {
      break; // the file's budget is spent: every later document would say the same
    }
  }
  return problems;
}

export function hasErrors(problems: readonly ManifestProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

export function validateDocument(doc: ManifestDocument): ManifestProblem[] {
  const full = doc.full();
  if (full.problems.some((p) => p.severity === 'error')) {
    return [...full.problems]; // the tree of a broken document would only add noise
  }
  const notAnObject = sopsProblem(doc) ?? kustomizationProblem(doc); // encrypted, or kustomize's build file: not fields to check
  if (notAnObject !== undefined) {
    return [...full.problems, notAnObject];
  }
  const v = new Checker(doc);
  for (const p of full.problems) {
    v.problems.push(p);
  }
  v.document(full.tree);
  return v.problems;
}
