/** What the bench pages and the runner agree on. */
export interface Timing {
  /** Median milliseconds of `n` runs after warm-up. */
  median: number;
  n: number;
}

export interface BrowserResult {
  model: string;
  backend: 'wasm' | 'webgpu';
  adapter: string;
  threads: number;
  raw: Timing;
  classifyBitmap: Timing;
  classifyBlob: Timing;
  preprocess: Timing;
  batchPerImage: Timing | null;
  singleForBatch: Timing | null;
}

export function median(t: number[]): Timing {
  const s = [...t].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, n: s.length };
}

/**
 * Medians of `runs` timed calls of each function, taken in turns (a, b, c, a, b, c, …) so that
 * drift on a shared machine falls on all of them alike; after untimed warm-up turns: at least
 * `warmup` and at least one second's worth (WASM thread pools take several runs to settle).
 */
export async function timeEach<K extends string>(
  runs: number,
  fns: Record<K, () => Promise<unknown>>,
  warmup = 2,
): Promise<Record<K, Timing>> {
  const entries = Object.entries(fns) as [K, () => Promise<unknown>][];
  const start = performance.now();
  for (let i = 0; i < 20 && (i < warmup || performance.now() - start < 1000); i++) for (const [, fn] of entries) await fn();
  const times = Object.fromEntries(entries.map(([k]) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of entries) {
      const t0 = performance.now();
      await fn();
      times[k].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(entries.map(([k]) => [k, median(times[k])])) as Record<K, Timing>;
}

/** Median of `runs` timed calls of one function (see {@link timeEach}). */
export async function timeit(runs: number, fn: () => Promise<unknown>, warmup = 2): Promise<Timing> {
  return (await timeEach(runs, { fn }, warmup)).fn;
}

/** The image every measurement uses (copied from ../shared/images/classic at bench time). */
export const BENCH_IMAGE = '/bench-image.jpg';
