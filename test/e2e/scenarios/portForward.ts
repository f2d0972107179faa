// Port-forward (issue 19): right-click the sample app's deployment > Port Forward…, the Port Forwards view and
// the status bar show it, its page is read through the local port, a rollout to a new image moves the forward to
// the new pod (the page changes), and the row's Stop action ends it.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { requireDocker } from '../../lib/docker.ts';
import { buildHashApp } from '../../lib/images.ts';
import { check, scenario } from '../lib/harness.ts';
import type { ScenarioContext } from '../lib/harness.ts';
import { DEFAULT_TIMEOUT, waitUntil } from '../lib/workbench.ts';

const VIEW = 'Clusters';
const APP = 'pf-web';

function run(ctx: ScenarioContext, cmd: string, args: string[], input?: string): { out: string; code: number } {
  check(ctx.sim, 'this scenario needs the simulated k3d');
  const r = spawnSync(cmd, args, { env: ctx.sim.env, encoding: 'utf8', timeout: 180_000, input });
  return { out: `${r.stdout}${r.stderr}`, code: r.status ?? 1 };
}

/** GET http://127.0.0.1:PORT/ from the test process: the body, or the error's message. */
function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ status: 0, body: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
    req.end();
  });
}

function manifest(image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${APP}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${APP}
  template:
    metadata:
      labels:
        app: ${APP}
    spec:
      containers:
        - name: app
          image: ${image}
          imagePullPolicy: IfNotPresent
          env:
            - name: PORT
              value: "8080"
            - name: INTERVAL
              value: "1"
          ports:
            - name: http
              containerPort: 8080
`;
}

scenario('port forward: Port Forward… on the sample app\'s deployment, read its page through the local port, follow a rollout to the new pod, stop it', 'simulated', async (ctx) => {
  const { wb } = ctx;
  await requireDocker();
  const stamp = Date.now().toString(36);
  const v1 = `pf-hashapp:${stamp}-1`;
  const v2 = `pf-hashapp:${stamp}-2`;
  ctx.step(`build the sample app twice (${v1} says "first ${stamp}", ${v2} says "second ${stamp}") and import both`);
  await buildHashApp({ tag: v1, message: `first ${stamp}` });
  await buildHashApp({ tag: v2, message: `second ${stamp}` });
  run(ctx, 'kubectl', ['config', 'use-context', 'k3d-k3s-default']);
  const imported = run(ctx, 'k3d', ['image', 'import', v1, v2, '-c', 'k3s-default']);
  check(imported.code === 0, `k3d image import: ${imported.out}`);
  run(ctx, 'kubectl', ['delete', 'deployment', APP, '--ignore-not-found', '--wait=false']);
  const applied = run(ctx, 'kubectl', ['apply', '-f', '-'], manifest(v1));
  check(applied.code === 0, `kubectl apply: ${applied.out}`);
  try {
    await wb.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
    await wb.openViewContainer('k3d');
    await wb.resizeSideBar(640);
    const pane = wb.viewPane(VIEW);
    await pane.first().waitFor({ timeout: DEFAULT_TIMEOUT });
    await wb.expand(wb.treeItem('k3s-default', pane).first());
    await waitUntil('the default namespace', () => wb.descendantLabels('k3s-default', pane), (l) => l.includes('default'), 30_000);
    await wb.expand(wb.treeItem('default', pane).first());
    const row = wb.treeItem(APP, pane).first();
    await row.waitFor({ timeout: 30_000 });
    await waitUntil(`${APP} ready`, () => wb.treeItemDescription(row), (d) => /^1\/1/.test(d), 90_000);

    ctx.step(`right-click ${APP} > Port Forward…`);
    await wb.contextMenu(row, 'Port Forward…');
    const toast = await waitUntil('the forward\'s notification', () => wb.notificationToasts().allTextContents().then((t) => t.join(' | ')), (t) => /Forwarding localhost:\d+ → deployment\/pf-web:8080/.test(t), 30_000);
    ctx.step(`notification: ${toast}`);
    const localPort = Number(/Forwarding localhost:(\d+)/.exec(toast)![1]);
    check(localPort === 8080 || /because port 8080 is in use on this machine/.test(toast), `the local port is the container port unless it is taken, and the notification says so: "${toast}"`);

    const forwards = wb.viewPane('Port Forwards');
    const fwdRow = wb.treeItem(`localhost:${localPort}`, forwards).first();
    await fwdRow.waitFor({ timeout: DEFAULT_TIMEOUT });
    const firstPod = /pod (\S+)/.exec(await waitUntil('the forward row names its pod', () => wb.treeItemDescription(fwdRow), (d) => /→ deployment\/pf-web:8080 · pod pf-web-/.test(d)))![1]!;
    ctx.step(`Port Forwards view: localhost:${localPort} ${await wb.treeItemDescription(fwdRow)}`);
    const bar = await waitUntil('the status bar item', () => wb.statusBarTexts(), (t) => t.some((x) => x.includes(`localhost:${localPort}`)));
    ctx.step(`status bar: ${bar.find((x) => x.includes(`localhost:${localPort}`))}`);

    const first = await waitUntil('the page through the local port', () => get(localPort), (r) => r.status === 200 && r.body.includes(`first ${stamp}`), 30_000);
    ctx.step(`GET http://127.0.0.1:${localPort}/ -> ${first.status} ${first.body.trim()}`);
    await wb.clearNotifications();
    await ctx.shot('a port forward to the deployment: the Port Forwards view and the status bar');

    ctx.step(`roll out ${v2}: kubectl set image deployment/${APP} app=${v2}`);
    const set = run(ctx, 'kubectl', ['set', 'image', `deployment/${APP}`, `app=${v2}`]);
    check(set.code === 0, `kubectl set image: ${set.out}`);
    const rolled = run(ctx, 'kubectl', ['rollout', 'status', `deployment/${APP}`, '--timeout=120s']);
    check(rolled.code === 0, `kubectl rollout status: ${rolled.out}`);
    const moved = await waitUntil('the forward to move to the new pod', () => wb.treeItemDescription(fwdRow), (d) => /· pod pf-web-/.test(d) && !d.includes(firstPod), 60_000);
    ctx.step(`after the rollout: localhost:${localPort} ${moved}`);
    const second = await waitUntil('the new pod\'s page through the same local port', () => get(localPort), (r) => r.status === 200 && r.body.includes(`second ${stamp}`), 30_000);
    ctx.step(`GET http://127.0.0.1:${localPort}/ -> ${second.status} ${second.body.trim()}`);
    await ctx.shot('after a rollout: the same local port reaches the new pod');

    ctx.step('Stop Port Forward (the row\'s inline action)');
    await fwdRow.hover();
    await fwdRow.locator('a.action-label[aria-label^="Stop Port Forward"]').click();
    await waitUntil('the Port Forwards view to go', () => forwards.count(), (n) => n === 0);
    await waitUntil('the status bar item to go', () => wb.statusBarTexts(), (t) => !t.some((x) => x.includes(`localhost:${localPort}`)));
    const after = await get(localPort);
    check(after.status === 0, `nothing should answer on localhost:${localPort} after Stop: ${after.status} ${after.body}`);
    ctx.step(`stopped: GET http://127.0.0.1:${localPort}/ -> ${after.body}`);
    await ctx.shot('stopped: no forward in the view or the status bar');
  } finally {
    run(ctx, 'kubectl', ['delete', 'deployment', APP, '--ignore-not-found', '--wait=false']);
  }
}, 360_000);
