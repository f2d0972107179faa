// The course's later parts deploy with Argo Rollouts and Knative Services: their pod templates get the
// same image lens as a Deployment's, found by shape; a core Service never gets one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, scenario } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';

const FILE = path.join('progressive', 'rollout.yaml');
const TEXT = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 3
  strategy:
    canary:
      steps:
        - setWeight: 20
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  template:
    spec:
      containers:
        - image: ghcr.io/acme/hello:2.0.1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
`;

scenario('workload kinds: an Argo Rollout and a Knative Service get image lenses, a core Service none', 'noK3d', async (ctx) => {
  const { wb, page } = ctx;
  const file = path.join(ctx.workspace, FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, TEXT);
  try {
    await wb.runCommand('View: Close Primary Side Bar').catch(() => wb.dismissQuickInput());
    ctx.step('Ctrl+P progressive/rollout.yaml');
    await wb.quickOpenFile('progressive/rollout.yaml', 'kind: Rollout');
    await wb.codeLens('Bump tag').first().waitFor({ timeout: DEFAULT_TIMEOUT });
    const texts = await waitUntil('a lens on each of the two images', () => wb.codeLensTexts(), (t) => t.filter((x) => x.includes('Bump tag')).length === 2);
    ctx.step(`lenses: ${texts.join(' | ')}`);
    check(texts.some((t) => /1\.4\.2 · semver/.test(t)), `the Rollout's image lens describes 1.4.2: ${texts.join(' | ')}`);
    check(texts.some((t) => /2\.0\.1 · semver/.test(t)), `the Knative Service's image lens describes 2.0.1: ${texts.join(' | ')}`);
    await ctx.shot('image lenses on an Argo Rollout and a Knative Service', 'workload-kinds-lenses');

    ctx.step('click Bump tag on the Rollout, choose the patch version');
    await wb.codeLens('Bump tag').first().click();
    await wb.quickPickRow('1.4.3').first().waitFor({ timeout: DEFAULT_TIMEOUT });
    await page.keyboard.press('Enter');
    const text = await waitUntil('the Rollout\'s tag to become 1.4.3', () => wb.editorText(), (t) => t.includes('image: ghcr.io/acme/web:1.4.3'));
    check(text.includes('image: ghcr.io/acme/hello:2.0.1'), 'the Knative Service\'s image is unchanged');
    await waitUntil('the Rollout\'s lens to describe the new tag', () => wb.codeLensTexts(), (t) => t.some((x) => /1\.4\.3 · semver/.test(x)));
    await ctx.shot('Bump tag on the Rollout wrote 1.4.3');
  } finally {
    await wb.runCommand('File: Revert File').catch(() => wb.dismissQuickInput());
    await wb.runCommand('View: Close All Editors').catch(() => wb.dismissQuickInput());
    fs.rmSync(path.dirname(file), { recursive: true, force: true }); // Quick Open in other scenarios must not find it
  }
});
