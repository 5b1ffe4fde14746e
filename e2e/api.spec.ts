/** The public API's behaviour: backend choice, model errors, batching, options, load timings, dispose (the model cache: storage.spec.ts). */
import { expect, SHIP, test } from './fixtures.ts';

const CAT = '/test-images/cifar10/cat/0000.jpg';

test('without WebGPU: "auto" runs on WASM and says why, "webgpu" rejects with BACKEND_UNAVAILABLE', async ({ page, harness }) => {
  const info: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && info.push(m.text()));
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
  await harness.reload();
  await harness.waitForFunction(() => window.harnessReady === true);
  const r = await harness.evaluate(async () => {
    // In this thread: the test hides navigator.gpu from the page, and a worker has its own navigator.
    const auto = await window.sdk.createClassifier({ model: 'resnet20-cifar10', worker: false });
    const { backend, fallbackReason } = auto;
    await auto.dispose();
    const wasm = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', worker: false });
    const asked = wasm.fallbackReason;
    await wasm.dispose();
    const err = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'webgpu', worker: false }).catch((e) => e);
    return { backend, fallbackReason, asked, code: err.code, message: err.message, isError: err instanceof window.sdk.ClassifierError };
  });
  expect(r.backend).toBe('wasm');
  expect(r.fallbackReason).toMatch(/no WebGPU \(navigator\.gpu is undefined\)/);
  expect(r.asked).toBeNull(); // 'wasm' asked for: no fallback to report
  expect(info).toContainEqual(expect.stringMatching(/\[resnet-web\] running on WASM: .*navigator\.gpu is undefined/));
  expect(r.isError).toBe(true);
  expect(r.code).toBe('BACKEND_UNAVAILABLE');
  expect(r.message).toMatch(/WebGPU is not available/);
});

test('model errors: 404, sha256 mismatch, a model that is not the spec', async ({ harness }) => {
  const r = await harness.evaluate(async () => {
    const base = window.sdk.MODELS['resnet20-cifar10'];
    const fail = (model: object) =>
      window.sdk
        .createClassifier({ model: model as never, backend: 'wasm', cache: false })
        .then(() => ({ code: 'none', message: '' }))
        .catch((e) => ({ code: e.code as string, message: e.message as string }));
    return {
      missing: await fail({ ...base, url: 'no-such-model.onnx' }),
      integrity: await fail({ ...base, sha256: '0'.repeat(64) }),
      // The CIFAR ResNet-20 file under an ImageNet spec: 32×32 input and 10 classes, not 224 and 1000.
      wrongShape: await fail({ ...base, inputSize: 224, resizeTo: 256, labels: 'imagenet-labels.json' }),
      wrongClasses: await fail({ ...base, labels: ['a', 'b', 'c'] }),
      unknown: await window.sdk.createClassifier({ model: 'resnet9000' }).catch((e) => `${e.name}: ${e.message}`),
    };
  });
  expect(r.missing.code).toBe('MODEL_LOAD_FAILED');
  expect(r.missing.message).toMatch(/HTTP 404/);
  expect(r.integrity.code).toBe('MODEL_INTEGRITY');
  expect(r.integrity.message).toMatch(/does not match its sha256/);
  expect(r.wrongShape.code).toBe('MODEL_LOAD_FAILED');
  expect(r.wrongShape.message).toMatch(/expected input shape \[N,3,224,224\], the model has \[.*,3,32,32\]/);
  expect(r.wrongClasses.code).toBe('MODEL_LOAD_FAILED');
  expect(r.wrongClasses.message).toMatch(/the labels list 3 classes, the model has 10 outputs/);
  expect(r.unknown).toMatch(/^RangeError: Unknown model "resnet9000"/);
});

test('classifyBatch equals single runs; topK, onProgress, concurrent calls and dispose behave', async ({ harness }) => {
  const r = await harness.evaluate(
    async ({ SHIP, CAT }) => {
      const progress: number[] = [];
      const c = await window.sdk.createClassifier({
        model: 'resnet56-cifar10', backend: 'wasm', topK: 3, cache: false,
        onProgress: (p) => progress.push(p.loaded / (p.total || 1)),
      });
      const single = [await c.classify(SHIP), await c.classify(CAT)];
      const batch = await c.classifyBatch([SHIP, CAT]);
      const top10 = await c.classify(SHIP, { topK: 10 });
      const concurrent = await Promise.all([SHIP, CAT, SHIP, CAT].map((u) => c.classify(u)));
      const badTopK = await c.classify(SHIP, { topK: 0 }).catch((e) => e.name);
      const pending = c.classify(CAT); // queued before dispose: finishes or rejects with DISPOSED
      await c.dispose();
      const settled = await pending.then((p) => p[0].label, (e) => e.code);
      const after = await c.classify(SHIP).catch((e) => e.code);
      const threads = { used: c.threads, cores: navigator.hardwareConcurrency, isolated: crossOriginIsolated };
      return { single, batch, top10, concurrent, badTopK, settled, after, progress, labels: c.labels.length, threads };
    },
    { SHIP, CAT },
  );
  expect(r.single[0]).toHaveLength(3);
  expect(r.single[0][0].label).toBe('ship');
  expect(r.single[1][0].label).toBe('cat');
  r.batch.forEach((preds, i) =>
    preds.forEach((p, k) => {
      expect(p.index).toBe(r.single[i][k].index);
      expect(p.score).toBeCloseTo(r.single[i][k].score, 5);
    }),
  );
  expect(r.top10).toHaveLength(10);
  expect(r.top10.reduce((a, p) => a + p.score, 0)).toBeCloseTo(1, 6);
  expect(r.concurrent.map((p) => p[0].label)).toEqual(['ship', 'cat', 'ship', 'cat']);
  expect(r.badTopK).toBe('RangeError');
  expect(['cat', 'DISPOSED']).toContain(r.settled);
  expect(r.after).toBe('DISPOSED');
  expect(r.progress.length).toBeGreaterThan(0);
  expect(r.progress.at(-1)).toBe(1);
  expect(r.labels).toBe(10);
  // Cross-origin isolated (the dev server sends COOP/COEP): every core, not ORT's default of half.
  expect(r.threads).toEqual({ used: r.threads.cores, cores: r.threads.cores, isolated: true });
});

