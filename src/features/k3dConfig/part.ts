// k3d config files in the editor, past the detection: a lazy part (dist/k3dConfigEditor.js), required when the
// first k3d config file opens or one of this feature's commands first runs.
export { createConfigEditor } from './editor.ts';
export { applyFix, recreate } from './fixes.ts';
export { newConfigFileFromWizard } from './saveFromWizard.ts';
