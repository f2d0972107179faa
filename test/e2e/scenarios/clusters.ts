// The Clusters view and a cluster's lifecycle, as a person does them.
import { k3dOk } from '../../../scripts/lib/k3dEnv.ts';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';
import type { QuickInputStep, Workbench } from '../lib/workbench.ts';

const CONTAINER = 'k3d';
const VIEW = 'Clusters';
/** The cluster the wizard creates; Stop, Start and Delete then work on it. */
const NEW_CLUSTER = 'e2e-wizard';
/** How long a simulated create/start may take in the UI (the simulator runs at E2E_SIM_SPEED). */
const LIFECYCLE_TIMEOUT = 60_000;

async function openClustersView(wb: Workbench): Promise<void> {
  // Toasts left from an earlier scenario would clutter its screenshots.
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.openViewContainer(CONTAINER);
  await wb.viewPane(VIEW).first().waitFor({ timeout: DEFAULT_TIMEOUT });
}

function clusterRow(wb: Workbench, name: string) {
  return wb.treeItem(name, wb.viewPane(VIEW));
}

/** Waits until the cluster's row description satisfies `accept`; returns the description. */
function waitForClusterDescription(wb: Workbench, name: string, what: string, accept: (description: string) => boolean, timeoutMs = LIFECYCLE_TIMEOUT): Promise<string> {
  return waitUntil(`cluster '${name}' to show ${what}`, () => wb.treeItemDescription(clusterRow(wb, name)), accept, timeoutMs);
}

const isRunning = (d: string) => /\brunning\b/.test(d) && !/partly/.test(d) && /servers 1\/1/.test(d) && /agents 2\/2/.test(d);
const isStopped = (d: string) => /\bstopped\b/.test(d) && /servers 0\/1/.test(d) && /agents 0\/2/.test(d);

/** Clicks the view's Refresh button (title bar), as a person would after changing things outside VS Code. */
async function refreshView(wb: Workbench): Promise<void> {
  const button = wb.viewPane(VIEW).locator('.actions a.action-label[aria-label^="Refresh"]').or(wb.page.locator('.sidebar .title-actions a.action-label[aria-label^="Refresh"]'));
  await button.first().click();
}

/**
 * Makes sure NEW_CLUSTER exists in `state` even when an earlier scenario failed to get it there
 * (setup through the simulated CLI, then Refresh in the view), so that each scenario tests one thing.
 */
async function ensureNewCluster(ctx: ScenarioContext, state: 'running' | 'stopped'): Promise<void> {
  const { wb, sim } = ctx;
  check(sim, 'this scenario needs the simulated k3d');
  const row = clusterRow(wb, NEW_CLUSTER);
  const description = (await row.count()) > 0 ? await wb.treeItemDescription(row) : '';
  const wanted = state === 'running' ? isRunning : isStopped;
  if (wanted(description)) return;
  ctx.step(`setup: cluster '${NEW_CLUSTER}' was "${description}", bringing it to ${state} with the simulated k3d CLI`);
  const list = JSON.parse(await k3dOk(sim, ['cluster', 'list', '-o', 'json'])) as { name: string }[];
  if (!list.some((c) => c.name === NEW_CLUSTER)) await k3dOk(sim, ['cluster', 'create', NEW_CLUSTER, '-a', '2']);
  await k3dOk(sim, ['cluster', state === 'running' ? 'start' : 'stop', NEW_CLUSTER]);
  await refreshView(wb);
  await waitForClusterDescription(wb, NEW_CLUSTER, state, wanted);
}

/**
 * Shows a cluster's node containers (k3d-<cluster>-...) and returns their labels. They are the
 * cluster's children, or sit in a child group such as "Containers" that is expanded first.
 */
