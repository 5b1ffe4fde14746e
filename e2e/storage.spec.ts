/**
 * The model cache: verified entries and their cheap re-check, what `cacheState` says (and the
 * warning when a full quota keeps the model out), listing and removing models, and one download
 * for two tabs at once (Web Locks).
 */
import { expect, serveImages, test } from './fixtures.ts';

const SHIP = '/test-images/cifar10/ship/0003.jpg';

test('the model is verified and kept in Cache Storage, read back with a cheap check (no sha256 of the whole file), and a damaged entry is refetched', async ({ harness }) => {
  const r = await harness.evaluate(async (SHIP) => {
    await caches.delete('resnet-web-models-v1');
    // Downloads are counted in Resource Timing, whose buffer (250 entries) earlier tests on this page may have filled.
    performance.clearResourceTimings();
    performance.setResourceTimingBufferSize(10_000);
    const fetched = () => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('resnet20-cifar10.onnx')).length;
    // In this thread, so that the page's resource timing sees the downloads.
    const make = () => window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', worker: false });
    const before = fetched();
    await (await make()).dispose();
    const afterFirst = fetched();
    const c = await make();
    const afterSecond = fetched();
    const label = (await c.classify(SHIP))[0].label;
    const timings = c.loadTimings;
    await c.dispose();
    const cache = await caches.open('resnet-web-models-v1');
    const [key] = await cache.keys();
    // Damaged with the SDK's headers kept: one byte changed where the check samples (the first), then cut short.
    // A classifier resolves once its download is stored (cacheState 'stored'): the entry is there.
    const entryOf = async () => {
      const entry = await cache.match(key);
      if (!entry) throw new Error(`no cache entry ${key.url} once the classifier loaded`);
      return entry;
    };
    const refetchedAfter = async (damage: (b: Uint8Array) => Uint8Array) => {
      const entry = await entryOf();
      const body = damage(new Uint8Array(await entry.arrayBuffer()));
      await cache.put(key, new Response(body as Uint8Array<ArrayBuffer>, { headers: entry.headers }));
      const n = fetched();
      const again = await make();
      const source = again.loadTimings.source;
      await again.dispose();
      return { fetched: fetched() - n, source };
    };
    const flipped = await refetchedAfter((b) => ((b[0] ^= 1), b));
    const cut = await refetchedAfter((b) => b.slice(0, b.length - 5000));
    const unchanged = await refetchedAfter((b) => b);
    await cache.put(key, new Response('corrupted'));
    const n = fetched();
    await (await make()).dispose();
    return { first: afterFirst - before, second: afterSecond - afterFirst, third: fetched() - n, key: key.url, label, timings, flipped, cut, unchanged };
  }, SHIP);
  expect(r.first).toBe(1);
  expect(r.second).toBe(0);
  expect(r.third).toBe(1);
  expect(r.timings.source).toBe('cache');
  expect(r.timings.modelCheck).toBeLessThan(r.timings.total);
  expect(r.flipped).toEqual({ fetched: 1, source: 'network' });
  expect(r.cut).toEqual({ fetched: 1, source: 'network' });
  expect(r.unchanged).toEqual({ fetched: 0, source: 'cache' });
  expect(r.key).toMatch(/resnet20-cifar10\.onnx#sha256=2f1da8a6/);
  expect(r.label).toBe('ship');
});

test('cachedModels names what the cache holds; removeCachedModel frees one model; persist asks the browser to keep storage', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    await window.sdk.clearModelCache();
    let persistCalls = 0;
    const storage = navigator.storage as StorageManager & { persist(): Promise<boolean> };
    const persist = storage.persist;
    storage.persist = async () => (persistCalls++, true);
    try {
      // In the page's thread and in the worker (which writes the same origin's Cache Storage).
      await (await window.sdk.createClassifier({ model: 'resnet20-cifar10', worker: false, persist: true })).dispose();
      await (await window.sdk.createClassifier({ model: 'mobilenetv2-int8', worker: true })).dispose();
    } finally {
      storage.persist = persist;
    }
    // Each classifier resolved once its file was stored: both are listed at once.
    const listed = await window.sdk.cachedModels();
    await window.sdk.removeCachedModel('resnet20-cifar10');
    const after = await window.sdk.cachedModels();
    const unknown = await window.sdk.removeCachedModel('no-such-model').catch((e: Error) => `${e.name}: ${e.message}`);
    return { persistCalls, listed: listed.map((m) => ({ ...m, url: m.url.replace(location.origin, '') })).sort((a, b) => a.name.localeCompare(b.name)), after: after.map((m) => m.name), unknown };
  });
  expect(r.persistCalls).toBe(1); // once, for the classifier that asked
  expect(r.listed).toEqual([
    { name: 'mobilenetv2-int8', url: '/models/mobilenetv2-12-int8.onnx', bytes: 3655033 },
    { name: 'resnet20-cifar10', url: '/models/resnet20-cifar10.onnx', bytes: 1092225 },
  ]);
  expect(r.after).toEqual(['mobilenetv2-int8']);
  expect(r.unknown).toMatch(/^RangeError: removeCachedModel: unknown model "no-such-model"/);
});

