/**
 * The `resnet50-untrained` model, generated instead of downloaded: torchvision's ResNet-50
 * architecture (v1.5: stride on the 3×3 convolution) as PyTorch exports it with batch norm folded
 * into the convolutions, with seeded random weights. Same size, operators and speed as the real
 * ResNet-50, for benchmarks and parity tests; its labels mean nothing.
 *
 * Deterministic: the weights come from a 32-bit integer generator (mulberry32, seed 0) and only
 * IEEE-exact arithmetic (+, ×, ÷, √), so every run on every machine writes the same bytes
 * (sha256 in the registry). Weights are uniform with torchvision's variances: convolutions
 * Kaiming with fan-out (its `kaiming_normal_(mode='fan_out')`, as uniform ±√(6/fan_out)), batch
 * norm at its initial state (γ 1, β 0, mean 0, variance 1: folded, a factor 1/√(1+1e-5) and a
 * zero bias), the classifier ±1/√2048 as `nn.Linear`'s default.
 */
import { AttributeType, DataType, encodeModel, type AttributeProto, type NodeProto, type TensorProto } from './onnx.ts';

/** Seed of the pinned file. */
export const RESNET50_UNTRAINED_SEED = 0;

/** mulberry32: a small 32-bit generator of integer operations only; uniform in [0, 1) with 24 bits. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 8) / 16777216;
  };
}

const BN_EPS = 1e-5;

/** The ONNX bytes of the untrained ResNet-50: input `input` float32 [batch,3,224,224] → `logits` [batch,1000]. */
export function untrainedResNet50(seed = RESNET50_UNTRAINED_SEED): Uint8Array {
  const random = uniform(seed);
  const initializer: TensorProto[] = [];
  const node: NodeProto[] = [];

  const tensor = (name: string, dims: number[], fill: (i: number) => number): string => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = fill(i);
    initializer.push({ name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer) });
    return name;
  };
  const ints = (name: string, v: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints: v });
  const int = (name: string, v: number): AttributeProto => ({ name, type: AttributeType.INT, i: v });
  const op = (path: string, opType: string, input: string[], attribute: AttributeProto[] = [], output = `${path}_output_0`) => {
    node.push({ name: path, opType, input, output: [output], attribute });
    return output;
  };

  /** Conv with batch norm folded in: weight ~ U(±√(6/fan_out))/√(1+ε), bias 0. */
  const conv = (x: string, scope: string, path: string, cin: number, cout: number, k: number, stride: number, pad: number) => {
    const bound = Math.sqrt(6 / (cout * k * k)) / Math.sqrt(1 + BN_EPS);
    const w = tensor(`${scope}.weight`, [cout, cin, k, k], () => (2 * random() - 1) * bound);
    const b = tensor(`${scope}.bias`, [cout], () => 0);
    return op(`${path}/Conv`, 'Conv', [x, w, b], [
      ints('dilations', [1, 1]), int('group', 1), ints('kernel_shape', [k, k]), ints('pads', [pad, pad, pad, pad]), ints('strides', [stride, stride]),
    ]);
  };
  const relu = (x: string, path: string) => op(`${path}/Relu`, 'Relu', [x]);

  let x = conv('input', 'conv1', '/conv1', 3, 64, 7, 2, 3);
  x = relu(x, '/relu');
  x = op('/maxpool/MaxPool', 'MaxPool', [x], [int('ceil_mode', 0), ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [2, 2])]);

  let channels = 64;
  const stages: [blocks: number, planes: number, stride: number][] = [[3, 64, 1], [4, 128, 2], [6, 256, 2], [3, 512, 2]];
  stages.forEach(([blocks, planes, stride], s) => {
    for (let b = 0; b < blocks; b++) {
      const scope = `layer${s + 1}.${b}`;
      const path = `/layer${s + 1}/${scope}`;
      const st = b === 0 ? stride : 1;
      let y = relu(conv(x, `${scope}.conv1`, `${path}/conv1`, channels, planes, 1, 1, 0), `${path}/relu`);
      y = relu(conv(y, `${scope}.conv2`, `${path}/conv2`, planes, planes, 3, st, 1), `${path}/relu_1`);
      y = conv(y, `${scope}.conv3`, `${path}/conv3`, planes, planes * 4, 1, 1, 0);
      const shortcut = b === 0 ? conv(x, `${scope}.downsample.0`, `${path}/downsample/downsample.0`, channels, planes * 4, 1, st, 0) : x;
      x = relu(op(`${path}/Add`, 'Add', [y, shortcut]), `${path}/relu_2`);
      channels = planes * 4;
    }
  });

  x = op('/avgpool/GlobalAveragePool', 'GlobalAveragePool', [x]);
  x = op('/Flatten', 'Flatten', [x], [int('axis', 1)]);
  const bound = 1 / Math.sqrt(2048);
  const fcW = tensor('fc.weight', [1000, 2048], () => (2 * random() - 1) * bound);
  const fcB = tensor('fc.bias', [1000], () => (2 * random() - 1) * bound);
  op('/fc/Gemm', 'Gemm', [x, fcW, fcB], [
    { name: 'alpha', type: AttributeType.FLOAT, f: 1 }, { name: 'beta', type: AttributeType.FLOAT, f: 1 }, int('transB', 1),
  ], 'logits');

  const dims = (...d: (number | string)[]) => d.map((v) => (typeof v === 'string' ? { dimParam: v } : { dimValue: v }));
  return encodeModel({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'resnet-web',
    producerVersion: '1',
    docString: `torchvision ResNet-50 architecture, batch norm folded, random weights (mulberry32 seed ${seed}); not a trained model`,
    graph: {
      name: 'resnet50_untrained',
      node,
      initializer,
      input: [{ name: 'input', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: dims('batch', 3, 224, 224) } } } }],
      output: [{ name: 'logits', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: dims('batch', 1000) } } } }],
    },
  });
}
