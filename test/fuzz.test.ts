/**
 * Property-based tests (fast-check) over the parsers of untrusted bytes: each returns or throws only
 * its documented errors, in bounded time. The seed is printed: `FUZZ_SEED=<seed> npx vitest run
 * test/fuzz.test.ts` replays a run; `FUZZ_RUNS` sets how many cases each property tries.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClassifierError } from '../src/common/errors.ts';
import { jpegEnding } from '../src/input/jpeg.ts';
import { readTrailer } from '../src/model/compact-file.ts';
import { specFromConfig } from '../src/model/config.ts';
import { prepareEmbedding } from '../src/model/features.ts';
import { findFeatures, hasTensor, metadataProps } from '../src/model/graph.ts';
import { labelsFromMetadata, parseLabels } from '../src/model/labels.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
console.log(`fuzz: seed ${SEED}, ${RUNS} runs a property (replay: FUZZ_SEED=${SEED})`);
const params = { seed: SEED, numRuns: RUNS };
/** Each case must finish within this (a hang or a blow-up is a failure, not a slow test). */
const CASE_MS = 250;

const data = path.resolve(import.meta.dirname, 'data');
const model = new Uint8Array(readFileSync(path.join(data, 'models/resnet20-cifar10.onnx')));
const photo = new Uint8Array(readFileSync(path.join(data, 'images/classic/pytorch-hub-dog.jpg')));
const configs = readdirSync(path.join(data, 'configs')).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(data, 'configs', f), 'utf8')));

/** Runs `f`; what it returns, or the error it threw, and how long it took. */
function attempt<T>(f: () => T): { value?: T; error?: unknown; ms: number } {
  const t0 = performance.now();
  try {
    return { value: f(), ms: performance.now() - t0 };
  } catch (error) {
    return { error, ms: performance.now() - t0 };
  }
}

/** Bytes of `base` with some bytes changed, some cut from the end, some appended. */
const mutated = (base: Uint8Array) =>
  fc
    .record({
      flips: fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
      keep: fc.oneof(fc.constant(base.length), fc.nat({ max: base.length })),
      tail: fc.uint8Array({ maxLength: 64 }),
    })
    .map(({ flips, keep, tail }) => {
      const out = new Uint8Array(keep + tail.length);
      out.set(base.subarray(0, keep));
      out.set(tail, keep);
      for (const { at, value } of flips) if (at < keep) out[at] = value;
      return out;
    });

/** JSON values, also nested far deeper than a config would be. */
const deepJson = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.record({ depth: fc.integer({ min: 1_000, max: 100_000 }), key: fc.constantFrom('id2label', 'label_names', '0', 'size', 'x') }).map(({ depth, key }) => {
    let v: unknown = ['a'];
    for (let i = 0; i < depth; i++) v = key === 'x' ? [v] : { [key]: v };
    return v;
  }),
);

/** JSON text nested 1,000 to 100,000 deep (as a hostile metadata value or labels file would be). */
const deepText = fc
  .record({ depth: fc.integer({ min: 1_000, max: 100_000 }), open: fc.constantFrom<[string, string]>(['[', ']'], ['{"id2label":', '}'], ['{"0":', '}']) })
  .map(({ depth, open: [a, b] }) => `${a.repeat(depth)}["a"]${b.repeat(depth)}`);

describe('fuzz: the ONNX reader (graph.ts) and the embedding edit (features.ts) on damaged models', () => {
  it('graph.ts returns or throws its own RangeError; prepareEmbedding gives MODEL_LOAD_FAILED, never a raw error', () => {
    fc.assert(
      fc.property(mutated(model), fc.boolean(), (bytes, named) => {
        const reads: (() => unknown)[] = [() => metadataProps(bytes), () => findFeatures(bytes), () => hasTensor(bytes, 'x')];
        for (const read of reads) {
          const r = attempt(read);
          expect(r.ms).toBeLessThan(CASE_MS);
          if (r.error) expect(r.error).toBeInstanceOf(RangeError);
        }
        const r = attempt(() => prepareEmbedding(bytes, { url: 'm.onnx', ...(named ? { embeddingOutput: 'x' } : {}) }));
        expect(r.ms).toBeLessThan(CASE_MS);
        if (r.error) expect(r.error).toMatchObject({ name: 'ClassifierError', code: 'MODEL_LOAD_FAILED' });
      }),
      params,
    );
  });
});

