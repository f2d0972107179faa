// kubectl's `kubectl port-forward` (1.31+; /usr/bin/kubectl here says v1.31.9): SPDY/3.1 streams, either tunnelled in a WebSocket (subprotocol
// `SPDY/3.1+portforward.k8s.io`; every WebSocket message is a run of SPDY bytes) or, as kubectl's fallback, on the
// connection itself after `Upgrade: SPDY/3.1` (101 Switching Protocols, `X-Stream-Protocol-Version:
// portforward.k8s.io`). Per local connection kubectl opens two streams whose headers say `streamType` (error,
// then data), `port` and `requestID`; the server answers each with SYN_REPLY, carries the data stream to the
// pod's port (portforward.ts's relay, inside the container's network namespace) and writes a failure as text on
// the error stream; both streams end with FIN, as the kubelet's SPDY port-forward does.
//
// Only what port-forward uses is served: SYN_STREAM, SYN_REPLY, DATA with FIN, RST_STREAM, PING (echoed),
// GOAWAY; SETTINGS, WINDOW_UPDATE and HEADERS are read and ignored (spdystream, kubectl's side, does not
// enforce flow control). Header blocks are zlib with SPDY/3's dictionary: kubectl's are inflated with it; ours
// are stored (uncompressed) deflate blocks of one zlib stream without a dictionary, which any zlib reader takes.
import { inflateSync, constants as zc } from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Api } from './rest.ts';
import { ApiError } from './status.ts';
import { connectInPod, podNetwork, refuse, type PortConnection } from './portforward.ts';

export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

// SPDY/3's header compression dictionary (draft-mbelshe-httpbis-spdy-00 section 2.6.10.1), 1423 bytes.
const DICTIONARY = Buffer.from([
  'AAAAB29wdGlvbnMAAAAEaGVhZAAAAARwb3N0AAAAA3B1dAAAAAZkZWxldGUAAAAFdHJhY2UAAAAGYWNjZXB0AAAADmFjY2VwdC1j',
  'aGFyc2V0AAAAD2FjY2VwdC1lbmNvZGluZwAAAA9hY2NlcHQtbGFuZ3VhZ2UAAAANYWNjZXB0LXJhbmdlcwAAAANhZ2UAAAAFYWxs',
  'b3cAAAANYXV0aG9yaXphdGlvbgAAAA1jYWNoZS1jb250cm9sAAAACmNvbm5lY3Rpb24AAAAMY29udGVudC1iYXNlAAAAEGNvbnRl',
  'bnQtZW5jb2RpbmcAAAAQY29udGVudC1sYW5ndWFnZQAAAA5jb250ZW50LWxlbmd0aAAAABBjb250ZW50LWxvY2F0aW9uAAAAC2Nv',
  'bnRlbnQtbWQ1AAAADWNvbnRlbnQtcmFuZ2UAAAAMY29udGVudC10eXBlAAAABGRhdGUAAAAEZXRhZwAAAAZleHBlY3QAAAAHZXhw',
  'aXJlcwAAAARmcm9tAAAABGhvc3QAAAAIaWYtbWF0Y2gAAAARaWYtbW9kaWZpZWQtc2luY2UAAAANaWYtbm9uZS1tYXRjaAAAAAhp',
  'Zi1yYW5nZQAAABNpZi11bm1vZGlmaWVkLXNpbmNlAAAADWxhc3QtbW9kaWZpZWQAAAAIbG9jYXRpb24AAAAMbWF4LWZvcndhcmRz',
  'AAAABnByYWdtYQAAABJwcm94eS1hdXRoZW50aWNhdGUAAAATcHJveHktYXV0aG9yaXphdGlvbgAAAAVyYW5nZQAAAAdyZWZlcmVy',
  'AAAAC3JldHJ5LWFmdGVyAAAABnNlcnZlcgAAAAJ0ZQAAAAd0cmFpbGVyAAAAEXRyYW5zZmVyLWVuY29kaW5nAAAAB3VwZ3JhZGUA',
  'AAAKdXNlci1hZ2VudAAAAAR2YXJ5AAAAA3ZpYQAAAAd3YXJuaW5nAAAAEHd3dy1hdXRoZW50aWNhdGUAAAAGbWV0aG9kAAAAA2dl',
  'dAAAAAZzdGF0dXMAAAAGMjAwIE9LAAAAB3ZlcnNpb24AAAAISFRUUC8xLjEAAAADdXJsAAAABnB1YmxpYwAAAApzZXQtY29va2ll',
  'AAAACmtlZXAtYWxpdmUAAAAGb3JpZ2luMTAwMTAxMjAxMjAyMjA1MjA2MzAwMzAyMzAzMzA0MzA1MzA2MzA3NDAyNDA1NDA2NDA3',
  'NDA4NDA5NDEwNDExNDEyNDEzNDE0NDE1NDE2NDE3NTAyNTA0NTA1MjAzIE5vbi1BdXRob3JpdGF0aXZlIEluZm9ybWF0aW9uMjA0',
  'IE5vIENvbnRlbnQzMDEgTW92ZWQgUGVybWFuZW50bHk0MDAgQmFkIFJlcXVlc3Q0MDEgVW5hdXRob3JpemVkNDAzIEZvcmJpZGRl',
  'bjQwNCBOb3QgRm91bmQ1MDAgSW50ZXJuYWwgU2VydmVyIEVycm9yNTAxIE5vdCBJbXBsZW1lbnRlZDUwMyBTZXJ2aWNlIFVuYXZh',
  'aWxhYmxlSmFuIEZlYiBNYXIgQXByIE1heSBKdW4gSnVsIEF1ZyBTZXB0IE9jdCBOb3YgRGVjIDAwOjAwOjAwIE1vbiwgVHVlLCBX',
  'ZWQsIFRodSwgRnJpLCBTYXQsIFN1biwgR01UY2h1bmtlZCx0ZXh0L2h0bWwsaW1hZ2UvcG5nLGltYWdlL2pwZyxpbWFnZS9naWYs',
  'YXBwbGljYXRpb24veG1sLGFwcGxpY2F0aW9uL3hodG1sK3htbCx0ZXh0L3BsYWluLHRleHQvamF2YXNjcmlwdCxwdWJsaWNwcml2',
  'YXRlbWF4LWFnZT1nemlwLGRlZmxhdGUsc2RjaGNoYXJzZXQ9dXRmLThjaGFyc2V0PWlzby04ODU5LTEsdXRmLSwqLGVucT0wLg==',
].join(''), 'base64');