async function showNodeContainers(ctx: ScenarioContext, cluster: string): Promise<string[]> {
  const { wb } = ctx;
  const pane = wb.viewPane(VIEW);
  const isNode = (label: string) => label.startsWith(`k3d-${cluster}-`) && !label.endsWith('-tools');
  const children = await waitUntil(`the children of ${cluster}`, () => wb.descendantLabels(cluster, pane), (l) => l.length > 0);
  if (!children.some(isNode)) {
    const group = children.find((label) => /container|node/i.test(label));
    check(group, `no node containers and no Containers group under ${cluster}: ${JSON.stringify(children)}`);
    ctx.step(`expand ${cluster} > ${group}`);
    await wb.expand(wb.treeItem(group, pane).first());
  }
  return (await waitUntil(`node containers under ${cluster}`, () => wb.descendantLabels(cluster, pane, 2), (l) => l.filter(isNode).length >= 4)).filter(isNode);
}

scenario('the k3d view lists the simulated cluster with its 4 node containers', 'simulated', async (ctx) => {
  const { wb } = ctx;
  ctx.step('click the k3d icon in the activity bar');
  await openClustersView(wb);
  const row = clusterRow(wb, 'k3s-default');
  await row.waitFor({ timeout: DEFAULT_TIMEOUT });
  const description = await waitForClusterDescription(wb, 'k3s-default', 'running with 1 server and 2 agents', isRunning, DEFAULT_TIMEOUT);
  check(/simulated/.test(description), `the cluster should be marked simulated: "${description}"`);
  ctx.step(`k3s-default: "${description}"; expand it`);
  const status = await waitUntil('the current context in the status bar', () => wb.statusBarTexts(), (t) => t.some((x) => x.includes('k3d-k3s-default')));
  ctx.step(`status bar: ${status.join(' | ')}`);
  await wb.expand(row);
  const expected = ['k3d-k3s-default-server-0', 'k3d-k3s-default-agent-0', 'k3d-k3s-default-agent-1', 'k3d-k3s-default-serverlb'];
  const nodes = await showNodeContainers(ctx, 'k3s-default');
  check(expected.every((n) => nodes.includes(n)) && nodes.length === 4, `expected exactly the 4 node containers ${JSON.stringify(expected)}, got ${JSON.stringify(nodes)}`);
  for (const name of expected) {
    const nodeDescription = await wb.treeItemDescription(wb.treeItem(name, wb.viewPane(VIEW)));
    check(/running/.test(nodeDescription), `${name} should be running: "${nodeDescription}"`);
  }
  // Let the rest of the cluster's subtree finish loading for a tidy screenshot (not asserted here).
  await waitUntil('the tree to finish loading', () => wb.descendantLabels('k3s-default', wb.viewPane(VIEW), 3), (l) => !l.some((x) => /^Loading/i.test(x)), 10_000).catch(() => undefined);
  await ctx.shot('clusters view with k3s-default and its nodes', 'clusters-view');
});

/** What tells wizard steps apart: the title's "(n/N)" counter when it has one. */
function stepKey(step: QuickInputStep): string {
  return /\(\d+\/\d+\)/.test(step.title) ? step.title : `${step.title}|${step.message}|${step.placeholder}|${step.isPick}`;
}

