// `cluster create --config FILE` as k3d v5 validates it: the apiVersion's JSON schema first (FATA, nothing
// created), a WARN for an older apiVersion, its own message for an unknown one.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { plain, sandbox } from './harness.ts';
import type { Sandbox } from './harness.ts';

describe('config file validation', () => {
  let sb: Sandbox;
  before(() => { sb = sandbox(); });
  after(() => sb.cleanup());

  const write = (name: string, text: string) => {
    const file = path.join(sb.dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const nothingCreated = async () => assert.equal((await sb.k3d(['cluster', 'list', '--no-headers'])).stdout.trim(), '');

  it('an unknown field, `kind: simple` and a number where the schema wants a string: FATA Schema Validation failed, one line each', async () => {
    const file = write('bad.yaml', 'apiVersion: k3d.io/v1alpha5\nkind: simple\nmetadata:\n  name: bad\nagent: 2\nkubeAPI:\n  hostPort: 6550\n');
    const r = await sb.k3d(['cluster', 'create', '-c', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '', 'nothing happens before the validation');
    assert.equal(plain(r.stderr), `FATA[0000] Schema Validation failed for config file ${file}: - (root): Additional property agent is not allowed\n`
      + '- kind: kind must be one of the following: "Simple"\n'
      + '- kubeAPI.hostPort: Invalid type. Expected: string, given: integer \n');
    await nothingCreated();
  });

  it('a field nested in options is checked too', async () => {
    const file = write('nested.yaml', 'apiVersion: k3d.io/v1alpha5\nkind: Simple\noptions:\n  k3d:\n    wait: true\n    rollback: false\n');
    const r = await sb.k3d(['cluster', 'create', '-c', file]);
    assert.equal(r.code, 1);
    assert.match(plain(r.stderr), /Schema Validation failed for config file .*nested\.yaml: - options\.k3d: Additional property rollback is not allowed \n$/);
    await nothingCreated();
  });

  it('an apiVersion k3d has no schema for has its own message', async () => {
    const file = write('future.yaml', 'apiVersion: k3d.io/v1beta1\nkind: Simple\n');
    const r = await sb.k3d(['cluster', 'create', '-c', file]);
    assert.equal(r.code, 1);
    assert.equal(plain(r.stderr), `FATA[0000] Cannot validate config file ${file}: unsupported apiVersion 'k3d.io/v1beta1' \n`);
    const none = await sb.k3d(['cluster', 'create', '-c', write('none.yaml', 'kind: Simple\n')]);
    assert.match(plain(none.stderr), /unsupported apiVersion '' \n$/);
    await nothingCreated();
  });

  it('k3d.io/v1alpha4 is accepted with a WARN to migrate', async () => {
    const file = write('old.yaml', 'apiVersion: k3d.io/v1alpha4\nkind: Simple\nmetadata:\n  name: old\nagents: 1\n');
    const r = await sb.k3d(['cluster', 'create', '-c', file, '--kubeconfig-update-default=false']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /^INFO\[0000\] Using config file .*old\.yaml \(k3d\.io\/v1alpha4#simple\)/);
    assert.match(plain(r.stderr), /^WARN\[0000\] Default config apiVersion is 'k3d\.io\/v1alpha5', but you're using 'k3d\.io\/v1alpha4': consider migrating\. \n/);
    assert.equal((await sb.k3d(['cluster', 'list', '--no-headers'])).stdout, 'old   1/1   1/1   true\n');
  });

  it('environment variables in the file are expanded before validation', async () => {
    const file = write('env.yaml', 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nmetadata:\n  name: ${SIM_TEST_NAME}\n');
    const r = await sb.k3d(['cluster', 'create', '-c', file, '--kubeconfig-update-default=false'], { SIM_TEST_NAME: 'fromenv' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(plain(r.stdout), /Cluster 'fromenv' created successfully!/);
  });
});
