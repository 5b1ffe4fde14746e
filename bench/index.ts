/** Our SDK against raw onnxruntime-web, one model and backend at a time (driven by bench/run.ts). */
import { createClassifier } from '../src/index.ts';
import { toGpuSource, toPixels } from '../src/image.ts';
import { preprocess } from '../src/preprocess.ts';
import { GpuPreprocessor } from '../src/preprocess-gpu.ts';
import { sessionOptions } from '../src/session.ts';
import { BENCH_IMAGE, timeEach, timeit, type BrowserResult } from './shared.ts';

async function measure(model: string, backend: 'wasm' | 'webgpu', runs: number, batch: number): Promise<BrowserResult> {
  const c = await createClassifier({ model, backend });
  // The same onnxruntime-web build (and module instance) the SDK loaded for this backend.
  const ort = c.backend === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  const spec = c.model;
  const S = spec.inputSize;
  const blob = await (await fetch(BENCH_IMAGE)).blob();
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });

  // (a) raw session.run on a ready tensor, same model bytes and session options as the SDK,
  // (b) classify end to end; taken in turns so that machine drift falls on all three alike.
  const bytes = new Uint8Array(await (await fetch(spec.url)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, sessionOptions(c.backend));
  const input = new ort.Tensor('float32', preprocess(await toPixels(bitmap), spec), [1, 3, S, S]);
  const { raw, classifyBitmap, classifyBlob } = await timeEach(runs, {
    raw: async () => {
      const out = await session.run({ [spec.inputName ?? session.inputNames[0]]: input });
      await out[spec.outputName ?? session.outputNames[0]].getData();
    },
    classifyBitmap: () => c.classify(bitmap),
    classifyBlob: () => c.classify(blob),
  });
  await session.release();

  // (c) preprocessing alone, on the path this backend uses.
  let prep;
  if (c.backend === 'webgpu') {
    const device = await ort.env.webgpu.device;
    const gpu = new GpuPreprocessor(device, spec);
    const out = device.createBuffer({ size: gpu.imageBytes, usage: GPUBufferUsage.STORAGE });
    prep = await timeit(runs, async () => {
      const source = await toGpuSource(bitmap);
      await gpu.encode(source, out, 0);
      await device.queue.onSubmittedWorkDone();
    });
    out.destroy();
    gpu.dispose();
  } else {
    prep = await timeit(runs, async () => preprocess(await toPixels(bitmap, undefined, spec), spec)); // as classify does
  }

  // (e) classifyBatch of photo files (Blobs) per image, against the same files one by one.
  let batchPerImage = null;
  let singleForBatch = null;
  if (batch > 1) {
    const files = Array.from({ length: batch }, () => blob.slice(0, blob.size, blob.type));
    const t = await timeEach(runs, {
      batch: () => c.classifyBatch(files),
      single: async () => {
        for (const f of files) await c.classify(f);
      },
    }, 1);
    batchPerImage = { median: t.batch.median / batch, n: t.batch.n };
    singleForBatch = { median: t.single.median / batch, n: t.single.n };
  }

  const adapter = c.backend === 'webgpu' ? await adapterName() : 'cpu';
  await c.dispose();
  return {
    model, backend: c.backend, adapter, threads: ort.env.wasm.numThreads ?? 1,
    raw, classifyBitmap, classifyBlob, preprocess: prep, batchPerImage, singleForBatch,
  };
}

async function adapterName(): Promise<string> {
  const info = (await navigator.gpu.requestAdapter())?.info;
  return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown' : 'none';
}

declare global {
  interface Window {
    bench: { measure: typeof measure; adapterName: typeof adapterName };
  }
}
window.bench = { measure, adapterName };
