import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadModelBytes, sha256Hex, type CacheReport } from '../src/model/cache.ts';

describe('sha256Hex (the model integrity check)', () => {
  afterEach(() => vi.unstubAllGlobals());
  const inputs = [new Uint8Array(0), new TextEncoder().encode('abc'), new Uint8Array(3_000_017).map((_, i) => (i * 31) % 256)];
  const expected = inputs.map((b) => createHash('sha256').update(b).digest('hex'));

  it('matches node:crypto with WebCrypto', async () => {
    expect(globalThis.crypto?.subtle).toBeDefined();
    expect(await Promise.all(inputs.map(sha256Hex))).toEqual(expected);
  });
  it('matches node:crypto without WebCrypto (insecure http:// pages), so the check never lapses', async () => {
    vi.stubGlobal('crypto', undefined);
    expect(globalThis.crypto).toBeUndefined();
    expect(await Promise.all(inputs.map(sha256Hex))).toEqual(expected);
  });
});

describe('loadModelBytes: what became of the file in the cache (classifier.cacheState)', () => {
  afterEach(() => vi.unstubAllGlobals());
  const bytes = new Uint8Array(4096).map((_, i) => i % 251);
  const url = 'https://example.test/models/m.onnx';
  let sha: string;
  /** A Cache Storage whose put does `put` (default: keeps the entry in a Map). */
  function fakeCaches(put?: () => Promise<void>, open?: () => Promise<never>) {
    const entries = new Map<string, Response>();
    const cache = {
      match: async (key: string) => entries.get(key)?.clone(),
      put: put ?? (async (key: string, res: Response) => void entries.set(key, res)),
      delete: async (key: string) => entries.delete(key),
    };
    vi.stubGlobal('caches', { open: open ?? (async () => cache) });
    return entries;
  }
  const load = async (opts: Parameters<typeof loadModelBytes>[1] = {}) => {
    let report: Promise<CacheReport> | undefined;
    const got = await loadModelBytes(url, { sha256: sha, ...opts, onCacheReport: (r) => (report = r) });
    expect(got).toEqual(bytes);
    expect(report).toBeDefined();
    return report!;
  };
  beforeEach(async () => {
    sha = await sha256Hex(bytes);
    vi.stubGlobal('fetch', async () => new Response(bytes.slice(), { headers: { 'content-type': 'application/octet-stream' } }));
  });

  it('stored, then hit', async () => {
    const entries = fakeCaches();
    expect(await load()).toEqual({ state: 'stored', reason: null });
    expect(entries.size).toBe(1);
    expect(await load()).toEqual({ state: 'hit', reason: null });
  });
  it('not-stored with the quota named when the write fails for quota (the file is still given)', async () => {
    fakeCaches(() => Promise.reject(new DOMException('Quota exceeded.', 'QuotaExceededError')));
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 2e6, quota: 3e6 }) } });
    expect(await load()).toEqual({
      state: 'not-stored',
      reason: "the site's storage quota has no room for the 0.0 MB file (QuotaExceededError; the browser reports 2.0 MB used of a 3.0 MB quota)",
    });
  });
  it('not-stored with the browser\'s error for any other failed write', async () => {
    fakeCaches(() => Promise.reject(new TypeError('network error')));
    expect(await load()).toEqual({ state: 'not-stored', reason: 'the browser refused to store it (TypeError: network error)' });
  });
  it('not-stored when there is no Cache Storage, or it refuses to open', async () => {
    vi.stubGlobal('caches', undefined);
    expect(await load()).toEqual({
      state: 'not-stored',
      reason: 'this context has no Cache Storage (a page that is not a secure context: https:// or localhost)',
    });
    fakeCaches(undefined, () => Promise.reject(new DOMException('The operation is insecure.', 'SecurityError')));
    const r = await load();
    expect(r.state).toBe('not-stored');
    expect(r.reason).toMatch(/^Cache Storage refused to open \(SecurityError: The operation is insecure\.\): private browsing/);
  });
  it('off with cache: false, or without a sha256 to check a cached copy against', async () => {
    const entries = fakeCaches();
    expect(await load({ cache: false })).toEqual({ state: 'off', reason: 'turned off (cache: false)' });
    expect(await load({ sha256: undefined })).toEqual({ state: 'off', reason: 'the file has no sha256 to check a cached copy against' });
    expect(entries.size).toBe(0);
  });
});
