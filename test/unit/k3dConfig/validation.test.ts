// Schema Problems of a k3d config file: each kind of error, worded as k3d's validator words it, at its line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeConfig, completeKeys, completeValues, type ConfigProblem } from '../../../src/core/k3d/configSchema.ts';
import { renderConfigFile } from '../../../src/core/k3d/configFile.ts';

/** Each problem as `LINE: message` (lines from 1), the text under its range too. */
function at(text: string, problems: ConfigProblem[]): Array<{ line: number; message: string; under: string }> {
  return problems.map((p) => ({ line: text.slice(0, p.start).split('\n').length, message: p.message, under: text.slice(p.start, p.end) }));
}

describe('k3d config schema validation', () => {
  it('a file the wizard wrote has no problem', () => {
    const text = renderConfigFile({ name: 'dev', servers: 1, agents: 2, ports: ['8081:80@loadbalancer'], image: 'rancher/k3s:v1.31.5-k3s1', registries: { create: 'reg:127.0.0.1:5001', use: ['k3d-other:5000'] } });
    assert.deepEqual(analyzeConfig(text).problems, []);
  });

  it('an unknown key: Additional property ... is not allowed, on the key, with the key it probably meant', () => {
    const text = 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nmetadata:\n  name: dev\nagent: 2\n';
    assert.deepEqual(at(text, analyzeConfig(text).problems), [
      { line: 5, message: '(root): Additional property agent is not allowed (did you mean agents?)', under: 'agent' },
    ]);
  });

  it('a wrong type: Invalid type. Expected: string, given: integer, on the value, with the field path', () => {
    const text = 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nkubeAPI:\n  hostPort: 6550\nports:\n  - port: 8080:80\n    nodeFilters: loadbalancer\n';
    assert.deepEqual(at(text, analyzeConfig(text).problems), [
      { line: 4, message: 'kubeAPI.hostPort: Invalid type. Expected: string, given: integer', under: '6550' },
      { line: 7, message: 'ports.0.nodeFilters: Invalid type. Expected: array, given: string', under: 'loadbalancer' },
    ]);
  });

  it('an enum: kind must be one of the following: "Simple"', () => {
    const text = 'apiVersion: k3d.io/v1alpha5\nkind: simple\n';
    assert.deepEqual(at(text, analyzeConfig(text).problems), [{ line: 2, message: 'kind: kind must be one of the following: "Simple"', under: 'simple' }]);
  });

  it('a minimum: servers: 0 must be at least 1', () => {
    const text = 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nservers: 0\nagents: -1\n';
    assert.deepEqual(at(text, analyzeConfig(text).problems), [
      { line: 3, message: 'servers: Must be greater than or equal to 1', under: '0' },
      { line: 4, message: 'agents: Must be greater than or equal to 0', under: '-1' },
    ]);
  });

  it('a missing required key: at the first line of the map it belongs in', () => {
    const text = '# my cluster\nmetadata:\n  name: dev\napiVersion: k3d.io/v1alpha5\n';
    assert.deepEqual(at(text, analyzeConfig(text).problems), [{ line: 2, message: '(root): kind is required', under: 'metadata' }]);
  });

  it('a format: metadata.name must be a hostname, kubeAPI.hostIP an IPv4 address', () => {
    const text = 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nmetadata:\n  name: my_cluster\nkubeAPI:\n  hostIP: localhost\n';
    assert.deepEqual(at(text, analyzeConfig(text).problems), [
      { line: 4, message: "metadata.name: Does not match format 'hostname'", under: 'my_cluster' },
      { line: 6, message: "kubeAPI.hostIP: Does not match format 'ipv4'", under: 'localhost' },
    ]);
  });

  it('nested unknown keys are found too (options.k3d), and a list item of the wrong shape', () => {
    const text = 'apiVersion: k3d.io/v1alpha5\nkind: Simple\noptions:\n  k3d:\n    wait: true\n    rollback: false\nregistries:\n  use:\n    - 5000\n';
    assert.deepEqual(at(text, analyzeConfig(text).problems), [
      { line: 6, message: 'options.k3d: Additional property rollback is not allowed', under: 'rollback' },
      { line: 9, message: 'registries.use.0: Invalid type. Expected: string, given: integer', under: '5000' },
    ]);
  });

  it('a value k3d expands from the environment is not a type error', () => {
    const text = 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nagents: ${AGENTS}\nmetadata:\n  name: ${NAME}\n';
    assert.deepEqual(analyzeConfig(text).problems, []);
  });

  it('YAML syntax errors are Problems at their position, and nothing else is checked', () => {
    const text = 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nports:\n  - port: "8080:80\n';
    const problems = analyzeConfig(text).problems;
    assert.ok(problems.length >= 1 && problems.every((p) => p.kind === 'syntax'), JSON.stringify(problems));
    assert.ok(text.slice(0, problems[0]!.start).split('\n').length >= 4);
  });

  it('an older apiVersion gets one note to migrate, not v1alpha5 errors', () => {
    const text = 'apiVersion: k3d.io/v1alpha4\nkind: Simple\nagent: 1\n';
    const problems = analyzeConfig(text).problems;
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.severity, 'info');
    assert.match(problems[0]!.message, /k3d config migrate/);
    const wrong = analyzeConfig('apiVersion: k3d.io/v1alpha9\nkind: Simple\n').problems;
    assert.deepEqual(wrong.map((p) => p.message), ['apiVersion: apiVersion must be one of the following: "k3d.io/v1alpha5"']);
  });

  it('reads the model and where the top-level keys are', () => {
    const text = 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nmetadata:\n  name: dev\nagents: 2\nports:\n  - port: "8081:80"\n    nodeFilters: [loadbalancer]\n';
    const a = analyzeConfig(text);
    assert.equal(a.model.agents, 2);
    assert.equal(a.model.name, 'dev');
    assert.equal(text.slice(a.keys.agents!.start, a.keys.agents!.end), 'agents');
    assert.equal(a.portEntries.length, 1);
    assert.match(text.slice(a.portEntries[0]!.start), /^port: "8081:80"/);
  });
});

