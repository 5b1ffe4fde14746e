/**
 * Our SDK against raw onnxruntime-web, one model and backend at a time (driven by bench/run.ts):
 * the default path (the classifier in its Web Worker) and `worker: false` (on the page's thread),
 * each against the same raw session.run.
 */
import { createClassifier, type StageTimings } from '../src/index.ts';
import { toGpuSource } from '../src/input/decode.ts';
import { toPixels } from '../src/preprocess/window.ts';
import { importOrt } from '../src/runtime/ort-loader.ts';
import { preprocess, resizeAndCrop } from '../src/preprocess/cpu.ts';
import { useSimdResize } from '../src/preprocess/simd.ts';
import { GpuPreprocessor } from '../src/preprocess/gpu.ts';
import { sessionOptions } from '../src/runtime/session.ts';
import { BENCH_IMAGE, callTimeoutMs, median, timeEach, timeit, within, type BrowserResult, type PrecisionResult, type Timing, type WatchBenchResult } from './shared.ts';
import { photoVideo } from '../e2e/video.ts';
import type { Precision } from '../src/model/spec.ts';

async function measure(model: string, backend: 'wasm' | 'webgpu', runs: number, batch: number, warmup: number): Promise<BrowserResult> {
  const limit = callTimeoutMs(backend);
  const label = `${model} on ${backend}`;
  const step = <T>(what: string, work: Promise<T>) => within(limit, `${label}: ${what}`, work);
  const timing = { warmup, timeoutMs: limit, label };

  // The page's classifier first: it configures this page's onnxruntime-web (threads, no spinning),
  // which the raw baseline below then uses as well.
  const onPage = await step('createClassifier({ worker: false })', createClassifier({ model, backend, worker: false }));
  const inWorker = await step('createClassifier() in its worker', createClassifier({ model, backend }));
  if (inWorker.backend !== onPage.backend || inWorker.threads !== onPage.threads) {
    throw new Error(`bench: the worker runs ${inWorker.backend} × ${inWorker.threads} threads, the page ${onPage.backend} × ${onPage.threads}`);
  }
  // The same onnxruntime-web build (and module instance) the SDK loaded on this page.
  const ort = await step('import onnxruntime-web', importOrt(onPage.backend));
  const threads = ort.env.wasm.numThreads ?? 1;
  if (threads !== onPage.threads) throw new Error(`bench: raw ORT has ${threads} threads, the SDK ${onPage.threads}`);
  const spec = onPage.model;
  const S = spec.inputSize;
  const blob = await step('fetch the image', fetch(BENCH_IMAGE).then((r) => r.blob()));
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });

  // (a) raw session.run on a ready tensor, same model bytes and session options as the SDK;
  // (b) classify end to end on both paths; all taken in turns so that drift falls on each alike.
  const modelFile = await step('fetch the model', fetch(spec.url).then((r) => r.arrayBuffer()));
  const bytes = new Uint8Array(modelFile);
  const session = await step('raw InferenceSession.create', ort.InferenceSession.create(bytes, sessionOptions(onPage.backend)));
  const input = new ort.Tensor('float32', preprocess(await toPixels(bitmap), spec), [1, 3, S, S]);
  const t = await timeEach(runs, {
    raw: async () => {
      const out = await session.run({ [spec.inputName ?? session.inputNames[0]]: input });
      await out[spec.outputName ?? session.outputNames[0]].getData();
    },
    workerBitmap: () => inWorker.classify(bitmap),
    workerBlob: () => inWorker.classify(blob),
    pageBitmap: () => onPage.classify(bitmap),
    pageBlob: () => onPage.classify(blob),
  }, timing);
  await session.release();
  // Where one classify(ImageBitmap) of each path went (its stage timings), median of 5.
  const stagesOf = async (c: typeof inWorker) => {
    const all: StageTimings[] = [];
    for (let i = 0; i < 5; i++) {
      await step('classify (stages)', c.classify(bitmap));
      all.push({ ...c.lastTimings! });
    }
    const mid = (k: keyof StageTimings) => median(all.map((x) => x[k])).median;
    return { decode: mid('decode'), preprocess: mid('preprocess'), inference: mid('inference'), total: mid('total') };
  };
  const stages = { worker: await stagesOf(inWorker), page: await stagesOf(onPage) };

  // (c) preprocessing alone, on the path this backend uses.
  let prep;
  let prepJs = null;
  let resize: { simd: Timing; js: Timing } | null = null;
  if (onPage.backend === 'webgpu') {
    const device = await ort.env.webgpu.device;
    const gpu = new GpuPreprocessor(device, spec);
    const out = device.createBuffer({ size: gpu.imageBytes, usage: GPUBufferUsage.STORAGE });
    prep = await timeit(runs, async () => {
      const source = await toGpuSource(bitmap);
      await gpu.encode(source, out, 0);
      await device.queue.onSubmittedWorkDone();
    }, { ...timing, label: `${label}: preprocess` });
    out.destroy();
    gpu.dispose();
  } else {
    // The WebAssembly SIMD resize passes (the default where they run) against the JavaScript ones, in turns.
    const both = await timeEach(runs, {
      simd: async () => (useSimdResize(true), preprocess(await toPixels(bitmap, undefined, spec), spec)),
      js: async () => (useSimdResize(false), preprocess(await toPixels(bitmap, undefined, spec), spec)),
    }, { ...timing, label: `${label}: preprocess` });
    // The resize passes alone, on pixels read once.
    const px = await toPixels(bitmap, undefined, spec);
    const out = new Uint8Array(3 * spec.inputSize ** 2);
    const passes = await timeEach(runs, {
      simd: async () => (useSimdResize(true), resizeAndCrop(px, spec.resizeTo, spec.inputSize, spec.interpolation, out)),
      js: async () => (useSimdResize(false), resizeAndCrop(px, spec.resizeTo, spec.inputSize, spec.interpolation, out)),
    }, { ...timing, label: `${label}: resize` });
    useSimdResize(true);
    prep = both.simd;
    prepJs = both.js;
    resize = passes;
  }
  await onPage.dispose();

  // (e) classifyBatch of photo files (Blobs) per image, against the same files one by one (default path).
  let batchPerImage = null;
  let singleForBatch = null;
  if (batch > 1) {
    const files = Array.from({ length: batch }, () => blob.slice(0, blob.size, blob.type));
    const b = await timeEach(runs, {
      batch: () => inWorker.classifyBatch(files),
      single: async () => {
        for (const f of files) await inWorker.classify(f);
      },
    }, { ...timing, warmup: 1, timeoutMs: limit * batch, label: `${label}: batch of ${batch}` });
    batchPerImage = { median: b.batch.median / batch, n: b.batch.n };
    singleForBatch = { median: b.single.median / batch, n: b.single.n };
  }

  const adapter = onPage.backend === 'webgpu' ? await adapterName() : 'cpu';
  await inWorker.dispose();
  return {
    model, backend: onPage.backend, adapter, threads,
    raw: t.raw,
    worker: { classifyBitmap: t.workerBitmap, classifyBlob: t.workerBlob },
    page: { classifyBitmap: t.pageBitmap, classifyBlob: t.pageBlob },
    preprocess: prep, preprocessJs: prepJs, resize, batchPerImage, singleForBatch, stages,
  };
}