scenario('Create Cluster through the palette wizard (name, 2 agents) shows a new running cluster', 'simulated', async (ctx) => {
  const { wb } = ctx;
  await openClustersView(wb);
  ctx.step('F1, k3d: Create Cluster...');
  await wb.runCommand('k3d: Create Cluster...');
  // Answer whatever step the wizard shows, recognised by its title ("Create k3d Cluster (2/5)"),
  // prompt and placeholder; a step is new when that text changes.
  const asked: string[] = [];
  let previous = '';
  for (let i = 0; i < 8; i++) {
    const step = await waitUntil(
      'the next wizard step',
      () => wb.quickInputStep(),
      (s) => /create/i.test(s.title) && stepKey(s) !== previous,
      // After the last answer no step follows: a short wait ends the loop.
      i === 0 ? DEFAULT_TIMEOUT : 4000,
    ).catch(() => undefined);
    if (!step) break;
    previous = stepKey(step);
    const text = `${step.title} | ${step.message} | ${step.placeholder}`;
    asked.push(text);
    ctx.step(`wizard: ${text}`);
    if (step.isPick && /registry/i.test(text)) {
      await wb.quickPickRow('No registry').first().click();
    } else if (step.isPick) {
      const row = wb.quickPickRow('New cluster...');
      check((await row.count()) > 0, `the wizard's first step should offer "New cluster...": ${text}`);
      await ctx.shot('wizard offers a new cluster or a config file');
      await row.first().click();
    } else if (/name/i.test(text)) {
      await wb.answerInput(NEW_CLUSTER);
    } else if (/agent/i.test(text)) {
      await wb.typeInput('2');
      await ctx.shot('wizard asks for the agents');
      await wb.page.keyboard.press('Enter');
    } else if (/server/i.test(text)) {
      await wb.answerInput('1');
    } else if (/port/i.test(text) || /image/i.test(text)) {
      await wb.answerInput('');
    } else {
      throw new Error(`unexpected wizard step: ${text}`);
    }
  }
  check(asked.some((t) => /name/i.test(t)) && asked.some((t) => /agent/i.test(t)), `the wizard should ask for the name and the agents; it asked: ${JSON.stringify(asked)}`);
  ctx.step('watch the progress notification');
  const progress = wb.progressNotification();
  await progress.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  // k3d's INFO lines stream into the notification's message, e.g. "Starting agents...".
  const streamed = await waitUntil(
    "k3d's progress lines in the notification",
    async () => ((await progress.first().textContent()) ?? '').trim(),
    (t) => /(Creat|Start|Prep|node|network|cluster)/i.test(t.replace(new RegExp(NEW_CLUSTER, 'g'), '')),
    LIFECYCLE_TIMEOUT,
  );
  ctx.step(`progress: ${streamed}`);
  await ctx.shot('progress notification while k3d creates the cluster', 'create-cluster-progress');
  const description = await waitForClusterDescription(wb, NEW_CLUSTER, 'running with 1 server and 2 agents', isRunning);
  ctx.step(`${NEW_CLUSTER}: "${description}"`);
  await ctx.shot('new cluster running in the view');
});

scenario('Stop Cluster from the context menu shows the cluster stopped', 'simulated', async (ctx) => {
  const { wb } = ctx;
  await openClustersView(wb);
  await ensureNewCluster(ctx, 'running');
  ctx.step(`right-click ${NEW_CLUSTER}, Stop Cluster`);
  await wb.contextMenu(clusterRow(wb, NEW_CLUSTER), 'Stop Cluster');
  const description = await waitForClusterDescription(wb, NEW_CLUSTER, 'stopped', isStopped);
  ctx.step(`${NEW_CLUSTER}: "${description}"`);
  await wb.expand(clusterRow(wb, NEW_CLUSTER));
  await showNodeContainers(ctx, NEW_CLUSTER);
  const server = wb.treeItem(`k3d-${NEW_CLUSTER}-server-0`, wb.viewPane(VIEW));
  const serverState = await waitUntil('the server node to be not running', () => wb.treeItemDescription(server), (d) => d !== '' && !/running/.test(d));
  ctx.step(`server-0: "${serverState}"`);
  await ctx.shot('cluster stopped');
});

scenario('Start Cluster from the context menu brings it back', 'simulated', async (ctx) => {
  const { wb } = ctx;
  await openClustersView(wb);
  await ensureNewCluster(ctx, 'stopped');
  ctx.step(`right-click ${NEW_CLUSTER}, Start Cluster`);
  await wb.contextMenu(clusterRow(wb, NEW_CLUSTER), 'Start Cluster');
  const description = await waitForClusterDescription(wb, NEW_CLUSTER, 'running again', isRunning);
  ctx.step(`${NEW_CLUSTER}: "${description}"`);
  await ctx.shot('cluster running again');
});

