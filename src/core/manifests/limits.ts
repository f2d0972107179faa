/**
 * How much work the manifest core agrees to do, so that no file, however large or hostile,
 * freezes the extension host (a 300-byte alias bomb, a 50 MB file). Sizes are in characters of the text (UTF-16 units),
 * which for YAML is its size in bytes give or take a few non-ASCII characters.
 */

const MB = 1024 * 1024;

/** Above this, lenses and image diagnostics are off for the file (one notice says why). */
export const LENS_LIMIT = 2 * MB;

/**
 * Above this, a file is neither validated nor applied. The API server refuses request bodies
 * over 3 MB and etcd objects over 1.5 MB, so a manifest file this size is a mistake (a log, a
 * dump) rather than something to apply.
 */
export const APPLY_LIMIT = 10 * MB;

/**
 * Image lenses, lessons and edits read a document with the fast scanner; a document it cannot
 * follow (JSON-style flow over many lines, anchors, multi-line scalars) needs `yaml`'s full
 * parse, which costs about 100 times more: above this size such a document gets a notice
 * instead of lenses. Validation and Apply still read it whole (up to APPLY_LIMIT).
 */
export const IMAGES_FULL_PARSE_LIMIT = 128 * 1024;

/**
 * YAML aliases (`*a`) repeat what an anchor (`&a`) names, and nested aliases multiply: a
 * 300-byte "alias bomb" expands to millions of nodes. A document may expand through aliases to
 * at most this many nodes per character of its own text, and never more than
 * `ALIAS_NODES_MAX`; past that it is refused, as kubectl's YAML decoder refuses "excessive
 * aliasing". Real manifests that share a container or an env list stay far below.
 */
export const ALIAS_NODES_PER_CHAR = 4;
export const ALIAS_NODES_MAX = 50_000;

/** The alias budget of a document of `length` characters. */
export function aliasBudget(length: number): number {
  return Math.min(ALIAS_NODES_MAX, ALIAS_NODES_PER_CHAR * length);
}

/**
 * `yaml` costs about 1 µs per lexical token (0.3 to 3 µs by shape). Manifests hold about one
 * token per 3 characters, JSON one per 2.7; 5,000 short keys in one map one per 1.3. Input
 * denser than `YAML_TOKENS_PER_CHAR` over the whole file (thousands of one-character items,
 * documents or brackets) is not read past that many tokens, so that no file under 64 KB costs
 * more than about 50,000 tokens, which `yaml` parses in well under 100 ms. Small files may be
 * as dense as they like up to `YAML_TOKENS_MIN`.
 */
export const YAML_TOKENS_PER_CHAR = 0.8;
export const YAML_TOKENS_MIN = 20_000;
/** Each document parsed costs its setup too, counted as this many tokens (1,400 tiny documents). */
export const YAML_DOCUMENT_TOKENS = 8;

/** The token budget of a whole file of `length` characters, shared by its documents. */
export function yamlTokenBudget(length: number): number {
  return Math.max(YAML_TOKENS_MIN, Math.floor(YAML_TOKENS_PER_CHAR * length));
}

/**
 * How deep flow collections (`[`, `{`) may nest. kubectl's YAML decoder stops at 10,000;
 * manifests (JSON from `kubectl get -o json` included) stay under 100.
 */
export const YAML_FLOW_DEPTH_MAX = 1000;

/** `50 MB`, `1.4 MB`, `300 KB`: a size as a person reads it. */
export function formatSize(chars: number): string {
  if (chars >= MB) {
    const mb = chars / MB;
    return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
  }
  return `${Math.max(1, Math.round(chars / 1024))} KB`;
}

/** Why a text of `length` characters is over `limit`, or undefined when it is not. */
export function sizeRefusal(length: number, limit: number): string | undefined {
  return length > limit ? `file is ${formatSize(length)}, over the ${formatSize(limit)} limit` : undefined;
}

/** The notice the lens provider shows instead of lenses on a file over LENS_LIMIT. */
export function lensSizeNotice(length: number): string | undefined {
  const why = sizeRefusal(length, LENS_LIMIT);
  return why && `k3d: lenses off: ${why}`;
}

/** Why a file is not validated or applied, or undefined when its size is fine. */
export function applySizeRefusal(length: number): string | undefined {
  const why = sizeRefusal(length, APPLY_LIMIT);
  return why && `The ${why} for validating and applying (a manifest that large is probably not one): nothing was read.`;
}
