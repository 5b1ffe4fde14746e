import { describe, expect, it } from 'vitest';
import { decodePredictions, softmax, topK } from '../src/output/decode.ts';

describe('softmax', () => {
  it('matches hand-computed values and sums to 1', () => {
    const p = softmax([0, Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
  });
  it('is stable for large logits', () => {
    const p = softmax([1000, 1000, 1000 - Math.log(2)]);
    expect(Array.from(p).map((x) => x * 5)).toEqual([2, 2, 1].map((x) => expect.closeTo(x, 12)));
  });
});

describe('topK', () => {
  it('returns the largest first and breaks ties by lower index', () => {
    expect(topK([0.1, 0.5, 0.2, 0.5, 0.05], 3)).toEqual([1, 3, 2]);
  });
  it('clamps k to the number of classes', () => {
    expect(topK([3, 1, 2], 10)).toEqual([0, 2, 1]);
    expect(topK([3, 1, 2], 0)).toEqual([]);
  });
  it('ranks NaN last', () => {
    expect(topK([NaN, 1, 2], 3)).toEqual([2, 1, 0]);
  });
});

describe('decodePredictions', () => {
  it('gives { label, index, score } sorted by score', () => {
    const preds = decodePredictions([0, Math.log(3), -Infinity], ['cat', 'dog', 'bird'], 2);
    expect(preds).toEqual([
      { label: 'dog', index: 1, score: expect.closeTo(0.75, 12) },
      { label: 'cat', index: 0, score: expect.closeTo(0.25, 12) },
    ]);
  });
});
