// A burst of log (what one turn of the event loop can read from a fast socket) is handed on a
// slice per turn, so the extension host keeps answering while a chatty pod floods its channel.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { LineSplitter } from '../../../src/core/logs/lineSplitter.ts';
import { BYTES_PER_TURN, readYielding } from '../../../src/core/logs/yieldingReader.ts';

test('a 1.3 MB burst reaches the reader at most 64 KiB per turn of the event loop, every line in order', async () => {
  // 16,000 lines of 84 bytes in 8 KiB chunks, all waiting in the stream's buffer at once.
  const text = Array.from({ length: 16_000 }, (_, i) => `2025-01-01T12:00:00.${String(i).padStart(9, '0')}Z line ${String(i).padStart(6, '0')} ${'x'.repeat(32)}\n`).join('');
  const body = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
  body.pause();
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 8 * 1024) body.write(bytes.subarray(i, i + 8 * 1024));
  body.end();

  // The turns of the event loop, counted by a chain of setImmediate.
  let turn = 0;
  let counting = true;
  const tick = () => {
    turn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);

  const perTurn = new Map<number, number>();
  const splitter = new LineSplitter();
  const lines: string[] = [];
  readYielding(body, (chunk) => {
    perTurn.set(turn, (perTurn.get(turn) ?? 0) + chunk.length);
    lines.push(...splitter.push(chunk));
  });
  body.resume();
  await new Promise<void>((resolve) => body.once('end', resolve));
  counting = false;
  lines.push(...splitter.end());

  assert.equal(lines.length, 16_000);
  assert.ok(lines.every((l, i) => l.includes(` line ${String(i).padStart(6, '0')} `)), 'every line once, in order');
  const most = Math.max(...perTurn.values());
  assert.ok(most <= BYTES_PER_TURN, `at most ${BYTES_PER_TURN} bytes in one turn, got ${most}`);
  assert.ok(perTurn.size >= Math.ceil(bytes.length / BYTES_PER_TURN), `spread over ${perTurn.size} turns`);
});

test('a destroyed stream is not resumed: nothing more is read after the reader stopped it', async () => {
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  body.pause();
  for (let i = 0; i < 32; i++) body.write(Buffer.alloc(8 * 1024, 'a'));
  let read = 0;
  readYielding(body, (chunk) => {
    read += chunk.length;
  });
  body.resume();
  await new Promise((r) => setImmediate(r));
  assert.equal(read, BYTES_PER_TURN, 'the first slice, then a pause');
  body.destroy();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(read, BYTES_PER_TURN);
});
