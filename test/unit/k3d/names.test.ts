import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePortMappings, validateClusterName, validateNodeCount, validatePortMapping } from '../../../src/core/k3d/names.ts';

test('valid cluster names pass', () => {
  for (const name of ['k3s-default', 'dev', 'a', 'my-Cluster-2', 'x'.repeat(32)]) {
    assert.equal(validateClusterName(name), undefined, name);
  }
});

test('invalid cluster names say why', () => {
  assert.match(validateClusterName('') ?? '', /Enter a name/);
  assert.match(validateClusterName('x'.repeat(33)) ?? '', /33 characters.*at most 32/);
  assert.match(validateClusterName('-dev') ?? '', /start or end with a dash/);
  assert.match(validateClusterName('dev-') ?? '', /start or end with a dash/);
  assert.match(validateClusterName('my_cluster') ?? '', /contains '_'/);
  assert.match(validateClusterName('my.cluster') ?? '', /contains '\.'/);
  assert.match(validateClusterName('my cluster') ?? '', /contains ' '/);
});

test('node counts: servers at least 1, agents at least 0, whole numbers', () => {
  assert.equal(validateNodeCount('2', 'agents'), undefined);
  assert.equal(validateNodeCount('0', 'agents'), undefined);
  assert.match(validateNodeCount('0', 'servers') ?? '', /between 1 and 9/);
  assert.match(validateNodeCount('two', 'agents') ?? '', /whole number/);
  assert.match(validateNodeCount('1.5', 'agents') ?? '', /whole number/);
  assert.match(validateNodeCount('10', 'agents') ?? '', /between 0 and 9/);
});

test('port mappings as k3d takes them', () => {
  for (const spec of ['8081:80@loadbalancer', '80', '8080:80', '127.0.0.1:8080:80/tcp@loadbalancer', '30000-30010:30000-30010@server:0', '53:53/udp@agent:0,1'.replace(',1', ''), '8443:443@agent:*']) {
    assert.equal(validatePortMapping(spec), undefined, spec);
  }
  assert.match(validatePortMapping('http') ?? '', /not a port mapping/);
  assert.match(validatePortMapping('8081:80@') ?? '', /not a port mapping/);
  assert.match(validatePortMapping('70000:80') ?? '', /outside 1-65535/);
});

test('the wizard field splits on commas and spaces and reports the first bad mapping', () => {
  assert.deepEqual(parsePortMappings(''), { mappings: [] });
  assert.deepEqual(parsePortMappings('8081:80@loadbalancer, 8443:443@loadbalancer').mappings, ['8081:80@loadbalancer', '8443:443@loadbalancer']);
  assert.match(parsePortMappings('8081:80@loadbalancer nope').error ?? '', /'nope'/);
});
