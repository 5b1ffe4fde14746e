/**
 * Our SDK against raw onnxruntime-web, one model and backend at a time (driven by bench/run.ts):
 * the default path (the classifier in its Web Worker) and `worker: false` (on the page's thread),
 * each against the same raw session.run.
 */
import { createClassifier } from '../src/index.ts';
import { toGpuSource, toPixels } from '../src/image.ts';
import { importOrt } from '../src/ort-loader.ts';
import { preprocess } from '../src/preprocess.ts';
import { GpuPreprocessor } from '../src/preprocess-gpu.ts';
import { sessionOptions } from '../src/session.ts';
import { BENCH_IMAGE, callTimeoutMs, timeEach, timeit, within, type BrowserResult } from './shared.ts';

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

  // (c) preprocessing alone, on the path this backend uses.
  let prep;
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
    prep = await timeit(runs, async () => preprocess(await toPixels(bitmap, undefined, spec), spec), { ...timing, label: `${label}: preprocess` });
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
    preprocess: prep, batchPerImage, singleForBatch,
  };
}

async function adapterName(): Promise<string> {
  const info = (await navigator.gpu?.requestAdapter())?.info;
  return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown' : 'none';
}

declare global {
  interface Window {
    bench: { measure: typeof measure; adapterName: typeof adapterName };
  }
}
window.bench = { measure, adapterName };
