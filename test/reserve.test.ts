/** runtime/reserve.ts: the generated model that grows the runtime's memory is a valid ONNX model whose one run allocates `n` floats. */
import { describe, expect, it } from 'vitest';
import { expectedFileBytes } from '../src/model/precision.ts';
import { MODELS } from '../src/model/registry.ts';
import { resolveModel } from '../src/model/resolve.ts';
import { reserveFor, reserveMemory, reserveModel } from '../src/runtime/reserve.ts';

describe('reserving the runtime memory for a model', () => {
  it('the generated model loads in onnxruntime and its run fills n floats (only their count comes back)', async () => {
    const ort = await import('onnxruntime-node');
    for (const n of [1, 1000, 3_000_000]) {
      const session = await ort.InferenceSession.create(reserveModel(n), { graphOptimizationLevel: 'disabled' });
      expect(session.inputNames).toEqual(['x']);
      const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([0]), [1]) });
      expect(Array.from(out.n.data as BigInt64Array)).toEqual([BigInt(n)]);
      await session.release();
    }
  });

  it('reserves twice the size of the file that will load, known beforehand (0 when not known)', () => {
    const spec = resolveModel('resnet50-untrained', '/models/');
    const fp32 = MODELS['resnet50-untrained'].bytes!;
    expect(expectedFileBytes(spec, 'fp32', fp32)).toBe(fp32);
    expect(expectedFileBytes(spec, 'int8', fp32)).toBe(spec.precisions!.int8!.bytes);
    expect(expectedFileBytes(spec, 'auto', fp32)).toBe(spec.precisions!.int8!.bytes); // the smallest candidate
    expect(expectedFileBytes(spec, 'fp32')).toBe(0);
    expect(reserveFor(fp32)).toBe(2 * fp32);
  });

  it('reserves once per runtime, again only for a larger request (its memory never shrinks)', async () => {
    const ort = await import('onnxruntime-node');
    const runtime = ort as unknown as Parameters<typeof reserveMemory>[0];
    const created: number[] = [];
    const counting = {
      ...runtime,
      env: runtime.env, // what a runtime is known by
      InferenceSession: {
        create: (model: Uint8Array, options: object) => {
          created.push(model.length);
          return ort.InferenceSession.create(model, options);
        },
      },
    } as unknown as typeof runtime;
    expect(await reserveMemory(counting, 4_000_000)).toBe(true);
    expect(await reserveMemory(counting, 4_000_000)).toBe(false);
    expect(await reserveMemory(counting, 1_000_000)).toBe(false);
    expect(await reserveMemory(counting, 8_000_000)).toBe(true);
    expect(created).toHaveLength(2);
    // another runtime (another env) reserves for itself
    expect(await reserveMemory({ ...counting, env: {} } as typeof runtime, 4_000_000)).toBe(true);
    expect(created).toHaveLength(3);
    expect(await reserveMemory(counting, 0)).toBe(false);
  });
});
