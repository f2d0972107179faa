import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createK3dLineReader, lastErrorMessage, parseLogLine, stripAnsi } from '../../../src/core/k3d/logLine.ts';

test('coloured logrus lines lose their ANSI codes and keep level, elapsed time and message', () => {
  const raw = '\x1b[36mINFO\x1b[0m[0003] Starting servers...';
  assert.equal(stripAnsi(raw), 'INFO[0003] Starting servers...');
  assert.deepEqual(parseLogLine(raw), { level: 'info', elapsed: 3, message: 'Starting servers...' });
  assert.deepEqual(parseLogLine('\x1b[31mFATA\x1b[0m[0000] boom'), { level: 'fatal', elapsed: 0, message: 'boom' });
  assert.equal(parseLogLine('\x1b[33mWARN\x1b[0m[0012] careful').level, 'warn');
});

test('logfmt lines (LOG_COLORS=false) parse too, with escaped quotes', () => {
  const parsed = parseLogLine('time="2026-11-25T10:00:00Z" level=info msg="Creating cluster \\"dev\\""');
  assert.deepEqual(parsed, { level: 'info', message: 'Creating cluster "dev"' });
  assert.equal(parseLogLine('time="x" level=fatal msg=boom').message, 'boom');
});

test('other lines pass through as messages without a level', () => {
  assert.deepEqual(parseLogLine('kubectl cluster-info'), { message: 'kubectl cluster-info' });
});

test('the last FATA message is what k3d says went wrong; else the first ERRO', () => {
  const lines = [
    '\x1b[36mINFO\x1b[0m[0000] Prep: Network',
    '\x1b[31mERRO\x1b[0m[0000] Failed to create cluster network',
    '\x1b[31mFATA\x1b[0m[0000] Cluster creation FAILED, all changes have been rolled back!',
  ];
  assert.equal(lastErrorMessage(lines), 'Cluster creation FAILED, all changes have been rolled back!');
  assert.equal(lastErrorMessage(lines.slice(0, 2)), 'Failed to create cluster network');
  assert.equal(lastErrorMessage(lines.slice(0, 1)), undefined);
});

test('a FATA message that spans lines (k3d\'s schema validation) keeps the lines without a level that follow it', () => {
  const lines = [
    '\x1b[31mFATA\x1b[0m[0000] Schema Validation failed for config file k3d.yaml: - (root): Additional property agent is not allowed',
    '- kind: kind must be one of the following: "Simple" ',
  ];
  assert.equal(lastErrorMessage(lines), 'Schema Validation failed for config file k3d.yaml: - (root): Additional property agent is not allowed\n- kind: kind must be one of the following: "Simple"');
  assert.equal(lastErrorMessage([lines[0], '\x1b[36mINFO\x1b[0m[0001] next']), lines[0].replace(/^.*\[0000\] /, ''));
});

test('DEBU and TRAC lines, and the later lines of a multi-line message, belong at trace level; stdout and stderr apart', () => {
  const read = createK3dLineReader();
  const seen = [
    read('\x1b[37mDEBU\x1b[0m[0000] Runtime Info:', 'stdout'),
    read('\x1b[33mWARN\x1b[0m[0000] careful                                      ', 'stderr'),
    read('&{Name:docker Endpoint:/var/run/docker.sock OSType:linux} ', 'stdout'),
    read('\x1b[37mTRAC\x1b[0m[0000] PortFilterMap: map[]                         ', 'stdout'),
    read('\x1b[36mINFO\x1b[0m[0001] Starting servers...                          ', 'stdout'),
    read('kubectl cluster-info', 'stdout'),
  ];
  assert.deepEqual(seen.map((s) => [s.severity, s.continuation]), [
    ['trace', false], ['warn', false], ['trace', true], ['trace', false], ['info', false], ['info', false],
  ]);
  assert.equal(seen[2].line.message, '&{Name:docker Endpoint:/var/run/docker.sock OSType:linux}');
});

test('--timestamps lines parse too, without an elapsed time', () => {
  assert.deepEqual(parseLogLine('\x1b[36mINFO\x1b[0m[2026-11-29T20:00:00Z] Prep: Network'), { level: 'info', message: 'Prep: Network' });
});
