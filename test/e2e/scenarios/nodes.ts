// Nodes and ports of a running cluster, as a person manages them from the Clusters view: add an agent (kubectl
// sees it), delete it, publish a new port through the load balancer, and open it: the app behind the Ingress answers.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { k3dOk } from '../../../scripts/lib/k3dEnv.ts';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { servedApp } from '../lib/manifests.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';
import { docker, requireDocker } from '../../lib/docker.ts';
import { buildHashApp } from '../../lib/images.ts';
import type { Workbench } from '../lib/workbench.ts';

const VIEW = 'Clusters';
const CLUSTER = 'k3s-default';
const NAME = `${CLUSTER}-extra-agent`;
const NODE = `k3d-${NAME}-0`;
const TIMEOUT = 60_000;

async function openView(wb: Workbench): Promise<void> {
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.openViewContainer('k3d');
  await wb.viewPane(VIEW).first().waitFor({ timeout: DEFAULT_TIMEOUT });
}

const row = (wb: Workbench, label: string) => wb.treeItem(label, wb.viewPane(VIEW));

/** Expands the cluster and its Containers group; returns the Containers row. */
async function showContainers(wb: Workbench) {
  const cluster = row(wb, CLUSTER);
  // The first scenario of a fresh window waits for the extension's first listing, which a loaded machine makes slow.
  await cluster.waitFor({ timeout: TIMEOUT });
  const containers = row(wb, 'Containers').first();
  // Expanded again when its children do not show: a view re-render (the cluster list's or the registries
  // group's refresh) right after the click can leave the row closed.
  for (let attempt = 1; ; attempt++) {
    await wb.expand(cluster);
    try {
      await containers.waitFor({ timeout: attempt < 3 ? 7_000 : DEFAULT_TIMEOUT });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  await wb.expand(containers);
  return containers;
}

/** `kubectl get nodes` in the fixture's kubeconfig, as the user would type it: name -> STATUS. */
async function kubectlNodes(ctx: ScenarioContext): Promise<Map<string, string>> {
  check(ctx.sim, 'this scenario needs the simulated k3d');
  const { stdout } = await promisify(execFile)('/usr/bin/kubectl', ['--context', `k3d-${CLUSTER}`, 'get', 'nodes', '--no-headers'], { env: ctx.sim.env });
  return new Map(stdout.trim().split('\n').filter(Boolean).map((l) => l.split(/\s+/)).map((c) => [c[0]!, c[1]!]));
}

/** Answers the next input box of a multi-step command, recognised by `title` (e.g. "(2/3)"). */
async function answerStep(ctx: ScenarioContext, title: RegExp, value: string | undefined): Promise<void> {
  const { wb } = ctx;
  const step = await waitUntil(`the input ${title}`, () => wb.quickInputStep(), (s) => title.test(s.title));
  ctx.step(`input: ${step.title} | ${step.message} | ${step.placeholder} -> ${value ?? '(default)'}`);
  if (value === undefined) await wb.page.keyboard.press('Enter');
  else await wb.answerInput(value);
}

scenario('nodes: Add Agent from the Containers group; the tree and kubectl get nodes show the new agent', 'simulated', async (ctx) => {
  const { wb } = ctx;
  await openView(wb);
  const containers = await showContainers(wb);
  ctx.step('right-click Containers, Add Agent...');
  await wb.contextMenu(containers, 'Add Agent...');
  // A row whose tree refreshes at the moment of the click (the cluster list changing after the scenario before)
  // can reach the command without its element: VS Code then passes none, and the command asks which cluster, as
  // from the palette. A person picks it; so does the scenario, and says so.
  const first = await waitUntil('the count step or the cluster question', () => wb.quickInputStep(), (s) => /\(1\/3\)/.test(s.title) || /to which cluster\?/.test(s.placeholder));
  if (/to which cluster\?/.test(first.placeholder)) {
    ctx.step(`the row's element did not reach the command (a tree refresh): "${first.placeholder}" -> ${CLUSTER}`);
    await wb.pickRow(CLUSTER);
  }
  await answerStep(ctx, /\(1\/3\)/, '1');
  await waitUntil('the name step', () => wb.quickInputStep(), (s) => /\(2\/3\)/.test(s.title));
  const suggested = await wb.quickInputBox().inputValue();
  check(suggested === NAME, `the suggested name should be ${NAME}: "${suggested}"`);
  await ctx.shot('Add Agent asks for the name (k3d-NAME-0 becomes the Kubernetes node name)');
  await answerStep(ctx, /\(2\/3\)/, NAME);
  await answerStep(ctx, /\(3\/3\)/, '');
  const progress = wb.progressNotification();
  await progress.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  const streamed = await waitUntil("k3d's progress lines", async () => ((await progress.first().textContent()) ?? '').trim(), (t) => /node|tools|Adding/i.test(t), TIMEOUT).catch(() => '');
  ctx.step(`progress: ${streamed}`);
  await ctx.shot('progress while k3d adds the agent');
  const done = wb.notification(new RegExp(`Node ${NODE} joined cluster '${CLUSTER}'`));
  await done.first().waitFor({ timeout: TIMEOUT });
  const message = ((await done.first().locator('.notification-list-item-message').textContent()) ?? '').trim();
  ctx.step(`notification: ${message}`);
  check(/kubectl get nodes: Ready/.test(message), `the notification should say that Kubernetes lists the node Ready: "${message}"`);
  const description = await waitUntil(`${NODE} in the tree`, () => (row(wb, NODE).count().then((n) => (n ? wb.treeItemDescription(row(wb, NODE)) : ''))), (d) => /agent/.test(d) && /running/.test(d), TIMEOUT);
  ctx.step(`${NODE}: "${description}"`);
  const clusterDescription = await wb.treeItemDescription(row(wb, CLUSTER));
  check(/agents 3\/3/.test(clusterDescription), `the cluster should count 3 agents: "${clusterDescription}"`);
  const nodes = await waitUntil('kubectl get nodes to list the agent Ready', () => kubectlNodes(ctx), (m) => m.get(NODE) === 'Ready');
  ctx.step(`kubectl get nodes: ${[...nodes].map(([n, s]) => `${n} ${s}`).join(', ')}`);
  // The cluster's Kubernetes Nodes group (fed by a watch) counts it too.
  const nodesGroup = await waitUntil('the Nodes group to count 4 Ready', () => wb.treeItemDescription(row(wb, 'Nodes').first()), (d) => /4\/4 Ready/.test(d), TIMEOUT);
  ctx.step(`Nodes: "${nodesGroup}"`);
  await wb.page.mouse.move(900, 400); // no tooltip over the rows
  await wb.page.keyboard.press('Escape');
  await wb.page.waitForTimeout(800);
  await ctx.shot('the new agent in the tree, Ready in kubectl get nodes', 'nodes-agent-added');
}, 180_000);

scenario('nodes: Delete Node asks first, then the agent is gone from the tree and from kubectl get nodes', 'simulated', async (ctx) => {
  const { wb, sim } = ctx;
  check(sim, 'this scenario needs the simulated k3d');
  await openView(wb);
  await showContainers(wb);
  if ((await row(wb, NODE).count()) === 0) {
    ctx.step(`setup: ${NODE} missing, adding it with the simulated k3d CLI and Refresh`);
    await k3dOk(sim, ['node', 'create', NAME, '--cluster', CLUSTER]);
    await wb.runCommand('k3d: Refresh');
  }
  await row(wb, NODE).waitFor({ timeout: TIMEOUT });
  ctx.step(`right-click ${NODE}, Delete Node...`);
  await wb.contextMenu(row(wb, NODE), 'Delete Node...');
  await wb.dialog().waitFor({ timeout: DEFAULT_TIMEOUT });
  const question = await wb.dialogMessage();
  check(question.includes(NODE), `the confirmation should name the node: "${question}"`);
  await ctx.shot('Delete Node asks for confirmation');
  await wb.clickDialogButton('Delete');
  await waitUntil(`${NODE} to leave the tree`, () => row(wb, NODE).count(), (n) => n === 0, TIMEOUT);
  const nodes = await waitUntil('kubectl get nodes without the agent', () => kubectlNodes(ctx), (m) => !m.has(NODE) && m.size === 3);
  ctx.step(`kubectl get nodes: ${[...nodes].map(([n, s]) => `${n} ${s}`).join(', ')}`);
  const clusterDescription = await waitUntil('the cluster to count 2 agents', () => wb.treeItemDescription(row(wb, CLUSTER)), (d) => /agents 2\/2/.test(d));
  ctx.step(`${CLUSTER}: "${clusterDescription}"`);
  const nodesGroup = await waitUntil('the Nodes group to count 3 Ready of 3', () => wb.treeItemDescription(row(wb, 'Nodes').first()), (d) => /^3\/3 Ready/.test(d), TIMEOUT);
  ctx.step(`Nodes: "${nodesGroup}"`);
  await wb.page.mouse.move(900, 400);
  await ctx.shot('the agent deleted', 'nodes-agent-deleted');
}, 180_000);

scenario('nodes: Edit Ports adds 8082:80@loadbalancer after warning that k3d re-creates the load balancer', 'simulated', async (ctx) => {
  const { wb, sim } = ctx;
  check(sim, 'this scenario needs the simulated k3d');
  await openView(wb);
  const cluster = row(wb, CLUSTER);
  await cluster.waitFor({ timeout: DEFAULT_TIMEOUT });
  ctx.step(`right-click ${CLUSTER}, Edit Ports...`);
  await wb.contextMenu(cluster, 'Edit Ports...');
  const add = wb.quickPickRow('Add a port mapping...');
  await add.first().waitFor({ timeout: DEFAULT_TIMEOUT });
  await ctx.shot('Edit Ports lists the published ports and offers to add one');
  await add.first().click();
  const input = await waitUntil('the port input', () => wb.quickInputStep(), (s) => /Add a port/.test(s.title));
  ctx.step(`input: ${input.title} | ${input.message}`);
  await wb.typeInput('8082:80@loadbalancer');
  await ctx.shot('the port mapping typed');
  await wb.page.keyboard.press('Enter');
  await wb.dialog().waitFor({ timeout: DEFAULT_TIMEOUT });
  const warning = await wb.dialogMessage();
  ctx.step(`dialog: ${warning}`);
  check(/8082:80@loadbalancer/.test(warning), `the dialog should name the mapping: "${warning}"`);
  const detail = ((await wb.dialog().textContent()) ?? '').replace(/\s+/g, ' ');
  check(/re-creates the load balancer/.test(detail), `the dialog should warn that the load balancer is re-created: "${detail}"`);
  await ctx.shot('warning: k3d re-creates the load balancer', 'nodes-port-warning');
  await wb.clickDialogButton('Add Port');
  const done = wb.notification(/now publishes 8082:80@loadbalancer/);
  await done.first().waitFor({ timeout: TIMEOUT });
  ctx.step(`notification: ${((await done.first().locator('.notification-list-item-message').textContent()) ?? '').trim()}`);
  const lb = JSON.parse(await k3dOk(sim, ['node', 'list', `k3d-${CLUSTER}-serverlb`, '-o', 'json'])) as { portMappings?: Record<string, { HostPort: string }[]> }[];
  const published = (lb[0]?.portMappings?.['80/tcp'] ?? []).map((b) => b.HostPort);
  check(published.includes('8082'), `k3d should publish 8082 -> 80 on the load balancer: ${JSON.stringify(lb[0]?.portMappings)}`);
  await waitUntil('the cluster to be running again', () => wb.treeItemDescription(cluster), (d) => /\brunning\b/.test(d) && !/editing/.test(d), TIMEOUT);
  await ctx.shot('port 8082 published', 'nodes-port-added');
}, 180_000);

scenario('nodes: Open Port in Browser opens the port the load balancer publishes (a pick when there are several), through code-server\'s port proxy, and the app behind the Ingress answers', 'simulated', async (ctx) => {
  const { wb, sim, page } = ctx;
  check(sim, 'this scenario needs the simulated k3d');
  const app = 'e2e-web';
  const stamp = Date.now().toString(36);
  const image = `hashapp-web:${stamp}`;
  const manifest = path.join(os.tmpdir(), `k3d-deploy-e2e-${app}-${stamp}.yaml`);
  try {
    // The course's app behind port 80 (Traefik): a Deployment serving its latest line, a Service, an Ingress.
    await requireDocker();
    await buildHashApp({ tag: image, message: `served through the load balancer ${stamp}` });
    await k3dOk(sim, ['image', 'import', image, '-c', CLUSTER]);
    fs.writeFileSync(manifest, servedApp(app, image));
    await promisify(execFile)('/usr/bin/kubectl', ['--context', `k3d-${CLUSTER}`, 'apply', '-f', manifest], { env: sim.env });
    await waitUntil(`the ${app} pod to be ready`, async () => (await promisify(execFile)('/usr/bin/kubectl', ['--context', `k3d-${CLUSTER}`, 'get', 'pods', '-l', `app=${app}`, '--no-headers'], { env: sim.env })).stdout, (out) => /\s1\/1\s+Running/.test(out), TIMEOUT);
    ctx.step(`${app}: Deployment (${image}, serving its latest line on 8080), Service and Ingress applied; its pod is ready`);

    await openView(wb);
    const cluster = row(wb, CLUSTER);
    await cluster.waitFor({ timeout: DEFAULT_TIMEOUT });
    const lb = JSON.parse(await k3dOk(sim, ['node', 'list', `k3d-${CLUSTER}-serverlb`, '-o', 'json'])) as { portMappings?: Record<string, { HostIp?: string; HostPort: string }[]> }[];
    const hostPorts = Object.entries(lb[0]?.portMappings ?? {}).filter(([port]) => port !== '6443/tcp').flatMap(([, bindings]) => bindings.map((b) => b.HostPort));
    ctx.step(`k3d node list: the load balancer publishes ${hostPorts.join(', ') || 'nothing'} besides the API`);
    check(hostPorts.includes('8082'), `the Edit Ports scenario before this one publishes 8082: ${hostPorts.join(', ')}`);
    ctx.step(`right-click ${CLUSTER}, Open Port in Browser...`);
    const opened = page.context().waitForEvent('page', { timeout: DEFAULT_TIMEOUT });
    await wb.contextMenu(cluster, 'Open Port in Browser...');
    if (hostPorts.length > 1) {
      const pick = await waitUntil('the port pick', () => wb.quickInputStep(), (s) => s.isPick && /Open a port of/.test(s.title));
      const rows = await wb.quickInput().locator('.quick-input-list .monaco-list-row').allTextContents();
      ctx.step(`${pick.title}: ${rows.join(' | ')}`);
      check(hostPorts.every((p) => rows.some((r) => r.includes(`:${p}`))), `every published port should be offered: ${rows.join(' | ')}`);
      await ctx.shot('Open Port in Browser offers each port the load balancer publishes', 'nodes-open-port');
      await wb.pickRow('http://localhost:8082');
    }
    const tab = await opened;
    await tab.waitForLoadState('domcontentloaded').catch(() => undefined);
    ctx.step(`the browser opened ${tab.url()}`);
    check(/^http:\/\/(localhost|127\.0\.0\.1):8082\/?$/.test(tab.url()) || /\/proxy\/8082\/?$/.test(tab.url()), `a tab should open port 8082: ${tab.url()}`);
    // code-server opens a port of its own machine through its proxy (/proxy/PORT/). Behind 8082 the load balancer's
    // port 80 is Traefik, whose Ingress rule sends the request to the app's Service and pod: the page is the app's
    // latest line (its first answer may be "starting", before the first line is written).
    const body = await waitUntil('the app\'s line in the tab', async () => {
      const text = ((await tab.locator('body').textContent().catch(() => '')) ?? '').trim();
      if (!text.includes(stamp)) await tab.reload().catch(() => undefined);
      return text;
    }, (t) => new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z: [0-9a-f-]+ served through the load balancer ${stamp}$`).test(t), TIMEOUT);
    ctx.step(`the tab shows: ${body}`);
    const where = await ctx.shot(`Open Port in Browser opened ${tab.url()}`);
    await tab.screenshot({ path: where.replace(/[^/]+\.png$/, 'opened-tab.png') }).catch(() => undefined);
    await tab.close();
  } finally {
    await promisify(execFile)('/usr/bin/kubectl', ['--context', `k3d-${CLUSTER}`, 'delete', '-f', manifest, '--ignore-not-found', '--wait=false'], { env: sim.env }).catch(() => undefined);
    fs.rmSync(manifest, { force: true });
    await docker(['image', 'rm', '--force', image]).catch(() => undefined);
  }
});