test('two tabs that open the same model at once download it once (Web Locks); the second reads the first one\'s copy', async ({ harness, context }) => {
  await harness.evaluate(() => window.sdk.clearModelCache());
  const second = await context.newPage();
  await serveImages(second);
  await second.goto('/e2e/harness.html');
  await second.waitForFunction(() => window.harnessReady === true);
  const downloads: string[] = [];
  context.on('request', (r) => r.url().endsWith('/resnet56-cifar10.onnx') && downloads.push(r.url()));
  // A slow server, so that both tabs ask while the first download is still under way.
  await context.route('**/resnet56-cifar10.onnx', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  const open = (page: typeof harness, worker: boolean) =>
    page.evaluate(async (worker) => {
      const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker });
      const out = { source: c.loadTimings.source, label: (await c.classify('/test-images/cifar10/ship/0003.jpg'))[0].label };
      await c.dispose();
      return out;
    }, worker);
  // Both at once: one tab on its page's thread, the other in its worker.
  const [a, b] = await Promise.all([open(harness, false), open(second, true)]);
  console.log(`two tabs at once: ${downloads.length} download; sources ${a.source} and ${b.source}`);
  expect(downloads).toHaveLength(1);
  expect([a.source, b.source].sort()).toEqual(['cache', 'network']);
  expect([a.label, b.label]).toEqual(['ship', 'ship']);
  await second.close();
});

test('cacheState says what became of the model: stored, hit, off; a full quota gives not-stored with the reason, warns once, and the classifier still works', async ({ page, harness }) => {
  const warnings: { text: string; from: 'page' | 'worker' }[] = [];
  page.on('console', (m) => m.type() === 'warning' && /model cache/.test(m.text()) && warnings.push({ text: m.text(), from: m.worker() ? 'worker' : 'page' }));
  const open = (options: object) =>
    harness.evaluate(async (options) => {
      const c = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', ...options });
      const out = {
        state: c.cacheState, reason: c.cacheReason, source: c.loadTimings.source, write: c.loadTimings.cacheWrite,
        label: (await c.classify('/test-images/cifar10/ship/0003.jpg'))[0].label, listed: (await window.sdk.cachedModels()).length,
      };
      await c.dispose();
      return out;
    }, options);
  await harness.evaluate(() => window.sdk.clearModelCache());
  const stored = await open({}); // in its worker
  const hit = await open({ worker: false });
  const off = await open({ cache: false, worker: false });
  const unpinned = await harness.evaluate(async () => {
    const c = await window.sdk.createClassifier({ model: { ...window.sdk.MODELS['resnet20-cifar10'], sha256: undefined }, backend: 'wasm' });
    const out = { state: c.cacheState, reason: c.cacheReason };
    await c.dispose();
    return out;
  });
  expect(stored).toMatchObject({ state: 'stored', reason: null, source: 'network', label: 'ship', listed: 1 });
  expect(stored.write).toBeGreaterThan(0);
  expect(hit).toMatchObject({ state: 'hit', reason: null, source: 'cache', write: 0, label: 'ship' });
  expect(off).toMatchObject({ state: 'off', reason: 'turned off (cache: false)', source: 'network', write: 0, label: 'ship' });
  expect(unpinned).toEqual({ state: 'off', reason: 'the file has no sha256 to check a cached copy against' });
  expect(warnings).toEqual([]);

  // The origin's quota forced to 1 MB (DevTools' "custom storage quota"): the 1.09 MB file does not fit.
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1_000_000 });
  try {
    await harness.evaluate(() => window.sdk.clearModelCache());
    const full = await open({ worker: false });
    const again = await open({ worker: false });
    const inWorker = await open({});
    console.log(`quota 1 MB: ${full.state}: ${full.reason}`);
    for (const r of [full, again, inWorker]) {
      expect(r).toMatchObject({ state: 'not-stored', source: 'network', label: 'ship', listed: 0 });
      expect(r.reason).toMatch(/^the site's storage quota has no room for the 1\.1 MB file \(QuotaExceededError; the browser reports [\d.]+ MB used of a [\d.]+ MB quota\)$/);
    }
    // Once from the page's thread for its two classifiers, once from the worker's.
    expect(warnings.map((w) => w.from)).toEqual(['page', 'worker']);
    for (const w of warnings) {
      expect(w.text).toMatch(/^\[resnet-web\] the model was not kept in the model cache, so the next visit downloads it again: the site's storage quota has no room/);
    }
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});

test('a classifier aborted while another download of its model holds the lock stops waiting at once', async ({ harness, context }) => {
  await harness.evaluate(() => window.sdk.clearModelCache());
  await context.route('**/resnet56-cifar10.onnx', async (route) => {
    await new Promise((r) => setTimeout(r, 2000));
    await route.continue();
  });
  const r = await harness.evaluate(async () => {
    const first = window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker: false });
    await new Promise((res) => setTimeout(res, 300));
    const abort = new AbortController();
    const t0 = performance.now();
    const second = window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker: false, signal: abort.signal })
      .then(() => 'loaded', (e) => e.code as string);
    await new Promise((res) => setTimeout(res, 200));
    const waiting = (await navigator.locks.query()).pending?.length ?? 0;
    abort.abort();
    const code = await second;
    const after = performance.now() - t0;
    await new Promise((res) => setTimeout(res, 50));
    const pendingAfter = (await navigator.locks.query()).pending?.length ?? 0;
    const c = await first;
    const out = { waiting, code, after, pendingAfter, state: c.cacheState };
    await c.dispose();
    return out;
  });
  expect(r.waiting).toBe(1); // the second load waited on the first one's lock
  expect(r.code).toBe('ABORTED');
  expect(r.after).toBeLessThan(1000); // not after the first download's 2 s
  expect(r.pendingAfter).toBe(0); // and no longer waits on the lock
  expect(r.state).toBe('stored');
});
