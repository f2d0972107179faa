import type { ManifestDocument } from './documents.ts';
import { getPair } from './node.ts';
import type { YNode } from './node.ts';
import { documentHeadSpan } from './paths.ts';
import type { ManifestProblem } from './problems.ts';

/**
 * Documents encrypted with SOPS (Mozilla SOPS, used with Flux and kustomize plugins): values are
 * `ENC[AES256_GCM,data:…,type:str]` and the document carries a top-level `sops:` key with the
 * key metadata. They are meant to be decrypted before they reach a cluster, so their encrypted
 * name, kind or image are not mistakes to report one by one: the document is said to be encrypted.
 */
export const SOPS_VALUE = /^ENC\[[A-Z0-9_]+,/;

/** Is the document SOPS-encrypted? Cheap for the usual document: a text search first. */
export function isSopsEncrypted(doc: ManifestDocument): boolean {
  const text = doc.file.text;
  const hasKey = hasLineStart(text, 'sops:', doc.span.start, doc.span.end);
  const enc = text.indexOf('ENC[', doc.span.start);
  const hasValue = enc !== -1 && enc < doc.span.end;
  if (!hasKey && !hasValue) {
    return false;
  }
  const root = doc.full().tree;
  if (root?.kind !== 'map') {
    return false;
  }
  return getPair(root, 'sops')?.value.kind === 'map' || hasEncryptedValue(root, 0);
}

/** The problem Apply reports instead of checking the encrypted fields. */
export function sopsProblem(doc: ManifestDocument): ManifestProblem | undefined {
  if (!isSopsEncrypted(doc)) {
    return undefined;
  }
  const root = doc.full().tree;
  const key = root?.kind === 'map' ? getPair(root, 'sops') : undefined;
  const span = key?.keySpan ?? documentHeadSpan(doc);
  return {
    severity: 'error',
    code: 'manifest.encrypted',
    message:
      'This document is encrypted with SOPS (ENC[…] values and sops: metadata): the cluster cannot read it as it is. Decrypt it first, e.g. sops -d FILE | kubectl apply -f -, or let Flux or a kustomize plugin decrypt it. Nothing was applied.',
    span,
    range: doc.file.rangeOf(span),
    documentIndex: doc.index,
  };
}

function hasLineStart(text: string, needle: string, start: number, end: number): boolean {
  for (let i = text.indexOf(needle, start); i !== -1 && i < end; i = text.indexOf(needle, i + needle.length)) {
    if (i === 0 || text.charCodeAt(i - 1) === 10) {
      return true;
    }
  }
  return false;
}

function hasEncryptedValue(node: YNode, depth: number): boolean {
  if (depth > 64) {
    return false;
  }
  if (node.kind === 'scalar') {
    return typeof node.value === 'string' && SOPS_VALUE.test(node.value);
  }
  if (node.kind === 'map') {
    return node.pairs.some((p) => hasEncryptedValue(p.value, depth + 1));
  }
  return node.items.some((item) => hasEncryptedValue(item, depth + 1));
}
