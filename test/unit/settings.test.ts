// The coercion of k3d.* settings: whatever a workspace's settings.json holds, the extension
// gets a safe value (src/config.ts is a thin typed class over these functions).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { booleanFrom, countFrom, secondsFrom, SETTINGS, stringFrom, systemNamespacesFrom } from '../../src/core/settings.ts';

test('k3d.refreshInterval: 0.001 from a workspace is clamped to 2 s, 0 still turns polling off', () => {
  assert.equal(secondsFrom(0.001, SETTINGS.refreshInterval), 2);
  assert.equal(secondsFrom(1, SETTINGS.refreshInterval), 2);
  assert.equal(secondsFrom(0, SETTINGS.refreshInterval), 0, '0 = off');
  assert.equal(secondsFrom(-1, SETTINGS.refreshInterval), 10, 'negative: the default');
  assert.equal(secondsFrom(15, SETTINGS.refreshInterval), 15);
  assert.equal(secondsFrom(1e12, SETTINGS.refreshInterval), 3600);
});

test('k3d.rolloutTimeout given as a string gives the default, not NaN', () => {
  for (const bad of ['60', 'abc', null, undefined, Number.NaN, Number.POSITIVE_INFINITY, {}, [90], true]) {
    const seconds = secondsFrom(bad, SETTINGS.rolloutTimeout);
    assert.equal(seconds, 120, `rolloutTimeout ${JSON.stringify(bad)}`);
  }
  assert.equal(secondsFrom(3, SETTINGS.rolloutTimeout), 10, 'below the minimum: the minimum');
  assert.equal(secondsFrom(300, SETTINGS.rolloutTimeout), 300);
});

test('k3d.requestTimeout: seconds within 1..600, default 30', () => {
  assert.equal(secondsFrom(undefined, SETTINGS.requestTimeout), 30);
  assert.equal(secondsFrom('5', SETTINGS.requestTimeout), 30);
  assert.equal(secondsFrom(0, SETTINGS.requestTimeout), 1, '0 is not "no timeout": a request must end');
  assert.equal(secondsFrom(0.2, SETTINGS.requestTimeout), 1);
  assert.equal(secondsFrom(1e9, SETTINGS.requestTimeout), 600);
  assert.equal(secondsFrom(45, SETTINGS.requestTimeout), 45);
});

test('k3d.operationTimeout keeps its minimum of 30 s', () => {
  assert.equal(secondsFrom(1, SETTINGS.operationTimeout), 30);
  assert.equal(secondsFrom('300', SETTINGS.operationTimeout), 300);
  assert.equal(secondsFrom(0, SETTINGS.operationTimeout), 30, 'no "off" for operations');
});

test('strings, booleans, counts and enums fall back to their defaults on anything odd', () => {
  assert.equal(stringFrom('  /opt/k3d  ', 'k3d'), '/opt/k3d');
  assert.equal(stringFrom('   ', 'k3d'), 'k3d');
  assert.equal(stringFrom(42, 'docker'), 'docker');
  assert.equal(stringFrom(undefined), undefined);
  assert.equal(booleanFrom('false', true), true);
  assert.equal(booleanFrom(false, true), false);
  assert.equal(booleanFrom(1, false), false);
  assert.equal(countFrom(12.7, 100), 12);
  assert.equal(countFrom(-3, 100), 100);
  assert.equal(countFrom('50', 100), 100);
  assert.equal(countFrom(1e9, 100), 100_000);
  assert.equal(systemNamespacesFrom('hidden'), 'hidden');
  assert.equal(systemNamespacesFrom('HIDDEN'), 'grouped');
  assert.equal(systemNamespacesFrom(undefined), 'grouped');
});
