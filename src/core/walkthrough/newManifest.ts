// New Manifest: the course's manifests/deployment.yaml for an image the learner names.
import { parseImageReference } from '../manifests/imageReference.ts';

export const MANIFEST_PATH = 'manifests/deployment.yaml';

/** An error message for the input box, or undefined when the image can be used. */
export function imageProblem(text: string): string | undefined {
  const raw = text.trim();
  if (raw === '') return 'Name an image, for example jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64.';
  if (/\s/.test(raw)) return 'An image name has no spaces.';
  const parsed = parseImageReference(raw);
  return parsed.valid ? undefined : parsed.message;
}

/** The app's name from its image: `jakousa/dwk-app1:abc` → `dwk-app1` (a DNS label). */
export function appNameOf(image: string): string {
  const repo = image.trim().split('@')[0];
  const last = repo.slice(repo.lastIndexOf('/') + 1).split(':')[0];
  const label = last.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  return label === '' ? 'app' : label;
}

/** An error message for a name that Kubernetes would refuse, or undefined. */
export function nameProblem(text: string): string | undefined {
  const name = text.trim();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return 'Lowercase letters, digits and "-", starting and ending with a letter or digit (a DNS label).';
  if (name.length > 59) return 'At most 59 characters (with "-dep" the deployment name must stay a valid label).';
  return undefined;
}

/** The course's shape: name, replicas, selector, template labels, one container. */
export function deploymentManifest(app: string, image: string, replicas = 1): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${app}-dep`,
    'spec:',
    `  replicas: ${replicas}`,
    '  selector:',
    '    matchLabels:',
    `      app: ${app}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${app}`,
    '    spec:',
    '      containers:',
    `        - name: ${app}`,
    `          image: ${image.trim()}`,
    '',
  ].join('\n');
}
