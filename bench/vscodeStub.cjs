// A stand-in for the `vscode` module, enough for activate() to run outside VS Code:
// every API member is a callable, constructible, chainable no-op. For the activation benchmark.
'use strict';
function stub(name) {
  const fn = function () { return stub(`${name}()`); };
  return new Proxy(fn, {
    get(_t, prop) {
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === 'then') return undefined; // not a thenable
      if (prop === 'dispose') return () => undefined;
      if (prop === 'event') return () => ({ dispose() {} });
      return stub(`${name}.${String(prop)}`);
    },
    set() { return true; },
    construct() { return stub(`new ${name}`); },
    apply() { return stub(`${name}()`); },
  });
}
// Bundlers copy a module's own keys (esbuild's __toESM), so the top level is a real object.
const names = [
  'window', 'workspace', 'commands', 'languages', 'env', 'extensions', 'debug', 'tasks', 'tests', 'l10n',
  'Uri', 'EventEmitter', 'Disposable', 'ThemeIcon', 'ThemeColor', 'TreeItem', 'TreeItemCollapsibleState', 'MarkdownString',
  'StatusBarAlignment', 'ProgressLocation', 'RelativePattern', 'CodeLens', 'Range', 'Position', 'Selection', 'Location',
  'Diagnostic', 'DiagnosticSeverity', 'DiagnosticRelatedInformation', 'WorkspaceEdit', 'TextEdit', 'ViewColumn',
  'QuickPickItemKind', 'ConfigurationTarget', 'FileType', 'CancellationTokenSource', 'LogLevel', 'CodeAction', 'CodeActionKind',
];
const vscode = {};
for (const n of names) vscode[n] = stub(`vscode.${n}`);
module.exports = vscode;