describe('fuzz: labels (files, configs, model metadata)', () => {
  it('parseLabels gives every class a string name, or MODEL_LOAD_FAILED; deep nesting included', () => {
    fc.assert(
      fc.property(deepJson, (json) => {
        const r = attempt(() => parseLabels(json, 'labels.json'));
        expect(r.ms).toBeLessThan(CASE_MS);
        if (r.error) expect(r.error).toBeInstanceOf(ClassifierError);
        else {
          expect(r.value!.length).toBeGreaterThan(0);
          for (let i = 0; i < r.value!.length; i++) expect(typeof r.value![i]).toBe('string');
        }
      }),
      params,
    );
  });

  it('a sparse array is refused, not read as labels `undefined`', () => {
    const sparse: unknown[] = ['cat'];
    sparse[2] = 'dog';
    expect(() => parseLabels(sparse, 'labels.json')).toThrow(/not a non-empty JSON array of strings/);
  });

  it('labelsFromMetadata on any string gives labels, null or MODEL_LOAD_FAILED', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? ''), deepText), (text) => {
        const r = attempt(() => labelsFromMetadata({ id2label: text }, 'the model'));
        expect(r.ms).toBeLessThan(CASE_MS);
        if (r.error) expect(r.error).toBeInstanceOf(ClassifierError);
      }),
      params,
    );
  });
});

describe('fuzz: configs (specFromConfig)', () => {
  /** A committed config with some fields replaced by hostile values. */
  const hostileConfig = fc
    .record({
      base: fc.constantFrom(...configs),
      changes: fc.dictionary(
        fc.constantFrom('crop_pct', 'rescale_factor', 'size', 'crop_size', 'image_mean', 'image_std', 'resample', 'input_size', 'mean', 'std', 'interpolation'),
        fc.oneof(fc.double(), fc.constantFrom(5e-324, 1e308, Infinity, -Infinity, NaN, 0, -1), fc.array(fc.double(), { maxLength: 4 }), deepJson),
      ),
    })
    .map(({ base, changes }) => {
      const config = structuredClone(base) as Record<string, unknown>;
      const target = (config.pretrained_cfg ?? config) as Record<string, unknown>;
      Object.assign(target, changes);
      return config;
    });

  it('gives a spec with finite, usable numbers, or a TypeError (never a stack overflow, never Infinity)', () => {
    fc.assert(
      fc.property(fc.oneof(hostileConfig, deepJson), (config) => {
        const r = attempt(() => specFromConfig(config));
        expect(r.ms).toBeLessThan(CASE_MS);
        if (r.error) {
          expect(r.error).toBeInstanceOf(TypeError);
          expect(String(r.error)).toMatch(/^TypeError: specFromConfig: /);
          return;
        }
        const s = r.value!;
        for (const x of [s.inputSize, s.resizeTo, s.pixelScale, ...s.mean, ...s.std]) expect(Number.isFinite(x)).toBe(true);
        expect(Number.isSafeInteger(s.resizeTo) && s.resizeTo >= s.inputSize).toBe(true);
        expect(s.std.every((x) => x !== 0)).toBe(true);
      }),
      params,
    );
  });

  it('the cases the first fuzz run found: crop_pct 5e-324, rescale_factor Infinity, JSON nested 1e5 deep', () => {
    const hf = configs.find((c) => 'image_processor_type' in c || 'do_resize' in c)!;
    const timm = configs.find((c) => 'pretrained_cfg' in c || 'input_size' in c)!;
    const timmCfg = (c: Record<string, unknown>) => (c.pretrained_cfg ?? c) as Record<string, unknown>;
    const tiny = structuredClone(timm);
    timmCfg(tiny).crop_pct = 5e-324;
    expect(() => specFromConfig(tiny)).toThrow(/resizes to Infinity pixels/);
    expect(() => specFromConfig({ ...hf, rescale_factor: Infinity })).toThrow(/rescale_factor must be a positive number/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => specFromConfig({ ...hf, image_mean: deep })).toThrow(/image_mean must be three numbers/);
  });
});

describe('fuzz: the compact file trailer and the JPEG walker', () => {
  it('readTrailer gives a trailer or null for any bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), mutated(model.subarray(0, 4096))), (bytes) => {
        const r = attempt(() => readTrailer(bytes));
        expect(r.error).toBeUndefined();
        expect(r.ms).toBeLessThan(CASE_MS);
      }),
      params,
    );
  });

  it('jpegEnding says whole, truncated or unknown for any bytes; a photo with any tail is whole; a photo cut anywhere is truncated', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }), mutated(photo)), (bytes) => {
        const r = attempt(() => jpegEnding(bytes));
        expect(r.error).toBeUndefined();
        expect(['whole', 'truncated', 'unknown']).toContain(r.value);
        expect(r.ms).toBeLessThan(CASE_MS);
      }),
      params,
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30_000 }), (tail) => {
        const withTail = new Uint8Array(photo.length + tail.length);
        withTail.set(photo);
        withTail.set(tail, photo.length);
        expect(jpegEnding(withTail)).toBe('whole');
      }),
      params,
    );
    fc.assert(
      fc.property(fc.integer({ min: 3, max: photo.length - 1 }), (cut) => {
        expect(jpegEnding(photo.subarray(0, cut))).toBe('truncated');
      }),
      params,
    );
  });
});
