/**
 * Cold start: page load → first result, for ?model=&backend=&precision=&worker=0|1 (the runner reads
 * window.cold). Stages: the classifier's `loadTimings` and the first classify's `lastTimings`.
 */
import { createClassifier, type LoadTimings, type StageTimings } from '../src/index.ts';
import { BENCH_IMAGE, type ColdResult } from './shared.ts';

declare global {
  interface Window {
    cold?: ColdResult;
    coldError?: string;
  }
}
const q = new URLSearchParams(location.search);
const script = performance.now(); // navigation start → this module runs
createClassifier({
  model: q.get('model') ?? 'resnet50',
  backend: (q.get('backend') ?? 'auto') as 'wasm' | 'webgpu',
  precision: (q.get('precision') ?? 'fp32') as 'fp32' | 'fp16' | 'int8',
  worker: q.get('worker') !== '0',
})
  .then(async (c) => {
    const created = performance.now();
    await c.classify(BENCH_IMAGE);
    const done = performance.now(); // milliseconds since navigation started
    const first: StageTimings | null = c.lastTimings;
    // A warm classify, after the cold start was timed: what the first result costs in its terms.
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await c.classify(BENCH_IMAGE);
      warm.push(performance.now() - t0);
    }
    const load: LoadTimings | null = c.loadTimings ?? null;
    window.cold = {
      total: done,
      stages: {
        script,
        ...Object.fromEntries(Object.entries(load ?? {}).filter(([, v]) => typeof v === 'number')),
        'createClassifier': created - script,
        'first classify': done - created,
        'first classify: decode': first?.decode ?? NaN,
        'first classify: preprocess': first?.preprocess ?? NaN,
        'first classify: inference': first?.inference ?? NaN,
        'warm classify': warm.sort((a, b) => a - b)[1],
      },
      notes: load ? `model from ${load.source}` : '',
    };
  })
  .catch((e: unknown) => (window.coldError = String(e)));
