/**
 * Model bytes: fetch with progress, keep in Cache Storage, check sha256 before the bytes are used.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { LoadClock } from '../common/clock.ts';
import { ClassifierError } from '../common/errors.ts';
import { mb } from '../common/units.ts';
import { SPARE_BYTES, keepRoom, withSpare } from './graph.ts';

/** Download progress of the model file, in bytes. `total` is 0 when the server does not say. */
export interface LoadProgress {
  /** Bytes received so far. */
  loaded: number;
  /** The file's size in bytes (from `Content-Length`, else the registry's size), or 0 when unknown. */
  total: number;
}

/** Options of {@link loadModelBytes}. */
export interface LoadOptions {
  /** Expected hex sha256; a mismatch rejects with `MODEL_INTEGRITY`. */
  sha256?: string;
  /**
   * For a file without a pinned sha256: checks the bytes (after the download, and when read from
   * the cache) and throws a `ClassifierError` when they are not the expected file.
   */
  check?: (bytes: Uint8Array) => Promise<void>;
  /** Cache key suffix for a file checked by `check` (it is cached only with one). */
  cacheTag?: string;
  /** Only read the cache: resolve `{ missing }` when the file is not there (needs `missingOk`). */
  cacheOnly?: boolean;
  /** Resolve `{ missing }` instead of rejecting when the server has no such file (HTTP 404/410, or an HTML page). */
  missingOk?: boolean;
  /** Expected size, used as `total` when the server sends no Content-Length. */
  bytes?: number;
  /** Keep the bytes in Cache Storage and read them from there next time. */
  cache?: boolean;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** Times the read and the check (`loadTimings`). */
  clock?: LoadClock;
  /**
   * Called once when the bytes are returned, with what becomes of them in the cache: settled once
   * a download's copy is stored or refused (the bytes do not wait for it).
   */
  onCacheReport?: (report: Promise<CacheReport>) => void;
}

/**
 * What became of a model file in the model cache: read from it (`'hit'`), downloaded and stored
 * (`'stored'`), downloaded but not stored (`'not-stored'`: `reason` says why), or not kept there
 * at all (`'off'`: `cache: false`, or a file with nothing to check a cached copy against).
 */
export type CacheState = 'hit' | 'stored' | 'not-stored' | 'off';

