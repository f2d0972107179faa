// What a person does in VS Code, as Playwright steps against code-server's workbench: click the
// activity bar, read and right-click tree rows, run palette commands, answer quick inputs and
// dialogs, read notifications. Selectors are VS Code's own DOM classes and ARIA roles.
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { pollUntil } from '../../lib/poll.ts';

export const DEFAULT_TIMEOUT = 20_000;

export class Workbench {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  /** Loads the workbench and waits until extensions have activated (the status bar says so). */
  async open(url: string): Promise<void> {
    await this.page.goto(url, { timeout: 120_000 }); // the first load compiles a lot: over 20 s on a busy 2-core machine
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.locator('.activitybar [role="tab"]').first().waitFor({ timeout: 60_000 });
  }

  /** Drags the sash at the side bar's edge so that it is about `width` pixels wide (tree descriptions fit). */
  async resizeSideBar(width: number): Promise<void> {
    const box = await this.sideBar().boundingBox();
    if (!box) return;
    const edge = box.x + box.width;
    const sashes = await this.page.locator('.monaco-sash.vertical').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2, height: r.height };
      }),
    );
    const sash = sashes.filter((s) => s.height > 100).sort((a, b) => Math.abs(a.x - edge) - Math.abs(b.x - edge))[0];
    if (!sash || Math.abs(sash.x - edge) > 20) return;
    await this.page.mouse.move(sash.x, sash.y);
    await this.page.mouse.down();
    await this.page.mouse.move(sash.x + (box.x + width - edge), sash.y, { steps: 10 });
    await this.page.mouse.up();
    await this.page.mouse.move(box.x + width + 300, sash.y); // away, so no hover is left behind
  }

  // ---- activity bar and views ----

  /** The activity bar icon whose hover label is `title` (e.g. "k3d"). */
  activityBarItem(title: string): Locator {
    return this.page.locator('.activitybar [role="tab"]').filter({ has: this.page.locator(activityLabelSelector(title)) });
  }

  /** Clicks the activity bar icon unless its container is already showing. */
  async openViewContainer(title: string): Promise<void> {
    const tab = this.activityBarItem(title);
    await tab.waitFor({ timeout: DEFAULT_TIMEOUT });
    if ((await tab.getAttribute('aria-selected')) !== 'true') {
      await tab.locator(activityLabelSelector(title)).click();
      await this.page.mouse.move(700, 500); // the icon's hover label would cover the view
    }
    // The header reads "k3d" or, with a single view, "k3d: Clusters".
    await this.page.locator('.part.sidebar .composite.title h2', { hasText: new RegExp(`^${escapeRegExp(title)}(:|$)`, 'i') }).waitFor({ timeout: DEFAULT_TIMEOUT });
  }

  /** A view pane of the side bar, by the view's title (e.g. "Clusters"); its header may be hidden when it is alone. */
  viewPane(title: string): Locator {
    // The header's aria-label also carries the view's description ("Clusters - simulated k3d Section").
    return this.page.locator('.part.sidebar .pane').filter({
      has: this.page.locator('.pane-header h3.title', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    });
  }

  /** The side bar's content, where a lone view's tree and welcome content render. */
  sideBar(): Locator {
    return this.page.locator('.part.sidebar');
  }

  /** A tree row whose visible label is exactly `label`. */
  treeItem(label: string, scope: Locator = this.sideBar()): Locator {
    return scope.locator('.monaco-list-row[role="treeitem"]', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    });
  }

  /** The description (grey text beside the label) of a tree row. */
  async treeItemDescription(row: Locator): Promise<string> {
    return ((await row.locator('.label-description').first().textContent()) ?? '').trim();
  }

  /**
   * Labels of the visible rows below an expanded row, down to the next row at its level or above.
   * depth 1 = its children only.
   */
  async descendantLabels(parentLabel: string, scope: Locator = this.sideBar(), depth = 1): Promise<string[]> {
    const rows = scope.locator('.monaco-list-row[role="treeitem"]');
    const all = await rows.evaluateAll((els) =>
      els
        .map((el) => ({
          level: Number(el.getAttribute('aria-level') ?? 0),
          index: Number(el.getAttribute('data-index') ?? 0),
          label: (el.querySelector('.label-name')?.textContent ?? '').trim(),
        }))
        .sort((a, b) => a.index - b.index),
    );
    const start = all.findIndex((row) => row.label === parentLabel);
    if (start < 0) return [];
    const level = all[start]!.level;
    const found: string[] = [];
    for (const row of all.slice(start + 1)) {
      if (row.level <= level) break;
      if (row.level <= level + depth) found.push(row.label);
    }
    return found;
  }

  /**
   * Opens a tree row. A row whose children arrive after it was clicked open (a pod's Events, a new
   * ReplicaSet's pods) is shown collapsed again, or was not yet expandable when clicked: a person
   * clicks it open again, and so does this, a moment after each click.
   */
  async expand(row: Locator): Promise<void> {
    await waitUntil('aria-expanded=true', async () => {
      const state = await row.getAttribute('aria-expanded');
      if (state !== 'false') return state;
      await row.locator('.monaco-tl-twistie').click();
      await this.page.waitForTimeout(500);
      return row.getAttribute('aria-expanded');
    }, (v) => v === 'true');
  }

  /**
   * Right-clicks `target` and chooses `action` from its context menu.
   *
   * `ifAsked`: a tree row refreshed between the menu opening and the click (a pod's status or
   * events changing) can reach VS Code's command without its row, and the command then asks which
   * item is meant, as it does from the palette. A person answers with the row they clicked; so does
   * this, and says so in `onAsked`. Returns whether it had to answer.
   */
  async contextMenu(target: Locator, action: string, ifAsked?: { onAsked(question: string): void }): Promise<boolean> {
    const menu = this.page.locator('.monaco-menu').filter({ visible: true });
    const item = menu.locator('.action-item a.action-menu-item', {
      has: this.page.locator('.action-label', { hasText: new RegExp(`^${escapeRegExp(action)}$`) }),
    });
    const isRow = (await target.getAttribute('role').catch(() => null)) === 'treeitem';
    const label = isRow ? ((await target.locator('.label-name').first().textContent().catch(() => '')) ?? '').trim() : '';
    // A list row that moved between finding it and the click (rows of an earlier scenario's cluster
    // going away above it, or a new workload's rows coming in) leaves the menu on another row: that
    // row, not the target, has the focus, and the menu may lack `action`. Close that menu and
    // right-click the target where it is now.
    for (let attempt = 1; ; attempt++) {
      await target.click({ button: 'right' });
      if (!isRow || attempt === 4) break;
      await menu.first().waitFor({ timeout: DEFAULT_TIMEOUT }).catch(() => undefined);
      const focused = /\bfocused\b/.test((await target.getAttribute('class').catch(() => '')) ?? '');
      if (focused && (await item.first().waitFor({ timeout: 3000 }).then(() => true, () => false))) break;
      await this.page.keyboard.press('Escape');
      await menu.first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    }
    await item.first().waitFor({ timeout: DEFAULT_TIMEOUT });
    // The menu ignores a click that comes too soon after it opened (the right button's release
    // lands on it too), so point at the item first, like a hand does, and make sure it closed.
    await item.first().hover();
    await this.page.waitForTimeout(250);
    await item.first().click();
    if (await menu.isVisible().catch(() => false)) {
      await this.page.waitForTimeout(250);
      if (await item.first().isVisible().catch(() => false)) await this.page.keyboard.press('Enter');
    }
    await menu.waitFor({ state: 'hidden', timeout: 5000 });
    if (!ifAsked || !label) return false;
    const answer = this.quickPickRow(label).first();
    if (!(await answer.waitFor({ timeout: 1500 }).then(() => true, () => false))) return false;
    ifAsked.onAsked((await this.quickInputStep()).placeholder);
    await answer.click();
    return true;
  }

  // ---- the editor ----

  /** The text of the active editor, with the non-breaking spaces the editor renders made plain. */
  async editorText(): Promise<string> {
    return ((await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
  }

  /** The CodeLens links titled `title` in the active editor. */
  codeLens(title: string | RegExp): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor .codelens-decoration a', { hasText: typeof title === 'string' ? new RegExp(`^${escapeRegExp(title)}$`) : title });
  }

  /**
   * Clicks a CodeLens (the first match of `lens`) and waits for `opened`, what its command shows. A lens
   * that has just scrolled into view may still carry the commands of the file's previous lenses for a
   * moment (VS Code updates them in the viewport a little later, and after a refresh): clicked then, it
   * runs nothing and VS Code says "Actual command not found". Then the lens is clicked again.
   */
  async clickCodeLens(lens: Locator, opened: Locator, attempts = 3): Promise<void> {
    for (let attempt = 1; attempt < attempts; attempt++) {
      await lens.first().click();
      if (await opened.first().waitFor({ timeout: 5_000 }).then(() => true, () => false)) return;
    }
    await lens.first().click();
    await opened.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  }

  /** Each CodeLens line of the active editor, as shown. */
  async codeLensTexts(): Promise<string[]> {
    return (await this.page.locator('.editor-group-container.active .monaco-editor .codelens-decoration').allTextContents()).map((t) => t.replace(/\u00a0/g, ' '));
  }

  /**
   * Opens a workspace file with Quick Open, as a person does, and waits until the editor shows
   * `shows`. The row is picked by name and folder: before the search answers, Quick Open lists
   * recently opened files first, and a file made a moment ago appears once the search has it (Quick
   * Open is opened again when its row does not come or cannot be clicked).
   */
  async quickOpenFile(relative: string, shows: string): Promise<void> {
    let row = this.quickInput().locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(path.basename(relative))}$`) }) });
    const folder = path.dirname(relative);
    if (folder !== '.') row = row.filter({ has: this.page.locator('.label-description', { hasText: folder }) });
    const open = async (timeout: number) => {
      await this.dismissQuickInput();
      await this.page.keyboard.press('ControlOrMeta+P');
      await this.quickInputBox().waitFor({ state: 'visible' });
      await this.page.keyboard.type(relative);
      await row.first().waitFor({ timeout });
      await row.first().click({ timeout: Math.min(timeout, 5_000) });
    };
    // Asked again when a search answered before the file was indexed ("No matching results"), or when the
    // list moved and Quick Open closed before its row could be clicked (seen in the walkthrough).
    await open(7_000)
      .catch(() => open(7_000))
      .catch(() => open(DEFAULT_TIMEOUT));
    await waitUntil(`${relative} in the editor`, () => this.editorText(), (t) => t.includes(shows));
  }

  // ---- command palette and quick input ----

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  quickInputBox(): Locator {
    return this.quickInput().locator('.quick-input-box input');
  }

  /** Runs a command from the palette by its palette label, e.g. "k3d: Create Cluster...". */
  async runCommand(label: string): Promise<void> {
    await this.dismissQuickInput();
    await this.page.keyboard.press('F1');
    const box = this.quickInputBox();
    await box.waitFor({ state: 'visible', timeout: DEFAULT_TIMEOUT });
    await box.fill(`>${label}`);
    const row = this.quickPickRow(label);
    await row.first().waitFor({ timeout: DEFAULT_TIMEOUT });
    await row.first().click();
  }

  /** A row of the visible quick pick whose label is `label` (after any $(icon)). */
  quickPickRow(label: string): Locator {
    return this.quickInput().locator('.quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`(^|\\s)${escapeRegExp(label)}$`) }),
    });
  }

  /**
   * Clicks the row `label` of the visible quick pick and makes sure the click was taken: the quick
   * input closes or moves to another step. A click that lands while a step's rows are still being
   * replaced is lost, and the pick then waits for ever; click again (up to three times).
   */
  async pickRow(label: string): Promise<void> {
    const row = this.quickPickRow(label).first();
    await row.waitFor({ timeout: DEFAULT_TIMEOUT });
    const before = await this.readQuickInputStep();
    const moved = async () => {
      if (!(await this.quickInput().isVisible())) return true;
      const now = await this.readQuickInputStep();
      return now.title !== before.title || now.placeholder !== before.placeholder;
    };
    for (let attempt = 1; attempt <= 3; attempt++) {
      await row.click({ timeout: 5000 }).catch(() => undefined);
      if (await pollUntil(`the pick of ${label} to be taken`, moved, (m) => m, { timeoutMs: 3000, intervalMs: 100 }).then(() => true, () => false)) return;
    }
    throw new Error(`the quick pick did not take the choice ${label} (still at "${before.title}")`);
  }

  /**
   * The visible quick input's title, message (an input box's prompt or validation) and placeholder,
   * for recognising a wizard step. The palette has no title, so a step is told apart from it.
   */
  async quickInputStep(): Promise<QuickInputStep> {
    // Title, prompt and placeholder change one after another when a step follows a step: read
    // until two readings agree.
    let previous = await this.readQuickInputStep();
    for (let i = 0; i < 20; i++) {
      await this.page.waitForTimeout(150);
      const current = await this.readQuickInputStep();
      if (JSON.stringify(current) === JSON.stringify(previous)) return current;
      previous = current;
    }
    return previous;
  }

  private async readQuickInputStep(): Promise<QuickInputStep> {
    const widget = this.quickInput();
    if (!(await widget.isVisible())) return { title: '', message: '', placeholder: '', isPick: false };
    const visibleText = async (selector: string) => {
      const el = widget.locator(selector).first();
      return (await el.isVisible()) ? ((await el.textContent()) ?? '').trim() : '';
    };
    return {
      title: await visibleText('.quick-input-title'),
      message: await visibleText('.quick-input-message'),
      placeholder: (await this.quickInputBox().getAttribute('placeholder')) ?? '',
      isPick: await widget.locator('.quick-input-list .monaco-list-row').first().isVisible(),
    };
  }

  async quickInputVisible(): Promise<boolean> {
    return this.quickInput().isVisible();
  }

  /** Replaces the quick input's text with `value`, like a person typing (Enter not pressed). */
  async typeInput(value: string): Promise<void> {
    const box = this.quickInputBox();
    for (let attempt = 1; attempt <= 3; attempt++) {
      await box.waitFor({ state: 'visible', timeout: DEFAULT_TIMEOUT });
      // A shown input box has the focus already; focus() (not click()) tolerates its slide-in.
      await box.focus();
      await this.page.keyboard.press('ControlOrMeta+A');
      if (value === '') await this.page.keyboard.press('Backspace');
      else await this.page.keyboard.type(value);
      // Keys typed while the palette gives way to the command's own box are lost: the box then shows the
      // text without its start ("7.0.0.1:44129/..." for an address). Type it again.
      if ((await box.inputValue().catch(() => value)) === value) return;
      await this.page.waitForTimeout(200);
    }
  }

  /** Types `value` into the quick input and presses Enter. */
  async answerInput(value: string): Promise<void> {
    await this.typeInput(value);
    await this.page.keyboard.press('Enter');
  }

  /**
   * Types `value` into a lone input box (not a wizard's step: the next step reuses the box) and submits it. An Enter
   * the box did not take is pressed again while it still shows `value`, up to three times: CI has twice seen the
   * typed text left in the box, after focus had been elsewhere (a terminal, a notification).
   */
  async submitInput(value: string): Promise<void> {
    const box = this.quickInputBox();
    await this.typeInput(value);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await this.page.keyboard.press('Enter');
      const still = () => box.isVisible().then((shown) => (shown ? box.inputValue().then((v) => v === value) : false), () => false);
      const taken = await waitUntil('the input box to take its value', still, (s) => !s, 3000).then(() => true, () => false);
      if (taken) return;
      await box.focus();
    }
    throw new Error(`the input box did not take "${value}" after three Enters`);
  }

  async dismissQuickInput(): Promise<void> {
    for (let i = 0; i < 3 && (await this.quickInput().isVisible()); i++) {
      await this.page.keyboard.press('Escape');
      await this.page.waitForTimeout(150);
    }
  }

  // ---- dialogs and notifications ----

  dialog(): Locator {
    return this.page.locator('.monaco-dialog-box');
  }

  async dialogMessage(): Promise<string> {
    return ((await this.dialog().locator('.dialog-message').textContent()) ?? '').trim();
  }

  async clickDialogButton(name: string): Promise<void> {
    await this.dialog().getByRole('button', { name, exact: true }).click();
  }

  /** A notification toast that shows progress (a cancellable operation, e.g. k3d creating a cluster). */
  progressNotification(): Locator {
    return this.notificationToasts().filter({ has: this.page.locator('.monaco-progress-container:not(.done)') });
  }

  notificationToasts(): Locator {
    return this.page.locator('.notifications-toasts .notification-toast');
  }

  /** A visible notification toast whose message matches `text`. */
  notification(text: RegExp | string): Locator {
    return this.notificationToasts().filter({ has: this.page.locator('.notification-list-item-message', { hasText: text }) });
  }

  async clearNotifications(): Promise<void> {
    const toasts = this.notificationToasts();
    while ((await toasts.count()) > 0) {
      const toast = toasts.first();
      await toast.hover();
      const close = toast.locator('.codicon-notifications-clear, .codicon-close').first();
      if (!(await close.isVisible())) break;
      await close.click();
      await this.page.waitForTimeout(100);
    }
  }

  /** Status bar entries' texts. */
  async statusBarTexts(): Promise<string[]> {
    return this.page.locator('.statusbar .statusbar-item').evaluateAll((els) => els.map((el) => (el.textContent ?? '').trim()).filter(Boolean));
  }
}

export interface QuickInputStep {
  title: string;
  message: string;
  placeholder: string;
  isPick: boolean;
}

/** The icon link of an activity bar tab: its aria-label is the title, maybe with a keybinding. */
function activityLabelSelector(title: string): string {
  return `a.action-label[aria-label="${title}"], a.action-label[aria-label^="${title} ("]`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Polls `read` until `accept` holds; throws with the last value read. */
export function waitUntil<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = DEFAULT_TIMEOUT): Promise<T> {
  return pollUntil(what, read, accept, { timeoutMs, intervalMs: 250 });
}

