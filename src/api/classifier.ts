/** The contract: a loaded model ready to classify, and where a call's time went. */
import type { ImageInput } from '../input/decode.ts';
import type { CacheState } from '../model/cache.ts';
import type { ModelSpec, Precision } from '../model/spec.ts';
import type { ResultFor } from '../output/controls.ts';
import type { Prediction } from '../output/decode.ts';
import type { Backend } from '../runtime/backend.ts';
import type { LearnedClassifier, LearnExamples, LearnOptions } from './learned.ts';
import type { ClassifyOptions, EmbedOptions, LogitsOptions } from './options.ts';
import type { Watch, WatchOptions, WatchResult } from './watch.ts';

/** Where the time of one `classify`/`classifyBatch` call went, in milliseconds. */
export interface StageTimings {
  /** Decoding the image(s) to pixels (CPU path) or to GPU-uploadable bitmaps (WebGPU path). */
  decode: number;
  /** Resize + crop + normalize (on the GPU: recording and submitting the compute passes). */
  preprocess: number;
  /** Waiting for the session and running it, until the logits are back. */
  inference: number;
  /** The whole call, from its start until the predictions were ready. */
  total: number;
}

/**
 * Where the time of loading a classifier went, in milliseconds (`Classifier.loadTimings`). The
 * runtime starts while the model file is read, so stages overlap and do not add up to `total`.
 *
 * Each stage is also left as a User Timing measure, `resnet-web: <stage>`, on the timeline of the
 * thread that ran it, beside the whole load (`resnet-web: load`). The browser's performance panel
 * then shows the stages side by side with the page's own work. On the default path the stages
 * are in the worker's timeline, and the page's timeline has `resnet-web: load (worker)`.
 * `performance.getEntriesByType('measure')` reads them on the page's thread (`worker: false`).
 */
export interface LoadTimings {
  /** `createClassifier`'s call → the classifier ready. */
  total: number;
  /** Worker path: starting the worker, loading its script and the messages to and fro (`total` less the worker's own load); 0 on the page's thread. */
  worker: number;
  /** Fetching the labels file (0 when the labels come with the spec or the model). */
  labels: number;
  /** Reading the model file: from the model cache, or downloading it (`source` says which). */
  modelRead: number;
  /** Checking the model bytes: their sha256 after a download; for a cached copy, the check made when it was stored was kept, and only its size and a sample are checked again. */
  modelCheck: number;
  /** Finding the embedding (pooled features) in the graph and adding it as an output. */
  graph: number;
  /** Importing onnxruntime-web's JavaScript. */
  runtimeImport: number;
  /** Starting the runtime: compiling its WebAssembly and starting its threads (for WebGPU: its device), on a tiny probe model. */
  runtimeStart: number;
  /**
   * WASM: growing the runtime's memory for the model while its file is read (a generated model's
   * one run allocates twice the file's size), so that creating the session does not. 0 when the
   * file's size is not known beforehand, or on WebGPU.
   */
  runtimeMemory: number;
  /** Creating the inference session on the model (parsing, graph optimizations, weights into the runtime's memory). */
  session: number;
  /** The warm-up run on zeros (0 when none ran: WASM runs none unless `warmUp` is set). */
  warmUp: number;
  /**
   * Storing a downloaded model in the model cache (Cache Storage), from the end of the download
   * until the write settled; it runs beside the session's creation. 0 when nothing was written.
   */
  cacheWrite: number;
  /** Where the model bytes came from: the model cache (Cache Storage) or the network. */
  source: 'cache' | 'network';
}

/** What `analyze` gives: an image's predictions and its embedding, from one model run. */
export interface Analysis<P extends Prediction = Prediction> {
  /** As `classify` gives them (`GroupPrediction`s with `groups`). */
  predictions: P[];
  /** The image's embedding, as `embed` gives it. */
  embedding: Float32Array;
}

