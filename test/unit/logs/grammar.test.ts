// The log channel's TextMate grammar, checked without vscode-textmate: its rules are plain
// `match` rules whose regexes JavaScript also understands, so a small tokenizer with TextMate's
// rule (the leftmost match wins; on a tie, the earlier pattern) shows how a line is coloured.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { markerLine } from '../../../src/core/logs/channelText.ts';
import { podPrefix } from '../../../src/core/logs/podNames.ts';

interface Rule {
  match?: string;
  name?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, { name: string }>;
  begin?: string;
}

interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const grammar = JSON.parse(readFileSync(new URL('../../../syntaxes/k3d-logs.tmLanguage.json', import.meta.url), 'utf8')) as Grammar;

/** The match rules in order, includes resolved. */
function flatten(rules: Rule[]): Array<Rule & { regex: RegExp }> {
  return rules.flatMap((rule) => {
    if (rule.include) {
      const target = grammar.repository[rule.include.slice(1)];
      assert.ok(target, `include ${rule.include} resolves`);
      return flatten([target]);
    }
    if (rule.patterns) {
      return flatten(rule.patterns);
    }
    assert.ok(rule.match, 'only match rules: every line is coloured on its own');
    return [{ ...rule, regex: new RegExp(rule.match, 'dg') }];
  });
}

const rules = flatten(grammar.patterns);

/** [text, scope] for each coloured piece of the line. */
function tokenize(line: string): Array<[string, string]> {
  const tokens: Array<[string, string]> = [];
  let pos = 0;
  while (pos < line.length) {
    let best: { rule: (typeof rules)[number]; m: RegExpExecArray } | undefined;
    for (const rule of rules) {
      rule.regex.lastIndex = pos;
      const m = rule.regex.exec(line);
      if (m && (!best || m.index < best.m.index)) {
        best = { rule, m };
      }
    }
    if (!best) {
      break;
    }
    const { rule, m } = best;
    if (rule.name) {
      tokens.push([m[0], rule.name]);
    }
    for (const [group, capture] of Object.entries(rule.captures ?? {})) {
      const text = m[Number(group)];
      if (text) {
        tokens.push([text, capture.name]);
      }
    }
    pos = m.index + Math.max(1, m[0].length);
  }
  return tokens;
}

/** The scope given to `piece` in `line`, or undefined. */
function scopeOf(line: string, piece: string): string | undefined {
  return tokenize(line).find(([text]) => text === piece)?.[1];
}

