// A manifest saved as UTF-16 or with a BOM is read as VS Code reads it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeManifestBytes, detectEncoding } from '../../../src/core/manifests/decode.ts';
import { parseManifest } from '../../../src/core/manifests/documents.ts';
import { validateManifest } from '../../../src/core/manifests/validate.ts';

const MANIFEST = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: grüße\ndata:\n  greeting: "héllo ✓ 𝄞"\n';

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1];
    be[i + 1] = le[i];
  }
  return be;
}

// Without a BOM, VS Code decides by the zero bytes of the first 512 bytes: they must be ASCII there.
const LONG = `# ${'-'.repeat(300)}\n${MANIFEST}`;

const cases: Array<[string, Buffer, string, string?]> = [
  ['UTF-8', Buffer.from(MANIFEST, 'utf8'), 'utf8'],
  ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MANIFEST, 'utf8')]), 'utf8bom'],
  ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MANIFEST, 'utf16le')]), 'utf16le'],
  ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(MANIFEST)]), 'utf16be'],
  ['UTF-16LE without BOM', Buffer.from(LONG, 'utf16le'), 'utf16le', LONG],
  ['UTF-16BE without BOM', utf16be(LONG), 'utf16be', LONG],
];

for (const [name, bytes, encoding, text = MANIFEST] of cases) {
  test(`${name} decodes to the text the editor shows, without the BOM, and validates`, () => {
    const decoded = decodeManifestBytes(bytes);
    assert.ok(decoded.ok);
    assert.equal(decoded.encoding, encoding);
    assert.equal(decoded.text, text, 'no BOM, no garbage');
    const file = parseManifest(decoded.text);
    assert.equal(file.documents[0].kind, 'ConfigMap');
    assert.deepEqual(
      validateManifest(file).map((p) => p.code),
      ['k8s.invalidName'],
      'grüße is read as a name (and refused as one), not as mojibake or a YAML error',
    );
  });
}

test('before the decoder: Buffer#toString("utf8") of a UTF-16 file is not YAML at all', () => {
  const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MANIFEST, 'utf16le')]);
  assert.notEqual(parseManifest(bytes.toString('utf8')).documents[0]?.kind, 'ConfigMap');
});

test('zero bytes that are not UTF-16 mean a binary file: refused with a reason', () => {
  // As in VS Code: UTF-16 without a BOM whose first 512 bytes are not ASCII looks binary.
  assert.equal(detectEncoding(Buffer.from(MANIFEST, 'utf16le')), 'binary');
  const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48]);
  assert.equal(detectEncoding(binary), 'binary');
  const decoded = decodeManifestBytes(binary);
  assert.equal(decoded.ok, false);
  assert.match(!decoded.ok ? decoded.reason : '', /not text/);
});

test('edge cases: empty, a lone BOM, invalid UTF-8 becomes U+FFFD as in the editor', () => {
  assert.deepEqual(decodeManifestBytes(new Uint8Array()), { ok: true, text: '', encoding: 'utf8' });
  assert.deepEqual(decodeManifestBytes(Buffer.from([0xef, 0xbb, 0xbf])), { ok: true, text: '', encoding: 'utf8bom' });
  assert.deepEqual(decodeManifestBytes(Buffer.from([0xff, 0xfe])), { ok: true, text: '', encoding: 'utf16le' });
  const invalid = decodeManifestBytes(Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a]));
  assert.ok(invalid.ok);
  assert.equal(invalid.text, 'a: \ufffd\n');
});
