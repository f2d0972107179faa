// A k3s-like PKI per cluster, written to <clusterDir>/pki/. RSA 2048 keys come from Node's native
// generator (forge would do it in JavaScript, which takes seconds); node-forge builds and signs the
// certificates. k3s itself uses EC keys; forge cannot, and nothing here depends on the key type.

import * as crypto from 'node:crypto';
import * as path from 'node:path';
import forge from 'node-forge';
import { writeFileAtomic } from './state.ts';

interface KeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  privatePem: string;
}

function newKeyPair(): KeyPair {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privatePem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) as forge.pki.rsa.PublicKey;
  return { privateKey: forgeKey, publicKey, privatePem };
}

/** forge encodes names as PrintableString, which has no '@' (k3s-server-ca@<time>): Go rejects that. */
function utf8(name: string, value: string): forge.pki.CertificateField {
  return { name, value, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class };
}

function serial(): string {
  // positive, 16 bytes
  return '01' + crypto.randomBytes(15).toString('hex');
}

function validity(cert: forge.pki.Certificate, years: number): void {
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + years * 365 * 24 * 3600 * 1000);
}

function selfSignedCa(commonName: string, keys: KeyPair): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, 10);
  // k3s names its CAs 'k3s-server-ca@<unix time>'; '@' is not allowed in the PrintableString
  // forge uses by default, and Go's x509 (kubectl) rejects the certificate: use UTF8String.
  const attrs = [{ name: 'commonName', value: commonName, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', critical: true, keyCertSign: true, digitalSignature: true, keyEncipherment: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return cert;
}

function leaf(
  subject: forge.pki.CertificateField[],
  keys: KeyPair,
  ca: forge.pki.Certificate,
  caKeys: KeyPair,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, 1);
  cert.setSubject(subject);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    ...extensions,
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());
  return cert;
}

export interface ClusterPki {
  caCrt: string;
  clientCaCrt: string;
  serverCrt: string;
  adminCrt: string;
  adminKey: string;
}

/** Generates and writes the cluster PKI; returns the PEMs the kubeconfig needs. */
export function writeClusterPki(clusterDir: string, clusterName: string): ClusterPki {
  const dir = path.join(clusterDir, 'pki');
  const unix = Math.floor(Date.now() / 1000);

  const caKeys = newKeyPair();
  const ca = selfSignedCa(`k3s-server-ca@${unix}`, caKeys);
  const clientCaKeys = newKeyPair();
  const clientCa = selfSignedCa(`k3s-client-ca@${unix}`, clientCaKeys);

  const serverKeys = newKeyPair();
  const server = leaf(
    [utf8('commonName', 'k3s'), utf8('organizationName', 'k3s')],
    serverKeys,
    ca,
    caKeys,
    [
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes' },
          { type: 2, value: 'kubernetes.default' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 2, value: 'kubernetes.default.svc.cluster.local' },
          { type: 2, value: `k3d-${clusterName}-server-0` },
          { type: 2, value: `k3d-${clusterName}-serverlb` },
          { type: 7, ip: '0.0.0.0' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  );

  const adminKeys = newKeyPair();
  const admin = leaf(
    [utf8('commonName', 'system:admin'), utf8('organizationName', 'system:masters')],
    adminKeys,
    clientCa,
    clientCaKeys,
    [{ name: 'extKeyUsage', clientAuth: true }],
  );

  const pem = (c: forge.pki.Certificate) => forge.pki.certificateToPem(c).replace(/\r\n/g, '\n');
  const files: Record<string, string> = {
    'ca.crt': pem(ca),
    'ca.key': caKeys.privatePem,
    'client-ca.crt': pem(clientCa),
    'client-ca.key': clientCaKeys.privatePem,
    'server.crt': pem(server),
    'server.key': serverKeys.privatePem,
    'admin.crt': pem(admin),
    'admin.key': adminKeys.privatePem,
  };
  for (const [name, content] of Object.entries(files)) {
    writeFileAtomic(path.join(dir, name), content, name.endsWith('.key') ? 0o600 : 0o644);
  }
  return {
    caCrt: files['ca.crt'],
    clientCaCrt: files['client-ca.crt'],
    serverCrt: files['server.crt'],
    adminCrt: files['admin.crt'],
    adminKey: files['admin.key'],
  };
}
