/**
 * A manifest file's bytes as text, read the way VS Code opens it (with its default
 * `files.encoding: utf8` and no auto-guessing), so that Apply from the Explorer sees what the
 * editor shows:
 * - a byte order mark decides: EF BB BF is UTF-8, FF FE UTF-16LE, FE FF UTF-16BE; the mark is
 *   not part of the text;
 * - without one, zero bytes in the first 512 at every odd (even) position mean UTF-16LE (BE)
 *   text, as VS Code's zero-byte check decides; zero bytes anywhere else mean a binary file;
 * - everything else is UTF-8, invalid sequences becoming U+FFFD as in the editor.
 */

export type ManifestEncoding = 'utf8' | 'utf8bom' | 'utf16le' | 'utf16be';

export type DecodeResult =
  | { readonly ok: true; readonly text: string; readonly encoding: ManifestEncoding }
  | { readonly ok: false; readonly reason: string };

const SNIFF_BYTES = 512;

export function detectEncoding(bytes: Uint8Array): ManifestEncoding | 'binary' {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return 'utf8bom';
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return 'utf16le';
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return 'utf16be';
  }
  let zero = false;
  let le = true; // text byte, then 0x00
  let be = true; // 0x00, then text byte
  for (let i = 0; i < bytes.length && i < SNIFF_BYTES; i++) {
    const isZero = bytes[i] === 0;
    const odd = i % 2 === 1;
    zero ||= isZero;
    le &&= odd === isZero;
    be &&= odd !== isZero;
    if (isZero && !le && !be) {
      return 'binary';
    }
  }
  if (!zero) {
    return 'utf8';
  }
  return le ? 'utf16le' : be ? 'utf16be' : 'binary';
}

export function decodeManifestBytes(bytes: Uint8Array): DecodeResult {
  const encoding = detectEncoding(bytes);
  if (encoding === 'binary') {
    return { ok: false, reason: 'it is not text (it holds zero bytes): a binary file, or an encoding VS Code would not read either' };
  }
  const label = encoding === 'utf16le' ? 'utf-16le' : encoding === 'utf16be' ? 'utf-16be' : 'utf-8';
  // TextDecoder drops a leading byte order mark of its own encoding (ignoreBOM: false).
  return { ok: true, text: new TextDecoder(label).decode(bytes), encoding };
}
