import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClusterArgs, deleteClusterArgs, listClustersArgs } from '../../src/core/k3d/args.ts';

test('create builds the argument array the course types', () => {
  assert.deepEqual(createClusterArgs({ name: 'k3s-default', agents: 2, servers: 1 }), [
    'cluster', 'create', 'k3s-default', '--servers', '1', '--agents', '2', '--wait',
  ]);
});

test('ports repeat the flag; an image and a config file are passed through as single arguments', () => {
  const args = createClusterArgs({
    name: 'dev',
    ports: ['8081:80@loadbalancer', '8443:443@loadbalancer'],
    image: 'rancher/k3s:v1.31.5-k3s1',
    configFile: '/home/me/my k3d.yaml',
  });
  assert.deepEqual(args, [
    'cluster', 'create', 'dev', '--config', '/home/me/my k3d.yaml',
    '--port', '8081:80@loadbalancer', '--port', '8443:443@loadbalancer', '--image', 'rancher/k3s:v1.31.5-k3s1', '--wait',
  ]);
});

test('a config file without a name lets the file name the cluster', () => {
  assert.deepEqual(createClusterArgs({ name: '', configFile: 'k3d.yaml' }), ['cluster', 'create', '--config', 'k3d.yaml', '--wait']);
});

test('list asks for JSON; delete names one cluster', () => {
  assert.deepEqual(listClustersArgs(), ['cluster', 'list', '-o', 'json']);
  assert.deepEqual(deleteClusterArgs('dev'), ['cluster', 'delete', 'dev']);
});