test('the grammar is for source.k3d-logs and every regex compiles (JavaScript, no Oniguruma-only syntax)', () => {
  assert.equal(grammar.scopeName, 'source.k3d-logs');
  assert.ok(rules.length > 20);
  for (const rule of rules) {
    // Constructs Oniguruma has and JavaScript lacks (or reads differently) are kept out.
    assert.doesNotMatch(rule.match!, /\\[AzZGhHK]|\(\?[imx]+\)|\(\?>|\+\+|\*\+|\?\+|\\p\{/, rule.match);
    assert.doesNotThrow(() => new RegExp(rule.match!, 'u'), rule.match);
    for (const scope of [rule.name, ...Object.values(rule.captures ?? {}).map((c) => c.name)]) {
      if (scope) {
        assert.match(scope, /\.k3d-logs$/, 'scopes end with the language');
      }
    }
  }
});

test('timestamp and pod prefix at the start of a line', () => {
  const line = `2025-01-01T12:00:00.123456789Z ${podPrefix('x2k9l', 5)}5e7c12`;
  assert.deepEqual(tokenize(line), [
    ['2025-01-01T12:00:00.123456789Z', 'comment.timestamp.k3d-logs'],
    ['[x2k9l]', 'entity.name.tag.pod.k3d-logs'],
  ]);
  assert.equal(scopeOf('[web-0/nginx]   GET / 200', '[web-0/nginx]'), 'entity.name.tag.pod.k3d-logs');
  assert.equal(scopeOf('[web-0/nginx]   GET / 200', '200'), 'constant.numeric.k3d-logs');
  assert.equal(scopeOf('2025-01-01T12:00:00Z plain', '2025-01-01T12:00:00Z'), 'comment.timestamp.k3d-logs');
  // The hash the course's app prints is not a number.
  assert.deepEqual(tokenize('[x2k9l] 5e7c12'), [['[x2k9l]', 'entity.name.tag.pod.k3d-logs']]);
});

test('levels in their usual spellings and cases', () => {
  const error = 'string.regexp.level.error.k3d-logs';
  const warn = 'markup.deleted.level.warn.k3d-logs';
  const info = 'markup.inserted.level.info.k3d-logs';
  const debug = 'markup.changed.level.debug.k3d-logs';
  const cases: Array<[string, string, string]> = [
    ['ERROR could not connect', 'ERROR', error],
    ['ERRO[0003] Failed to start', 'ERRO', error],
    ['FATAL boom', 'FATAL', error],
    ['[x2k9l] 12:00 ERR db down', 'ERR', error],
    ['CRIT disk full', 'CRIT', error],
    ['Error: ENOENT', 'Error', error],
    ['[error] upstream timed out', 'error', error],
    ['2025-01-01T12:00:00Z [Error] upstream timed out', 'Error', error],
    ['[x2k9l] [error] upstream timed out', 'error', error],
    ['panic: runtime error: index out of range', 'panic', error],
    ['WARN low memory', 'WARN', warn],
    ['WARNING: deprecated', 'WARNING', warn],
    ['[warn] slow', 'warn', warn],
    ['Warning: x', 'Warning', warn],
    ['INFO Starting', 'INFO', info],
    ['INFO[0000] Creating cluster', 'INFO', info],
    ['[notice] 1#1: nginx/1.27.3', 'notice', info],
    ['DEBUG cache hit', 'DEBUG', debug],
    ['TRACE enter', 'TRACE', debug],
    ['DBG x', 'DBG', debug],
  ];
  for (const [line, piece, scope] of cases) {
    assert.equal(scopeOf(line, piece), scope, line);
  }
  // Inside a word or a sentence, lowercase level words stay plain.
  assert.equal(scopeOf('no error here', 'error'), undefined);
  assert.equal(scopeOf('information_schema', 'information'), undefined);
  assert.equal(scopeOf('ErrorBoundary rendered', 'Error'), undefined);
});

test('logfmt and JSON levels, keys, strings, numbers, URLs and constants', () => {
  const logfmt = 'time="2025-01-01T12:00:00Z" level=info msg="Configuration loaded" count=3';
  assert.equal(scopeOf(logfmt, 'level'), 'variable.other.key.k3d-logs');
  assert.equal(scopeOf(logfmt, 'info'), 'markup.inserted.level.info.k3d-logs');
  assert.equal(scopeOf(logfmt, '"Configuration loaded"'), 'string.quoted.double.k3d-logs');
  assert.equal(scopeOf(logfmt, 'count'), 'variable.other.key.k3d-logs');
  assert.equal(scopeOf(logfmt, '3'), 'constant.numeric.k3d-logs');
  assert.equal(scopeOf('level=ERROR msg=x', 'ERROR'), 'string.regexp.level.error.k3d-logs');
  assert.equal(scopeOf('lvl="warn"', 'warn'), 'markup.deleted.level.warn.k3d-logs');

  const json = '{"level":"debug","ts":1735732800.5,"msg":"GET /healthz","ok":true,"err":null}';
  assert.equal(scopeOf(json, '"level"'), 'support.type.property-name.json.k3d-logs');
  assert.equal(scopeOf(json, 'debug'), 'markup.changed.level.debug.k3d-logs');
  assert.equal(scopeOf(json, '"msg"'), 'support.type.property-name.json.k3d-logs');
  assert.equal(scopeOf(json, '"GET /healthz"'), 'string.quoted.double.k3d-logs');
  assert.equal(scopeOf(json, '1735732800.5'), 'constant.numeric.k3d-logs');
  assert.equal(scopeOf(json, 'true'), 'constant.language.k3d-logs');
  assert.equal(scopeOf(json, 'null'), 'constant.language.k3d-logs');
  assert.equal(scopeOf('{"severity": "ERROR"}', 'ERROR'), 'string.regexp.level.error.k3d-logs');

  const url = 'Server listening on http://0.0.0.0:3000/api?x=1, see https://k3d.io/v5.8.3/.';
  assert.equal(scopeOf(url, 'http://0.0.0.0:3000/api?x=1'), 'markup.underline.link.k3d-logs');
  assert.equal(scopeOf(url, 'https://k3d.io/v5.8.3/'), 'markup.underline.link.k3d-logs');
  assert.equal(scopeOf('peer 10.42.0.7:8080 closed', '10.42.0.7:8080'), 'constant.numeric.ip.k3d-logs');
  assert.equal(scopeOf("can't open 'config.yaml'", "'config.yaml'"), 'string.quoted.single.k3d-logs');
  assert.equal(scopeOf('took 150ms, -3 left', '150ms'), 'constant.numeric.k3d-logs');
  assert.equal(scopeOf('took 150ms, -3 left', '-3'), 'constant.numeric.k3d-logs');
  assert.equal(scopeOf('nginx/1.27.3 started', '1.27'), undefined, 'versions are not numbers');
});

test('klog lines of Kubernetes components', () => {
  const line = 'E0101 12:00:00.000000       1 reflector.go:158] failed to list';
  assert.equal(scopeOf(line, 'E'), 'string.regexp.level.error.k3d-logs');
  assert.equal(scopeOf(line, '0101 12:00:00.000000'), 'comment.timestamp.k3d-logs');
  assert.equal(scopeOf('I0101 12:00:00.000000 1 serving.go:374] Generated', 'I'), 'markup.inserted.level.info.k3d-logs');
});

test("the extension's own lines, with or without timestamp and prefix", () => {
  for (const line of [markerLine('pod deleted'), `[m4n8p] ${markerLine('pod hashgenerator-dep-7f9b6d5c8-m4n8p joined')}`, `2025-01-01T12:00:00Z [m4n8p] ${markerLine('reconnected')}`]) {
    const tokens = tokenize(line);
    assert.deepEqual(
      tokens.filter(([, scope]) => scope.startsWith('keyword') || scope.startsWith('punctuation.definition.marker')).map(([, scope]) => scope),
      ['punctuation.definition.marker.k3d-logs', 'keyword.control.marker.k3d-logs', 'punctuation.definition.marker.k3d-logs'],
      line,
    );
  }
  assert.equal(scopeOf(`[m4n8p] ${markerLine('pod x joined')}`, '[m4n8p]'), 'entity.name.tag.pod.k3d-logs');
  // An app's own dashes are not a marker.
  assert.equal(scopeOf('--- begin ---- data', '---'), undefined);
});
