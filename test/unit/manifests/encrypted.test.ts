import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lensRows } from '../../../src/core/manifests/lenses.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { isSopsEncrypted } from '../../../src/core/manifests/encrypted.ts';
import { checkImageTags } from '../../../src/core/manifests/lessons.ts';
import { validateManifest } from '../../../src/core/manifests/validate.ts';

// Shaped like `sops -e` output (made up here): every value encrypted, the key metadata under sops:.
const ENC = (data: string) => `ENC[AES256_GCM,data:${data},iv:bWFkZSB1cCBpdiBoZXJl,tag:bWFkZS11cC10YWc=,type:str]`;
const ENCRYPTED_SECRET = `apiVersion: ${ENC('djE=')}
kind: ${ENC('U2VjcmV0')}
metadata:
    name: ${ENC('ZGItcGFzc3dvcmQ=')}
data:
    password: ${ENC('c2VjcmV0')}
sops:
    age:
        - recipient: age1madeuprecipientforthistestonly
    lastmodified: "2026-11-01T10:00:00Z"
    mac: ${ENC('bWFj')}
    version: 3.9.0
`;

test('a SOPS-encrypted document is said to be encrypted, not to have an invalid name or kind', () => {
  const file = parseManifest(ENCRYPTED_SECRET);
  assert.equal(isSopsEncrypted(file.documents[0]), true);
  const problems = validateManifest(file);
  assert.deepEqual(
    problems.map((p) => p.code),
    ['manifest.encrypted'],
  );
  assert.match(problems[0].message, /encrypted with SOPS.*sops -d/);
  assert.equal(problems[0].range.start.line, 6, 'at the sops: key');
});

test('only data encrypted (encrypted_regex): still encrypted; a plain document is not', () => {
  const partly = `apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: ${ENC('c2VjcmV0')}
sops:
  mac: ${ENC('bWFj')}
  encrypted_regex: ^(data|stringData)$
`;
  assert.deepEqual(validateManifest(parseManifest(partly)).map((p) => p.code), ['manifest.encrypted']);
  const plain = `apiVersion: v1
kind: ConfigMap
metadata:
  name: notes
data:
  text: "ENC[ is how sops marks values"
`;
  assert.equal(isSopsEncrypted(parseManifest(plain).documents[0]), false);
  assert.deepEqual(validateManifest(parseManifest(plain)), []);
});

test('an encrypted image gets a lock lens and no InvalidImageName warning', () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ${ENC('bWUvd2ViOnYx')}
sops:
  mac: ${ENC('bWFj')}
`;
  const file = parseManifest(text);
  assert.deepEqual(checkImageTags(file), []);
  assert.deepEqual(lensRows(file).map((r) => [r.summary, r.editable]), [['$(lock) encrypted (SOPS)', false]]);
});