describe('k3d config key completion', () => {
  const keysAt = (text: string) => completeKeys(text.replace('|', ''), text.indexOf('|')).map((k) => k.key);

  it('at the top level: the schema keys not written yet', () => {
    const keys = keysAt('apiVersion: k3d.io/v1alpha5\nkind: Simple\nag|\n');
    assert.ok(keys.includes('agents') && keys.includes('servers') && keys.includes('registries'), keys.join());
    assert.ok(!keys.includes('kind') && !keys.includes('apiVersion'));
  });

  it('inside a nested map and inside a list item', () => {
    assert.deepEqual(keysAt('apiVersion: k3d.io/v1alpha5\nkind: Simple\noptions:\n  k3d:\n    wait: true\n    |\n').sort(), ['disableImageVolume', 'disableLoadbalancer', 'disableRollback', 'loadbalancer', 'timeout']);
    assert.deepEqual(keysAt('ports:\n  - port: "8080:80"\n    |\n'), ['nodeFilters']);
    assert.deepEqual(keysAt('ports:\n  - |\n').sort(), ['nodeFilters', 'port']);
    assert.deepEqual(keysAt('registries:\n  create:\n    |\n').sort(), ['host', 'hostPort', 'image', 'name', 'proxy', 'volumes']);
  });

  it('inserts `key: ` for a scalar and a new indented line for a map or a list', () => {
    const text = 'options:\n  |\n';
    const items = completeKeys(text.replace('|', ''), text.indexOf('|'));
    assert.equal(items.find((k) => k.key === 'k3d')!.insertText, ':\n    ');
    const top = completeKeys('\n', 0);
    assert.equal(top.find((k) => k.key === 'agents')!.insertText, ': ');
    assert.equal(top.find((k) => k.key === 'ports')!.insertText, ':\n  - ');
  });

  it('values for enums and booleans', () => {
    const v = (text: string) => completeValues(text.replace('|', ''), text.indexOf('|'));
    assert.deepEqual(v('apiVersion: k3d.io/v1alpha5\nkind: |\n'), ['Simple']);
    assert.deepEqual(v('options:\n  k3d:\n    wait: |\n'), ['true', 'false']);
    assert.deepEqual(v('agents: |\n'), []);
  });
});
