// The sample workspace the course works in: manifests/deployment.yaml, the Deployment of the
// course's app (hashgenerator) that every step of the course applies, edits and re-applies.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SAMPLE_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hashgenerator-dep
spec:
  replicas: 1
  selector:
    matchLabels:
      app: hashgenerator
  template:
    metadata:
      labels:
        app: hashgenerator
    spec:
      containers:
        - name: hashgenerator
          image: jakousa/dwk-app1:b7fc18de2376da80ff0cfc72cf581a9f94d10e64
`;

/** Creates `dir` with manifests/deployment.yaml unless it exists (the user's edits survive). */
export function ensureSampleWorkspace(dir: string): string {
  const manifest = path.join(dir, 'manifests', 'deployment.yaml');
  if (!fs.existsSync(manifest)) {
    fs.mkdirSync(path.dirname(manifest), { recursive: true });
    fs.writeFileSync(manifest, SAMPLE_DEPLOYMENT);
  }
  return dir;
}
