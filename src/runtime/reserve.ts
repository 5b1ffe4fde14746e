/**
 * Reserving the WebAssembly memory a model's session will need, while its file is still being
 * read. A fresh runtime's memory grows as the first large session is created, and growing it and
 * touching its new pages takes most of that creation (ResNet-50 here: ~1 s of the first
 * `InferenceSession.create`, ~0.05–0.1 s of a later one). A tiny generated model whose one run
 * allocates that much (`Expand` of a scalar into `n` floats, of which only the shape comes back)
 * does the growing first; released, its memory stays with the runtime's allocator for the real
 * session to reuse. Its size stays below what the real session takes at its peak (the model's
 * bytes, their parsed copy and the weights: about 3× the file), so nothing is reserved that the
 * session would not have taken anyway: WebAssembly memory never shrinks.
 *
 * For the same reason a runtime is reserved for once, up to the largest request: a later
 * classifier on it (the page's thread, `worker: false`) finds that memory free. Reserving again
 * there cost time and split the free memory between sessions, so that each new session of the
 * same model grew it further (ResNet-50, 10 create/dispose cycles on the page's thread: the tab
 * +21 % with a reservation every time, +2 % with one).
 */
import type * as Ort from 'onnxruntime-web/webgpu';
import { encodeVarint, intField, lenField, strField } from '../common/protobuf.ts';

/** How much to reserve for a model file of `fileBytes`: twice the file (see the module comment). */
export const reserveFor = (fileBytes: number): number => 2 * fileBytes;

/** The generated model: input `x` (float[1]) → Expand to `[n]` → Shape → output `n` (int64[1]). */
export function reserveModel(floats: number): Uint8Array {
  const valueInfo = (name: string, elemType: number) => [...strField(1, name), ...lenField(2, lenField(1, intField(1, elemType)))];
  const shape = [...intField(1, 1), ...intField(2, 7), ...lenField(7, encodeVarint(floats)), ...strField(8, 'shape')]; // TensorProto int64 [floats]
  const node = (inputs: string[], output: string, op: string) =>
    lenField(1, [...inputs.flatMap((i) => strField(1, i)), ...strField(2, output), ...strField(4, op)]);
  const graph = [
    ...node(['x', 'shape'], 'filled', 'Expand'),
    ...node(['filled'], 'n', 'Shape'),
    ...strField(2, 'reserve'),
    ...lenField(5, shape),
    ...lenField(11, valueInfo('x', 1)),
    ...lenField(12, valueInfo('n', 7)),
  ];
  return new Uint8Array([...intField(1, 7), ...lenField(8, intField(2, 13)), ...lenField(7, graph)]);
}

/** What each runtime (by its `env`) has been asked to reserve so far. */
const reserved = new WeakMap<object, number>();

/**
 * Grows the runtime's memory by about `bytes` (WASM backend), unless it has reserved that much
 * already. Resolves `true` when it reserved. Best effort: a failure is ignored, the session then
 * grows the memory itself.
 */
export async function reserveMemory(ort: typeof Ort, bytes: number): Promise<boolean> {
  const floats = Math.floor(bytes / 4);
  if (!(floats > 0) || bytes <= (reserved.get(ort.env) ?? 0)) return false;
  reserved.set(ort.env, bytes);
  try {
    const session = await ort.InferenceSession.create(reserveModel(floats), {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'disabled', // run the Expand, do not fold it away
      logSeverityLevel: 3,
    });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([0]), [1]) });
      for (const t of Object.values(out)) t.dispose();
    } finally {
      await session.release();
    }
  } catch {
    // out of memory (a phone), or anything else: the real session grows the memory as it needs
  }
  return true;
}
