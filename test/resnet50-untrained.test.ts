import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../src/model/registry.ts';
import { decodeModel, int64, type ValueInfoProto } from '../src/tools/onnx.ts';
import { untrainedResNet50 } from '../src/tools/resnet50-untrained.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('the generated ResNet-50 (random weights)', () => {
  const bytes = untrainedResNet50();

  it('has the sha256 and size pinned in the registry: the same bytes on every run and machine', () => {
    expect(sha256(bytes)).toBe(MODELS['resnet50-untrained'].sha256);
    expect(bytes.length).toBe(MODELS['resnet50-untrained'].bytes);
    // Another seed gives other weights (the seed reaches the generator).
    expect(sha256(untrainedResNet50(1))).not.toBe(MODELS['resnet50-untrained'].sha256);
  });

  it("is torchvision's ResNet-50 with batch norm folded: the operators, parameter count and I/O of PyTorch's export", () => {
    const { graph, opsetImport, irVersion } = decodeModel(bytes);
    expect(int64(irVersion)).toBe(7);
    expect(opsetImport?.map((o) => int64(o.version))).toEqual([13]);
    const ops: Record<string, number> = {};
    for (const n of graph!.node!) ops[n.opType] = (ops[n.opType] ?? 0) + 1;
    expect(ops).toEqual({ Conv: 53, Relu: 49, MaxPool: 1, Add: 16, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
    // torchvision counts 25 557 032 parameters; folding drops batch norm's γ and β (2 × 26 560)
    // and adds one conv bias per channel (26 560).
    const params = graph!.initializer!.reduce((n, t) => n + t.dims!.map(int64).reduce((a, b) => a * b, 1), 0);
    expect(params).toBe(25_557_032 - 26_560);
    const shape = (v: ValueInfoProto[] | undefined) =>
      v!.map((i) => [i.name, i.type!.tensorType!.shape!.dim!.map((d) => d.dimParam ?? int64(d.dimValue))]);
    expect(shape(graph!.input)).toEqual([['input', ['batch', 3, 224, 224]]]);
    expect(shape(graph!.output)).toEqual([['logits', ['batch', 1000]]]);
    // The downsampling 3×3 convolutions (v1.5) and the 1×1 shortcut convolutions stride 2.
    const strided = graph!.node!.filter((n) => n.attribute?.some((a) => a.name === 'strides' && int64(a.ints![0]) === 2)).map((n) => n.name);
    expect(strided).toEqual([
      '/conv1/Conv', '/maxpool/MaxPool',
      '/layer2/layer2.0/conv2/Conv', '/layer2/layer2.0/downsample/downsample.0/Conv',
      '/layer3/layer3.0/conv2/Conv', '/layer3/layer3.0/downsample/downsample.0/Conv',
      '/layer4/layer4.0/conv2/Conv', '/layer4/layer4.0/downsample/downsample.0/Conv',
    ]);
  });

  it('has weights of torchvision\'s spread, and onnxruntime runs it to logits of real spread', async () => {
    const { graph } = decodeModel(bytes);
    const weights = (name: string) => {
      const t = graph!.initializer!.find((i) => i.name === name)!;
      return new Float32Array(new Uint8Array(t.rawData!).buffer);
    };
    const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    // kaiming_normal_(mode='fan_out'): std √(2 / fan_out); conv1's fan_out is 64·7·7.
    expect(std(weights('conv1.weight'))).toBeCloseTo(Math.sqrt(2 / (64 * 49)), 3);
    expect(std(weights('layer4.2.conv2.weight'))).toBeCloseTo(Math.sqrt(2 / (512 * 9)), 3);
    expect(weights('fc.weight').reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThanOrEqual(1 / Math.sqrt(2048));

    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes);
    const input = new Float32Array(2 * 3 * 224 * 224).map((_, i) => ((i * 7919) % 1000) / 500 - 1);
    const { logits } = await session.run({ input: new ort.Tensor('float32', input, [2, 3, 224, 224]) });
    await session.release();
    expect(logits.dims).toEqual([2, 1000]);
    const l = logits.data as Float32Array;
    expect(l.every(Number.isFinite)).toBe(true);
    expect(Math.max(...l) - Math.min(...l)).toBeGreaterThan(10);
  }, 60_000);
});
