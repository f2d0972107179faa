// What the editor adapters use of the manifest core, behind one module that they import
// dynamically (`await import('.../api.ts')`): the `yaml` parser it pulls in then loads when a
// manifest is first read, not when the extension activates.
export { parseManifest } from './documents.ts';
export { sortForApply, sortForDelete } from './kinds.ts';
export { documentHeadSpan, fieldErrorsFromServer, locateField, parseFieldPath } from './paths.ts';
export { hasErrors, validateManifest } from './validate.ts';
export { declaredDeployments } from './declared.ts';
export { decodeManifestBytes } from './decode.ts';
export { applySizeRefusal } from './limits.ts';
