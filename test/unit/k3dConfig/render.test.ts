// The create wizard's choices as a k3d config file: exact bytes, and read back to the same choices.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  choicesFromCreateOptions, configFileName, looksLikeK3dConfig, portFromFlag, portToFlag, readConfigModel, registryCreateFromFlag, renderConfigFile, yamlString,
} from '../../../src/core/k3d/configFile.ts';

describe('renderConfigFile', () => {
  it('writes servers, agents, image, ports with node filters, registries and options, byte for byte', () => {
    const text = renderConfigFile({
      name: 'dev',
      servers: 1,
      agents: 2,
      image: 'rancher/k3s:v1.31.5-k3s1',
      ports: ['8081:80@loadbalancer', '127.0.0.1:8443:443@loadbalancer', '30000-30002:30000-30002@server:0;agent:*'],
      registries: { create: 'reg:0.0.0.0:5001', use: ['k3d-shared:5000'] },
    });
    assert.equal(text, [
      '# k3d cluster create --config <this file>    (k3d v5.x; schema: https://k3d.io/stable/usage/configfile/)',
      'apiVersion: k3d.io/v1alpha5',
      'kind: Simple',
      'metadata:',
      '  name: dev',
      'servers: 1',
      'agents: 2',
      'image: rancher/k3s:v1.31.5-k3s1',
      'ports:',
      '  - port: "8081:80"',
      '    nodeFilters:',
      '      - loadbalancer',
      '  - port: "127.0.0.1:8443:443"',
      '    nodeFilters:',
      '      - loadbalancer',
      '  - port: "30000-30002:30000-30002"',
      '    nodeFilters:',
      '      - server:0',
      '      - "agent:*"',
      'registries:',
      '  create:',
      '    name: reg',
      '    host: "0.0.0.0"',
      '    hostPort: "5001"',
      '  use:',
      '    - k3d-shared:5000',
      'options:',
      '  k3d:',
      '    wait: true',
      '  kubeconfig:',
      '    updateDefaultKubeconfig: true',
      '    switchCurrentContext: true',
      '',
    ].join('\n'));
    assert.equal(renderConfigFile({ name: 'dev', servers: 1, agents: 2, image: 'rancher/k3s:v1.31.5-k3s1', ports: ['8081:80@loadbalancer', '127.0.0.1:8443:443@loadbalancer', '30000-30002:30000-30002@server:0;agent:*'], registries: { create: 'reg:0.0.0.0:5001', use: ['k3d-shared:5000'] } }), text, 'same choices, same bytes');
  });

  it('reads back (as a YAML parser sees it) to the same servers, agents, image, port flags and registries', () => {
    const ports = ['8081:80@loadbalancer', '9000:9000/udp@agent:0', '8080:80'];
    const model = readConfigModel(parse(renderConfigFile({ name: 'rt', servers: 3, agents: 0, image: 'rancher/k3s:latest', ports, registries: { create: 'myreg:5002' } })));
    assert.deepEqual(model, {
      name: 'rt', servers: 3, agents: 0, image: 'rancher/k3s:latest',
      ports: [{ port: '8081:80', nodeFilters: ['loadbalancer'] }, { port: '9000:9000/udp', nodeFilters: ['agent:0'] }, { port: '8080:80', nodeFilters: [] }],
      registries: { create: { name: 'myreg', host: undefined, hostPort: '5002' }, use: [] },
    });
    assert.deepEqual(model.ports.map(portToFlag), ports);
  });

  it('a minimal wizard run (no ports, default image) gives a minimal file that a YAML parser reads as k3d would', () => {
    const text = renderConfigFile({ name: 'k3s-default', servers: 1, agents: 2 });
    assert.doesNotMatch(text, /^(image|ports|registries):/m);
    assert.deepEqual(parse(text), {
      apiVersion: 'k3d.io/v1alpha5', kind: 'Simple', metadata: { name: 'k3s-default' }, servers: 1, agents: 2,
      options: { k3d: { wait: true }, kubeconfig: { updateDefaultKubeconfig: true, switchCurrentContext: true } },
    });
  });

  it('quotes whatever a YAML reader would take for a number, bool or null', () => {
    for (const s of ['8081:80', '5000', 'true', 'no', 'null', '0.0.0.0', '1e3', 'a: b', 'x#y', '']) {
      assert.equal(parse(`v: ${yamlString(s)}`).v, s, s);
      assert.match(yamlString(s), /^"/, s);
    }
    assert.equal(yamlString('rancher/k3s:v1.31.5-k3s1'), 'rancher/k3s:v1.31.5-k3s1');
  });
});

describe('choicesFromCreateOptions', () => {
  it('writes the registry the wizard chose as its flag says it: create NAME:127.0.0.1:PORT, or use NAME:PORT', () => {
    const created = readConfigModel(parse(renderConfigFile(choicesFromCreateOptions({ name: 'a', registry: { kind: 'create', name: 'reg', hostPort: 5001 } }))));
    assert.deepEqual(created.registries, { create: { name: 'reg', host: '127.0.0.1', hostPort: '5001' }, use: [] });
    const used = readConfigModel(parse(renderConfigFile(choicesFromCreateOptions({ name: 'a', registry: { kind: 'use', registry: { name: 'k3d-shared', port: '5000' } } }))));
    assert.deepEqual(used.registries, { create: undefined, use: ['k3d-shared:5000'] });
    assert.doesNotMatch(renderConfigFile(choicesFromCreateOptions({ name: 'a' })), /registries/);
  });
});

describe('config file helpers', () => {
  it('splits flags as k3d does', () => {
    assert.deepEqual(portFromFlag('8081:80@loadbalancer'), { port: '8081:80', nodeFilters: ['loadbalancer'] });
    assert.deepEqual(portFromFlag('80'), { port: '80', nodeFilters: [] });
    assert.deepEqual(registryCreateFromFlag('reg'), { name: 'reg' });
    assert.deepEqual(registryCreateFromFlag('reg:5000'), { name: 'reg', hostPort: '5000' });
    assert.deepEqual(registryCreateFromFlag('reg:127.0.0.1:5000'), { name: 'reg', host: '127.0.0.1', hostPort: '5000' });
    assert.equal(configFileName('dev'), 'k3d-dev.yaml');
  });

  it('recognises a k3d config file by its top-level apiVersion and kind only', () => {
    assert.equal(looksLikeK3dConfig('apiVersion: k3d.io/v1alpha5\nkind: Simple\n'), true);
    assert.equal(looksLikeK3dConfig('# c\nkind: "Simple"\napiVersion: "k3d.io/v1alpha4" # old\n'), true);
    assert.equal(looksLikeK3dConfig('apiVersion: apps/v1\nkind: Deployment\n'), false);
    assert.equal(looksLikeK3dConfig('apiVersion: k3d.io/v1alpha5\nkind: Deployment\n'), false);
    assert.equal(looksLikeK3dConfig('spec:\n  apiVersion: k3d.io/v1alpha5\n  kind: Simple\n'), false);
  });
});
