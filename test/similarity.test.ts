import { describe, expect, it } from 'vitest';
import { cosineSimilarity, findDuplicates, nearest, quantizeEmbedding } from '../src/output/similarity.ts';
import { toEmbedding } from '../src/output/embedding.ts';

const v = (...x: number[]) => Float32Array.from(x);

describe('similarity', () => {
  it('cosineSimilarity: scale-free, −1…1, 0 for a zero vector; lengths must match', () => {
    expect(cosineSimilarity(v(1, 0), v(2, 0))).toBeCloseTo(1, 12);
    expect(cosineSimilarity(v(1, 0), v(0, 3))).toBeCloseTo(0, 12);
    expect(cosineSimilarity(v(1, 1), v(-1, -1))).toBeCloseTo(-1, 12);
    expect(cosineSimilarity(v(0, 0), v(1, 1))).toBe(0);
    expect(cosineSimilarity([3, 4], v(4, 3))).toBeCloseTo(24 / 25, 12);
    expect(() => cosineSimilarity(v(1), v(1, 2))).toThrow(/different lengths/);
  });

  it('nearest: the k most similar, most similar first', () => {
    const items = [v(1, 0), v(0, 1), v(1, 1), v(-1, 0)];
    expect(nearest(v(1, 0.1), items, 2).map((n) => n.index)).toEqual([0, 2]);
    expect(nearest(v(1, 0.1), items, 10)).toHaveLength(4);
    expect(nearest(v(0, 1), items, 1)[0]).toEqual({ index: 1, similarity: 1 });
    expect(() => nearest(v(1, 0), items, 0)).toThrow(RangeError);
  });

  it('findDuplicates: linked items grouped (single linkage), singletons left out', () => {
    const items = [v(1, 0, 0), v(0, 1, 0), v(0.99, 0.05, 0), v(0, 0, 1), v(0.97, 0.1, 0.02), v(0.02, 1, 0)];
    expect(findDuplicates(items, { threshold: 0.98 })).toEqual([[0, 2, 4], [1, 5]]);
    expect(findDuplicates(items, { threshold: 0.9999 })).toEqual([]);
    expect(() => findDuplicates(items, { threshold: 2 })).toThrow(RangeError);
  });

  it('quantizeEmbedding: int8, a quarter of the bytes, similarity nearly kept', () => {
    const a = toEmbedding(Float32Array.from({ length: 1280 }, (_, i) => Math.abs(Math.sin(i * 1.3))));
    const b = toEmbedding(Float32Array.from({ length: 1280 }, (_, i) => Math.abs(Math.cos(i * 0.7))));
    const qa = quantizeEmbedding(a);
    expect(qa).toBeInstanceOf(Int8Array);
    expect(Math.max(...qa)).toBe(127);
    expect(Math.abs(cosineSimilarity(qa, quantizeEmbedding(b)) - cosineSimilarity(a, b))).toBeLessThan(1e-3);
    expect(cosineSimilarity(qa, a)).toBeGreaterThan(0.9999);
  });

  it('toEmbedding: unit length by default, as it is with normalize: false', () => {
    expect(Array.from(toEmbedding(v(3, 4)))).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(toEmbedding(v(3, 4), { normalize: false }))).toEqual([3, 4]);
  });
});
