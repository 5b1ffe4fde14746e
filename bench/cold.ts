/** Cold start: page load → first result, for ?model=&backend= (the runner reads window.coldMs). */
import { createClassifier } from '../src/index.ts';
import { BENCH_IMAGE } from './shared.ts';

declare global {
  interface Window {
    coldMs?: number;
    coldError?: string;
  }
}
const q = new URLSearchParams(location.search);
createClassifier({
  model: q.get('model') ?? 'resnet50',
  backend: (q.get('backend') ?? 'auto') as 'wasm' | 'webgpu',
  precision: (q.get('precision') ?? 'fp32') as 'fp32' | 'fp16' | 'int8',
})
  .then((c) => c.classify(BENCH_IMAGE))
  .then(() => (window.coldMs = performance.now())) // milliseconds since navigation started
  .catch((e: unknown) => (window.coldError = String(e)));
