/**
 * What describes a model: where its file is served and how its input must be prepared
 * (`ModelSpec`), its smaller files (`CompactFileSpec`), and a registry entry. Types only; the
 * registry's data is registry.ts, the checks resolve.ts.
 */
import type { Interpolation } from '../preprocess/geometry.ts';

export type { Interpolation };

/** A compact file's weight precision. */
export type CompactPrecision = 'fp16' | 'int8';

/** Every precision a model file can have; `'fp32'` is the original file. */
export type Precision = 'fp32' | CompactPrecision;

/** A smaller file of the same model (fp16 or int8 weights), made by `resnet-web models --precision`. */
export interface CompactFileSpec {
  /** URL of the file; a relative URL is resolved against `modelBaseUrl`. */
  url: string;
  /**
   * Hex sha256 of the whole file, where it can be pinned. Every compact file also checks itself:
   * it ends in a trailer with its own sha256 and that of the fp32 file it was made from.
   */
  sha256?: string;
  /** Size in bytes, when known. */
  bytes?: number;
  /**
   * `precision: 'auto'` may pick this file: it was measured within the accuracy bounds (fp16:
   * top-1 agreement with fp32 ≥ 99.5 %; int8: ≥ 98 % and accuracy within 1 point; see
   * docs/measured/correctness.md).
   * @default true
   */
  auto?: boolean;
}

/** Describes a classification model: where it is served and how to feed it. */
export interface ModelSpec {
  /** URL of the `.onnx` file; a relative URL is resolved against `modelBaseUrl`. */
  url: string;
  /** Hex sha256 of the model file; when given, the bytes are checked before they reach the runtime. */
  sha256?: string;
  /** Side of the square network input in pixels (224 for ImageNet, 32 for CIFAR-10). */
  inputSize: number;
  /**
   * The shorter image side is resized to this before the center crop (256 for ImageNet; timm and
   * Hugging Face write it as a crop fraction: `resizeTo = floor(inputSize / crop_pct)`).
   */
  resizeTo: number;
  /**
   * The resize filter, ported from Pillow (antialiased, as torchvision, timm and Hugging Face
   * resize a PIL image): `'bilinear'` (torchvision's default), `'bicubic'` (timm's), `'lanczos'`,
   * or `'nearest'`. The same arithmetic on the CPU and in the WebGPU shaders.
   * @default 'bilinear'
   */
  interpolation?: Interpolation;
  /**
   * The input tensor's layout: `'NCHW'` (PyTorch, ONNX) or `'NHWC'` (Keras/TensorFlow exports).
   * @default 'NCHW'
   */
  layout?: 'NCHW' | 'NHWC';
  /**
   * The order of the input's colour channels; `'BGR'` for Keras' `caffe` preprocessing (ResNet50
   * from `keras.applications`). `mean` and `std` are in this order.
   * @default 'RGB'
   */
  channelOrder?: 'RGB' | 'BGR';
  /**
   * Pixel values (0–255) are multiplied by this before the mean is subtracted: `1 / 255`
   * (torchvision's `ToTensor`, values 0–1) or `1` (values 0–255, Keras' `caffe` mode).
   * @default 1 / 255
   */
  pixelScale?: number;
  /** Per-channel mean subtracted after scaling the pixels, in the order of `channelOrder`. */
  mean: [number, number, number];
  /** Per-channel standard deviation divided by after subtracting the mean, in the order of `channelOrder`. */
  std: [number, number, number];
  /**
   * Class names in output order, or the URL of a JSON file of them (relative to `modelBaseUrl`):
   * an array of names, an object of index → name (`{ "0": "cat", … }`), or a Hugging Face / timm
   * `config.json` (its `id2label` or `label_names`). Left out: the model's own metadata
   * (`metadata_props` `id2label` or `labels`, a JSON object or array), else `MODEL_LOAD_FAILED`.
   */
  labels?: string[] | string;
  /** Name of the model's image input. Default: the model's first input. */
  inputName?: string;
  /** Name of the model's logits output. Default: the model's first output. */
  outputName?: string;
  /**
   * The precision of the file at `url` (the zoo's int8 models are QDQ-quantized originals).
   * @default 'fp32'
   */
  precision?: Precision;
  /** Smaller files of the same model, by precision (see `ClassifierOptions.precision`). */
  precisions?: Partial<Record<CompactPrecision, CompactFileSpec>>;
  /**
   * `'imagenet-1k'`: the model's 1000 outputs are ImageNet-1k's WordNet synsets in their usual
   * order (sorted by WordNet id, `n01440764` tench first), as for every ImageNet model in the
   * registry. Needed for `groups` (coarse WordNet categories) and for classes named by WordNet id.
   */
  synsets?: 'imagenet-1k';
  /**
   * The tensor whose values are the image's embedding (e.g. the pooled features). Default: found in
   * the graph when the model loads, the input of the last Gemm/MatMul before the logits.
   */
  embeddingOutput?: string;
}

/** A registry entry: a {@link ModelSpec} plus what the models script needs to fetch it. */
export interface RegistryEntry extends ModelSpec {
  /** Registry name, e.g. `'resnet50'`. */
  readonly name: string;
  /** One line for docs and the demo's model picker. */
  readonly description: string;
  /** Size of the model file in bytes, when known (for progress before the server says). */
  readonly bytes?: number;
  /** Public download URL of the model file, when it has one (the ONNX Model Zoo). */
  readonly source?: string;
  /** Number of classes the model outputs. */
  readonly classes: number;
  /** ImageNet top-1 accuracy (%) as the model's source publishes it (single 224 centre crop). */
  readonly top1?: number;
  /** Written by the models command itself (deterministic, checked against `sha256`), not downloaded. */
  readonly generated?: boolean;
  readonly precisions?: Readonly<Partial<Record<CompactPrecision, Readonly<CompactFileSpec>>>>;
}
