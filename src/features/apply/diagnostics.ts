import * as vscode from 'vscode';
import type { ApplyResult } from '../../core/kube/apply.ts';
import type { ManifestFile } from '../../core/manifests/documents.ts';
import type { ManifestProblem } from '../../core/manifests/problems.ts';
import { loadManifestCore } from '../../core/lazy.ts';

const SEVERITY: Record<ManifestProblem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostic(p: { severity: ManifestProblem['severity']; message: string; range: ManifestProblem['range']; code?: string }): vscode.Diagnostic {
  const d = new vscode.Diagnostic(
    new vscode.Range(p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character),
    p.message,
    SEVERITY[p.severity],
  );
  d.source = 'k3d apply';
  d.code = p.code;
  return d;
}

/**
 * The cluster's complaints about documents, placed where they point: an unknown field at its
 * key, an unknown kind at the document's first line.
 */
export async function serverProblems(file: ManifestFile, results: ApplyResult[], order: number[]): Promise<vscode.Diagnostic[]> {
  const { documentHeadSpan, fieldErrorsFromServer, locateField, parseFieldPath } = await loadManifestCore();
  const out: vscode.Diagnostic[] = [];
  for (const r of results) {
    if (!r.problem) continue;
    const doc = file.documents[order[r.index]];
    if (!doc) continue;
    const fields = [
      ...(r.problem.causes ?? []).filter((c) => c.field).map((c) => ({ path: parseFieldPath(c.field ?? ''), message: c.message })),
      ...(r.problem.conflicts ?? []).map((c) => ({ path: parseFieldPath(c.field), message: `conflict: owned by "${c.manager}"` })),
    ];
    if (fields.length === 0) fields.push(...fieldErrorsFromServer(r.problem.message));
    const severity = r.problem.kind === 'conflict' ? 'warning' : 'error';
    if (fields.length === 0) {
      out.push(toDiagnostic({ severity, message: `${r.ref}: ${r.problem.message}`, range: file.rangeOf(documentHeadSpan(doc)), code: r.problem.kind }));
      continue;
    }
    for (const f of fields) {
      const where = locateField(doc, f.path);
      out.push(toDiagnostic({ severity, message: `${r.ref}: ${f.message}`, range: file.rangeOf(where.span), code: r.problem.kind }));
    }
  }
  return out;
}