test('classifyBatch with a bad file rejects with INVALID_IMAGE, and images decoded ahead leave no stray errors', async ({ harness }) => {
  const errors: string[] = [];
  harness.on('pageerror', (e) => errors.push(e.message));
  const r = await harness.evaluate(async ({ SHIP, CAT }) => {
    const unhandled: string[] = [];
    addEventListener('unhandledrejection', (e) => unhandled.push(String(e.reason)));
    const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm' });
    const bad = await c.classifyBatch([SHIP, '/test-images/edge/not-an-image.jpg', CAT, SHIP, '/test-images/edge/truncated.jpg']).catch((e) => e.code);
    const good = await c.classifyBatch([SHIP, CAT, SHIP, CAT, SHIP]);
    await new Promise((res) => setTimeout(res, 100));
    await c.dispose();
    return { bad, good: good.map((p) => p[0].label), unhandled };
  }, { SHIP, CAT });
  expect(r.bad).toBe('INVALID_IMAGE');
  expect(r.good).toEqual(['ship', 'cat', 'ship', 'cat', 'ship']);
  expect(r.unhandled).toEqual([]);
  expect(errors).toEqual([]);
});

test('loadTimings says where the load went; the runtime starts while the model file downloads', async ({ harness }) => {
  // A slow download (1.5 s), so that the overlap shows in the totals.
  await harness.context().route('**/models/resnet20-cifar10.onnx', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  const r = await harness.evaluate(async () => {
    await caches.delete('resnet-web-models-v1');
    const take = async (options: object) => {
      performance.clearMeasures();
      const c = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', ...options });
      const t = { ...c.loadTimings };
      await c.dispose();
      return t;
    };
    // The User Timing measures the load left on the page's timeline: name → durations.
    const measured = () => {
      const m: Record<string, number[]> = {};
      for (const e of performance.getEntriesByType('measure')) if (e.name.startsWith('resnet-web: ')) (m[e.name] ??= []).push(e.duration);
      return m;
    };
    const first = await take({}); // its own worker: a runtime that starts from nothing
    const again = await take({}); // from the model cache
    const workerMeasures = measured();
    const page = await take({ worker: false });
    return { first, again, page, workerMeasures, pageMeasures: measured() };
  });
  const stages = ['labels', 'modelRead', 'modelCheck', 'graph', 'runtimeImport', 'runtimeStart', 'runtimeMemory', 'session', 'warmUp'] as const;
  for (const t of [r.first, r.again, r.page]) {
    for (const k of [...stages, 'total', 'worker'] as const) expect(t[k], k).toBeGreaterThanOrEqual(0);
    for (const k of stages) expect(t[k], k).toBeLessThanOrEqual(t.total);
  }
  expect(r.first.source).toBe('network');
  expect(r.first.modelRead).toBeGreaterThanOrEqual(1400);
  expect(r.first.runtimeStart).toBeGreaterThan(0);
  // In step, the runtime would start after the download; at once, the load takes less than the stages one after the other.
  expect(r.first.total).toBeLessThan(r.first.modelRead + r.first.runtimeImport + r.first.runtimeStart + r.first.session);
  expect(r.first.worker).toBeGreaterThan(0);
  expect(r.again.source).toBe('cache');
  expect(r.again.modelRead).toBeLessThan(1400);
  expect(r.page.worker).toBe(0);
  // The same stages as User Timing measures: on the page's thread all of them; on the worker path
  // (the stages are on the worker's timeline) the load as the page saw it.
  expect(Object.keys(r.workerMeasures)).toEqual(['resnet-web: load (worker)']);
  expect(r.workerMeasures['resnet-web: load (worker)'][0]).toBeCloseTo(r.again.total, 1);
  expect(r.pageMeasures['resnet-web: load']).toHaveLength(1);
  expect(r.pageMeasures['resnet-web: load'][0]).toBeCloseTo(r.page.total, 1);
  for (const k of ['labels', 'modelRead', 'runtimeImport', 'session'] as const) {
    const sum = r.pageMeasures[`resnet-web: ${k}`]?.reduce((a, b) => a + b, 0);
    expect(sum, k).toBeCloseTo(r.page[k], 1);
  }
});
