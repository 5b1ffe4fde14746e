/**
 * The contract: what `createClassifier` takes (its options, every default in one place) and what
 * each classify-like call takes. Types and defaults only.
 */
import type { LoadProgress } from '../model/cache.ts';
import type { PrecisionRequest } from '../model/precision.ts';
import type { ModelSpec } from '../model/spec.ts';
import type { ViewOptions } from '../preprocess/view.ts';
import type { ResultControls } from '../output/controls.ts';
import type { BackendRequest } from '../runtime/backend.ts';

/** Options of {@link createClassifier}. Every default is listed here. */
export interface ClassifierOptions {
  /**
   * A registry name (`'resnet50'`, `'resnet56-cifar10'`, … see `MODELS`) or a full spec.
   * @default 'resnet50'
   */
  model?: string | ModelSpec;
  /**
   * Which of the model's files to load: `'fp32'` (the original), `'fp16'` (half the download)
   * or `'int8'` (a quarter), made by `resnet-web models --precision fp16,int8`. The weights
   * become float32 when the model loads, so every precision runs at fp32 speed on every backend
   * (see docs/guides/smaller-downloads.md). `'auto'`: the smallest file there is among those measured
   * within the accuracy bounds (int8, then fp16, then fp32), first in the model cache (no request
   * offline), then on the server, where a missing file or a failed download is skipped (the
   * browser logs its 404); a damaged file rejects. A precision whose file is not there rejects with
   * `MODEL_LOAD_FAILED`, listing the files that are. `classifier.precision` says what runs.
   * @default the model's own file: `'fp32'` for the ResNets (the zoo's QDQ models are `'int8'`)
   */
  precision?: PrecisionRequest;
  /**
   * Where model and label files are served; relative URLs in the spec resolve against it.
   * @default '/models/'
   */
  modelBaseUrl?: string;
  /**
   * `'auto'`: WebGPU when `navigator.gpu` gives an adapter, else WASM. `'webgpu'` rejects with
   * `BACKEND_UNAVAILABLE` where there is none.
   * @default 'auto'
   */
  backend?: BackendRequest;
  /**
   * How many classes `classify` returns.
   * @default 5
   */
  topK?: number;
  /** Called as the model file downloads. */
  onProgress?: (p: LoadProgress) => void;
  /**
   * Keep model bytes in Cache Storage (keyed by URL + sha256) and use them next time.
   * @default true
   */
  cache?: boolean;
  /**
   * Ask the browser to keep this origin's storage, the cached model with it, when space runs low
   * (`navigator.storage.persist()`, from the page, without waiting for the answer: Firefox asks the
   * user). Without it a browser may evict the model, and the next visit downloads it again.
   * @default false
   */
  persist?: boolean;
  /**
   * WASM threads. Threads need a cross-origin isolated page (COOP/COEP headers).
   * @default navigator.hardwareConcurrency when cross-origin isolated, else 1
   */
  numThreads?: number;
  /** Base URL of onnxruntime-web's `.wasm`/`.mjs` files when they are not next to its bundle. */
  wasmPaths?: string;
  /**
   * Run the model once on zeros while loading, so the first `classify` is not the slow one.
   * @default true on WebGPU (shader compilation), false on WASM
   */
  warmUp?: boolean;
  /**
   * How long onnxruntime-web may take to start (compile its WebAssembly, start its thread workers,
   * open the WebGPU device) once its `.wasm` file has downloaded, in milliseconds; past it,
   * loading rejects with `BACKEND_UNAVAILABLE` instead of waiting for ever. The download itself
   * is not timed. A start-up that hangs means the runtime's thread workers could not load it,
   * usually because a bundler put onnxruntime-web into a chunk with other code. `0`: no limit.
   * @default 30000
   */
  runtimeTimeout?: number;
  /** Cancels loading. */
  signal?: AbortSignal;
  /**
   * Run decoding, preprocessing and the model in a dedicated Web Worker, so that the page stays
   * responsive while the model loads and runs. Images cross as Blobs or transferred bitmaps.
   * @default true where module workers and OffscreenCanvas exist (every current browser)
   */
  worker?: boolean;
}

/**
 * Per-call options of `classify`/`classifyBatch` (and `analyze`, `logits`, `watch`): the result
 * controls (`topK`, `scoreThreshold`, `allow`, `deny`, `groups`), the view (`region`, `rotation`)
 * and a signal.
 */
export interface ClassifyOptions extends ResultControls, ViewOptions {
  /**
   * Cancels the call: it rejects with `ABORTED` at once when the signal fires while it is decoding
   * or waiting behind other calls. A model run already started is not interrupted.
   */
  signal?: AbortSignal;
}

/** Options of `logits`: the view (`region`, `rotation`) and a signal. */
export type LogitsOptions = Pick<ClassifyOptions, 'signal' | 'region' | 'rotation'>;

/** Options of `embed` / `analyze` (with `region`/`rotation`, as for `classify`). */
export interface EmbedOptions extends ViewOptions {
  /**
   * Scale the embedding to unit length (L2), so that a dot product is the cosine similarity.
   * @default true
   */
  normalize?: boolean;
  /** Cancels the call (as for `classify`). */
  signal?: AbortSignal;
}

/** Default options, in one place. */
export const DEFAULTS = {
  /** {@link ClassifierOptions.model}: ResNet-50 v1 (ImageNet). */
  model: 'resnet50',
  /** {@link ClassifierOptions.modelBaseUrl}: model and label files are served from `/models/`. */
  modelBaseUrl: '/models/',
  /** {@link ClassifierOptions.backend}: WebGPU when there is an adapter, else WASM. */
  backend: 'auto',
  /** {@link ClassifierOptions.topK}: five classes a result. */
  topK: 5,
  /** {@link ClassifierOptions.cache}: model bytes kept in Cache Storage. */
  cache: true,
} as const;
