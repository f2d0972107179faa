// Typing in a long manifest, key by key, as a person edits one: each keystroke is a new version of
// the file that the lens cache reads as an edit of the one before (core/manifests/incremental.ts),
// so the documents the edit did not touch keep what was read of them, moved. The lenses must follow
// the text: on the edited line, on a document typed in, and on the last document far below, whose
// Bump tag must still write exactly its own tag.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, scenario } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';

const FOLDER = 'typing';
const COUNT = 400;
/** Runs of the scenario in this process: a retry writes a file of its own (see below). */
let runs = 0;

/** 400 documents (a quarter of them ConfigMaps without an image), about 190 KB: under the lens limit. */
function manifest(): string {
  const docs: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    if (i % 4 === 3) {
      docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-${i}\ndata:\n  LEVEL: info # not an image\n`);
      continue;
    }
    docs.push(`# team ${i % 7}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-${i}\nspec:\n  selector:\n    matchLabels: {app: svc-${i}}\n  template:\n    metadata:\n      labels: {app: svc-${i}}\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/svc-${i}:1.${i}.0\n`);
  }
  return docs.join('---\n');
}

/** Typed after svc-200's image line: a new document. */
const TYPED = '\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: typed\nspec:\n  containers:\n    - name: c\n      image: ghcr.io/acme/typed:0.1.0';