scenario('Delete Cluster asks for confirmation, then removes the cluster', 'simulated', async (ctx) => {
  const { wb } = ctx;
  await openClustersView(wb);
  await ensureNewCluster(ctx, 'running');
  ctx.step(`right-click ${NEW_CLUSTER}, Delete Cluster...`);
  await wb.contextMenu(clusterRow(wb, NEW_CLUSTER), 'Delete Cluster...');
  await wb.dialog().waitFor({ timeout: DEFAULT_TIMEOUT });
  const message = await wb.dialogMessage();
  check(message.includes(NEW_CLUSTER), `the confirmation should name the cluster: "${message}"`);
  await ctx.shot('delete confirmation dialog');
  await wb.clickDialogButton('Delete');
  await waitUntil(`'${NEW_CLUSTER}' to disappear from the view`, () => clusterRow(wb, NEW_CLUSTER).count(), (n) => n === 0, LIFECYCLE_TIMEOUT);
  check((await clusterRow(wb, 'k3s-default').count()) === 1, 'k3s-default should still be listed');
  // k3d removes the cluster's context from the kubeconfig too: it must not linger under "Other contexts".
  await waitUntil(`context k3d-${NEW_CLUSTER} to disappear from the view`, () => wb.treeItem(`k3d-${NEW_CLUSTER}`, wb.viewPane(VIEW)).count(), (n) => n === 0, 15_000);
  await ctx.shot('cluster deleted');
});

scenario('with k3d missing, the k3d view shows how to install it', 'noK3d', async (ctx) => {
  const { wb } = ctx;
  await openClustersView(wb);
  const welcome = wb.viewPane(VIEW).locator('.welcome-view-content');
  await waitUntil('the install guidance', async () => (await welcome.textContent()) ?? '', (t) => /k3d was not found/i.test(t) || /install k3d/i.test(t));
  const install = welcome.getByRole('button', { name: /install k3d/i }).or(welcome.getByRole('link', { name: /install k3d/i }));
  await install.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  const text = ((await welcome.textContent()) ?? '').replace(/\s+/g, ' ');
  ctx.step(`welcome: ${text}`);
  check(/not found/i.test(text), `the view should say that k3d was not found: "${text}"`);
  await ctx.shot('install guidance when k3d is missing');
});

/** Answers the Create Cluster wizard for a new cluster `name` with `servers` and `agents` (defaults elsewhere). */
async function answerCreateWizard(ctx: ScenarioContext, name: string, servers: string, agents: string): Promise<void> {
  const { wb } = ctx;
  let previous = '';
  for (let i = 0; i < 8; i++) {
    const step = await waitUntil('the next wizard step', () => wb.quickInputStep(), (s) => /create/i.test(s.title) && stepKey(s) !== previous, i === 0 ? DEFAULT_TIMEOUT : 4000).catch(() => undefined);
    if (!step) break;
    previous = stepKey(step);
    const text = `${step.title} | ${step.message} | ${step.placeholder}`;
    ctx.step(`wizard: ${text}`);
    if (step.isPick && /registry/i.test(text)) await wb.quickPickRow('No registry').first().click();
    else if (step.isPick) await wb.quickPickRow('New cluster...').first().click();
    else if (/name/i.test(text)) await wb.answerInput(name);
    else if (/agent/i.test(text)) await wb.answerInput(agents);
    else if (/server/i.test(text)) await wb.answerInput(servers);
    else if (/port/i.test(text) || /image/i.test(text)) await wb.answerInput('');
    else throw new Error(`unexpected wizard step: ${text}`);
    // The last step ("(6/6)", the registry) starts the create at once: no waiting for a step that will not come.
    if (/\((\d+)\/\1\)/.test(step.title)) break;
  }
}

