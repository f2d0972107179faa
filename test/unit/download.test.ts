// Apply from URL's download against a local server (127.0.0.1 only): a size cap, a time limit,
// and the cause of a failure in words instead of "fetch failed".
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { DownloadError, downloadText } from '../../src/core/download.ts';
import { selfSigned } from './logs/fakeApi.ts';

const MANIFEST = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-url\ndata:\n  a: "1"\n';
let base = '';
let server: http.Server;

before(async () => {
  server = http.createServer((req, res) => {
    switch (req.url) {
      case '/manifest.yaml':
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(MANIFEST);
        return;
      case '/moved':
        res.writeHead(302, { Location: '/manifest.yaml' });
        res.end();
        return;
      case '/big-announced':
        res.setHeader('Content-Length', String(6 * 1024 * 1024));
        res.write('a'.repeat(1024));
        return; // stalls: the announced size alone must be enough to refuse
      case '/big-chunked': {
        // No Content-Length: the cap applies while reading.
        const chunk = `# ${'x'.repeat(64 * 1024)}\n`;
        let sent = 0;
        const more = () => {
          while (sent < 200 && res.write(chunk)) sent++;
          if (sent < 200) res.once('drain', more);
          else res.end();
        };
        res.on('error', () => undefined);
        more();
        return;
      }
      case '/silent':
        return; // never answers
      case '/stalls':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('apiVersion: v1\n');
        return; // never ends
      default:
        res.statusCode = 404;
        res.end('404: Not Found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const options = { maxBytes: 1024 * 1024, timeoutMs: 10_000 };
/** For the servers that never answer. */
const short = { ...options, timeoutMs: 300 };

async function failure(url: string, opts = options): Promise<DownloadError> {
  try {
    await downloadText(url, opts);
  } catch (e) {
    assert.ok(e instanceof DownloadError, `a DownloadError, not ${String(e)}`);
    return e;
  }
  assert.fail(`${url} was downloaded`);
}

test('a manifest downloads, after redirects', async () => {
  const got = await downloadText(`${base}/moved`, options);
  assert.equal(got.text, MANIFEST);
  assert.equal(got.url, `${base}/manifest.yaml`);
});

test('404 says the status, not "fetch failed"', async () => {
  const e = await failure(`${base}/nothing-here.yaml`);
  assert.equal(e.reason, 'status');
  assert.equal(e.message, `${base}/nothing-here.yaml answered 404 Not Found.`);
});

test('too large: refused from Content-Length, and while reading when no length is announced', async () => {
  const announced = await failure(`${base}/big-announced`);
  assert.equal(announced.reason, 'tooLarge');
  assert.match(announced.message, /is 6 MB: more than the 1 MB a manifest may have\. Nothing was applied\./);
  const chunked = await failure(`${base}/big-chunked`);
  assert.equal(chunked.reason, 'tooLarge');
  assert.match(chunked.message, /more than the 1 MB a manifest may have \(the download was stopped there\)/);
});

test('a server that never answers, or stalls in the middle: the download ends and says so', async () => {
  const silent = await failure(`${base}/silent`, short);
  assert.equal(silent.reason, 'timeout');
  assert.equal(silent.message, `${base} sent nothing for 0.3 s while downloading ${base}/silent.`);
  const stalls = await failure(`${base}/stalls`, short);
  assert.equal(stalls.reason, 'timeout');
});

test('refused: the cause in words', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const e = await failure(`http://127.0.0.1:${port}/deployment.yaml`);
  assert.equal(e.reason, 'network');
  assert.equal(e.message, `Cannot download http://127.0.0.1:${port}/deployment.yaml: 127.0.0.1:${port} refused the connection: nothing listens on that port (ECONNREFUSED).`);
});

test('a certificate problem is named: a self-signed certificate, and TLS against a plain server', async () => {
  const secure = https.createServer(selfSigned(), (_req, res) => res.end(MANIFEST));
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  try {
    const e = await failure(`https://127.0.0.1:${(secure.address() as AddressInfo).port}/manifest.yaml`);
    assert.equal(e.reason, 'network');
    assert.match(e.message, /127\.0\.0\.1:\d+ cannot be trusted: its certificate is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)\.$/);
  } finally {
    secure.closeAllConnections();
    secure.close();
  }
  const plain = await failure(`${base.replace('http:', 'https:')}/manifest.yaml`);
  assert.equal(plain.reason, 'network');
  assert.match(plain.message, /failed the TLS handshake \(\w+\)\.$/);
});

test('not http(s), and cancelling', async () => {
  assert.equal((await failure('file:///etc/passwd')).reason, 'invalidUrl');
  const cancel = new AbortController();
  const pending = downloadText(`${base}/silent`, { ...options, timeoutMs: 60_000, signal: cancel.signal });
  setImmediate(() => cancel.abort());
  await assert.rejects(pending, (e: Error) => e instanceof DownloadError && e.reason === 'cancelled');
});