const TYPE = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, windowUpdate: 9 } as const;
const FLAG_FIN = 0x01;
const MAX_DATA = 0xffff;

/** A SPDY/3.1 header block as kubectl's Go framer lays it out: count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const kb = Buffer.from(k.toLowerCase());
    const vb = Buffer.from(v);
    parts.push(u32(kb.length), kb, u32(vb.length), vb);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let at = 0;
  const count = block.readUInt32BE(at);
  at += 4;
  for (let i = 0; i < count; i++) {
    const kl = block.readUInt32BE(at);
    const k = block.subarray(at + 4, at + 4 + kl).toString();
    at += 4 + kl;
    const vl = block.readUInt32BE(at);
    // Several values of one name are NUL-separated: the first is enough here.
    const v = block.subarray(at + 4, at + 4 + vl).toString().split('\0')[0]!;
    at += 4 + vl;
    headers[k.toLowerCase()] = v;
  }
  return headers;
}

/** One direction's zlib stream of header blocks, as the peer's framer reads it. */
class HeaderDeflater {
  private started = false;
  /** The next block, as a stored deflate block (raw bytes, no compression) continuing one zlib stream. */
  next(raw: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      parts.push(Buffer.from([0x78, 0x01])); // zlib header: deflate, 32K window, no dictionary
    }
    for (let at = 0; at < raw.length; at += 0xffff) {
      const chunk = raw.subarray(at, at + 0xffff);
      const head = Buffer.alloc(5);
      head[0] = 0; // BFINAL 0, BTYPE 00 (stored), padded to the byte
      head.writeUInt16LE(chunk.length, 1);
      head.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(head, chunk);
    }
    // An empty stored block, as zlib's sync flush writes: a reader hands out what it has at this mark
    // (Go's flate holds a stored block's bytes until the next block begins otherwise).
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** The peer's zlib stream of header blocks (with SPDY's dictionary), inflated block by block. */
class HeaderInflater {
  private input: Buffer = Buffer.alloc(0);
  private produced = 0;
  /** Re-inflates everything so far and returns what the new block adds: small blocks, synchronous and simple. */
  next(block: Buffer): Buffer {
    this.input = Buffer.concat([this.input, block]);
    const all = inflateSync(this.input, { dictionary: DICTIONARY, finishFlush: zc.Z_SYNC_FLUSH });
    const out = all.subarray(this.produced);
    this.produced = all.length;
    return out;
  }
}

