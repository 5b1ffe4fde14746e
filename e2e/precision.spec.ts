/**
 * The 1000 CIFAR-10 test JPEGs through ResNet-20/56 on WASM: fp32 against the reference pipeline,
 * and the fp16 and int8 files (made by `npm run models -- --precision fp16,int8`, which the pretest
 * step runs) against fp32. Then `precision: 'auto'`, missing, damaged and mismatched files, the
 * worker, the cache, and WebGPU without `shader-f16`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { MODELS } from '../src/model/registry.ts';
import { expect, MODELS_DIR, reference, test } from './fixtures.ts';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const files = Object.keys(reference.cifar10).sort();
const truth = files.map((f) => CLASSES.indexOf(reference.cifar10[f].label));
const catPhoto = files.find((f) => f.startsWith('cat/'))!;

/** Top-1 of every CIFAR-10 photo with each precision of `model`, on WASM on the page's thread (photos decoded once, batches of 50). */
function top1ByPrecision(page: Page, model: string) {
  return page.evaluate(
    async ({ model, files }) => {
      const photos = await Promise.all(files.map(async (f) => (await fetch(`/test-images/cifar10/${f}`)).blob()));
      const out: Record<string, { precision: string; top1: number[] }> = {};
      for (const precision of ['fp32', 'fp16', 'int8'] as const) {
        const c = await window.sdk.createClassifier({ model, backend: 'wasm', precision, topK: 1, worker: false });
        const top1: number[] = [];
        for (let i = 0; i < photos.length; i += 50) {
          for (const [p] of await c.classifyBatch(photos.slice(i, i + 50))) top1.push(p.index);
        }
        out[precision] = { precision: c.precision, top1 };
        await c.dispose();
      }
      return out;
    },
    { model, files },
  );
}

for (const [model, key] of [['resnet20-cifar10', 'resnet20_top5'], ['resnet56-cifar10', 'resnet56_top5']] as const) {
  test(`${model} on the 1000 CIFAR-10 photos: fp32 agrees with the reference on ≥ 99 % (accuracy within 1 point); fp16 with fp32 on ≥ 99.5 %, int8 on ≥ 98 % with accuracy within 1 point`, async ({ harness }) => {
    test.setTimeout(240_000);
    const r = await top1ByPrecision(harness, model);
    const acc = (p: string) => r[p].top1.filter((c, i) => c === truth[i]).length / files.length;
    const agree = (p: string) => r[p].top1.filter((c, i) => c === r.fp32.top1[i]).length / files.length;
    console.log(
      `${model}: accuracy fp32 ${(acc('fp32') * 100).toFixed(1)} %, fp16 ${(acc('fp16') * 100).toFixed(1)} %, ` +
        `int8 ${(acc('int8') * 100).toFixed(1)} %; agreement with fp32: fp16 ${(agree('fp16') * 100).toFixed(1)} %, ` +
        `int8 ${(agree('int8') * 100).toFixed(1)} % (${files.length} photos)`,
    );
    expect(Object.values(r).map((x) => x.precision)).toEqual(['fp32', 'fp16', 'int8']);
    // fp32 against the reference pipeline (Pillow + torchvision + PyTorch), test/data/reference.json.
    const ref = files.map((f) => reference.cifar10[f][key][0][0]);
    const refAgree = r.fp32.top1.filter((c, i) => c === ref[i]).length / files.length;
    const refAcc = ref.filter((c, i) => c === truth[i]).length / files.length;
    console.log(`${model} fp32: top-1 agreement with the reference ${(refAgree * 100).toFixed(1)} %, accuracy ${(acc('fp32') * 100).toFixed(1)} % (reference ${(refAcc * 100).toFixed(1)} %)`);
    expect(refAgree).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(acc('fp32') - refAcc)).toBeLessThanOrEqual(0.01);
    expect(acc('fp32')).toBeGreaterThan(0.75); // the nets are what they claim (JPEG-compressed CIFAR-10: 80–83 %)
    expect(agree('fp16')).toBeGreaterThanOrEqual(0.995);
    expect(agree('int8')).toBeGreaterThanOrEqual(0.98);
    expect(Math.abs(acc('int8') - acc('fp32'))).toBeLessThanOrEqual(0.01);
  });
}

/** Loads resnet56-cifar10 with `options` and reports what ran, or the error's code and message. */
async function load(page: Page, options: Record<string, unknown>) {
  return page.evaluate(async ({ options, photo }) => {
    try {
      const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', ...options });
      const top = await c.classify(`/test-images/cifar10/${photo}`);
      const r = { precision: c.precision, label: top[0].label, score: top[0].score };
      await c.dispose();
      return r;
    } catch (e) {
      const err = e as { code?: string; message: string };
      return { code: err.code, message: err.message };
    }
  }, { options, photo: catPhoto });
}

const notFound = (page: Page, file: string) => page.route(`**/models/${file}`, (route) => route.fulfill({ status: 404, body: 'not found' }));
const serve = (page: Page, file: string, body: Buffer) =>
  page.route(`**/models/${file}`, (route) => route.fulfill({ status: 200, body, headers: { 'content-type': 'application/octet-stream' } }));
