/**
 * Model bytes: fetch with progress, keep in Cache Storage, check sha256 before the bytes are used.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { ClassifierError } from './errors.ts';

/** Download progress of the model file, in bytes. `total` is 0 when the server does not say. */
export interface LoadProgress {
  loaded: number;
  total: number;
}

/** Options of {@link loadModelBytes}. */
export interface LoadOptions {
  /** Expected hex sha256; a mismatch rejects with `MODEL_INTEGRITY`. */
  sha256?: string;
  /** Expected size, used as `total` when the server sends no Content-Length. */
  bytes?: number;
  /** Keep the bytes in Cache Storage and read them from there next time. */
  cache?: boolean;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

/** Name of the Cache Storage bucket the SDK uses. */
export const CACHE_NAME = 'resnet-web-models-v1';

/**
 * Hex sha256 of `bytes`: WebCrypto where there is one; on pages without it (plain http:// on a
 * host other than localhost is not a secure context) @noble/hashes' audited implementation, so
 * the model is checked everywhere.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  const digest = subtle ? new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)) : nobleSha256(bytes);
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function cacheKey(url: string, sha256?: string): string {
  return sha256 ? `${url}#sha256=${sha256.toLowerCase()}` : url;
}

/** Cache writes still under way, by key: a load of the same key waits for its write. */
const writing = new Map<string, Promise<unknown>>();

async function openCache(): Promise<Cache | null> {
  try {
    return typeof caches !== 'undefined' ? await caches.open(CACHE_NAME) : null;
  } catch {
    return null; // e.g. opaque origins, or storage disabled
  }
}

/**
 * Returns the bytes at `url`, from the cache when a verified copy is there, else from the
 * network (reporting progress), verified against `sha256` before they are returned.
 */
export async function loadModelBytes(url: string, opts: LoadOptions = {}): Promise<Uint8Array> {
  const useCache = opts.cache !== false && !!opts.sha256;
  const cache = useCache ? await openCache() : null;
  const key = cacheKey(url, opts.sha256);
  if (cache) {
    await writing.get(key);
    const hit = await cache.match(key).catch(() => undefined);
    if (hit) {
      const bytes = new Uint8Array(await hit.arrayBuffer());
      if ((await sha256Hex(bytes)) === opts.sha256?.toLowerCase()) {
        opts.onProgress?.({ loaded: bytes.length, total: bytes.length });
        return bytes;
      }
      await cache.delete(key); // corrupted: fetch again
    }
  }
  const bytes = await download(url, opts);
  await verify(url, bytes, opts.sha256);
  if (cache) {
    // Written in the background: storing 100 MB takes seconds, and the first result need not wait.
    const put = cache
      .put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } }))
      .catch(() => undefined) // quota: still usable without the cache
      .finally(() => writing.delete(key));
    writing.set(key, put);
  }
  return bytes;
}

async function verify(url: string, bytes: Uint8Array, sha256?: string): Promise<void> {
  if (!sha256) return;
  const actual = await sha256Hex(bytes);
  if (actual !== sha256.toLowerCase()) {
    throw new ClassifierError(
      'MODEL_INTEGRITY',
      `the model at ${url} does not match its sha256 (expected ${sha256}, got ${actual}, ${bytes.length} bytes): ` +
        'the file is corrupted, truncated or a different model',
    );
  }
}

async function download(url: string, opts: LoadOptions): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: opts.signal });
  } catch (e) {
    if (opts.signal?.aborted) throw new ClassifierError('ABORTED', 'model download aborted', { cause: e });
    throw new ClassifierError('MODEL_LOAD_FAILED', `could not fetch the model at ${url}: ${String(e)}`, { cause: e });
  }
  if (!res.ok) {
    throw new ClassifierError(
      'MODEL_LOAD_FAILED',
      `could not fetch the model at ${url}: HTTP ${res.status}${res.status === 404 ? ' (run `npm run models`, or set modelBaseUrl)' : ''}`,
    );
  }
  const type = res.headers.get('content-type') ?? '';
  if (type.startsWith('text/html')) {
    throw new ClassifierError('MODEL_LOAD_FAILED', `the server answered ${url} with an HTML page, not a model file (wrong URL?)`);
  }
  const header = Number(res.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header : (opts.bytes ?? 0);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  let buf = new Uint8Array(total || 1 << 20);
  let loaded = 0;
  opts.onProgress?.({ loaded, total });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.length > buf.length) {
        const bigger = new Uint8Array(Math.max(buf.length * 2, loaded + value.length));
        bigger.set(buf.subarray(0, loaded));
        buf = bigger;
      }
      buf.set(value, loaded);
      loaded += value.length;
      opts.onProgress?.({ loaded, total: Math.max(total, loaded) });
    }
  } catch (e) {
    if (opts.signal?.aborted) throw new ClassifierError('ABORTED', 'model download aborted', { cause: e });
    throw new ClassifierError('MODEL_LOAD_FAILED', `the download of ${url} broke off after ${loaded} bytes`, { cause: e });
  }
  return loaded === buf.length ? buf : buf.slice(0, loaded);
}

/** Fetches a JSON array of class names. */
export async function loadLabels(url: string, signal?: AbortSignal): Promise<string[]> {
  let data: unknown;
  try {
    const res = await fetch(url, { signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    data = await res.json();
  } catch (e) {
    if (signal?.aborted) throw new ClassifierError('ABORTED', 'loading the labels was aborted', { cause: e });
    throw new ClassifierError('MODEL_LOAD_FAILED', `could not load the labels at ${url}: ${String(e)}`, { cause: e });
  }
  if (!Array.isArray(data) || !data.every((x) => typeof x === 'string')) {
    throw new ClassifierError('MODEL_LOAD_FAILED', `the labels at ${url} are not a JSON array of strings`);
  }
  return data;
}

/** Deletes every model this SDK keeps in Cache Storage. Resolves `true` when there was a cache to delete. */
export async function clearModelCache(): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  await Promise.all([...writing.values()]);
  return caches.delete(CACHE_NAME);
}

/** What the model cache holds: its entries (model URL, sha256, bytes) and their total size. */
export async function modelCacheSize(): Promise<{ bytes: number; entries: { url: string; sha256: string; bytes: number }[] }> {
  const cache = await openCache();
  if (!cache) return { bytes: 0, entries: [] };
  const entries = [];
  for (const request of await cache.keys()) {
    const res = await cache.match(request);
    const bytes = res ? (await res.blob()).size : 0;
    const [url, sha256 = ''] = request.url.split('#sha256=');
    entries.push({ url, sha256, bytes });
  }
  return { bytes: entries.reduce((n, e) => n + e.bytes, 0), entries };
}
