import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compactFileName, readTrailer, TRAILER_BYTES, withTrailer } from '../src/model/compact-file.ts';
import { compactModel, fromHalfBits, toHalfBits } from '../src/tools/compact.ts';
import { MODELS } from '../src/model/registry.ts';
import { DataType, decodeModel, encodeModel, int64, type ModelProto } from '../src/tools/onnx.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const data = path.join(import.meta.dirname, 'data/models');
const fp32 = (file: string) => new Uint8Array(readFileSync(path.join(data, file)));
const tmp = mkdtempSync(path.join(tmpdir(), 'compact-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Ort = typeof import('onnxruntime-node');
const ortNode = (): Promise<Ort> => import('onnxruntime-node');

/** Runs a model in onnxruntime-node on a fixed pseudo-random batch; also returns the optimized graph's operators. */
async function run(bytes: Uint8Array, opts: { fold?: boolean; n?: number } = {}) {
  const ort = await ortNode();
  const optimized = path.join(tmp, `opt-${Math.random().toString(36).slice(2)}.onnx`);
  const session = await ort.InferenceSession.create(bytes, {
    logSeverityLevel: 3,
    graphOptimizationLevel: 'basic', // level 1, where constant folding runs (what 'all' starts with), and portable
    optimizedModelFilePath: optimized,
    extra: opts.fold ? { session: { disable_quant_qdq: '1' } } : {},
  } as Parameters<Ort['InferenceSession']['create']>[1]);
  const n = opts.n ?? 8;
  const input = new Float32Array(n * 3 * 32 * 32).map((_, i) => (((i * 7919) % 1000) / 500 - 1) * 2);
  const out = await session.run({ input: new ort.Tensor('float32', input, [n, 3, 32, 32]) });
  await session.release();
  const ops: Record<string, number> = {};
  for (const node of decodeModel(readFileSync(optimized)).graph!.node!) ops[node.opType] = (ops[node.opType] ?? 0) + 1;
  return { logits: out.logits.data as Float32Array, ops };
}

const argmax = (l: Float32Array, i: number, k = 10) => {
  let best = 0;
  for (let j = 1; j < k; j++) if (l[i * k + j] > l[i * k + best]) best = j;
  return best;
};

describe('float16 conversion', () => {
  it('rounds to nearest even, saturates to infinity and keeps NaN', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00); // halfway to the next: ties to even = infinity
    expect(toHalfBits(-1e6)).toBe(0xfc00);
    expect(toHalfBits(0.1)).toBe(0x2e66);
    expect(toHalfBits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toHalfBits(2 ** -26)).toBe(0); // below half of it
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(toHalfBits(NaN) & 0x7c00).toBe(0x7c00);
    expect(toHalfBits(NaN) & 0x3ff).not.toBe(0);
    // Every finite half round-trips.
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      expect(toHalfBits(fromHalfBits(h))).toBe(h === 0x8000 ? 0x8000 : h);
    }
  });
});

describe('the trailer of a compact file', () => {
  const body = encodeModel({ irVersion: 7, graph: { name: 'g' } });
  const source = 'ab'.repeat(32);

  it('names the precision and the source, and catches damage and truncation', () => {
    const file = withTrailer(body, source, 'int8');
    expect(file.length).toBe(body.length + TRAILER_BYTES);
    const t = readTrailer(file)!;
    expect(t).toMatchObject({ precision: 'int8', sourceSha256: source });
    expect(sha256(file.subarray(0, t.hashedLength))).toBe(t.recorded);
    // Still an ONNX model: the trailer is three metadata_props entries (field 14), which protobuf merges.
    expect(decodeModel(file).graph!.name).toBe('g');
    const damaged = file.slice();
    damaged[3] ^= 1;
    expect(sha256(damaged.subarray(0, t.hashedLength))).not.toBe(readTrailer(damaged)!.recorded);
    expect(readTrailer(file.subarray(0, file.length - 1))).toBeNull();
    expect(readTrailer(body)).toBeNull();
    expect(compactFileName('resnet50-v1-7.onnx', 'fp16')).toBe('resnet50-v1-7.fp16.onnx');
  });
});