const modelFile = (file: string) => readFileSync(path.join(MODELS_DIR, file));

test.describe('precision', () => {
  test.beforeEach(async ({ harness }) => {
    await harness.evaluate(() => window.sdk.clearModelCache());
  });

  test("'auto' takes the smallest file the server has (int8, fp16, fp32), in the worker and on the page", async ({ harness }) => {
    expect(catPhoto).toBeTruthy();
    const auto = async (worker: boolean) => (await load(harness, { precision: 'auto', worker, cache: false })) as { precision: string; label: string };
    const fp32 = (await load(harness, { precision: 'fp32', cache: false })) as { label: string; score: number };
    expect((await auto(true)).precision).toBe('int8');
    expect((await auto(false)).precision).toBe('int8');
    await notFound(harness, 'resnet56-cifar10.int8.onnx');
    expect((await auto(true)).precision).toBe('fp16');
    await notFound(harness, 'resnet56-cifar10.fp16.onnx');
    const last = await auto(false);
    expect(last.precision).toBe('fp32');
    expect(last.label).toBe(fp32.label);
  });

  test("'auto' offline: the cached file, with no request; online, a server error skips to the next file", async ({ harness, context }) => {
    const labels = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
    const auto = () =>
      harness.evaluate(async (labels) => {
        const model = { ...window.sdk.MODELS['resnet56-cifar10'], labels };
        try {
          const c = await window.sdk.createClassifier({ model, precision: 'auto', backend: 'wasm', worker: false });
          await new Promise((resolve) => setTimeout(resolve, 500)); // the cache write runs in the background
          await c.dispose();
          return c.precision;
        } catch (e) {
          return `${(e as { code: string }).code}: ${(e as Error).message}`;
        }
      }, labels);
    await harness.route('**/models/resnet56-cifar10.int8.onnx', (route) => route.fulfill({ status: 503, body: 'busy' }));
    expect(await auto()).toBe('fp16'); // 503 on int8: on to fp16, which is now cached
    await harness.unrouteAll();
    const failed: string[] = [];
    harness.on('requestfailed', (r) => failed.push(r.url()));
    await context.setOffline(true);
    expect(await auto()).toBe('fp16');
    expect(failed).toEqual([]);
    await context.setOffline(false);
  });

  test("the default is the model's own file (fp32; the zoo's int8 MobileNetV2: int8), and each precision loads its own file", async ({ harness }) => {
    const r = await harness.evaluate(async () => {
      const out: Record<string, { precision: string; files: string[] }> = {};
      for (const precision of [undefined, 'fp16', 'int8'] as const) {
        performance.clearResourceTimings();
        const c = await window.sdk.createClassifier({ model: 'resnet56-cifar10', backend: 'wasm', worker: false, cache: false, precision });
        const files = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.onnx') && p.startsWith('/models/'));
        out[precision ?? 'default'] = { precision: c.precision, files };
        await c.dispose();
      }
      const mobilenet = await window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm', worker: false, cache: false });
      out.mobilenet = { precision: mobilenet.precision, files: [] };
      await mobilenet.dispose();
      return out;
    });
    expect(r.default).toEqual({ precision: 'fp32', files: ['/models/resnet56-cifar10.onnx'] });
    expect(r.fp16).toEqual({ precision: 'fp16', files: ['/models/resnet56-cifar10.fp16.onnx'] });
    expect(r.int8).toEqual({ precision: 'int8', files: ['/models/resnet56-cifar10.int8.onnx'] });
    expect(r.mobilenet.precision).toBe('int8');
  });

  test('a precision whose file is not there: MODEL_LOAD_FAILED listing the files that are, with their sizes', async ({ harness }) => {
    await notFound(harness, 'resnet56-cifar10.int8.onnx');
    const r = await load(harness, { precision: 'int8' });
    expect(r).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    const { message } = r as { message: string };
    expect(message).toContain('no int8 file of resnet56-cifar10');
    expect(message).toMatch(/fp32 \(3\.4 MB, http[^)]*resnet56-cifar10\.onnx\)/);
    expect(message).toMatch(/fp16 \(1\.7 MB, http[^)]*resnet56-cifar10\.fp16\.onnx\)/);
    expect(message).not.toMatch(/int8 \(/);
    expect(message).toContain('--precision int8');
    // A model whose registry entry has no compact files.
    const none = await harness.evaluate(() =>
      window.sdk.createClassifier({ model: 'mobilenetv2-int8', backend: 'wasm', precision: 'fp16' }).catch((e: { code: string; message: string }) => ({ code: e.code, message: e.message })),
    );
    expect(none).toEqual({ code: 'MODEL_LOAD_FAILED', message: 'mobilenetv2-int8 has no fp16 file (it lists: int8)' });
  });

  test('a damaged or truncated compact file: MODEL_INTEGRITY; the compact file of another model: a clear MODEL_LOAD_FAILED', async ({ harness }) => {
    const int8 = modelFile('resnet56-cifar10.int8.onnx');
    const damaged = Buffer.from(int8);
    damaged[1000] ^= 0xff;
    await serve(harness, 'resnet56-cifar10.int8.onnx', damaged);
    const a = await load(harness, { precision: 'int8' });
    expect(a).toMatchObject({ code: 'MODEL_INTEGRITY', message: expect.stringMatching(/int8 file at .* is corrupted: its bytes do not match the sha256 it records/) });
    await harness.unrouteAll();
    await serve(harness, 'resnet56-cifar10.fp16.onnx', modelFile('resnet56-cifar10.fp16.onnx').subarray(0, 1_000_000));
    const b = await load(harness, { precision: 'fp16' });
    expect(b).toMatchObject({ code: 'MODEL_INTEGRITY', message: expect.stringMatching(/fp16 file at .* is truncated or not a compact model file/) });
    await harness.unrouteAll();
    // 'auto' does not step over a damaged file to a bigger one: it says so.
    await serve(harness, 'resnet56-cifar10.int8.onnx', damaged);
    expect(await load(harness, { precision: 'auto' })).toMatchObject({ code: 'MODEL_INTEGRITY' });
    await harness.unrouteAll();
    await serve(harness, 'resnet56-cifar10.int8.onnx', modelFile('resnet20-cifar10.int8.onnx'));
    const c = await load(harness, { precision: 'int8' });
    expect(c).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect((c as { message: string }).message).toMatch(
      new RegExp(`is not resnet56-cifar10's int8 file: it is the int8 file of another model \\(made from the fp32 file with sha256 ${MODELS['resnet20-cifar10'].sha256}\\)`),
    );
    // The fp16 file served as the int8 one.
    await harness.unrouteAll();
    await serve(harness, 'resnet56-cifar10.int8.onnx', modelFile('resnet56-cifar10.fp16.onnx'));
    expect(await load(harness, { precision: 'int8' })).toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringContaining("is not resnet56-cifar10's int8 file: it is the fp16 file of resnet56-cifar10"),
    });
  });

  test('a compact file without a pinned sha256 is checked by its trailer and kept in the cache', async ({ harness }) => {
    const r = await harness.evaluate(async () => {
      const base = window.sdk.MODELS['resnet56-cifar10'];
      // A spec as a user would write for their own files: sha256 of the fp32 file only.
      const spec = { ...base, precisions: { int8: { url: 'resnet56-cifar10.int8.onnx' } } };
      const downloads = () => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.int8.onnx')).length;
      const first = await window.sdk.createClassifier({ model: spec, precision: 'int8', backend: 'wasm', worker: false });
      await first.dispose();
      await new Promise((resolve) => setTimeout(resolve, 500)); // the cache write runs in the background
      const after = downloads();
      const second = await window.sdk.createClassifier({ model: spec, precision: 'int8', backend: 'wasm', worker: false });
      const top = await second.classify('/test-images/classic/pytorch-hub-dog.jpg');
      await second.dispose();
      const cache = await window.sdk.modelCacheSize();
      return { after, again: downloads() - after, precision: second.precision, label: top[0].label, cached: cache.entries.map((e) => e.url) };
    });
    expect(r.after).toBe(1);
    expect(r.again).toBe(0);
    expect(r.precision).toBe('int8');
    expect(r.cached.some((u) => u.endsWith('/models/resnet56-cifar10.int8.onnx'))).toBe(true);
  });
});