/** A {@link CacheState} and, for `'not-stored'` and `'off'`, why. */
export interface CacheReport {
  state: CacheState;
  reason: string | null;
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

function cacheKey(url: string, sha256?: string, tag?: string): string {
  return sha256 ? `${url}#sha256=${sha256.toLowerCase()}` : tag ? `${url}#${tag}` : url;
}

/** A file the server (or, with `cacheOnly`, the cache) does not have: why. */
export interface MissingFile {
  missing: string;
}
class Missing extends Error {}

/** Cache writes still under way, by key: a load of the same key waits for its write. */
const writing = new Map<string, Promise<unknown>>();

/** The SDK's cache, or `null` where Cache Storage is missing or refused. */
export async function openCache(): Promise<Cache | null> {
  const c = await tryOpenCache();
  return typeof c === 'string' ? null : c;
}

/** The SDK's cache, or why there is none. */
async function tryOpenCache(): Promise<Cache | string> {
  if (typeof caches === 'undefined') {
    return 'this context has no Cache Storage (a page that is not a secure context: https:// or localhost)';
  }
  try {
    return await caches.open(CACHE_NAME);
  } catch (e) {
    // e.g. private browsing, storage turned off for the site, an opaque origin
    return `Cache Storage refused to open (${errorText(e)}): private browsing, or storage turned off for this site?`;
  }
}

const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
const report = (state: CacheState, reason: string | null = null): Promise<CacheReport> => Promise.resolve({ state, reason });

/**
 * Returns the bytes at `url`, from the cache when a verified copy is there, else from the
 * network (reporting progress), verified against `sha256` before they are returned.
 */
export async function loadModelBytes(url: string, opts: LoadOptions & { missingOk: true }): Promise<Uint8Array | MissingFile>;
export async function loadModelBytes(url: string, opts?: LoadOptions): Promise<Uint8Array>;
export async function loadModelBytes(url: string, opts: LoadOptions = {}): Promise<Uint8Array | MissingFile> {
  const checkable = !!opts.sha256 || (!!opts.check && !!opts.cacheTag);
  const opened = opts.cache !== false && checkable ? await tryOpenCache() : null;
  const cache = typeof opened === 'string' ? null : opened;
  const key = cacheKey(url, opts.sha256, opts.cacheTag);
  /** The bytes, with what becomes of them in the cache told to `onCacheReport`. */
  const give = (bytes: Uint8Array, outcome: Promise<CacheReport>): Uint8Array => {
    opts.onCacheReport?.(outcome);
    return bytes;
  };
  if (cache) {
    const hit = await readCached(cache, key, opts);
    if (hit) return give(hit, report('hit'));
  }
  if (opts.cacheOnly) return { missing: 'not in the cache' };
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!cache || !locks) {
    const bytes = await fetchChecked(url, opts);
    if (!(bytes instanceof Uint8Array)) return bytes;
    if (cache) return give(bytes, store(cache, key, bytes));
    if (typeof opened === 'string') return give(bytes, report('not-stored', opened));
    return give(bytes, report('off', opts.cache === false ? 'turned off (cache: false)' : 'the file has no sha256 to check a cached copy against'));
  }
  // One download per file across this origin's tabs and workers: the first to take the lock
  // downloads and keeps the lock until its copy is stored; the others, waiting on the lock, then
  // read that copy. The bytes go to the caller as soon as they are checked.
  return new Promise<Uint8Array | MissingFile>((resolve, reject) => {
    locks
      .request(`resnet-web-model ${key}`, opts.signal ? { signal: opts.signal } : {}, async () => {
        try {
          const hit = await readCached(cache, key, opts);
          if (hit) return resolve(give(hit, report('hit')));
          const bytes = await fetchChecked(url, opts);
          if (!(bytes instanceof Uint8Array)) return resolve(bytes);
          const stored = store(cache, key, bytes);
          resolve(give(bytes, stored));
          await stored;
        } catch (e) {
          reject(e);
        }
      })
      .catch((e: unknown) => {
        // The signal fired while this waited for another tab's download.
        reject(opts.signal?.aborted ? new ClassifierError('ABORTED', 'model download aborted', { cause: e }) : e);
      });
  });
}

