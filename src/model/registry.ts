/**
 * The model registry: every model the SDK knows by name, with where its file comes from and how
 * its input must be prepared. The models command (src/tools/models-command.ts) reads the same
 * table to fetch or generate the files.
 */
import { compactFileName } from './compact-file.ts';
import type { CompactPrecision, RegistryEntry } from './spec.ts';

/** ImageNet mean/std (torchvision's), shared by every ImageNet and CIFAR-10 model here. */
export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

const ZOO = 'https://github.com/onnx/models/raw/main/validated/vision/classification/';

const imagenet = {
  inputSize: 224,
  resizeTo: 256,
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
  labels: 'imagenet-labels.json',
  classes: 1000,
  synsets: 'imagenet-1k',
} as const;

const cifar10 = {
  inputSize: 32,
  resizeTo: 32,
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
  labels: 'cifar10-labels.json',
  classes: 10,
  inputName: 'input',
  outputName: 'logits',
} as const;

function zooResnet(
  name: string,
  file: string,
  sha256: string,
  bytes: number,
  outputName: string,
  description: string,
  top1: number,
): RegistryEntry {
  return {
    ...imagenet,
    name,
    description,
    top1,
    url: file,
    sha256,
    bytes,
    source: `${ZOO}resnet/model/${file}`,
    inputName: 'data',
    outputName,
    // Made on the user's machine from the pinned download; their sha256 cannot be pinned here
    // (the zoo cannot be reached from this project's machines): each checks itself by its trailer.
    precisions: compactFiles(file),
  };
}

/** The fp16 and int8 files of an fp32 file, named after it. */
function compactFiles(file: string, pinned: Partial<Record<CompactPrecision, { sha256: string; bytes: number }>> = {}) {
  return {
    fp16: { url: compactFileName(file, 'fp16'), ...pinned.fp16 },
    int8: { url: compactFileName(file, 'int8'), ...pinned.int8 },
  };
}

/**
 * sha256 and size of the compact files this project can make itself (their fp32 files are
 * committed or generated), pinned; `test/compact.test.ts` makes them again and compares.
 */
const PINNED: Record<string, Partial<Record<CompactPrecision, { sha256: string; bytes: number }>>> = {
  'resnet20-cifar10': {
    fp16: { sha256: 'ae7153f7d96fca3e7ea51d27047dbf01d38b499149714decf0d67b0ad1c53081', bytes: 556729 },
    int8: { sha256: 'a569779e9eac9f75388bb59fd9ecc2ce27510e7ce91fc692bc9ff1151d4a9ae2', bytes: 292766 },
  },
  'resnet56-cifar10': {
    fp16: { sha256: '390e207cebd8d2f57623f23369064c1bfc1647d35fbb7b76fafc17e8ce7d7804', bytes: 1741441 },
    int8: { sha256: 'd675bbd3c70ed5de8be99fb23cb8acc0435b52e07b3426fa0e7b1c346f0cc61c', bytes: 905198 },
  },
  'resnet50-untrained': {
    fp16: { sha256: '826ba4cfe47bc28f91af2f45b06e0118a9726e82e7573e8060114eebddd089c8', bytes: 51094832 },
    int8: { sha256: 'bfd2a3fff3facac672386aa92ea651bb3314e07c50c39226de7b49ee02f93cd4', bytes: 25757965 },
  },
};