test('WebGPU without shader-f16 (SwiftShader): fp16 and int8 files run, with the logits of the same files on WASM', async ({ harness }) => {
  test.setTimeout(180_000);
  const photos = ['cat/', 'ship/', 'frog/'].map((c) => files.find((f) => f.startsWith(c))!);
  const r = await harness.evaluate(async (photos) => {
    const adapter = await navigator.gpu.requestAdapter();
    const out: Record<string, { backend: string; precision: string; maxDiff: number; argmaxSame: boolean }> = {};
    for (const precision of ['fp16', 'int8'] as const) {
      const gpu = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'webgpu', precision, worker: false });
      const cpu = await window.sdk.createClassifier({ model: 'resnet20-cifar10', backend: 'wasm', precision, worker: false });
      let maxDiff = 0;
      let argmaxSame = true;
      for (const f of photos) {
        const url = `/test-images/cifar10/${f}`;
        const [a, b] = [await gpu.logits(url), await cpu.logits(url)];
        for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        argmaxSame &&= a.indexOf(Math.max(...a)) === b.indexOf(Math.max(...b));
      }
      out[precision] = { backend: gpu.backend, precision: gpu.precision, maxDiff, argmaxSame };
      await gpu.dispose();
      await cpu.dispose();
    }
    return { shaderF16: adapter?.features.has('shader-f16') ?? null, out };
  }, photos);
  expect(r.shaderF16).toBe(false);
  for (const p of ['fp16', 'int8']) {
    expect(r.out[p]).toMatchObject({ backend: 'webgpu', precision: p, argmaxSame: true });
    expect(r.out[p].maxDiff).toBeLessThan(1e-3);
  }
});