/** A loaded model, ready to classify. */
export interface Classifier {
  /**
   * The backend that actually runs. It can change from `'webgpu'` to `'wasm'` once: when the
   * WebGPU device is lost, the next call reopens the model on WASM (see `fallbackReason`).
   */
  readonly backend: Backend;
  /**
   * Why this classifier runs on WASM although WebGPU was asked for (`'auto'`: no adapter, or the
   * WebGPU session failed; any backend: the WebGPU device was lost). `null` when it runs on the
   * backend it was given.
   */
  readonly fallbackReason: string | null;
  /** The resolved model spec (absolute URLs). */
  readonly model: Readonly<ModelSpec>;
  /** The precision of the model file that was loaded (`'auto'` resolved). */
  readonly precision: Precision;
  /** WASM threads in use: every core on a cross-origin isolated page (COOP/COEP), else 1. */
  readonly threads: number;
  /**
   * On WASM, why it runs on fewer threads than the device has cores: the page is not cross-origin
   * isolated (the message names the two headers that fix it), or the browser has no
   * SharedArrayBuffer. `null` when it uses every core, when `numThreads` asked for no more, or on
   * WebGPU. The same reason is said once on the console, as a warning.
   */
  readonly threadsReason: string | null;
  /** Stage timings of the most recently finished call, or `null` before the first. */
  readonly lastTimings: Readonly<StageTimings> | null;
  /** Where the time of loading this classifier went (stages, source of the model bytes). */
  readonly loadTimings: Readonly<LoadTimings>;
  /**
   * What became of the model file in the model cache (Cache Storage): `'hit'` read from it,
   * `'stored'` downloaded and kept for the next visit, `'not-stored'` downloaded but the browser
   * did not keep it (a full quota, private browsing, storage turned off: `cacheReason` says which,
   * and the next visit downloads it again), `'off'` not cached (`cache: false`, or a custom model
   * without a sha256). A `'not-stored'` is also said once on the console, as a warning.
   */
  readonly cacheState: CacheState;
  /** Why the model is not in the cache (`cacheState` `'not-stored'` or `'off'`); `null` for `'hit'` and `'stored'`. */
  readonly cacheReason: string | null;
  /** Class names, in output order. */
  readonly labels: readonly string[];
  /**
   * Top-k classes of one image, most likely first (with `groups`: top-k groups, as
   * `GroupPrediction`s). Bad options throw `RangeError`/`TypeError` before anything runs.
   */
  classify<O extends ClassifyOptions = ClassifyOptions>(image: ImageInput, options?: O): Promise<ResultFor<O>[]>;
  /** Top-k classes of each image, run as one batch. */
  classifyBatch<O extends ClassifyOptions = ClassifyOptions>(images: ImageInput[], options?: O): Promise<ResultFor<O>[][]>;
  /** Raw model output (before softmax) of one image. */
  logits(image: ImageInput, options?: LogitsOptions): Promise<Float32Array>;
  /**
   * Whether the model has an embedding: the pooled features that feed its classifier head, found
   * in the graph when it loads (or named by `ModelSpec.embeddingOutput`).
   */
  readonly canEmbed: boolean;
  /**
   * The image's embedding: the model's pooled features (2048 values for ResNet-50, 64 for the CIFAR
   * ResNets, 1280 for MobileNetV2), L2-normalized unless `normalize: false`. Compare embeddings with
   * `cosineSimilarity`, `nearest`, `findDuplicates`. A model without one (`canEmbed` false)
   * rejects with `MODEL_LOAD_FAILED` saying so; `classify` is unaffected.
   */
  embed(image: ImageInput, options?: EmbedOptions): Promise<Float32Array>;
  /** Predictions and embedding of one image from one model run. */
  analyze<O extends ClassifyOptions & EmbedOptions = ClassifyOptions & EmbedOptions>(image: ImageInput, options?: O): Promise<Analysis<ResultFor<O>>>;
  /**
   * Classifies a video's frames as they are presented (a camera, a file, a `canvas.captureStream()`),
   * one run at a time: frames that come during a run are dropped, not queued. `onResult` gets each
   * frame's predictions with fps and dropped frames. Ends on `stop()`, on `options.signal`, on
   * `dispose()` and when the video ends; a paused video costs nothing. Throws `DISPOSED` after
   * `dispose()`, `TypeError`/`RangeError` for bad arguments.
   */
  watch<O extends WatchOptions = WatchOptions>(
    video: HTMLVideoElement,
    onResult: (result: WatchResult<ResultFor<O>>) => void,
    options?: O,
  ): Watch;
  /**
   * Learns your own labels from a few example photos each (`{ cat: [a, b], dog: [c, d] }`): embeds
   * them (`onProgress` after each) and trains a small head on the embeddings, on the device. The
   * `LearnedClassifier` runs on this classifier (its worker or page thread, its backend). At least
   * two labels with one photo each (`RangeError` otherwise); a photo that cannot be read rejects
   * with `INVALID_IMAGE` naming its label and position; a model without an embedding with
   * `MODEL_LOAD_FAILED`.
   */
  learn(examples: LearnExamples, options?: LearnOptions): Promise<LearnedClassifier>;
  /**
   * Restores a learned classifier from its `toJSON()` (the object or its text), giving the same
   * answers. `INVALID_LEARNED` for anything else; `LEARNED_MISMATCH` for JSON learned on another
   * model (both named).
   */
  loadLearned(saved: object | string): Promise<LearnedClassifier>;
  /**
   * Releases the session and ends every `watch`. Later calls reject with `DISPOSED`. In a worker
   * (the default) it ends the worker, and with it the runtime and all its memory; the browser
   * takes a few seconds to give that memory back (docs/measured/memory.md). On the page's thread
   * (`worker: false`) the runtime stays, with its WebAssembly memory, for the next classifier.
   */
  dispose(): Promise<void>;
}
