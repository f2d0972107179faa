// The cluster PKI: Go (kubectl, client-go) must accept it, and a simulated cluster must answer kubectl.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import forge from 'node-forge';
import { writeClusterPki } from './pki.ts';
import { apiserverMain } from './apiserverProcess.ts';
import { sandbox } from './harness.ts';

describe('cluster PKI', () => {
  it('chains correctly and encodes names as UTF8String (Go rejects "@" in PrintableString)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k3d-pki-'));
    try {
      writeClusterPki(dir, 'demo');
      const read = (f: string) => fs.readFileSync(path.join(dir, 'pki', f), 'utf8');
      const ca = new X509Certificate(read('ca.crt'));
      const clientCa = new X509Certificate(read('client-ca.crt'));
      const server = new X509Certificate(read('server.crt'));
      const admin = new X509Certificate(read('admin.crt'));
      assert.match(ca.subject, /^CN=k3s-server-ca@\d+$/);
      assert.match(clientCa.subject, /^CN=k3s-client-ca@\d+$/);
      assert.ok(server.verify(ca.publicKey));
      assert.ok(admin.verify(clientCa.publicKey));
      assert.equal(admin.subject, 'CN=system:admin\nO=system:masters');
      for (const san of ['DNS:kubernetes.default.svc.cluster.local', 'DNS:k3d-demo-serverlb', 'IP Address:127.0.0.1', 'IP Address:0.0.0.0']) {
        assert.ok(server.subjectAltName?.includes(san), `${san} in ${server.subjectAltName}`);
      }
      const parsed = forge.pki.certificateFromPem(read('ca.crt'));
      assert.equal(parsed.subject.getField('CN').valueTagClass, forge.asn1.Type.UTF8);
      assert.ok(!read('ca.crt').includes('\r'), 'PEM uses \\n line ends');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const kubectl = fs.existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : undefined;
const realApiserver = fs.existsSync(apiserverMain()) ? apiserverMain() : undefined;

describe('with the API server simulator', { skip: !kubectl || !realApiserver ? 'needs /usr/bin/kubectl and test/sim/apiserver/main.ts' : false }, () => {
  it('kubectl reaches a created cluster, loses it on stop, and reaches it again after start', async () => {
    const sb = sandbox({ K3D_SIM_APISERVER_MAIN: realApiserver });
    try {
      assert.equal((await sb.k3d(['cluster', 'create', 'live'])).code, 0);
      const version = spawnSync(kubectl!, ['version', '-o', 'json', '--request-timeout=10s'], { env: sb.env, encoding: 'utf8' });
      assert.equal(version.status, 0, version.stderr);
      assert.equal(JSON.parse(version.stdout).serverVersion.gitVersion, 'v1.31.5+k3s1');
      assert.equal((await sb.k3d(['cluster', 'stop', 'live'])).code, 0);
      const down = spawnSync(kubectl!, ['get', 'nodes', '--request-timeout=5s'], { env: sb.env, encoding: 'utf8' });
      assert.notEqual(down.status, 0);
      assert.equal((await sb.k3d(['cluster', 'start', 'live'])).code, 0);
      const nodes = spawnSync(kubectl!, ['get', 'nodes', '-o', 'name', '--request-timeout=10s'], { env: sb.env, encoding: 'utf8' });
      assert.equal(nodes.status, 0, nodes.stderr);
      assert.match(nodes.stdout, /node\/k3d-live-server-0/);
    } finally {
      await sb.k3d(['cluster', 'delete', '--all']);
      sb.cleanup();
    }
  });
});