// k3d has no signal handler: the cancel kills `cluster create` at once and leaves its containers, so the
// extension deletes them (k3d cluster delete) and says so.
scenario('cancel a create: the view returns to its previous state and the log says what was removed', 'simulated', async (ctx) => {
  const { wb, page } = ctx;
  const name = 'e2e-cancelled';
  await openClustersView(wb);
  await clusterRow(wb, 'k3s-default').waitFor({ timeout: DEFAULT_TIMEOUT });
  const before = await waitForClusterDescription(wb, 'k3s-default', 'running', isRunning, DEFAULT_TIMEOUT);
  check((await clusterRow(wb, name).count()) === 0, `${name} should not exist yet`);
  // 3 servers: k3d starts them one by one (about 8 s each), which leaves time to click Cancel mid-create.
  ctx.step('F1, k3d: Create Cluster..., new cluster with 3 servers and 2 agents');
  await wb.runCommand('k3d: Create Cluster...');
  await answerCreateWizard(ctx, name, '3', '2');
  const progress = wb.progressNotification();
  await progress.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  // Cancel once k3d has made all its node containers and is starting them.
  const seen = new Set<string>();
  const starting = new RegExp(`Starting (cluster|the initializing server|servers|agents|helpers)|Starting node 'k3d-${name}-(server|agent|serverlb)|Injecting records`);
  const streamed = await waitUntil(
    "k3d's 'Starting ...' lines in the notification",
    async () => ((await progress.first().locator('.notification-list-item-message').textContent({ timeout: 2000 }).catch(() => '')) ?? '').trim(),
    (t) => { seen.add(t); return starting.test(t); },
    LIFECYCLE_TIMEOUT,
  ).catch((e: unknown) => { throw new Error(`${(e as Error).message}; the notification showed: ${JSON.stringify([...seen])}`); });
  ctx.step(`progress: ${streamed}; click Cancel`);
  await progress.first().hover();
  await progress.first().getByRole('button', { name: /cancel/i }).first().click();
  const done = wb.notification(new RegExp(`Create cancelled: removed the half-made cluster ${name}`));
  await done.first().waitFor({ timeout: LIFECYCLE_TIMEOUT });
  const message = ((await done.first().locator('.notification-list-item-message').textContent()) ?? '').trim();
  ctx.step(`notification: ${message}`);
  check(/k3d does not roll back an interrupted create/.test(message), `the notification should say why: "${message}"`);
  await waitUntil(`'${name}' to be gone from the view`, () => clusterRow(wb, name).count(), (n) => n === 0, LIFECYCLE_TIMEOUT);
  const after = await waitForClusterDescription(wb, 'k3s-default', 'running as before', isRunning, DEFAULT_TIMEOUT);
  check(after === before, `k3s-default should be as before: "${before}" then "${after}"`);
  check((await wb.treeItem(`k3d-${name}`, wb.viewPane(VIEW)).count()) === 0, `no context k3d-${name} should be left`);
  await ctx.shot('after the cancel: the view as before, the notification says what was removed', 'create-cancelled');
  ctx.step('k3d: Show Log');
  await wb.runCommand('k3d: Show Log');
  const output = page.locator('.part.panel .monaco-editor .view-lines').first();
  await output.waitFor({ timeout: DEFAULT_TIMEOUT });
  // The Output panel wraps long lines, at a space or inside a word: compare the text without whitespace.
  const compact = (t: string) => t.replace(/\s+/g, '');
  const said = compact(`Create cancelled: removed the half-made cluster ${name} (k3d cluster delete ${name}):`);
  const removedNodes = (all: string) => { const at = all.indexOf(said); return at < 0 ? '' : all.slice(at + said.length, at + said.length + 400); };
  const text = await waitUntil(
    'the log line that says what was removed, with the node containers',
    () => output.locator('.view-line').allTextContents().then((all) => compact(all.join(''))),
    (all) => ['server-0', 'agent-0', 'agent-1', 'serverlb'].every((n) => removedNodes(all).includes(`k3d-${name}-${n}`)),
  );
  ctx.step(`log: ${said} ${removedNodes(text).slice(0, 160)}`);
  await ctx.shot('the log says which containers were removed');
  check(ctx.sim, 'this scenario needs the simulated k3d');
  const list = JSON.parse(await k3dOk(ctx.sim, ['cluster', 'list', '-o', 'json'])) as { name: string }[];
  check(!list.some((c) => c.name === name), `k3d still lists ${name}: ${JSON.stringify(list.map((c) => c.name))}`);
});
