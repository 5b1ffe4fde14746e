/**
 * Learn your own tags, the pure parts: the head (against scikit-learn's solution), the example
 * codes, the learned JSON (round trip, every damaged field), and `learn`/`loadLearned` on a fake
 * embedder (the checks on examples, progress, abort, addExamples, removeLabel, mismatches). The
 * browser runs are e2e/learn.spec.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { learn, loadLearned, type Embedder } from '../src/api/learned.ts';
import { ClassifierError } from '../src/common/errors.ts';
import { exampleCode, headLogits, LEARNER, trainHead, trainHeadAsync, trainHeadSync, unitVector } from '../src/output/head.ts';
import { learnedFromJSON, learnedToJSON, type LearnedJSON } from '../src/output/learned.ts';

const ref = JSON.parse(readFileSync(path.join(import.meta.dirname, 'data/learn/sklearn-reference.json'), 'utf8')) as {
  codes: number[][];
  y: number[];
  fits: { C: number; coef: number[][]; intercept: number[] }[];
};
const refCodes = ref.codes.map((c) => Int8Array.from(c));

describe('the head', () => {
  for (const fit of ref.fits) {
    it(`reaches scikit-learn's LogisticRegression solution (C = ${fit.C}, 90 examples, 3 classes)`, () => {
      const head = trainHeadSync(refCodes, ref.y, 3, { C: fit.C, maxIterations: 500 });
      let worst = 0;
      let largest = 0;
      fit.coef.forEach((row, k) =>
        row.forEach((w, j) => {
          worst = Math.max(worst, Math.abs(head.weights[k * head.dim + j] - w));
          largest = Math.max(largest, Math.abs(w));
        }),
      );
      expect(largest).toBeGreaterThan(0.1); // a solution with something to compare
      expect(worst / largest).toBeLessThan(1e-3);
      fit.intercept.forEach((b, k) => expect(Math.abs(head.bias[k] - b)).toBeLessThan(1e-3 * largest));
    });
  }

  it('is deterministic, and the async run gives the same head as the sync one', async () => {
    const a = trainHeadSync(refCodes, ref.y, 3);
    const b = trainHeadSync(refCodes, ref.y, 3);
    const c = await trainHeadAsync(refCodes, ref.y, 3);
    expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
    expect(Array.from(c.weights)).toEqual(Array.from(a.weights));
    expect(Array.from(c.bias)).toEqual(Array.from(a.bias));
  });

  it('classifies what it learned, within its iteration budget', () => {
    const run = trainHead(refCodes, ref.y, 3);
    let steps = 0;
    let r = run.next();
    for (; !r.done; r = run.next()) steps++;
    expect(steps).toBeGreaterThan(1);
    expect(steps).toBeLessThanOrEqual(LEARNER.maxIterations);
    const head = r.value;
    const right = refCodes.filter((c, i) => {
      const z = headLogits(head, c);
      return z.indexOf(Math.max(...z)) === ref.y[i];
    }).length;
    expect(right / refCodes.length).toBeGreaterThan(0.9);
  });

  it('an abort between iterations stops training', async () => {
    let calls = 0;
    await expect(
      trainHeadAsync(refCodes, ref.y, 3, {}, () => {
        if (++calls === 3) throw new ClassifierError('ABORTED', 'stop');
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(calls).toBe(3);
  });

  it('headLogits refuses an embedding of another size', () => {
    const head = trainHeadSync(refCodes, ref.y, 3);
    expect(() => headLogits(head, new Int8Array(5))).toThrow(/24-value embeddings, got 5/);
  });

  it('example codes: signed square root, int8, the scale dropping out on normalization', () => {
    const code = exampleCode([4, 1, 0, -9, 16]);
    expect(Array.from(code)).toEqual([64, 32, 0, -95, 127]); // √ → [2, 1, 0, −3, 4] × 127/4
    const u = unitVector(code);
    expect(Math.hypot(...u)).toBeCloseTo(1, 12);
    expect(Array.from(unitVector(exampleCode([8, 2, 0, -18, 32])))).toEqual(Array.from(unitVector(exampleCode([16, 4, 0, -36, 64]))));
    expect(Array.from(unitVector(new Int8Array(3)))).toEqual([0, 0, 0]);
  });
});

describe('learned JSON', () => {
  const head = trainHeadSync(refCodes, ref.y, 3);
  const state = {
    model: 'resnet20-cifar10',
    dim: 24,
    labels: ['a', 'b', 'c'],
    examples: [0, 1, 2].map((k) => refCodes.filter((_, i) => ref.y[i] === k)),
    head,
  };
  const json = learnedToJSON(state);

  it('round-trips exactly, as an object and as text', () => {
    for (const saved of [JSON.parse(JSON.stringify(json)), JSON.stringify(json)]) {
      const back = learnedFromJSON(saved);
      expect(back.labels).toEqual(state.labels);
      expect(back.examples.map((e) => e.map((c) => Array.from(c)))).toEqual(state.examples.map((e) => e.map((c) => Array.from(c))));
      expect(Array.from(back.head.weights)).toEqual(Array.from(head.weights));
      expect(Array.from(back.head.mean)).toEqual(Array.from(head.mean));
      expect(Array.from(headLogits(back.head, refCodes[5]))).toEqual(Array.from(headLogits(head, refCodes[5])));
    }
  });

  const damaged: [string, (j: LearnedJSON & Record<string, unknown>) => unknown, RegExp][] = [
    ['not an object', () => [1, 2], /expected an object.*an array/],
    ['not JSON text', () => '{"format": ', /not JSON/],
    ['another format', (j) => ({ ...j, format: 'tfjs' }), /format is "tfjs"/],
    ['a newer version', (j) => ({ ...j, version: 2 }), /version 2/],
    ['no model', (j) => ({ ...j, model: '' }), /"model"/],
    ['a bad embedding size', (j) => ({ ...j, embeddingSize: -3 }), /"embeddingSize"/],
    ['one label', (j) => ({ ...j, labels: ['a'] }), /at least two labels/],
    ['a label twice', (j) => ({ ...j, labels: ['a', 'a', 'c'] }), /"a" comes twice/],
    ['an example list missing', (j) => ({ ...j, examples: { a: j.examples.a, b: j.examples.b } }), /no examples for "c"/],
    ['an example of another size', (j) => ({ ...j, examples: { ...j.examples, b: ['AAAA'] } }), /examples\["b"\]\[0\] holds 3 values, not 24/],
    ['an example that is not base64', (j) => ({ ...j, examples: { ...j.examples, a: ['%%%'] } }), /examples\["a"\]\[0\] is not base64/],
    ['an unknown label in examples', (j) => ({ ...j, examples: { ...j.examples, z: ['AAAA'] } }), /label "z"/],
    ['weights cut short', (j) => ({ ...j, head: { ...j.head, weights: j.head.weights.slice(0, 40) } }), /head.weights holds/],
    ['a NaN bias', (j) => ({ ...j, head: { ...j.head, bias: Buffer.from(new Float32Array([0, NaN, 0]).buffer).toString('base64') } }), /not a finite number/],
    ['no head', (j) => ({ ...j, head: null }), /"head"/],
  ];
  for (const [what, damage, message] of damaged) {
    it(`refuses ${what} with INVALID_LEARNED naming it`, () => {
      const bad = damage(JSON.parse(JSON.stringify(json)));
      let err: unknown;
      try {
        learnedFromJSON(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ClassifierError);
      expect(err).toMatchObject({ code: 'INVALID_LEARNED' });
      expect((err as Error).message).toMatch(message);
    });
  }
});

/** A fake classifier: an "image" is a string naming a class ("a3"), embedded as that class's direction plus noise. */
function fakeEmbedder(name = 'fake-model', dim = 16): Embedder & { calls: number } {
  return {
    model: { url: '/models/fake.onnx', name } as { url: string },
    canEmbed: true,
    calls: 0,
    async embed(image, options) {
      this.calls++;
      if (options?.signal?.aborted) throw new ClassifierError('ABORTED', 'aborted');
      if (image instanceof ImageData) return new Float32Array(dim); // loadLearned's probe
      if (typeof image !== 'string' || image === 'bad') throw new ClassifierError('INVALID_IMAGE', 'the image could not be decoded');
      const cls = image.charCodeAt(0) - 97;
      const seed = Number(image.slice(1)) || 0;
      return Float32Array.from({ length: dim }, (_, j) => (j % 4 === cls ? 3 : 0) + ((Math.sin(seed * 31 + j * 7) + 1) / 2));
    },
  };
}

