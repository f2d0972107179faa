import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markerLine } from '../../../src/core/logs/channelText.ts';
import { LineBatcher } from '../../../src/core/logs/lineBatcher.ts';
import { LineSplitter } from '../../../src/core/logs/lineSplitter.ts';
import { colorIndex, PodNamer, podPrefix } from '../../../src/core/logs/podNames.ts';
import { compareTimestamps, parseTimestampedLine, sinceTimeParam, TimestampDeduper } from '../../../src/core/logs/timestamps.ts';

test('lines split across chunks come out whole, with \\r\\n and a last line without newline', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('first li'), []);
  assert.deepEqual(s.push('ne\r'), []);
  assert.deepEqual(s.push('\nsecond\n\nthird\r\nfou'), ['first line', 'second', '', 'third']);
  assert.deepEqual(s.end(), ['fou']);
  assert.deepEqual(s.end(), []);
});

test('a UTF-8 character split between chunks is decoded whole, whatever the split', () => {
  const text = 'hash: 5e7c ✓ — naïve 🚀 done\nnext ☃\n';
  const bytes = Buffer.from(text, 'utf8');
  for (let cut = 1; cut < bytes.length; cut++) {
    const s = new LineSplitter();
    const lines = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut)), ...s.end()];
    assert.deepEqual(lines, ['hash: 5e7c ✓ — naïve 🚀 done', 'next ☃'], `cut at byte ${cut}`);
  }
  // One byte at a time, too.
  const s = new LineSplitter();
  const lines: string[] = [];
  for (const b of bytes) {
    lines.push(...s.push(Uint8Array.of(b)));
  }
  assert.deepEqual(lines, ['hash: 5e7c ✓ — naïve 🚀 done', 'next ☃']);
});

test('a line that never ends is cut into bounded pieces', () => {
  const s = new LineSplitter(10);
  assert.deepEqual(s.push('x'.repeat(25)), ['x'.repeat(10), 'x'.repeat(10)]);
  assert.deepEqual(s.push('y\n'), ['xxxxxy']);
});

test('kubelet timestamps: nanoseconds, trimmed zeros, offsets; the text keeps its own spaces', () => {
  const a = parseTimestampedLine('2024-05-01T10:00:00.123456789Z 2024-05-01 hash 5e7c');
  assert.equal(a.text, '2024-05-01 hash 5e7c');
  assert.deepEqual(a.time, { seconds: Date.UTC(2024, 4, 1, 10) / 1000, nanos: 123456789, raw: '2024-05-01T10:00:00.123456789Z' });
  const b = parseTimestampedLine('2024-05-01T10:00:00.12Z   indented');
  assert.equal(b.text, '  indented');
  assert.equal(b.time?.nanos, 120_000_000);
  const c = parseTimestampedLine('2024-05-01T12:00:00+02:00 x');
  assert.equal(c.time?.seconds, Date.UTC(2024, 4, 1, 10) / 1000);
  assert.equal(c.time?.nanos, 0);
  assert.deepEqual(parseTimestampedLine('no timestamp here'), { text: 'no timestamp here' });
  assert.equal(parseTimestampedLine('2024-05-01T10:00:00Z').text, '');
  // .12 is later than .1 though it sorts first as text.
  assert.ok(compareTimestamps(b.time!, parseTimestampedLine('2024-05-01T10:00:00.1Z x').time!) > 0);
});

test('sinceTime is whole seconds, rounded down', () => {
  assert.equal(sinceTimeParam(parseTimestampedLine('2024-05-01T10:00:07.999Z x').time!), '2024-05-01T10:00:07Z');
});

test('the deduper drops what a resumed stream repeats, and keeps new lines that share the last timestamp', () => {
  const t = (s: string) => parseTimestampedLine(`2024-05-01T10:00:${s}Z x`).time;
  const d = new TimestampDeduper();
  const first = ['01.5', '02.1', '02.1', '02.7'].map((s) => d.accept(t(s)));
  assert.deepEqual(first, [true, true, true, true]);
  d.resume();
  // The server resends from 10:00:02 (whole seconds): 02.1 twice and 02.7 are old; the next 02.7 is new.
  const second = ['02.1', '02.1', '02.7', '02.7', '03.0'].map((s) => d.accept(t(s)));
  assert.deepEqual(second, [false, false, false, true, true]);
  assert.equal(d.lastSeen?.raw, '2024-05-01T10:00:03.0Z');
  assert.equal(d.accept(undefined), true);
});