interface Pair { port: number; error?: number; data?: number; started: boolean; connection?: PortConnection }

/**
 * The server's side of one SPDY connection carrying port-forward streams. `write` sends bytes to kubectl;
 * feed() takes kubectl's bytes; close() ends everything.
 */
export class SpdyPortForward {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly inflater = new HeaderInflater();
  private readonly deflater = new HeaderDeflater();
  private readonly pairs = new Map<string, Pair>();
  /** stream id -> its pair, for data and resets. */
  private readonly streams = new Map<number, Pair>();
  private closed = false;
  private readonly write: (b: Buffer) => void;
  private readonly end: () => void;
  private readonly api: Api;
  private readonly ns: string;
  private readonly pod: string;

  constructor(api: Api, ns: string, pod: string, io: { write: (b: Buffer) => void; end: () => void }) {
    this.api = api;
    this.ns = ns;
    this.pod = pod;
    this.write = (b) => !this.closed && io.write(b);
    this.end = io.end;
  }

  feed(data: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, data]) : data;
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (this.buffered.length < 8 + length) return;
      const frame = this.buffered.subarray(0, 8 + length);
      this.buffered = this.buffered.subarray(8 + length);
      try {
        this.frame(frame);
      } catch (e) {
        this.close(`bad SPDY frame: ${(e as Error).message}`);
        return;
      }
    }
  }

  private frame(f: Buffer): void {
    const flags = f[4]!;
    const body = f.subarray(8);
    if (!(f[0]! & 0x80)) {
      const id = f.readUInt32BE(0) & 0x7fffffff;
      const pair = this.streams.get(id);
      if (!pair || pair.data !== id) return; // the error stream carries nothing from kubectl
      if (body.length) pair.connection?.write(body);
      if (flags & FLAG_FIN) pair.connection?.end();
      return;
    }
    const type = f.readUInt16BE(2);
    if (type === TYPE.synStream) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      this.syn(id, decodeHeaderBlock(this.inflater.next(body.subarray(10))));
    } else if (type === TYPE.headers) {
      this.inflater.next(body.subarray(4)); // keeps the zlib stream in step
    } else if (type === TYPE.ping) {
      this.control(TYPE.ping, 0, body.subarray(0, 4));
    } else if (type === TYPE.rstStream) {
      const pair = this.streams.get(body.readUInt32BE(0) & 0x7fffffff);
      pair?.connection?.close();
    } else if (type === TYPE.goaway) {
      this.close();
    }
  }

  private control(type: number, flags: number, body: Buffer): void {
    const head = Buffer.alloc(8);
    head.writeUInt16BE(0x8003, 0); // control bit, version 3
    head.writeUInt16BE(type, 2);
    head.writeUInt32BE(((flags & 0xff) << 24) | body.length, 4);
    this.write(Buffer.concat([head, body]));
  }

  private data(id: number, payload: Buffer, fin = false): void {
    for (let at = 0; at < payload.length || (fin && at === 0); at += MAX_DATA) {
      const chunk = payload.subarray(at, at + MAX_DATA);
      const last = at + MAX_DATA >= payload.length;
      const head = Buffer.alloc(8);
      head.writeUInt32BE(id & 0x7fffffff, 0);
      head.writeUInt32BE((((fin && last) ? FLAG_FIN : 0) << 24) | chunk.length, 4);
      this.write(Buffer.concat([head, chunk]));
      if (payload.length === 0) break;
    }
  }

  private reply(id: number): void {
    const id4 = Buffer.alloc(4);
    id4.writeUInt32BE(id);
    this.control(TYPE.synReply, 0, Buffer.concat([id4, this.deflater.next(encodeHeaderBlock({}))]));
  }

  private reset(id: number, status: number): void {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(id, 0);
    b.writeUInt32BE(status, 4);
    this.control(TYPE.rstStream, 0, b);
  }

  private syn(id: number, headers: Record<string, string>): void {
    const type = headers.streamtype;
    const port = Number(headers.port);
    const requestId = headers.requestid ?? String(type === 'data' ? id - 2 : id);
    if ((type !== 'error' && type !== 'data') || !(port > 0 && port < 65536)) {
      this.reset(id, 1); // PROTOCOL_ERROR
      return;
    }
    this.reply(id);
    let pair = this.pairs.get(requestId);
    if (!pair) {
      pair = { port, started: false };
      this.pairs.set(requestId, pair);
    }
    pair[type] = id;
    this.streams.set(id, pair);
    if (pair.error !== undefined && pair.data !== undefined && !pair.started) {
      pair.started = true;
      this.start(requestId, pair);
    }
  }

  private start(requestId: string, pair: Pair): void {
    const data = pair.data!;
    const error = pair.error!;
    const finish = (message?: string): void => {
      if (message) this.data(error, Buffer.from(message));
      this.data(error, Buffer.alloc(0), true);
      this.data(data, Buffer.alloc(0), true);
      this.pairs.delete(requestId);
      this.streams.delete(data);
      this.streams.delete(error);
    };
    const held: Buffer[] = [];
    let inputEnded = false;
    // kubectl may send data before the pod's namespace is found: hold it.
    pair.connection = { write: (d) => held.push(Buffer.from(d)), end: () => { inputEnded = true; }, close: () => undefined };
    podNetwork(this.api, this.ns, this.pod, pair.port).then(
      (net) => {
        if (this.closed) return;
        let failed: string | undefined;
        const c = connectInPod(net, pair.port, {
          data: (d) => this.data(data, d),
          error: (m) => { failed = m; },
          end: () => finish(failed),
        });
        pair.connection = c;
        for (const d of held) c.write(d);
        if (inputEnded) c.end();
      },
      (e: unknown) => finish(`error forwarding port ${pair.port} to pod ${this.pod}: ${e instanceof ApiError ? e.message : (e as Error).message}`),
    );
  }

  close(why?: string): void {
    if (this.closed) return;
    if (why) {
      const b = Buffer.alloc(8);
      this.control(TYPE.goaway, 0, b);
    }
    this.closed = true;
    for (const p of this.streams.values()) p.connection?.close();
    this.streams.clear();
    this.pairs.clear();
    this.end();
  }
}