scenario('typing: key by key in a 400-document manifest, the lenses follow the text; a document typed in gets its lens; Bump on the last document writes only its tag', 'noK3d', async (ctx) => {
  const { wb, page } = ctx;
  // VS Code reopens a file where it was last left: a retry must not find the failed run's, scrolled to its end.
  runs++;
  const FILE = path.join(FOLDER, runs === 1 ? 'services.yaml' : `services-${runs}.yaml`);
  const file = path.join(ctx.workspace, FILE);
  const original = manifest();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, original);
  const lines = original.split('\n');
  const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
  const goToLine = async (line: number) => {
    await page.keyboard.press('Control+G');
    await wb.quickInputBox().waitFor({ state: 'visible', timeout: DEFAULT_TIMEOUT });
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
  };
  try {
    await wb.runCommand('View: Close Primary Side Bar').catch(() => wb.dismissQuickInput());
    ctx.step(`Ctrl+P ${FILE} (${COUNT} documents, ${Math.round(original.length / 1024)} KB)`);
    await wb.quickOpenFile(FILE, 'svc-0');
    await wb.codeLens('Bump tag').first().waitFor({ timeout: DEFAULT_TIMEOUT });

    const target = lineOf('image: ghcr.io/acme/svc-200:1.200.0');
    ctx.step(`Ctrl+G ${target}, End, Backspace ×5, type "201.3" one key at a time`);
    await goToLine(target);
    await waitUntil('the lens of svc-200', () => wb.codeLensTexts(), (t) => t.some((x) => /1\.200\.0 · semver/.test(x)));
    await page.keyboard.press('End');
    for (let i = 0; i < 5; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('201.3', { delay: 120 });
    const typed = await waitUntil('the lens to describe the typed tag', () => wb.codeLensTexts(), (t) => t.some((x) => /1\.201\.3 · semver/.test(x)));
    ctx.step(`lenses around it: ${typed.filter((x) => /1\.(199|20\d)\.\d · semver/.test(x)).map((x) => x.replace(/ \| .*/, '')).join(' | ')}`);
    check(!typed.some((x) => /1\.200\.0 · semver/.test(x)), `no lens should still describe the old tag: ${typed.join(' | ')}`);
    check(typed.some((x) => /1\.201\.0 · semver/.test(x)), `the next Deployment's lens (carried over) should still describe its own tag: ${typed.join(' | ')}`);
    await ctx.shot('typed key by key: the lens describes the new tag, the neighbours keep theirs', 'typing-tag');

    ctx.step('End, type a new Pod document after it, line by line');
    await page.keyboard.press('End');
    // Line by line, each key a new version of the file: the `---` line splits the document as it forms.
    // The editor indents a new line like the one above; a person fixes that by hand, and so does this:
    // close the word suggestions (Enter would accept one), Enter, Shift+Home over the indentation, the line.
    // A suggestion can open a moment after a line's last key, after an Escape pressed at once: wait for it.
    const closeSuggestions = async () => {
      await page.waitForTimeout(150);
      await page.keyboard.press('Escape');
      for (let i = 0; i < 3 && (await page.locator('.monaco-editor .suggest-widget.visible').count()) > 0; i++) {
        await page.waitForTimeout(100);
        await page.keyboard.press('Escape');
      }
    };
    for (const line of TYPED.split('\n').slice(1)) {
      await closeSuggestions();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Shift+Home');
      if (line === '') await page.keyboard.press('Backspace');
      else await page.keyboard.type(line, { delay: 15 });
    }
    const near = (all: string[]) => all.filter((x) => /(1\.(199|20\d)\.\d|0\.1\.0) · semver/.test(x)).map((x) => x.replace(/ \| .*/, '').trim());
    const typedLens = await waitUntil('the typed document\'s lens', () => wb.codeLensTexts(), (t) => t.some((x) => /0\.1\.0 · semver/.test(x))).catch(async (e: Error) => {
      const shown = await wb.editorText();
      const at = shown.indexOf('svc-200:');
      throw new Error(`${e.message}\nthe editor around the typed document: ${JSON.stringify(shown.slice(Math.max(0, at), at + 400))}`);
    });
    const around = near(typedLens);
    ctx.step(`lenses around it: ${around.join(' | ')}`);
    for (const want of ['1.201.3', '0.1.0', '1.201.0', '1.202.0']) check(around.includes(`${want} · semver`), `a lens should describe ${want} (svc-200's typed tag, the typed Pod, svc-201, svc-202): ${around.join(' | ')}`);
    await ctx.shot('a document typed in line by line: its own lens, the documents around it keep theirs', 'typing-document');

    const last = COUNT - 2; // the last Deployment (the last document is a ConfigMap)
    ctx.step(`Ctrl+End: the last Deployment, svc-${last}, far below the edits`);
    await page.keyboard.press('Control+End');
    const bottom = await waitUntil(`the lens of svc-${last}`, () => wb.codeLensTexts(), (t) => t.some((x) => new RegExp(`1\\.${last}\\.0 · semver`).test(x)));
    ctx.step(`lenses at the end: ${bottom.filter((x) => /1\.39\d\.\d · semver/.test(x)).map((x) => x.replace(/ \| .*/, '').trim()).join(' | ')}`);
    await ctx.shot('the last document\'s lens after the edits above it', 'typing-end');

    ctx.step(`click its Bump tag, choose 1.${last}.1, save`);
    // Monaco keeps every lens of the file in the page; the one to click is on svc-${last}'s line.
    const lens = page.locator('.editor-group-container.active .monaco-editor .codelens-decoration', { hasText: `1.${last}.0 · semver` });
    // Clicked a moment after Ctrl+End brought it into view (see clickCodeLens).
    await wb.clickCodeLens(lens.locator('a', { hasText: /^Bump tag$/ }), wb.quickPickRow(`1.${last}.1`));
    await page.keyboard.press('Enter');
    await waitUntil('the bumped tag in the editor', () => wb.editorText(), (t) => t.includes(`image: ghcr.io/acme/svc-${last}:1.${last}.1`));
    await waitUntil('its lens to describe the new tag', () => wb.codeLensTexts(), (t) => t.some((x) => new RegExp(`1\\.${last}\\.1 · semver`).test(x)));
    await ctx.shot(`Bump tag on svc-${last} wrote 1.${last}.1 on its own line`, 'typing-bumped');
    await page.keyboard.press('Control+S');
    const expected = original
      .replace('image: ghcr.io/acme/svc-200:1.200.0\n', `image: ghcr.io/acme/svc-200:1.201.3${TYPED}\n`)
      .replace(`image: ghcr.io/acme/svc-${last}:1.${last}.0\n`, `image: ghcr.io/acme/svc-${last}:1.${last}.1\n`);
    const saved = await waitUntil('the saved file', async () => fs.readFileSync(file, 'utf8'), (t) => t === expected, 10_000).catch(() => fs.readFileSync(file, 'utf8'));
    const firstDiff = [...saved].findIndex((c, i) => c !== expected[i]);
    check(saved === expected, `the saved file should be the original with the typed tag, the typed document and the bumped tag, nothing else (first difference at ${firstDiff}: ${JSON.stringify(saved.slice(Math.max(0, firstDiff - 40), firstDiff + 40))})`);
    ctx.step(`saved: ${saved.length} bytes, exactly the three edits`);
  } finally {
    await wb.runCommand('View: Close All Editors').catch(() => wb.dismissQuickInput());
    if ((await wb.dialog().count()) > 0) await wb.clickDialogButton("Don't Save").catch(() => undefined);
    fs.rmSync(path.join(ctx.workspace, FOLDER), { recursive: true, force: true }); // Quick Open in other scenarios must not find it
  }
});
