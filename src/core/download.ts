// `kubectl apply -f https://...`: the download of a manifest, bounded in size and in waiting,
// and with the cause of a failure in words (fetch only says "fetch failed").
import { describeNetworkCode, formatSeconds, networkErrorCode } from './networkErrors.ts';

export type DownloadFailure = 'invalidUrl' | 'status' | 'tooLarge' | 'timeout' | 'network' | 'cancelled';

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  readonly reason: DownloadFailure;
  readonly status?: number;

  constructor(reason: DownloadFailure, message: string, status?: number) {
    super(message);
    this.reason = reason;
    this.status = status;
  }
}

export interface DownloadOptions {
  /** Larger answers are refused, announced (Content-Length) or not. */
  maxBytes: number;
  /** The server may stay silent this long: to answer, and between two parts of the body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface Downloaded {
  text: string;
  /** After redirects. */
  url: string;
  contentType?: string;
}

/** 5 MB: the largest manifests people apply from a URL (operators' bundles) are a few MB. */
export const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Number((bytes / 1024 / 1024).toFixed(1))} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

/** Downloads a text document over http(s). Rejects with DownloadError saying what went wrong. */
export async function downloadText(address: string, options: DownloadOptions): Promise<Downloaded> {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    throw new DownloadError('invalidUrl', `${address} is not an address.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DownloadError('invalidUrl', `${address} is not an http:// or https:// address.`);
  }
  const shown = url.toString();
  const limit = formatBytes(options.maxBytes);
  const abort = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const quietFor = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, options.timeoutMs);
  };
  const onCancel = () => abort.abort();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  const failure = (e: unknown): DownloadError => {
    if (e instanceof DownloadError) return e;
    if (options.signal?.aborted) return new DownloadError('cancelled', `The download of ${shown} was cancelled.`);
    if (timedOut) return new DownloadError('timeout', `${url.origin} sent nothing for ${formatSeconds(options.timeoutMs)} while downloading ${shown}.`);
    const code = networkErrorCode(e);
    const why = code ? describeNetworkCode(code) : undefined;
    const detail = why ?? `failed (${code ?? ((e as { cause?: Error }).cause?.message || (e as Error).message)})`;
    return new DownloadError('network', `Cannot download ${shown}: ${url.host} ${detail}.`);
  };
  try {
    quietFor();
    if (options.signal?.aborted) throw new DownloadError('cancelled', `The download of ${shown} was cancelled.`);
    const res = await fetch(url, { signal: abort.signal, redirect: 'follow', headers: { Accept: 'application/yaml, application/json, text/plain, */*' } });
    if (!res.ok) {
      void res.body?.cancel().catch(() => undefined);
      throw new DownloadError('status', `${shown} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`, res.status);
    }
    const announced = Number(res.headers.get('content-length') ?? NaN);
    if (announced > options.maxBytes) {
      void res.body?.cancel().catch(() => undefined);
      throw new DownloadError('tooLarge', `${shown} is ${formatBytes(announced)}: more than the ${limit} a manifest may have. Nothing was applied.`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body?.getReader();
    for (;;) {
      quietFor();
      const part = reader ? await reader.read() : { done: true as const, value: undefined };
      if (part.done) break;
      size += part.value.byteLength;
      if (size > options.maxBytes) {
        void reader?.cancel().catch(() => undefined);
        throw new DownloadError('tooLarge', `${shown} is more than the ${limit} a manifest may have (the download was stopped there). Nothing was applied.`);
      }
      chunks.push(part.value);
    }
    const text = new TextDecoder('utf-8').decode(Buffer.concat(chunks));
    return { text, url: res.url || shown, contentType: res.headers.get('content-type') ?? undefined };
  } catch (e) {
    throw failure(e);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCancel);
  }
}