/** Every model known by name. The default is `resnet50`. */
export const MODELS: Readonly<Record<string, RegistryEntry>> = Object.freeze({
  resnet50: zooResnet('resnet50', 'resnet50-v1-7.onnx',
    'af16a04a6ec48ac494065d4439fe9dea590d337b9ca6dc328160ccf04a217b9c', 102583340, 'resnetv17_dense0_fwd',
    'ResNet-50 v1, ImageNet (ONNX Model Zoo resnet50-v1-7), 98 MB', 74.93),
  resnet18: zooResnet('resnet18', 'resnet18-v1-7.onnx',
    '4e8f8653e7a2222b3904cc3fe8e304cd8b339ce1d05fd24688162f86fb6df52c', 46820737, 'resnetv15_dense0_fwd',
    'ResNet-18 v1, ImageNet (ONNX Model Zoo resnet18-v1-7), 45 MB', 69.93),
  resnet34: zooResnet('resnet34', 'resnet34-v1-7.onnx',
    '883a41b2e30ddc2e422c108b091b5e70b92d37dc5c345a2c563dcae27971e2cc', 87302588, 'resnetv16_dense0_fwd',
    'ResNet-34 v1, ImageNet (ONNX Model Zoo resnet34-v1-7), 83 MB', 73.73),
  resnet101: zooResnet('resnet101', 'resnet101-v1-7.onnx',
    '760702f6ec0138f71ebac66f4e95d1c72dc9267a8544f4d4667a53075fd0497c', 178914043, 'resnetv18_dense0_fwd',
    'ResNet-101 v1, ImageNet (ONNX Model Zoo resnet101-v1-7), 171 MB', 76.48),
  resnet152: zooResnet('resnet152', 'resnet152-v1-7.onnx',
    'b0ec92437bf8c9d0739bf9bafdea9638e13f9e3c1e2fb766ad546cc182fd3f6d', 241816206, 'resnetv19_dense0_fwd',
    'ResNet-152 v1, ImageNet (ONNX Model Zoo resnet152-v1-7), 231 MB', 77.11),
  // ResNet v2 (pre-activation, He et al. 2016b): more accurate than v1 at 50 layers and up. The
  // sha256 and sizes are the zoo's own: its Git LFS pointers and ONNX_HUB_MANIFEST.json (the two
  // agree; onnx/models commit b1eeaa1), as for every zoo file above. Top-1: the zoo's README.
  'resnet50-v2': zooResnet('resnet50-v2', 'resnet50-v2-7.onnx',
    '79102261eb6e5fd7af5d27f41316293e388c5cb691e5d25bfb035c4f64fefe31', 102442452, 'resnetv24_dense0_fwd',
    'ResNet-50 v2, ImageNet (ONNX Model Zoo resnet50-v2-7), 98 MB', 75.81),
  'resnet101-v2': zooResnet('resnet101-v2', 'resnet101-v2-7.onnx',
    '3a0a819ea0953fb4700b0d98e43540aeee253e5b4c503c552b0c7979fc67767d', 178682301, 'resnetv25_dense0_fwd',
    'ResNet-101 v2, ImageNet (ONNX Model Zoo resnet101-v2-7), 170 MB', 77.42),
  'resnet152-v2': zooResnet('resnet152-v2', 'resnet152-v2-7.onnx',
    '40fb3f6dd313ba786a2c8077a0ef7d7b4afeda5d037365400d3a7fbc2b1bee64', 241503848, 'resnetv27_dense0_fwd',
    'ResNet-152 v2, ImageNet (ONNX Model Zoo resnet152-v2-7), 230 MB', 78.20),
  'resnet50-int8': {
    ...zooResnet('resnet50-int8', 'resnet50-v1-12-int8.onnx',
      'c234f30975989788b4405f25253275aae247ab6dbdd34aaa69ab0a59ff76f6d0', 25816052, 'resnetv17_dense0_fwd',
      'ResNet-50 v1 quantized to int8 (weights and activations, QDQ), ImageNet (ONNX Model Zoo resnet50-v1-12-int8), 25 MB', 74.77),
    precision: 'int8',
    precisions: undefined,
  },
  'resnet20-cifar10': {
    ...cifar10,
    name: 'resnet20-cifar10',
    description: 'ResNet-20 (He et al. 2016), CIFAR-10, 32×32 input, 1 MB',
    url: 'resnet20-cifar10.onnx',
    sha256: '2f1da8a650e5c0d7a5f788a2a65b2a46b598ed0ce7b359bf88a60a0a7deb7777',
    bytes: 1092225,
    precisions: compactFiles('resnet20-cifar10.onnx', PINNED['resnet20-cifar10']),
  },
  'resnet56-cifar10': {
    ...cifar10,
    name: 'resnet56-cifar10',
    description: 'ResNet-56 (He et al. 2016), CIFAR-10, 32×32 input, 3.4 MB',
    url: 'resnet56-cifar10.onnx',
    sha256: '1e67a742b340a60dbc20767ae2863a9e4ca625234bd0196c983cb6b8593c8772',
    bytes: 3436582,
    precisions: compactFiles('resnet56-cifar10.onnx', PINNED['resnet56-cifar10']),
  },
  'resnet50-untrained': {
    ...imagenet,
    name: 'resnet50-untrained',
    description: 'ResNet-50 architecture with random weights: benchmarks and parity tests only, 97 MB',
    url: 'resnet50-imagenet-untrained.onnx',
    // Generated by `resnet-web models` (src/tools/resnet50-untrained.ts): the same bytes on every machine.
    sha256: '8b851bdec53f2f1ba6cf8af3f6d35bec62fb3ffa71bb59616e4665f86f3689f9',
    bytes: 102147671,
    generated: true,
    inputName: 'input',
    outputName: 'logits',
    precisions: compactFiles('resnet50-imagenet-untrained.onnx', PINNED['resnet50-untrained']),
  },
  'mobilenetv2-int8': {
    ...imagenet,
    name: 'mobilenetv2-int8',
    description: 'MobileNetV2 int8, ImageNet (ONNX Model Zoo mobilenetv2-12-int8): a small stand-in, 3.5 MB',
    url: 'mobilenetv2-12-int8.onnx',
    sha256: 'cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f',
    bytes: 3655033,
    source: `${ZOO}mobilenet/model/mobilenetv2-12-int8.onnx`,
    inputName: 'input',
    outputName: 'output',
    precision: 'int8',
  },
});

/** The model used when none is named. */
export const DEFAULT_MODEL = 'resnet50';

/** Names of all registry models. */
export function modelNames(): string[] {
  return Object.keys(MODELS);
}