/**
 * Each precision's file of `model` on `backend`, on the page's thread: session creation on the
 * bytes in memory (median of `creates`), raw session.run and classify(ImageBitmap), each taken in
 * turns across the precisions, and the top-1 of each of `photos` (for agreement with fp32).
 */
async function precisions(model: string, backend: 'wasm' | 'webgpu', list: Precision[], runs: number, creates: number, photos: string[]): Promise<PrecisionResult[]> {
  const limit = callTimeoutMs(backend);
  const label = `${model} on ${backend}, precisions`;
  const step = <T>(what: string, work: Promise<T>) => within(limit, `${label}: ${what}`, work);
  const classifiers = [];
  for (const precision of list) {
    classifiers.push(await step(`createClassifier({ precision: '${precision}' })`, createClassifier({ model, backend, precision, worker: false, cache: false })));
  }
  const ort = await step('import onnxruntime-web', importOrt(classifiers[0].backend));
  const blob = await step('fetch the image', fetch(BENCH_IMAGE).then((r) => r.blob()));
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const spec = classifiers[0].model;
  const S = spec.inputSize;
  const input = new ort.Tensor('float32', preprocess(await toPixels(bitmap), spec), [1, 3, S, S]);

  // Session creation (median of `creates`) and raw runs: the same session options as the SDK's.
  const sessions: Record<string, Awaited<ReturnType<typeof ort.InferenceSession.create>>> = {};
  const create: Record<string, Timing> = {};
  const bytes: Record<string, number> = {};
  for (const c of classifiers) {
    const url = c.precision === (spec.precision ?? 'fp32') ? spec.url : spec.precisions![c.precision as 'fp16' | 'int8']!.url;
    const buffer: ArrayBuffer = await step(`fetch ${url}`, fetch(url).then((r) => r.arrayBuffer()));
    const file = new Uint8Array(buffer);
    bytes[c.precision] = file.length;
    const options = sessionOptions(c.backend, c.precision === 'int8' && url !== spec.url);
    const times: number[] = [];
    for (let i = 0; i < creates; i++) {
      const t0 = performance.now();
      const session = await step('InferenceSession.create', ort.InferenceSession.create(file, options));
      times.push(performance.now() - t0);
      if (i < creates - 1) await session.release();
      else sessions[c.precision] = session;
    }
    create[c.precision] = median(times);
  }
  const raw = await timeEach(runs, Object.fromEntries(Object.entries(sessions).map(([p, session]) => [p, async () => {
    const out = await session.run({ [session.inputNames[0]]: input });
    await out[session.outputNames[0]].getData();
  }])), { warmup: 2, timeoutMs: limit, label: `${label}: raw session.run` });
  for (const session of Object.values(sessions)) await session.release();
  const classify = await timeEach(runs, Object.fromEntries(classifiers.map((c) => [c.precision, () => c.classify(bitmap)])), {
    warmup: 2, timeoutMs: limit, label: `${label}: classify`,
  });

  const out: PrecisionResult[] = [];
  for (const c of classifiers) {
    const top1: number[] = [];
    for (const photo of photos) top1.push((await step(`classify ${photo}`, c.classify(photo, { topK: 1 })))[0].index);
    out.push({ precision: c.precision, bytes: bytes[c.precision], create: create[c.precision], raw: raw[c.precision], classify: classify[c.precision], top1 });
    await c.dispose();
  }
  return out;
}

