import type { PathSegment } from './node.ts';
import type { Range, Span } from './text.ts';

export type ProblemSeverity = 'error' | 'warning' | 'info';

/** Something wrong in a manifest, where it is and what to say; the adapter makes a Diagnostic of it. */
export interface ManifestProblem {
  readonly severity: ProblemSeverity;
  /** Stable id for quick fixes and tests: `yaml.BAD_INDENT`, `k8s.missingField`, `lesson.latestTag`... */
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  /** Zero-based line/character of `span`, like a `vscode.Range`. */
  readonly range: Range;
  readonly documentIndex: number;
  /** The field the problem is about, when there is one (`spec.replicas`). */
  readonly path?: readonly PathSegment[];
}