test('short pod names: the random suffix, longer when it is short or taken, stable once given', () => {
  const n = new PodNamer();
  assert.equal(n.name('hashgenerator-dep-5d8f7c9b4-x2k9l'), 'x2k9l');
  assert.equal(n.name('web-0'), 'web-0');
  assert.equal(n.name('other-dep-6c4b8d-x2k9l'), '6c4b8d-x2k9l');
  assert.equal(n.name('hashgenerator-dep-5d8f7c9b4-x2k9l'), 'x2k9l');
  assert.equal(n.name('single'), 'single');
  assert.equal(n.width, '6c4b8d-x2k9l'.length);
  n.forget('hashgenerator-dep-5d8f7c9b4-x2k9l');
  assert.equal(n.name('third-dep-1-x2k9l'), 'x2k9l');
});

test('prefixes line up; colours are stable per pod and spread', () => {
  assert.equal(podPrefix('x2k9l', 5), '[x2k9l] ');
  assert.equal(podPrefix('web-0', 7), '[web-0]   ');
  assert.equal(colorIndex('hashgenerator-dep-5d8f7c9b4-x2k9l'), colorIndex('hashgenerator-dep-5d8f7c9b4-x2k9l'));
  const slots = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((s) => colorIndex(`dep-abc-${s}`)));
  assert.ok(slots.size >= 3);
  assert.equal(markerLine('pod deleted'), '--- pod deleted ---');
});

test('the batcher sends lines in order, in batches, after the interval', async () => {
  const batches: string[][] = [];
  const b = new LineBatcher({ flush: (lines) => void batches.push(lines), intervalMs: 5 });
  b.pushAll(['a', 'b', 'c']);
  assert.deepEqual(batches, []);
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(batches, [['a', 'b', 'c']]);
  b.push('d');
  b.close();
  assert.deepEqual(batches, [['a', 'b', 'c'], ['d']]);
  b.push('ignored after close');
  assert.equal(b.pending, 0);
});

test('a producer faster than the batches: the oldest lines go, a marker says how many, memory stays bounded', async () => {
  const shown: string[] = [];
  const b = new LineBatcher({ flush: (lines) => void shown.push(...lines), intervalMs: 5, maxBatchLines: 100, maxPendingLines: 1000 });
  for (let i = 0; i < 20_000; i++) {
    b.push(`line ${i}`);
  }
  assert.equal(b.pending, 1000);
  b.close();
  assert.equal(shown[0], markerLine('19000 lines skipped: the log came faster than it could be shown'));
  assert.equal(shown[1], 'line 19000');
  assert.equal(shown.at(-1), 'line 19999');
  assert.equal(shown.length, 1001);
  assert.equal(b.droppedTotal, 19_000);
});

test('a slow async consumer holds batches back; lines that pile up meanwhile are bounded by size too', async () => {
  const shown: string[] = [];
  let release: () => void = () => {};
  const b = new LineBatcher({
    flush: (lines) => {
      shown.push(...lines);
      return new Promise<void>((r) => (release = r));
    },
    intervalMs: 1,
    maxPendingChars: 100,
  });
  b.push('first');
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(shown, ['first']);
  for (let i = 0; i < 50; i++) {
    b.push(`${i}`.padStart(10, '0')); // 10 chars each: 10 fit in 100
  }
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(shown, ['first'], 'nothing more until the consumer is done');
  assert.equal(b.pending, 10);
  release();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(shown[1], markerLine('40 lines skipped: the log came faster than it could be shown'));
  assert.deepEqual(shown.slice(2), Array.from({ length: 10 }, (_, i) => `${i + 40}`.padStart(10, '0')));
  release();
  b.close();
});

test('options passed as undefined keep their defaults (75 ms, not a 1 ms timer)', async () => {
  const batches: string[][] = [];
  const b = new LineBatcher({ flush: (lines) => void batches.push(lines), intervalMs: undefined, maxPendingLines: undefined });
  b.push('a');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(batches, [], 'still waiting for its interval');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(batches, [['a']]);
  b.close();
});
