// The exec client (src/core/kube/exec.ts) against a local WebSocket server that plays the API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { WebSocketServer, type WebSocket } from 'ws';
import { KubeHttp } from '../../../src/core/kube/http.ts';
import { exec, execPath, exitOfStatus, runCommand, splitCommand } from '../../../src/core/kube/exec.ts';

interface Seen { url: string; protocol: string; messages: Buffer[] }

/** A server that accepts `protocols`, records what the client sends, and runs `script` on each connection. */
async function fakeApiServer(protocols: string[], script: (ws: WebSocket, seen: Seen) => void, refuse?: { code: number; body: string }) {
  const seen: Seen[] = [];
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (refuse) {
      socket.end(`HTTP/1.1 ${refuse.code} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(refuse.body)}\r\n\r\n${refuse.body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s: Seen = { url: req.url ?? '', protocol: ws.protocol, messages: [] };
      seen.push(s);
      ws.on('message', (d: Buffer) => s.messages.push(Buffer.from(d)));
      script(ws, s);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return { http: new KubeHttp(kc), seen, close: () => new Promise((r) => { wss.close(); server.closeAllConnections(); server.close(r); }) };
}

const frame = (channel: number, text: string | Buffer) => Buffer.concat([Buffer.from([channel]), Buffer.from(text)]);

test('the exit code comes from the Status on channel 3, as kubectl reads it', () => {
  assert.deepEqual(exitOfStatus({ status: 'Success' }), { exitCode: 0 });
  assert.equal(exitOfStatus({ status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code', details: { causes: [{ reason: 'ExitCode', message: '42' }] } }).exitCode, 42);
  const notRun = exitOfStatus({ status: 'Failure', reason: 'InternalError', message: 'executable file not found in $PATH' });
  assert.equal(notRun.exitCode, undefined);
  assert.match(notRun.message!, /executable file not found/);
});

test('the exec URL carries each word of the command, the container and the streams', () => {
  const path = execPath({ namespace: 'my ns', pod: 'web-1', container: 'app', command: ['sh', '-c', 'echo a && exit 3'], stdin: true, tty: false });
  const url = new URL(`https://x${path}`);
  assert.equal(url.pathname, '/api/v1/namespaces/my%20ns/pods/web-1/exec');
  assert.deepEqual(url.searchParams.getAll('command'), ['sh', '-c', 'echo a && exit 3']);
  assert.equal(url.searchParams.get('container'), 'app');
  assert.equal(url.searchParams.get('stdin'), 'true');
  assert.equal(url.searchParams.get('stderr'), 'true');
  // A terminal merges stderr into stdout: the server must not be asked for it.
  const tty = new URL(`https://x${execPath({ namespace: 'd', pod: 'p', command: ['sh'], stdin: true, tty: true })}`);
  assert.equal(tty.searchParams.get('tty'), 'true');
  assert.equal(tty.searchParams.get('stderr'), 'false');
  assert.equal(tty.searchParams.get('container'), null);
});

test('v5: stdout and stderr apart, stdin with its end of file (channel 255), resize, and the exit code', async (t) => {
  const fake = await fakeApiServer(['v5.channel.k8s.io', 'v4.channel.k8s.io'], (ws, seen) => {
    ws.on('message', (d: Buffer) => {
      if (d[0] === 255) {
        // stdin closed: answer with what came in, then the exit status.
        const input = Buffer.concat(seen.messages.filter((m) => m[0] === 0).map((m) => m.subarray(1))).toString();
        ws.send(frame(1, input.toUpperCase()));
        ws.send(frame(2, 'warning\n'));
        ws.send(frame(3, JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })));
        ws.close(1000);
      }
    });
  });
  t.after(fake.close);
  const r = await runCommand(fake.http, { namespace: 'default', pod: 'p', command: ['tr', 'a-z', 'A-Z'] }, 'hello\n');
  assert.deepEqual(r, { stdout: 'HELLO\n', stderr: 'warning\n', exitCode: 3, message: undefined });
  assert.equal(fake.seen[0]!.protocol, 'v5.channel.k8s.io');
  assert.deepEqual(fake.seen[0]!.messages.at(-1), Buffer.from([255, 0]));

  const session = await exec(fake.http, { namespace: 'default', pod: 'p', command: ['sh'], stdin: true, tty: true });
  session.resize(120.7, 40);
  session.write('x');
  session.closeStdin();
  assert.equal((await session.done).exitCode, 3);
  assert.deepEqual(JSON.parse(fake.seen[1]!.messages[0]!.subarray(1).toString()), { Width: 120, Height: 40 });
  assert.equal(fake.seen[1]!.messages[0]![0], 4);
});

test('a v4-only server: the client falls back to v4 and still reads output and exit code', async (t) => {
  const fake = await fakeApiServer(['v4.channel.k8s.io'], (ws) => {
    ws.send(frame(1, 'hi\n'));
    ws.send(frame(3, JSON.stringify({ metadata: {}, status: 'Success' })));
    ws.close(1000);
  });
  t.after(fake.close);
  const r = await runCommand(fake.http, { namespace: 'default', pod: 'p', command: ['echo', 'hi'] });
  assert.deepEqual(r, { stdout: 'hi\n', stderr: '', exitCode: 0 });
  assert.equal(fake.seen[0]!.protocol, 'v4.channel.k8s.io');
});

test('a refused upgrade rejects with the server\'s message; a connection that ends without a Status says so', async (t) => {
  const refused = await fakeApiServer([], () => undefined, { code: 400, body: JSON.stringify({ kind: 'Status', status: 'Failure', message: 'container not found ("web")', code: 400 }) });
  t.after(refused.close);
  await assert.rejects(runCommand(refused.http, { namespace: 'd', pod: 'p', command: ['true'] }), /container not found \("web"\)/);
  const silent = await fakeApiServer(['v5.channel.k8s.io'], (ws) => ws.close(1000));
  t.after(silent.close);
  const r = await runCommand(silent.http, { namespace: 'd', pod: 'p', command: ['true'] });
  assert.equal(r.exitCode, undefined);
  assert.match(r.message!, /closed before the command reported how it ended/);
  await assert.rejects(runCommand(silent.http, { namespace: 'd', pod: 'p', command: [] }), /No command to run/);
});

test('Run Command… splits a line into words as a shell would, without expanding anything', () => {
  assert.deepEqual(splitCommand('ls -la /'), ['ls', '-la', '/']);
  assert.deepEqual(splitCommand(`sh -c 'echo $HOME | wc -c'`), ['sh', '-c', 'echo $HOME | wc -c']);
  assert.deepEqual(splitCommand('echo "a \\"b\\"" \'\' c\\ d'), ['echo', 'a "b"', '', 'c d']);
  assert.deepEqual(splitCommand('   '), []);
});
