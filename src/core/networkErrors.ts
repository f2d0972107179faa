// What a failed connection means, in words: Node's error codes (ECONNREFUSED, ENOTFOUND, the
// TLS verification codes) turned into the sentence a user can act on. Shared by the API client
// and the download of a manifest from a URL.

const CERTIFICATE_PROBLEMS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed certificate that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate cannot be verified (the issuer is unknown)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate was issued by an authority this machine does not trust',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of its certificate cannot be found',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another name',
  CERT_SIGNATURE_FAILURE: 'its certificate has a bad signature',
  CERT_REVOKED: 'its certificate has been revoked',
};

/** The error code of a Node network error, also when wrapped (fetch's TypeError has it in `cause`). */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (typeof e.code === 'string') {
      return e.code;
    }
  }
  return undefined;
}

/**
 * Why `what` (e.g. "the API server at https://127.0.0.1:6550") could not be reached, as the end
 * of a sentence: "refused the connection (ECONNREFUSED)". Undefined for codes it does not know.
 */
export function describeNetworkCode(code: string): string | undefined {
  const certificate = CERTIFICATE_PROBLEMS[code];
  if (certificate) {
    return `cannot be trusted: ${certificate} (${code})`;
  }
  if (/^(ERR_SSL|ERR_TLS|EPROTO)/.test(code)) {
    return `failed the TLS handshake (${code})`;
  }
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot be found: its host name does not resolve (${code})`;
    case 'ECONNREFUSED':
      return `refused the connection: nothing listens on that port (${code})`;
    case 'ECONNRESET':
      return `closed the connection abruptly (${code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `is unreachable from this machine (${code})`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `did not accept the connection in time (${code})`;
    default:
      return undefined;
  }
}

/** "1 s", "0.3 s", "30 s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 1000 ? 1 : 0))} s`;
}