/**
 * `classifier.watch` for `seconds` on a 30 fps `canvas.captureStream()` of `photos` (1.5 s each),
 * in the worker and on the page's thread: frames classified per second, frames dropped, latency.
 */
async function watchFps(model: string, backend: 'wasm' | 'webgpu', seconds: number, photos: string[]): Promise<WatchBenchResult[]> {
  const limit = callTimeoutMs(backend);
  const out: WatchBenchResult[] = [];
  for (const path of ['worker', 'page'] as const) {
    const label = `${model} on ${backend}, watch (${path})`;
    const c = await within(limit, `${label}: createClassifier`, createClassifier({ model, backend, worker: path === 'worker' }));
    await within(limit, `${label}: warm-up`, c.classify(photos[0]));
    const video = await within(limit, `${label}: the photo video`, photoVideo(photos, { msPerPhoto: 1500, fps: 30 }));
    const latencies: number[] = [];
    let last = { frames: 0, dropped: 0 };
    const t0 = performance.now();
    const w = c.watch(video.video, (r) => {
      latencies.push(r.latency);
      last = r;
    });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    w.stop();
    const elapsed = (performance.now() - t0) / 1000;
    video.stop();
    out.push({
      path, seconds: elapsed, frames: last.frames, fps: last.frames / elapsed, dropped: last.dropped,
      latency: median(latencies), run: c.lastTimings?.total ?? NaN,
    });
    await c.dispose();
  }
  return out;
}

/**
 * `analyze` (labels + embedding from one run) against `classify`, taken in turns on the same
 * ImageBitmap, in the classifier's worker: the embedding should cost next to nothing.
 */
async function analyzeCost(model: string, backend: 'wasm' | 'webgpu', runs: number): Promise<{ classify: Timing; analyze: Timing; embed: Timing; size: number }> {
  const limit = callTimeoutMs(backend);
  const label = `${model} on ${backend}, analyze`;
  const c = await within(limit, `${label}: createClassifier`, createClassifier({ model, backend }));
  const blob = await within(limit, `${label}: fetch the image`, fetch(BENCH_IMAGE).then((r) => r.blob()));
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const size = (await within(limit, `${label}: embed`, c.embed(bitmap))).length;
  const t = await timeEach(runs, { classify: () => c.classify(bitmap), analyze: () => c.analyze(bitmap), embed: () => c.embed(bitmap) }, {
    warmup: 2, timeoutMs: limit, label,
  });
  await c.dispose();
  return { ...t, size };
}

async function adapterName(): Promise<string> {
  const info = (await navigator.gpu?.requestAdapter())?.info;
  return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown' : 'none';
}

declare global {
  interface Window {
    bench: { measure: typeof measure; adapterName: typeof adapterName; precisions: typeof precisions; watchFps: typeof watchFps; analyzeCost: typeof analyzeCost };
  }
}
window.bench = { measure, adapterName, precisions, watchFps, analyzeCost };