/** The verified bytes of `key` in the cache, or `null` (not there, or damaged: then deleted). */
async function readCached(cache: Cache, key: string, opts: LoadOptions): Promise<Uint8Array | null> {
  await writing.get(key);
  const t0 = performance.now();
  const hit = await cache.match(key).catch(() => undefined);
  if (!hit) return null;
  const bytes = await readEntry(hit);
  opts.clock?.add('modelRead', t0);
  const t1 = performance.now();
  // Checked in full when it was stored: now its size and a sample, unless it was stored without them.
  const recorded = hit.headers.get(SAMPLE_HEADER);
  const good =
    bytes !== null &&
    (recorded
      ? recorded === (await sampleDigest(bytes))
      : opts.sha256
        ? (await sha256Hex(bytes)) === opts.sha256.toLowerCase()
        : await opts.check!(bytes).then(() => true, () => false));
  opts.clock?.add('modelCheck', t1);
  if (good && bytes) {
    if (opts.clock) opts.clock.source = 'cache';
    if (!recorded) void store(cache, key, bytes); // stored by an older version: add the sample and the room
    opts.onProgress?.({ loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  await cache.delete(key); // damaged: fetch again
  return null;
}

/** Downloads `url` and checks it in full (sha256, or the spec's `check`). */
async function fetchChecked(url: string, opts: LoadOptions): Promise<Uint8Array | MissingFile> {
  let bytes: Uint8Array;
  const t0 = performance.now();
  try {
    bytes = await download(url, opts);
  } catch (e) {
    if (e instanceof Missing) return { missing: e.message };
    throw e;
  } finally {
    opts.clock?.add('modelRead', t0);
  }
  const t1 = performance.now();
  await verify(url, bytes, opts.sha256);
  await opts.check?.(bytes);
  opts.clock?.add('modelCheck', t1);
  return bytes;
}

/**
 * Header of a cache entry: the digest of the entry's size and a sample of its bytes, written when
 * the bytes had been checked in full (sha256, or a compact file's trailer). A returning visit
 * checks that instead of hashing 100 MB again: it catches an entry that is truncated, of another
 * size or rewritten, at the cost of a few milliseconds.
 */
const SAMPLE_HEADER = 'x-resnet-web-sample';
/** Header of a cache entry: the file's size (the entry holds {@link SPARE_BYTES} more). */
const BYTES_HEADER = 'x-resnet-web-bytes';
const SAMPLES = 64;
const SAMPLE_BYTES = 1024;

/** sha256 of the length and of 64 slices of 1 KB spread evenly over `bytes` (the last one ending at its end). */
export async function sampleDigest(bytes: Uint8Array): Promise<string> {
  const n = bytes.length;
  const sample = new Uint8Array(8 + SAMPLES * SAMPLE_BYTES);
  new DataView(sample.buffer).setFloat64(0, n);
  for (let i = 0; i < SAMPLES; i++) {
    const at = Math.max(0, Math.floor(((n - SAMPLE_BYTES) * i) / (SAMPLES - 1)));
    sample.set(bytes.subarray(at, at + SAMPLE_BYTES), 8 + i * SAMPLE_BYTES);
  }
  return sha256Hex(sample);
}

/**
 * Writes a checked file to the cache, and says whether it was stored (callers need not wait for
 * it: storing 100 MB takes a while). Never rejects: without the cache the file is still usable.
 */
function store(cache: Cache, key: string, bytes: Uint8Array): Promise<CacheReport> {
  const put = sampleDigest(bytes)
    .then((digest) =>
      cache.put(key, new Response(new Blob([bytes as Uint8Array<ArrayBuffer>, new Uint8Array(SPARE_BYTES)]), {
        headers: { 'content-type': 'application/octet-stream', [BYTES_HEADER]: String(bytes.length), [SAMPLE_HEADER]: digest },
      })),
    )
    .then(
      (): CacheReport => ({ state: 'stored', reason: null }),
      async (e: unknown): Promise<CacheReport> => ({ state: 'not-stored', reason: await whyNotStored(e, bytes.length) }),
    )
    .finally(() => writing.delete(key));
  writing.set(key, put);
  return put;
}

/** Why a cache write failed, in words: a full quota (with the figures), or the browser's error. */
async function whyNotStored(e: unknown, bytes: number): Promise<string> {
  const name = e instanceof Error || e instanceof DOMException ? e.name : '';
  if (name !== 'QuotaExceededError') return `the browser refused to store it (${errorText(e)})`;
  const est = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  // The estimate is the browser's word, rounded and sometimes stale (it ignores DevTools' quota override).
  const usage = est?.quota !== undefined ? `; the browser reports ${mb(est.usage ?? 0)} used of a ${mb(est.quota)} quota` : '';
  return `the site's storage quota has no room for the ${mb(bytes)} file (QuotaExceededError${usage})`;
}

/**
 * A cached entry's bytes. Entries written by {@link store} hold {@link SPARE_BYTES} of zeros after
 * the file (`BYTES_HEADER` says where it ends): read as one buffer, the file's view has room after
 * it for the graph edit (graph.ts), with no copy of the model. `null` when the size is not the one
 * recorded (a damaged entry).
 */
async function readEntry(res: Response): Promise<Uint8Array | null> {
  const buffer = await res.arrayBuffer();
  const recorded = res.headers.get(BYTES_HEADER);
  if (recorded === null) return new Uint8Array(buffer); // stored by an older version: no room
  const n = Number(recorded);
  if (buffer.byteLength !== n + SPARE_BYTES) return null;
  return keepRoom(new Uint8Array(buffer, 0, n));
}

/** The size of the file an entry holds (without the room after it). */
async function entrySize(res: Response): Promise<number> {
  const recorded = res.headers.get(BYTES_HEADER);
  return recorded !== null ? Number(recorded) : (await res.blob()).size;
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

/** Errors of the download itself (no connection, an HTTP error, a broken-off transfer), as opposed to wrong bytes. */
const downloadFailures = new WeakSet<object>();
const downloadFailure = (message: string, cause?: unknown) => {
  const e = new ClassifierError('MODEL_LOAD_FAILED', message, cause === undefined ? undefined : { cause });
  downloadFailures.add(e);
  return e;
};
/** True when `e` is a failed download (the network or the server), not a file that arrived and was wrong. */
export const isDownloadFailure = (e: unknown): boolean => typeof e === 'object' && e !== null && downloadFailures.has(e);

async function download(url: string, opts: LoadOptions): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: opts.signal });
  } catch (e) {
    if (opts.signal?.aborted) throw new ClassifierError('ABORTED', 'model download aborted', { cause: e });
    throw downloadFailure(`could not fetch the model at ${url}: ${String(e)}`, e);
  }
  const html = (res.headers.get('content-type') ?? '').startsWith('text/html');
  if (opts.missingOk && (res.status === 404 || res.status === 410 || (res.ok && html))) {
    throw new Missing(res.ok ? 'the server answered with an HTML page, not a model file: wrong URL?' : `HTTP ${res.status}`);
  }
  if (!res.ok) {
    throw downloadFailure(
      `could not fetch the model at ${url}: HTTP ${res.status}${res.status === 404 ? ' (run `npm run models`, or set modelBaseUrl)' : ''}`,
    );
  }
  if (html) {
    throw new ClassifierError('MODEL_LOAD_FAILED', `the server answered ${url} with an HTML page, not a model file (wrong URL?)`);
  }
  const header = Number(res.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header : (opts.bytes ?? 0);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  let buf = withSpare(total || 1 << 20);
  let loaded = 0;
  opts.onProgress?.({ loaded, total });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.length > buf.length) {
        const bigger = withSpare(Math.max(buf.length * 2, loaded + value.length));
        bigger.set(buf.subarray(0, loaded));
        buf = bigger;
      }
      buf.set(value, loaded);
      loaded += value.length;
      opts.onProgress?.({ loaded, total: Math.max(total, loaded) });
    }
  } catch (e) {
    if (opts.signal?.aborted) throw new ClassifierError('ABORTED', 'model download aborted', { cause: e });
    throw downloadFailure(`the download of ${url} broke off after ${loaded} bytes`, e);
  }
  return buf.subarray(0, loaded);
}

