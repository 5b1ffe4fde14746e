/** Transformers.js `pipeline('image-classification')` on the same ONNX files, served locally. */
import { env, pipeline, RawImage } from '@huggingface/transformers';
import { BENCH_IMAGE, callTimeoutMs, timeit, within, type Timing } from './shared.ts';

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = '/tjs-models/';
const onnx = env.backends.onnx as { wasm: { wasmPaths?: string; numThreads?: number } };
onnx.wasm.wasmPaths = '/tjs-ort/'; // its onnxruntime-web files, served here (it would use a CDN)
onnx.wasm.numThreads = navigator.hardwareConcurrency; // as many threads as ours

async function measure(model: string, device: 'wasm' | 'webgpu', runs: number, warmup: number): Promise<{ timing: Timing; top: string }> {
  const limit = callTimeoutMs(device);
  const label = `Transformers.js ${model} on ${device}`;
  const classify = await within(limit, `${label}: pipeline()`, pipeline('image-classification', model, { device, dtype: 'fp32' }));
  const blob = await within(limit, `${label}: fetch the image`, fetch(BENCH_IMAGE).then((r) => r.blob()));
  let top = '';
  const timing = await timeit(runs, async () => {
    const out = (await classify(await RawImage.fromBlob(blob), { top_k: 5 })) as { label: string }[];
    top = out[0].label;
  }, { warmup, timeoutMs: limit, label });
  await classify.dispose();
  return { timing, top };
}

declare global {
  interface Window {
    benchTjs: typeof measure;
  }
}
window.benchTjs = measure;