// `ws` checks offered subprotocols against RFC 7230's token characters, which exclude the `/` of
// SPDY/3.1+portforward.k8s.io (Go's server does not): the offer is renamed to a token before the upgrade,
// and the answer names the real protocol.
const TUNNEL_TOKEN = 'spdy-3.1-portforward.k8s.io';
const tunnel = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has(TUNNEL_TOKEN) ? SPDY_TUNNEL_PROTOCOL : false) });

function offersTunnel(req: IncomingMessage): boolean {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  return String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' && offered.includes(SPDY_TUNNEL_PROTOCOL);
}

function offersSpdy(req: IncomingMessage): boolean {
  return /^spdy\/3\.1$/i.test(String(req.headers.upgrade ?? '')) && String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim()).includes('portforward.k8s.io');
}

/** Takes kubectl's upgrade (WebSocket tunnel or plain SPDY); false when it is neither. */
export function handleSpdyUpgrade(api: Api, req: IncomingMessage, socket: Duplex, head: Buffer, ns: string, name: string): boolean {
  const tunnelled = offersTunnel(req);
  if (!tunnelled && !offersSpdy(req)) return false;
  // The pod must exist and run before the upgrade, as the API server checks: the refusal says why.
  podNetwork(api, ns, name, 0).then(
    () => {
      if (tunnelled) {
        req.headers['sec-websocket-protocol'] = TUNNEL_TOKEN;
        tunnel.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          const spdy = new SpdyPortForward(api, ns, name, { write: (b) => ws.readyState === ws.OPEN && ws.send(b, { binary: true }), end: () => ws.close(1000) });
          ws.on('message', (d: Buffer) => spdy.feed(Buffer.from(d)));
          ws.on('close', () => spdy.close());
          ws.on('error', () => spdy.close());
        });
        return;
      }
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
      const spdy = new SpdyPortForward(api, ns, name, { write: (b) => socket.writable && socket.write(b), end: () => socket.end() });
      if (head.length) spdy.feed(head);
      socket.on('data', (d: Buffer) => spdy.feed(d));
      socket.on('close', () => spdy.close());
    },
    (e: unknown) => (e instanceof ApiError ? refuse(socket, e.code, e.reason, e.message) : refuse(socket, 500, 'InternalError', `Internal error occurred: ${(e as Error).message}`)),
  );
  return true;
}
