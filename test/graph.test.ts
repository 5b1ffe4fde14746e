/**
 * graph.ts: finding the pooled features in real model files and adding them as an output; and the
 * benchmark's input renamer built on its reader (checked with protobufjs and onnxruntime-node).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renameInput } from '../bench/onnx-rename.ts';
import { EMBEDDING_OUTPUT, SPARE_BYTES, findFeatures, hasTensor, withEmbeddingOutput, withSpare } from '../src/model/graph.ts';
import { decodeModel, encodeModel } from '../src/tools/onnx.ts';
import { prepareEmbedding } from '../src/model/features.ts';

const file = (name: string) => new Uint8Array(readFileSync(`test/data/models/${name}`));

describe('the embedding output', () => {
  it('finds the input of the classifier head: Flatten before Gemm (ResNets), a quantized tensor before QLinearMatMul (MobileNetV2-int8)', () => {
    expect(findFeatures(file('resnet20-cifar10.onnx'))).toEqual({ tensor: '/Flatten_output_0' });
    expect(findFeatures(file('resnet56-cifar10.onnx'), 'logits')).toEqual({ tensor: '/Flatten_output_0' });
    expect(findFeatures(file('mobilenetv2-12-int8.onnx'))).toEqual({ quantized: '472_quantized', scale: '464_scale', zeroPoint: '464_zero_point' });
    expect(findFeatures(file('resnet56-cifar10.onnx'), 'no such output')).toBeNull();
  });

  it('adds it as a graph output (and a DequantizeLinear where the head is quantized) in a second graph field that the runtime merges; the original bytes stay as they were', async () => {
    const original = file('mobilenetv2-12-int8.onnx');
    const { bytes, output } = withEmbeddingOutput(original, findFeatures(original)!);
    expect(output).toBe(EMBEDDING_OUTPUT);
    // Nothing before the addition is rewritten: the file, then one more graph field.
    expect(Buffer.from(bytes.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
    const added = decodeModel(bytes.subarray(original.length));
    expect(added.graph!.output!.map((o) => o.name)).toEqual([EMBEDDING_OUTPUT]);
    expect(added.graph!.node).toEqual([expect.objectContaining({ opType: 'DequantizeLinear', input: ['472_quantized', '464_scale', '464_zero_point'], output: [EMBEDDING_OUTPUT] })]);
    // graph.ts's own reader merges the two, as protobuf parsers do.
    expect(findFeatures(bytes)).toEqual(findFeatures(original));
    expect(hasTensor(bytes, EMBEDDING_OUTPUT)).toBe(true);

    // onnxruntime (the same parser as onnxruntime-web's) sees the merged graph: two outputs, both computed.
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes);
    expect(session.outputNames).toEqual(['output', EMBEDDING_OUTPUT]);
    const input = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.5), [1, 3, 224, 224]);
    const out = await session.run({ [session.inputNames[0]]: input });
    expect(out[EMBEDDING_OUTPUT].dims).toEqual([1, 1280]);
    const plain = await (await ort.InferenceSession.create(original)).run({ [session.inputNames[0]]: input });
    expect(Array.from(out.output.data as Float32Array)).toEqual(Array.from(plain.output.data as Float32Array));

    const resnet = file('resnet56-cifar10.onnx');
    const flat = withEmbeddingOutput(resnet, { tensor: '/Flatten_output_0' });
    expect((await ort.InferenceSession.create(flat.bytes)).outputNames).toEqual(['logits', '/Flatten_output_0']);
    expect(withEmbeddingOutput(resnet, { tensor: 'logits' }).bytes).toBe(resnet); // already an output
  });

  it('appends in the room a loader left after the bytes (no copy of the model); elsewhere it copies, never writing past a view it was given', () => {
    const resnet = file('resnet56-cifar10.onnx');
    const roomy = withSpare(resnet.length);
    roomy.set(resnet);
    const inPlace = withEmbeddingOutput(roomy, { tensor: '/Flatten_output_0' });
    expect(inPlace.bytes.buffer).toBe(roomy.buffer);
    expect(inPlace.bytes.length).toBeGreaterThan(resnet.length);
    expect(inPlace.bytes.length).toBeLessThanOrEqual(resnet.length + SPARE_BYTES);
    // A plain buffer with bytes after the view (someone else's): copied, the bytes after untouched.
    const shared = new Uint8Array(resnet.length + 4096).fill(7);
    shared.set(resnet);
    const view = shared.subarray(0, resnet.length);
    const copied = withEmbeddingOutput(view, { tensor: '/Flatten_output_0' });
    expect(copied.bytes.buffer).not.toBe(shared.buffer);
    expect(shared.subarray(resnet.length).every((b) => b === 7)).toBe(true);
    expect(Buffer.from(copied.bytes).equals(Buffer.from(inPlace.bytes))).toBe(true);
  });

  it('prepareEmbedding: a named tensor must exist; a model without a head has no embedding (and says why)', () => {
    const resnet = file('resnet56-cifar10.onnx');
    expect(hasTensor(resnet, '/GlobalAveragePool_output_0')).toBe(true);
    expect(prepareEmbedding(resnet, { url: 'r.onnx', embeddingOutput: '/GlobalAveragePool_output_0' }).output).toBe('/GlobalAveragePool_output_0');
    expect(() => prepareEmbedding(resnet, { url: 'r.onnx', embeddingOutput: 'nope' })).toThrow(/has no tensor named "nope"/);
    // The same ResNet cut before its head: logits straight from Flatten.
    const cut = decodeModel(resnet);
    cut.graph!.node = cut.graph!.node!.filter((n) => n.opType !== 'Gemm');
    cut.graph!.node!.at(-1)!.output = ['logits'];
    const headless = prepareEmbedding(encodeModel(cut), { url: 'cut.onnx' });
    expect(headless.output).toBeNull();
    expect(headless.missing).toMatch(/cut\.onnx has no embedding: no Gemm\/MatMul feeds its output/);
  });
});

describe("the benchmark's input renamer (bench/onnx-rename.ts, on graph.ts's reader)", () => {
  it('renames the graph input and the nodes reading it; nothing else changes; a missing input is an error', async () => {
    const resnet = readFileSync(new URL('./data/models/resnet56-cifar10.onnx', import.meta.url));
    const bytes = renameInput(resnet, 'input', 'pixel_values');
    const before = decodeModel(resnet);
    const after = decodeModel(bytes);
    expect(after.graph!.input!.map((i) => i.name)).toEqual(['pixel_values']);
    expect(after.graph!.node![0].input![0]).toBe('pixel_values');
    expect(after.graph!.node!.flatMap((n) => n.input).filter((i) => i === 'input')).toEqual([]);
    // Renaming back gives the original bytes.
    expect(Buffer.from(renameInput(bytes, 'pixel_values', 'input')).equals(resnet)).toBe(true);
    expect(after.graph!.initializer!.length).toBe(before.graph!.initializer!.length);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['pixel_values']);
    await session.release();
    expect(() => renameInput(resnet, 'data', 'x')).toThrow(/no graph input named "data"/);
  });
});
