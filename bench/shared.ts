/** What the bench pages and the runner agree on. */
export interface Timing {
  /** Median milliseconds of `n` runs after warm-up. */
  median: number;
  n: number;
}

/** classify end to end on one path (in the worker, or on the page's thread). */
export interface PathResult {
  classifyBitmap: Timing;
  classifyBlob: Timing;
}

export interface BrowserResult {
  model: string;
  backend: 'wasm' | 'webgpu';
  adapter: string;
  threads: number;
  raw: Timing;
  /** The default path: the classifier in its Web Worker. */
  worker: PathResult;
  /** `worker: false`: the classifier on the page's thread. */
  page: PathResult;
  preprocess: Timing;
  /** The same with the JavaScript resize passes (WASM backend; `null` on WebGPU, which preprocesses on the GPU). */
  preprocessJs: Timing | null;
  /** The resize passes alone (pixels already read): WebAssembly SIMD and JavaScript (WASM backend). */
  resize: { simd: Timing; js: Timing } | null;
  batchPerImage: Timing | null;
  /** Where one classify(ImageBitmap) went on each path (`lastTimings`, medians of 5). */
  stages: Record<'worker' | 'page', { decode: number; preprocess: number; inference: number; total: number }>;
  singleForBatch: Timing | null;
}

/** `classifier.watch` on a 30 fps canvas stream of photos, one model × backend × path. */
export interface WatchBenchResult {
  path: 'worker' | 'page';
  seconds: number;
  /** Frames classified, and the rate. */
  frames: number;
  fps: number;
  /** Frames the video presented that were not classified (a run was in flight). */
  dropped: number;
  /** Frame presented → its result, in ms. */
  latency: Timing;
  /** `lastTimings.total` of the classifier after the run: one classify. */
  run: number;
}

/** One precision of a model on one backend (the precision table). */
export interface PrecisionResult {
  precision: string;
  bytes: number;
  /** `InferenceSession.create` on bytes in memory (graph optimizations, folding the weights). */
  create: Timing;
  /** `session.run` on a ready tensor. */
  raw: Timing;
  /** `classify(ImageBitmap)` on the page's thread. */
  classify: Timing;
  /** Top-1 class of each photo given to the measurement (for agreement with fp32). */
  top1: number[];
}

/** A timing for the tables: its median in ms, '–' when none. */
export const ms = (t: Timing | null) => (t ? `${t.median < 10 ? t.median.toFixed(2) : t.median.toFixed(1)} ms` : '–');
/** a / b of two timings' medians, '–' when either is missing. */
export const ratio = (a: Timing | null, b: Timing | null) => (a && b ? (a.median / b.median).toFixed(2) : '–');

export function median(t: number[]): Timing {
  const s = [...t].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, n: s.length };
}

/** `work`, or an error naming `stage` when it has not settled within `ms`: the bench never waits for ever. */
export async function within<T>(ms: number, stage: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: "${stage}" did not finish within ${(ms / 1000).toFixed(0)} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface TimeOptions {
  /** Untimed turns first: at least this many, and at least one second's worth (WASM thread pools take several runs to settle). */
  warmup?: number;
  /** Limit for each single call; a call past it fails the bench with its name. */
  timeoutMs: number;
  /** Names the measurement in a timeout's message. */
  label: string;
}

/**
 * Medians of `runs` timed calls of each function, taken in turns (a, b, c, a, b, c, …) so that
 * drift on a shared machine falls on all of them alike, after untimed warm-up turns.
 */
export async function timeEach<K extends string>(
  runs: number,
  fns: Record<K, () => Promise<unknown>>,
  { warmup = 2, timeoutMs, label }: TimeOptions,
): Promise<Record<K, Timing>> {
  const entries = Object.entries(fns) as [K, () => Promise<unknown>][];
  const call = (k: K, fn: () => Promise<unknown>, what: string) => within(timeoutMs, `${label}: ${k}, ${what}`, fn());
  const start = performance.now();
  for (let i = 0; i < 20 && (i < warmup || performance.now() - start < 1000); i++) {
    for (const [k, fn] of entries) await call(k, fn, `warm-up ${i + 1}`);
  }
  const times = Object.fromEntries(entries.map(([k]) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of entries) {
      const t0 = performance.now();
      await call(k, fn, `run ${i + 1} of ${runs}`);
      times[k].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(entries.map(([k]) => [k, median(times[k])])) as Record<K, Timing>;
}

/** Median of `runs` timed calls of one function (see {@link timeEach}). */
export async function timeit(runs: number, fn: () => Promise<unknown>, options: TimeOptions): Promise<Timing> {
  return (await timeEach(runs, { fn }, options)).fn;
}

/** The image every measurement uses (copied from the test photos at bench time). */
export const BENCH_IMAGE = '/bench-image.jpg';

/** Limits for one model run on a backend: generous, since they only turn a hang into an error. */
export function callTimeoutMs(backend: 'wasm' | 'webgpu'): number {
  return backend === 'webgpu' ? 300_000 : 120_000;
}

/** One cold start (a page load → its first result), with where the time went. */
export interface ColdResult {
  /** Milliseconds from navigation start to the first result. */
  total: number;
  /** Stage durations in ms (stages that overlap are marked so by their page); `script`: navigation → the page's module ran. */
  stages: Record<string, number>;
  notes: string;
}
