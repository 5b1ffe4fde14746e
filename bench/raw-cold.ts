/**
 * The baseline of the cold-start table: what a careful hand-written page does with plain
 * onnxruntime-web (the same WASM build and session options as the SDK: every core, no spinning),
 * (or, with ?backend=webgpu, its WebGPU build) step by step: import the runtime, read the model bytes (Cache Storage, else download and keep
 * them there), create the session, turn the photo into a tensor the quick way (the browser's
 * resize to 224×224, then normalize), run once. ?model= (a registry name).
 */
import { MODELS } from '../src/model/registry.ts';
import { BENCH_IMAGE, type ColdResult } from './shared.ts';

declare global {
  interface Window {
    cold?: ColdResult;
    coldError?: string;
  }
}
const CACHE = 'raw-bench-models';

async function main(): Promise<ColdResult> {
  const script = performance.now();
  const stages: Record<string, number> = { script };
  let t = script;
  const lap = (name: string) => {
    const now = performance.now();
    stages[name] = now - t;
    t = now;
  };
  const q = new URLSearchParams(location.search);
  const m = MODELS[q.get('model') ?? 'resnet50-untrained'];
  const webgpu = q.get('backend') === 'webgpu';
  const url = new URL(`/models/${m.url}`, location.href).href;

  const ort = webgpu ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  ort.env.wasm.numThreads = crossOriginIsolated ? navigator.hardwareConcurrency : 1;
  ort.env.logLevel = 'error';
  lap('import onnxruntime-web');

  const cache = await caches.open(CACHE);
  const hit = await cache.match(url);
  let bytes: Uint8Array;
  if (hit) {
    bytes = new Uint8Array(await hit.arrayBuffer());
  } else {
    const res = await fetch(url);
    bytes = new Uint8Array(await res.arrayBuffer());
    void cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>)); // kept for the next visit, not awaited
  }
  lap(hit ? 'model read (Cache Storage)' : 'model read (download)');

  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [webgpu ? 'webgpu' : 'wasm'],
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  lap('InferenceSession.create');

  const S = m.inputSize;
  const blob = await (await fetch(BENCH_IMAGE)).blob();
  const bitmap = await createImageBitmap(blob, { resizeWidth: S, resizeHeight: S, resizeQuality: 'high' });
  const ctx = new OffscreenCanvas(S, S).getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const px = ctx.getImageData(0, 0, S, S).data;
  const input = new Float32Array(3 * S * S);
  for (let i = 0; i < S * S; i++) {
    for (let c = 0; c < 3; c++) input[c * S * S + i] = (px[4 * i + c] / 255 - m.mean[c]) / m.std[c];
  }
  lap('photo → tensor');

  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, S, S]) });
  await out[session.outputNames[0]].getData();
  lap('first run');
  const total = performance.now();
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const o = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, S, S]) });
    await o[session.outputNames[0]].getData();
    warm.push(performance.now() - t0);
  }
  stages['warm run'] = warm.sort((a, b) => a - b)[1];
  return { total, stages, notes: hit ? 'model from Cache Storage' : 'model downloaded' };
}
main().then((r) => (window.cold = r), (e: unknown) => (window.coldError = String(e)));
