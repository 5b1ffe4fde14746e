/**
 * Comparing embeddings (from `classifier.embed` / `analyze`): cosine similarity, nearest
 * neighbours, groups of near-duplicates, and int8 storage. Pure functions, no model needed.
 */

/** An embedding: as `embed` returns it, an int8 one from `quantizeEmbedding`, or plain numbers. */
export type Embedding = Float32Array | Int8Array | readonly number[];

function check(a: Embedding, b: Embedding): void {
  if (a.length !== b.length) throw new RangeError(`embeddings of different lengths (${a.length} and ${b.length}): from different models?`);
}

/** Cosine of the angle between two embeddings, −1…1 (0 when either is all zeros). Scale-free: int8 and float mix. */
export function cosineSimilarity(a: Embedding, b: Embedding): number {
  check(a, b);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** One neighbour: its index in `items` and its similarity to the query. */
export interface Neighbour {
  /** Its index in `items`. */
  index: number;
  /** Its cosine similarity to the query, −1…1. */
  similarity: number;
}

/** The `k` items most similar to `query`, most similar first (ties: lower index first). */
export function nearest(query: Embedding, items: readonly Embedding[], k = 5): Neighbour[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${String(k)}`);
  return items
    .map((item, index) => ({ index, similarity: cosineSimilarity(query, item) }))
    .sort((x, y) => y.similarity - x.similarity || x.index - y.index)
    .slice(0, k);
}

/** Options of {@link findDuplicates}. */
export interface DuplicateOptions {
  /**
   * Two items are near-duplicates when their cosine similarity is at least this. The default was
   * measured with MobileNetV2-int8 on the 100 test photos and four edits of each (half size, JPEG
   * quality 50, a 90 % centre crop, brighter): see docs/measured/correctness.md.
   * @default DEFAULT_DUPLICATE_THRESHOLD
   */
  threshold?: number;
}

/** The default `threshold` of {@link findDuplicates} (see docs/guides/similar-photos.md). */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.85;

/**
 * Groups of near-duplicates: items linked by a similarity ≥ `threshold`, directly or through
 * others (single linkage), each group its indices in order; items with no duplicate are left out.
 * Groups come in the order of their first item.
 */
export function findDuplicates(items: readonly Embedding[], options: DuplicateOptions = {}): number[][] {
  const threshold = options.threshold ?? DEFAULT_DUPLICATE_THRESHOLD;
  if (typeof threshold !== 'number' || !(threshold >= -1 && threshold <= 1)) {
    throw new RangeError(`threshold must be a cosine similarity from -1 to 1, got ${String(threshold)}`);
  }
  const parent = items.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (cosineSimilarity(items[i], items[j]) >= threshold) parent[root(j)] = root(i);
    }
  }
  const groups = new Map<number, number[]>();
  items.forEach((_, i) => {
    const r = root(i);
    groups.set(r, [...(groups.get(r) ?? []), i]);
  });
  return [...groups.values()].filter((g) => g.length > 1).sort((a, b) => a[0] - b[0]);
}

/**
 * An embedding in 8 bits a value (a quarter of the bytes), for storing many: each value scaled by
 * 127 / max |value|. `cosineSimilarity` takes it as it is (the scale cancels out).
 */
export function quantizeEmbedding(embedding: Embedding): Int8Array {
  let max = 0;
  for (let i = 0; i < embedding.length; i++) max = Math.max(max, Math.abs(embedding[i]));
  const scale = max > 0 ? 127 / max : 0;
  return Int8Array.from(embedding, (v) => Math.round(v * scale));
}
