// The watch benchmark's "someone else changing the cluster" (kubectl in a terminal, a controller):
// sends the PATCHes from a process of its own, so that its TLS and JSON work does not share the
// event loop with the reflectors being measured (in VS Code, the extension host does not send them).
//   node bench/watchDriver.ts KUBECONFIG CONTEXT
// Each stdin line {"targets":[{"ns","name"}],"token","inFlight"}: PATCHes each pod's annotations
// bench/mark=token and bench/sent=<send time, ms since the epoch, performance.timeOrigin-based>,
// then prints {"answered":[[key, answeredAt]], "requestMs":[...], "burstMs"}.
import { createInterface } from 'node:readline';
import { makeDriver } from './cluster.ts';

const [kubeconfig, context] = process.argv.slice(2);
const driver = await makeDriver(context, kubeconfig);
const now = () => performance.timeOrigin + performance.now();

createInterface({ input: process.stdin }).on('line', (line) => {
  void (async () => {
    const { targets, token, inFlight } = JSON.parse(line) as { targets: Array<{ ns: string; name: string }>; token: string; inFlight: number };
    const answered: Array<[string, number]> = [];
    const requestMs: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const { ns, name } = targets[next++];
        const sentAt = now();
        const res = await driver.request('PATCH', `/api/v1/namespaces/${ns}/pods/${name}`, { metadata: { annotations: { 'bench/mark': token, 'bench/sent': String(sentAt) } } }, 'application/merge-patch+json');
        const answeredAt = now();
        if (res.status >= 300) throw new Error(`PATCH pod ${ns}/${name}: ${res.status} ${res.body.slice(0, 200)}`);
        answered.push([`${ns}/${name}`, answeredAt]);
        requestMs.push(answeredAt - sentAt);
      }
    };
    const t0 = now();
    await Promise.all(Array.from({ length: inFlight }, worker));
    console.log(JSON.stringify({ answered, requestMs, burstMs: now() - t0 }));
  })().catch((e: unknown) => {
    console.error((e as Error).stack ?? e);
    process.exit(1);
  });
});
process.stdin.on('end', () => {
  driver.close();
  process.exit(0);
});