describe('learn() and loadLearned() on a fake embedder', () => {
  beforeAll(() => {
    // loadLearned probes the embedding size on a blank pixel; Node has no ImageData.
    (globalThis as { ImageData?: unknown }).ImageData ??= class {
      constructor(
        readonly width: number,
        readonly height: number,
      ) {}
    };
  });
  const examples = { a: ['a1', 'a2', 'a3'], b: ['b1', 'b2', 'b3'], c: ['c1', 'c2'] };

  it('learns, reports progress, classifies its labels, and restores from JSON with identical answers', async () => {
    const base = fakeEmbedder();
    const progress: string[] = [];
    const learned = await learn(base, examples, { onProgress: (p) => progress.push(`${p.done}/${p.total}`) });
    expect(progress).toEqual(['0/8', '1/8', '2/8', '3/8', '4/8', '5/8', '6/8', '7/8', '8/8']);
    expect(learned.labels).toEqual(['a', 'b', 'c']);
    expect(learned.examples).toEqual({ a: 3, b: 3, c: 2 });
    expect(learned.model.name).toBe('fake-model');
    for (const probe of ['a9', 'b9', 'c9']) expect((await learned.classify(probe))[0].label).toBe(probe[0]);
    const top = await learned.classify('a9');
    expect(top).toHaveLength(3);
    expect(top.reduce((s, p) => s + p.score, 0)).toBeCloseTo(1, 5);
    expect(await learned.classify('a9', { topK: 1 })).toHaveLength(1);
    expect(await learned.classify('a9', { scoreThreshold: 0.999999 })).toEqual([]);
    expect((await learned.classify('a9', { deny: ['a'] }))[0].label).not.toBe('a');

    const restored = await loadLearned(fakeEmbedder(), JSON.parse(JSON.stringify(learned)));
    for (const probe of ['a7', 'b8', 'c5', 'a0']) expect(await restored.classify(probe)).toEqual(await learned.classify(probe));
    expect(JSON.stringify(restored)).toBe(JSON.stringify(learned));
    expect(await learned.classifyBatch(['a5', 'b5'])).toEqual([await learned.classify('a5'), await learned.classify('b5')]);
  });

  it('addExamples adds a label or photos and relearns; removeLabel forgets one', async () => {
    const learned = await learn(fakeEmbedder(), { a: ['a1', 'a2'], b: ['b1', 'b2'] });
    await learned.addExamples('c', ['c1', 'c2']);
    expect(learned.labels).toEqual(['a', 'b', 'c']);
    expect((await learned.classify('c9'))[0].label).toBe('c');
    await learned.addExamples('a', ['a3']);
    expect(learned.examples).toEqual({ a: 3, b: 2, c: 2 });
    learned.removeLabel('b');
    expect(learned.labels).toEqual(['a', 'c']);
    expect((await learned.classify('b9')).map((p) => p.label)).not.toContain('b');
    expect(() => learned.removeLabel('zebra')).toThrow(/"zebra" is not one of the labels \(a, c\)/);
    expect(() => learned.removeLabel('a')).toThrow(/at least two labels/);
    await expect(learned.addExamples('', ['a1'])).rejects.toThrow(RangeError);
    await expect(learned.addExamples('d', [])).rejects.toThrow(/non-empty array/);
    await expect(learned.addExamples('d', ['d1', 'bad'])).rejects.toMatchObject({ code: 'INVALID_IMAGE', message: expect.stringContaining('examples["d"][1]') });
    expect(learned.labels).toEqual(['a', 'c']); // a failed addExamples keeps what was there
  });

  it('says what learn needs', async () => {
    const base = fakeEmbedder();
    await expect(learn(base, {})).rejects.toThrow(/at least two labels.*got none/);
    await expect(learn(base, { cat: ['a1'] })).rejects.toThrow(/got only "cat".*scoreThreshold/);
    await expect(learn(base, { cat: [], dog: ['b1'] })).rejects.toThrow(/"cat" has no photos/);
    await expect(learn(base, { cat: 'a1' as never, dog: ['b1'] })).rejects.toThrow(TypeError);
    await expect(learn(base, [['a1']] as never)).rejects.toThrow(/object of label → photos/);
    await expect(learn(base, { ' ': ['a1'], dog: ['b1'] })).rejects.toThrow(/non-empty string/);
    expect(base.calls).toBe(0); // nothing was embedded for a bad call
    await expect(learn(base, { cat: ['a1', 'a2'], dog: ['b1', 'bad'] })).rejects.toMatchObject({
      code: 'INVALID_IMAGE',
      message: expect.stringContaining('examples["dog"][1]: the image could not be decoded'),
    });
  });

  it('an abort rejects with ABORTED', async () => {
    const ac = new AbortController();
    const p = learn(fakeEmbedder(), examples, { signal: ac.signal, onProgress: (p) => p.done === 2 && ac.abort() });
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('a model without an embedding rejects with its own error', async () => {
    const base = { ...fakeEmbedder(), canEmbed: false, embed: () => Promise.reject(new ClassifierError('MODEL_LOAD_FAILED', 'the model has no embedding')) };
    await expect(learn(base, examples)).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
  });

  it('JSON learned on another model is refused, naming both', async () => {
    const learned = await learn(fakeEmbedder('resnet56-cifar10'), examples);
    const saved = learned.toJSON();
    await expect(loadLearned(fakeEmbedder('mobilenetv2-int8'), saved)).rejects.toMatchObject({
      code: 'LEARNED_MISMATCH',
      message: expect.stringMatching(/learned on "resnet56-cifar10" \(16-value embeddings\), but this classifier runs "mobilenetv2-int8"/),
    });
    await expect(loadLearned(fakeEmbedder('resnet56-cifar10', 64), saved)).rejects.toMatchObject({
      code: 'LEARNED_MISMATCH',
      message: expect.stringMatching(/16-value embeddings.*gives 64-value/),
    });
    await expect(loadLearned(fakeEmbedder('resnet56-cifar10'), { hello: 1 })).rejects.toMatchObject({ code: 'INVALID_LEARNED' });
  });
});
