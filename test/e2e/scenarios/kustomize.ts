// Kustomize as the course's later repositories use it: the deployed tag lives in an overlay's
// kustomization.yaml (images[].newTag) and the base deployment holds a placeholder image. The
// lens sits on newTag and Bump edits it; the placeholder shows what the overlay makes of it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, scenario } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';

const FOLDER = 'shop';
const FILES: Record<string, string> = {
  'base/todo.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: todo
spec:
  selector:
    matchLabels: {app: todo}
  template:
    metadata:
      labels: {app: todo}
    spec:
      containers:
        - name: todo
          image: PROJECT/IMAGE
`,
  'base/kustomization.yaml': `resources:
  - todo.yaml
`,
  'overlays/prod/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: PROJECT/IMAGE
    newName: registry.example.com/course/todo
    newTag: 1.4.2
`,
};

scenario('kustomize: the lens on an overlay\'s newTag bumps it; the base\'s placeholder shows what it becomes', 'noK3d', async (ctx) => {
  const { wb, page } = ctx;
  const root = path.join(ctx.workspace, FOLDER);
  for (const [file, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  try {
    await wb.runCommand('View: Close Primary Side Bar').catch(() => wb.dismissQuickInput());
    await wb.runCommand('Notifications: Clear All Notifications');
    await wb.quickOpenFile('overlays/prod/kustomization.yaml', 'newTag: 1.4.2');
    await wb.codeLens('Bump tag').first().waitFor({ timeout: DEFAULT_TIMEOUT });
    const summary = await waitUntil('the lens to describe newTag', () => wb.codeLensTexts().then((t) => t[0] ?? ''), (t) => /1\.4\.2 · semver/.test(t));
    ctx.step(`lens: ${summary}`);
    check((await wb.codeLens('Set tag...').count()) > 0, `the newTag lens should offer Set tag...: "${summary}"`);
    check((await wb.codeLens('Bump & Apply').count()) === 0, 'Apply does not run kustomize: no Bump & Apply on a kustomization');
    await ctx.shot('the lens on newTag in the overlay kustomization', 'kustomize-newtag-lens');

    ctx.step('click Bump tag, choose the patch version');
    await wb.codeLens('Bump tag').first().click();
    await wb.quickPickRow('1.4.3').first().waitFor({ timeout: DEFAULT_TIMEOUT });
    await page.keyboard.press('Enter');
    const text = await waitUntil('newTag to become 1.4.3', () => wb.editorText(), (t) => t.includes('newTag: 1.4.3'));
    check(text.includes('newName: registry.example.com/course/todo'), 'the rest of the entry is unchanged');
    await waitUntil('the lens to show the new tag', () => wb.codeLensTexts().then((t) => t[0] ?? ''), (t) => /1\.4\.3 · semver/.test(t));
    await page.keyboard.press('ControlOrMeta+S');
    await waitUntil('the file saved', async () => fs.readFileSync(path.join(root, 'overlays/prod/kustomization.yaml'), 'utf8'), (t) => t.includes('newTag: 1.4.3'));
    await ctx.shot('Bump tag wrote newTag 1.4.3');

    await wb.quickOpenFile(`${FOLDER}/base/todo.yaml`, 'image: PROJECT/IMAGE');
    const rewritten = await waitUntil(
      'the placeholder\'s lens to say what the overlay makes of it',
      () => wb.codeLensTexts().then((t) => t[0] ?? ''),
      (t) => t.includes('kustomize: becomes registry.example.com/course/todo:1.4.3'),
    );
    ctx.step(`lens: ${rewritten}`);
    check(!/invalid image/.test(rewritten), `no invalid-image lens on a rewritten placeholder: "${rewritten}"`);
    await page.waitForTimeout(1000); // the lessons run a moment after opening
    check((await page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').count()) === 0, 'no InvalidImageName warning on the placeholder');
    await ctx.shot('the base placeholder shows what the overlay builds', 'kustomize-placeholder-lens');
  } finally {
    await wb.runCommand('View: Close All Editors').catch(() => wb.dismissQuickInput());
    fs.rmSync(root, { recursive: true, force: true }); // Quick Open in other scenarios must not find these files
  }
});