describe.each([
  ['resnet20-cifar10', 'resnet20-cifar10.onnx'],
  ['resnet56-cifar10', 'resnet56-cifar10.onnx'],
] as const)('compact files of %s', (name, file) => {
  const source = fp32(file);
  const entry = MODELS[name];

  it.each(['fp16', 'int8'] as const)('%s: the same bytes every run, pinned in the registry, within the size bound', (p) => {
    const a = compactModel(source, p).bytes;
    const b = compactModel(source, p).bytes;
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(a)).toBe(entry.precisions![p]!.sha256);
    expect(a.length).toBe(entry.precisions![p]!.bytes);
    expect(a.length / source.length).toBeLessThanOrEqual(p === 'fp16' ? 0.51 : 0.27);
    const t = readTrailer(a)!;
    expect(t.sourceSha256).toBe(entry.sha256);
    expect(t.precision).toBe(p);
  });

  it('fp16: weights are float16 with a Cast each, which onnxruntime folds; logits within fp16 rounding of fp32', async () => {
    const { bytes } = compactModel(source, 'fp16');
    const inits = decodeModel(bytes).graph!.initializer!;
    expect(inits.filter((t) => t.dataType === DataType.FLOAT16).length).toBeGreaterThan(10);
    const ref = await run(source);
    const got = await run(bytes);
    expect(got.ops.Cast ?? 0).toBe(ref.ops.Cast ?? 0); // the weight casts are gone, the model's own remain
    let maxDiff = 0;
    for (let i = 0; i < ref.logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref.logits[i] - got.logits[i]));
    expect(maxDiff).toBeGreaterThan(0); // the weights did change
    expect(maxDiff).toBeLessThan(0.05);
    for (let i = 0; i < 8; i++) expect(argmax(got.logits, i)).toBe(argmax(ref.logits, i));
  });

  it('int8: per-channel weights through DequantizeLinear, folded only with session.disable_quant_qdq', async () => {
    const { bytes, report } = compactModel(source, 'int8');
    const model = decodeModel(bytes);
    const dq = model.graph!.node!.filter((n) => n.opType === 'DequantizeLinear');
    expect(dq.length).toBe(report.converted);
    // One scale per output channel, zero point 0 (omitted).
    for (const n of dq) {
      const q = model.graph!.initializer!.find((t) => t.name === n.input![0])!;
      const s = model.graph!.initializer!.find((t) => t.name === n.input![1])!;
      expect(q.dataType).toBe(DataType.INT8);
      expect(n.input).toHaveLength(2);
      const axis = int64(n.attribute!.find((a) => a.name === 'axis')!.i);
      expect(int64(s.dims![0])).toBe(int64(q.dims![axis]));
    }
    const kept = await run(bytes);
    const folded = await run(bytes, { fold: true });
    expect(kept.ops.DequantizeLinear).toBe(dq.length);
    expect(folded.ops.DequantizeLinear ?? 0).toBe(0);
    expect(Array.from(folded.logits)).toEqual(Array.from(kept.logits)); // the same numbers, computed once
    const ref = await run(source);
    const agree = [...Array(8).keys()].filter((i) => argmax(folded.logits, i) === argmax(ref.logits, i)).length;
    expect(agree).toBeGreaterThanOrEqual(7);
  });
});

describe('older models (the ONNX Model Zoo ResNets: IR 3, opset 7, initializers listed as graph inputs)', () => {
  /** ResNet-20 labelled as an IR 3 / opset 11 model with its initializers among the inputs (the same operators mean the same there). */
  function legacy(): Uint8Array {
    const m: ModelProto = decodeModel(fp32('resnet20-cifar10.onnx'));
    m.irVersion = 3;
    m.opsetImport = [{ domain: '', version: 11 }];
    for (const t of m.graph!.initializer!) {
      m.graph!.input!.push({ name: t.name!, type: { tensorType: { elemType: t.dataType, shape: { dim: t.dims!.map((d) => ({ dimValue: d })) } } } });
    }
    return encodeModel(m);
  }

  it.each(['fp16', 'int8'] as const)('%s: the weights leave the inputs (IR 4), int8 uses com.microsoft.DequantizeLinear; all folded', async (p) => {
    const source = legacy();
    const { bytes } = compactModel(source, p);
    const m = decodeModel(bytes);
    expect(int64(m.irVersion)).toBe(4);
    // The weights now made by Cast / DequantizeLinear nodes are no longer graph inputs (which could not be folded).
    const inits = new Set(m.graph!.initializer!.map((t) => t.name));
    const made = m.graph!.node!.filter((n) => ['Cast', 'DequantizeLinear'].includes(n.opType) && inits.has(n.input![0])).flatMap((n) => n.output!);
    expect(made.length).toBeGreaterThan(10);
    expect(m.graph!.input!.filter((i) => made.includes(i.name))).toEqual([]);
    expect(m.graph!.input!.length).toBe(decodeModel(source).graph!.input!.length - made.length);
    if (p === 'int8') {
      expect(m.opsetImport!.map((o) => o.domain ?? '')).toContain('com.microsoft');
      expect(m.graph!.node!.filter((n) => n.opType === 'DequantizeLinear').every((n) => n.domain === 'com.microsoft')).toBe(true);
    }
    const ref = await run(source);
    const got = await run(bytes, { fold: true });
    expect(got.ops.DequantizeLinear ?? 0).toBe(0);
    expect(got.ops.Cast ?? 0).toBe(ref.ops.Cast ?? 0);
    const agree = [...Array(8).keys()].filter((i) => argmax(got.logits, i) === argmax(ref.logits, i)).length;
    expect(agree).toBeGreaterThanOrEqual(7);
  });
});

describe('compact files of the generated ResNet-50', () => {
  it.each(['fp16', 'int8'] as const)('%s: pinned in the registry and within the size bound', (p) => {
    const source = new Uint8Array(readFileSync(path.join(import.meta.dirname, '../public/models/resnet50-imagenet-untrained.onnx')));
    const { bytes } = compactModel(source, p);
    const pin = MODELS['resnet50-untrained'].precisions![p]!;
    expect(sha256(bytes)).toBe(pin.sha256);
    expect(bytes.length / source.length).toBeLessThanOrEqual(p === 'fp16' ? 0.51 : 0.27);
  }, 60_000);
});