/** Size of the model file at `url` in the SDK's cache (any version of it), or `null` when it is not there. */
export async function cachedSize(url: string): Promise<number | null> {
  const cache = await openCache();
  const hit = await cache?.match(url).catch(() => undefined); // matching ignores the #sha256=… tag
  return hit ? entrySize(hit) : null;
}

/** Resolves once the cache writes under way have settled (a deletion must not race one). */
export async function writesSettled(): Promise<void> {
  await Promise.all([...writing.values()]);
}

/** Deletes every model this SDK keeps in Cache Storage. Resolves `true` when there was a cache to delete. */
export async function clearModelCache(): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  await writesSettled();
  return caches.delete(CACHE_NAME);
}

/** What {@link modelCacheSize} reports. */
export interface ModelCacheSize {
  /** The size of every entry together, in bytes. */
  bytes: number;
  /** One per model file kept. */
  entries: ModelCacheEntry[];
}

/** A model file in the model cache. */
export interface ModelCacheEntry {
  /** The file's URL. */
  url: string;
  /** The sha256 it was checked against (`''` for a compact file checked by its trailer). */
  sha256: string;
  /** Its size in bytes. */
  bytes: number;
}

/** What the model cache holds: its entries (model URL, sha256, bytes) and their total size. */
export async function modelCacheSize(): Promise<ModelCacheSize> {
  const cache = await openCache();
  if (!cache) return { bytes: 0, entries: [] };
  const entries = [];
  for (const request of await cache.keys()) {
    const res = await cache.match(request);
    const bytes = res ? await entrySize(res) : 0;
    const [url, tag = ''] = request.url.split('#');
    const sha256 = tag.startsWith('sha256=') ? tag.slice(7) : '';
    entries.push({ url, sha256, bytes });
  }
  return { bytes: entries.reduce((n, e) => n + e.bytes, 0), entries };
}
