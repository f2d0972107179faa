// What scripts/esbuild.mjs reads from a module's source to decide whether it may be copied into two bundles, and
// which names a feature part takes from the main bundle. Heuristics on the text, tested in
// test/unit/bundleChecks.test.ts; the project's style (one statement per top-level line, semicolons,
// verbatimModuleSyntax) is what makes them enough.

/**
 * Top-level mutable state: a top-level `let`/`var`, or a top-level const holding a new Map/WeakMap/EventEmitter/class
 * instance (not a `new Set([...])` constant, nor one declared Readonly). A declaration whose line, or the line before
 * it, says `copy-safe: <why>` does not count (a memo keyed by what it describes gives the same answers in every copy).
 */
export function holdsState(text) {
  const lines = text.split('\n');
  const state = /^(?:export\s+)?(?:let|var)\s|^(?:export\s+)?const\s+\w+(?:\s*:(?!\s*Readonly)[^=]+)?\s*=\s*new\s+(?!Set\(\[)[\w.]+/;
  return lines.some((line, i) => state.test(line) && !/copy-safe:/.test(line) && !/copy-safe:/.test(lines[i - 1] ?? ''));
}

/** The classes a module exports. */
export function exportedClasses(text) {
  return [...text.matchAll(/^export\s+(?:abstract\s+)?class\s+(\w+)/gm)].map((m) => m[1]);
}

/** The class names a module checks with `instanceof`. */
export function instanceofNames(text) {
  return [...text.matchAll(/instanceof\s+([A-Z]\w*)/g)].map((m) => m[1]);
}

/**
 * The names a module's text imports from `spec` (values only: verbatimModuleSyntax marks every type import), or
 * '*' for a namespace import, `export *` or a dynamic import.
 */
export function importedNames(text, spec) {
  const quoted = `['"]${spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`;
  const names = new Set();
  for (const m of text.matchAll(new RegExp(`(?:import|export)\\s+(?!type\\s)([^;]*?)\\s+from\\s+${quoted}|import\\(\\s*${quoted}`, 'g'))) {
    const clause = m[1];
    if (clause === undefined || /^\*/.test(clause)) {
      names.add('*');
      continue;
    }
    const braced = /\{([^}]*)\}/.exec(clause)?.[1] ?? '';
    for (const part of braced.split(',').map((p) => p.trim()).filter((p) => p && !p.startsWith('type '))) names.add(part.split(/\s+as\s+/)[0]);
    if (/^\w+\s*(,|$)/.test(clause)) names.add('default');
  }
  return names;
}
