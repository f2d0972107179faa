// Image tags past their registration: a lazy part (dist/imageTags.js), required when the first YAML file
// opens (lenses, lessons) or a user first runs an image-tag command. Activation only registers.
export { ImageTagsFeature } from './ImageTagsFeature.ts';
export { bumpImageTag, bumpImageTagAndApply, buildAndDeployImage, setImageTag } from './commands.ts';
export { previewPullPolicyFix } from './pullPolicyFix.ts';
