// A failed `docker build`, at its Dockerfile line: for the Problems panel. The classic builder
// prints `Step 3/4 : RUN make` before each instruction, so the failing one is the last step
// announced; a parse error names its line (`dockerfile parse error line 5: unknown instruction`);
// BuildKit prints `Dockerfile:5` above the failing instruction.
import { dockerFailureReason, withoutDeprecationNotice } from '../publish/docker.ts';

export interface BuildProblem {
  /** 0-based line of the failing instruction in the Dockerfile. */
  readonly line: number;
  /** What Docker said, cleaned: "COPY failed: file not found in build context ...: stat missing.txt: file does not exist". */
  readonly message: string;
  /** The instruction as the build announced it ("COPY missing.txt /app/"), when known. */
  readonly instruction?: string;
}

/** The 0-based first line of each instruction (comments, blank lines, parser directives and continuations skipped). */
export function instructionLines(dockerfile: string): number[] {
  const lines = dockerfile.split(/\r?\n/);
  const starts: number[] = [];
  let continued = false;
  let escape = '\\';
  let directives = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (directives) {
      const d = trimmed.match(/^#\s*escape\s*=\s*(\S)/i);
      if (d) escape = d[1];
      if (!/^#\s*\w+\s*=/.test(trimmed)) directives = false;
    }
    if (trimmed.startsWith('#') && !continued) continue;
    if (trimmed === '') continue;
    if (!continued) starts.push(i);
    continued = trimmed.endsWith(escape);
  }
  return starts;
}

/** Where and why the build failed, from its output (stdout and stderr, in order) and the Dockerfile's text. */
export function buildProblem(output: readonly string[], dockerfile: string): BuildProblem | undefined {
  const lines = withoutDeprecationNotice(output.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r$/, '')));
  const count = dockerfile.split(/\r?\n/).length;
  const clamp = (n: number) => Math.min(Math.max(n, 0), Math.max(count - 1, 0));
  const reason = dockerFailureReason(lines.filter((l) => !/^\s*(Step \d+\/\d+ :|---> |Sending build context|Removing intermediate container)/.test(l))) ?? 'the build failed';
  for (const l of lines) {
    const parse = l.match(/dockerfile parse error (?:on )?line (\d+): (.*)$/i);
    if (parse) return { line: clamp(Number(parse[1]) - 1), message: `Dockerfile parse error: ${parse[2].trim()}` };
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const kit = lines[i].match(/^\s*(?:Dockerfile|[\w./-]*Dockerfile[\w.-]*):(\d+)\s*$/);
    if (kit) return { line: clamp(Number(kit[1]) - 1), message: reason };
  }
  let step: { index: number; instruction: string } | undefined;
  for (const l of lines) {
    const m = l.match(/^\s*Step (\d+)\/\d+ : (.*)$/);
    if (m) step = { index: Number(m[1]) - 1, instruction: m[2].trim() };
  }
  if (!step) return undefined;
  const starts = instructionLines(dockerfile);
  const line = starts[step.index];
  return line === undefined ? undefined : { line, message: reason, instruction: step.instruction };
}
