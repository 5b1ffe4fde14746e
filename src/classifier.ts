/**
 * createClassifier(): loads labels + model, opens the session, and ties the steps together:
 * image → pixels → tensor → session → logits → predictions. Runs are queued (one at a time
 * per session); `dispose()` lets the running call finish and rejects the rest.
 */
import { loadLabels, type LoadProgress } from './cache.ts';
import type { Precision } from './compact-file.ts';
import { checkTopK, compileControls, needsWordnet, type ClassInfo, type ResultControls, type ResultFor } from './controls.ts';
import { loadWordnet, wordnetLoaded } from './wordnet.ts';
import { ClassifierError } from './errors.ts';
import { gpuSourcePixels, isTaintError, pixelsInOrder, taintedImage, toGpuSource, type GpuImageSource, type ImageInput } from './image.ts';
import { MODELS, resolveModel, type ModelSpec } from './models.ts';
import { preprocess, tablesFor } from './preprocess.ts';
import { labelsFromMetadata } from './labels.ts';
import { metadataProps } from './graph.ts';
import { GpuPreprocessor } from './preprocess-gpu.ts';
import type { Backend, BackendRequest } from './backend.ts';
import { openSession, reportFallback, type ModelSession, type RunOutput } from './session.ts';
import { prepareEmbedding, toEmbedding, type EmbedOptions } from './embedding.ts';
import { checkPrecision, loadModelFile, type PrecisionRequest } from './precision.ts';
import { watchVideo, type Watch, type WatchEnd, type Watchers, type WatchOptions, type WatchResult } from './watch.ts';

export { checkTopK };

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
   * (see README, "Smaller downloads"). `'auto'`: the smallest file there is among those measured
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
 * Per-call options of `classify`/`classifyBatch`: the result controls (`topK`, `scoreThreshold`,
 * `allow`, `deny`, `groups`) and a signal.
 */
export interface ClassifyOptions extends ResultControls {
  /**
   * Cancels the call: it rejects with `ABORTED` at once when the signal fires while it is decoding
   * or waiting behind other calls. A model run already started is not interrupted.
   */
  signal?: AbortSignal;
}

/** Where the time of one `classify`/`classifyBatch` call went, in milliseconds. */
export interface StageTimings {
  /** Decoding the image(s) to pixels (CPU path) or to GPU-uploadable bitmaps (WebGPU path). */
  decode: number;
  /** Resize + crop + normalize (on the GPU: recording and submitting the compute passes). */
  preprocess: number;
  /** Waiting for the session and running it, until the logits are back. */
  inference: number;
  total: number;
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
  /** Stage timings of the most recently finished call, or `null` before the first. */
  readonly lastTimings: Readonly<StageTimings> | null;
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
  logits(image: ImageInput, options?: Pick<ClassifyOptions, 'signal'>): Promise<Float32Array>;
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
  analyze<O extends ClassifyOptions & EmbedOptions = ClassifyOptions & EmbedOptions>(
    image: ImageInput,
    options?: O,
  ): Promise<{ predictions: ResultFor<O>[]; embedding: Float32Array }>;
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
  /** Releases the session and ends every `watch`. Later calls reject with `DISPOSED`. */
  dispose(): Promise<void>;
}

function classInfo(c: Pick<Classifier, 'labels' | 'model'>): ClassInfo {
  return { labels: c.labels, synsets: c.model.synsets, name: (c.model as { name?: string }).name ?? 'this model' };
}

/** The result controls checked against a classifier's classes: logits → predictions (WordNet loaded when needed). */
export async function decoderFor(c: Pick<Classifier, 'labels' | 'model'>, controls: ResultControls, defaultTopK: number) {
  const info = classInfo(c);
  if (needsWordnet(controls, info)) await loadWordnet();
  return compileControls(controls, info, defaultTopK);
}

/**
 * For `watch`: checks the controls now, throwing; where the WordNet table is needed and not yet
 * loaded, checks the rest now and returns a promise of the whole check.
 */
export function checkControls(c: Pick<Classifier, 'labels' | 'model'>, controls: ResultControls): void | Promise<unknown> {
  const info = classInfo(c);
  if (needsWordnet(controls, info) && !wordnetLoaded()) {
    compileControls({ topK: controls.topK, scoreThreshold: controls.scoreThreshold }, info, 1);
    return decoderFor(c, controls, 1);
  }
  compileControls(controls, info, 1);
}

/** Default options, in one place. */
export const DEFAULTS = {
  model: 'resnet50',
  modelBaseUrl: '/models/',
  backend: 'auto',
  topK: 5,
  cache: true,
} as const;

export function aborted(signal?: AbortSignal): ClassifierError {
  return new ClassifierError('ABORTED', 'the call was aborted', { cause: signal?.reason });
}

/**
 * `work`, or `ABORTED` as soon as `signal` fires (the work itself cannot be interrupted: what it
 * yields after the abort goes to `late`, e.g. to release it).
 */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, late?: (value: T) => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work
      .then((value) => (signal.aborted ? late?.(value) : resolve(value)), reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Loads a model in this thread and returns a {@link Classifier} (see `createClassifier` for the worker choice). */
export async function createLocalClassifier(options: ClassifierOptions = {}): Promise<Classifier> {
  const backendRequest = options.backend ?? DEFAULTS.backend;
  if (!['auto', 'webgpu', 'wasm'].includes(backendRequest)) {
    throw new RangeError(`backend must be 'auto', 'webgpu' or 'wasm', got ${String(backendRequest)}`);
  }
  const defaultTopK = checkTopK(options.topK ?? DEFAULTS.topK);
  const { runtimeTimeout } = options;
  if (runtimeTimeout !== undefined && !(typeof runtimeTimeout === 'number' && runtimeTimeout >= 0 && runtimeTimeout !== Infinity)) {
    throw new RangeError(`runtimeTimeout must be a number of milliseconds ≥ 0 (0: no limit), got ${String(runtimeTimeout)}`);
  }
  const spec = resolveModel(options.model ?? DEFAULTS.model, options.modelBaseUrl ?? DEFAULTS.modelBaseUrl);
  const precisionRequest = options.precision === undefined ? (spec.precision ?? 'fp32') : checkPrecision(options.precision);
  const entry = typeof options.model === 'object' ? undefined : MODELS[options.model ?? DEFAULTS.model];
  const signal = options.signal;
  if (signal?.aborted) throw aborted(signal);

  const fileOptions = {
    name: entry?.name ?? spec.url,
    bytes: entry?.bytes,
    cache: options.cache ?? DEFAULTS.cache,
  };
  const [given, { file, bytes }] = await Promise.all([
    typeof spec.labels === 'string' ? loadLabels(spec.labels, signal) : Promise.resolve(spec.labels ?? null),
    loadModelFile(spec, precisionRequest, { ...fileOptions, onProgress: options.onProgress, signal }),
  ]);
  const labels = given ?? modelLabels(bytes, spec.url);
  if (entry && labels.length !== entry.classes) {
    throw new ClassifierError(
      'MODEL_LOAD_FAILED',
      `the labels at ${String(spec.labels)} list ${labels.length} classes; ${entry.name} has ${entry.classes}`,
    );
  }
  if (signal?.aborted) throw aborted(signal);
  const sessionOptions = {
    backend: backendRequest,
    inputName: spec.inputName,
    outputName: spec.outputName,
    inputSize: spec.inputSize,
    layout: spec.layout,
    classes: labels.length,
    numThreads: options.numThreads,
    wasmPaths: options.wasmPaths,
    warmUp: options.warmUp,
    runtimeTimeout,
    foldDequantize: file.compact && file.precision === 'int8',
  };
  // Creating the session (starting onnxruntime-web, compiling shaders) can take seconds: an abort
  // rejects at once, and the session, when it comes, is released.
  // The pooled features become a second output of the graph (see graph.ts and embedding.ts).
  const prepared = prepareEmbedding(bytes, spec);
  const session = await abortable(
    openSession(prepared.bytes, { ...sessionOptions, embeddingOutput: prepared.output }),
    signal,
    (s) => void s.release(),
  );
  // After a WebGPU device loss: the same model on WASM (the bytes come from the cache, if kept).
  const reopenOnWasm = async () => {
    const again = prepareEmbedding((await loadModelFile(spec, file.precision, fileOptions)).bytes, spec);
    return openSession(again.bytes, { ...sessionOptions, backend: 'wasm', embeddingOutput: again.output });
  };
  return new OnnxClassifier(spec, file.precision, Object.freeze([...labels]), session, defaultTopK, reopenOnWasm, prepared.missing);
}

/** The labels stored in the model file (`metadata_props`), or `MODEL_LOAD_FAILED` saying where to give them. */
function modelLabels(bytes: Uint8Array, url: string): string[] {
  let props: Record<string, string>;
  try {
    props = metadataProps(bytes);
  } catch {
    props = {}; // not parseable here: the runtime says what is wrong with the file
  }
  const labels = labelsFromMetadata(props, `the model at ${url}`);
  if (labels) return labels;
  throw new ClassifierError(
    'MODEL_LOAD_FAILED',
    `no labels for the model at ${url}: give ModelSpec.labels (an array of names or the URL of a JSON file), ` +
      `or store them in the model's metadata_props as "id2label" (JSON: {"0": "name", …}) or "labels" (a JSON array)`,
  );
}

/** `classifier.watch` of both classifiers (in this thread and in a worker): frames through `c.classify`. */
export function startWatch<O extends WatchOptions>(
  c: Classifier,
  watchers: Watchers,
  video: HTMLVideoElement,
  onResult: (result: WatchResult<ResultFor<O>>) => void,
  options?: O,
): Watch {
  return watchVideo(
    video,
    onResult,
    options ?? {},
    (v, o) => c.classify(v, o) as Promise<ResultFor<O>[]>,
    (controls) => checkControls(c, controls),
    watchers,
  );
}

/** `dispose()`: every watch of the classifier ends, with no further callback. */
export function endWatches(watchers: Watchers): void {
  for (const end of [...watchers]) end('disposed' satisfies WatchEnd);
}

/** One run's outputs, split per image. */
interface PerImage {
  logits: Float32Array[];
  features: Float32Array[] | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class OnnxClassifier implements Classifier {
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly tables: Float32Array[];
  /** WebGPU backend: preprocessing on the session's device, into `gpuInput`. */
  private gpu: GpuPreprocessor | null;
  private gpuInput: { buffer: GPUBuffer; n: number } | null = null;
  /** Set when the session's WebGPU device is lost: the next call moves to WASM. */
  private lost: string | null = null;
  private recovering: Promise<void> | null = null;
  private readonly watchers: Watchers = new Set();
  fallbackReason: string | null;
  lastTimings: StageTimings | null = null;

  constructor(
    readonly model: Readonly<ModelSpec>,
    readonly precision: Precision,
    readonly labels: readonly string[],
    private session: ModelSession,
    private readonly topK: number,
    private readonly reopenOnWasm: () => Promise<ModelSession>,
    /** Why the model has no embedding (`null` when it has one). */
    private readonly noEmbedding: string | null,
  ) {
    this.tables = tablesFor(model);
    this.gpu = session.device ? new GpuPreprocessor(session.device, model) : null;
    this.fallbackReason = session.fallbackReason;
    Object.freeze(model);
    session.device?.lost.then((info) => {
      if (this.session === session && !this.disposed) {
        this.lost = `the WebGPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`;
      }
    });
  }

  get backend(): Backend {
    return this.session.backend;
  }

  get threads(): number {
    return this.session.threads;
  }

  get canEmbed(): boolean {
    return this.noEmbedding === null;
  }

  async classify<O extends ClassifyOptions = ClassifyOptions>(image: ImageInput, options?: O): Promise<ResultFor<O>[]> {
    const decode = await decoderFor(this, options ?? {}, this.topK);
    const { logits } = await this.run([image], options?.signal);
    return decode(logits[0]) as ResultFor<O>[];
  }

  async embed(image: ImageInput, options: EmbedOptions = {}): Promise<Float32Array> {
    return (await this.analyze(image, { ...options, topK: 1 })).embedding;
  }

  async analyze<O extends ClassifyOptions & EmbedOptions = ClassifyOptions & EmbedOptions>(
    image: ImageInput,
    options?: O,
  ): Promise<{ predictions: ResultFor<O>[]; embedding: Float32Array }> {
    const decode = await decoderFor(this, options ?? {}, this.topK);
    this.checkUsable(options?.signal);
    if (this.noEmbedding) throw new ClassifierError('MODEL_LOAD_FAILED', this.noEmbedding);
    const { logits, features } = await this.run([image], options?.signal, true);
    return { predictions: decode(logits[0]) as ResultFor<O>[], embedding: toEmbedding(features![0], options) };
  }

  async classifyBatch<O extends ClassifyOptions = ClassifyOptions>(images: ImageInput[], options?: O): Promise<ResultFor<O>[][]> {
    if (!Array.isArray(images)) throw new TypeError('classifyBatch(images): images must be an array');
    const decode = await decoderFor(this, options ?? {}, this.topK);
    if (images.length === 0) return [];
    const { logits } = await this.run(images, options?.signal);
    return logits.map((l) => decode(l) as ResultFor<O>[]);
  }

  watch<O extends WatchOptions = WatchOptions>(video: HTMLVideoElement, onResult: (result: WatchResult<ResultFor<O>>) => void, options?: O): Watch {
    this.checkUsable();
    return startWatch(this, this.watchers, video, onResult, options);
  }

  async logits(image: ImageInput, options: Pick<ClassifyOptions, 'signal'> = {}): Promise<Float32Array> {
    const { logits } = await this.run([image], options.signal);
    return logits[0];
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    endWatches(this.watchers);
    await this.queue.catch(() => undefined);
    await this.recovering?.catch(() => undefined);
    await this.session.release();
    this.gpuInput?.buffer.destroy();
    this.gpu?.dispose();
  }

  private checkUsable(signal?: AbortSignal): void {
    if (this.disposed) throw new ClassifierError('DISPOSED', 'this classifier was disposed');
    if (signal?.aborted) throw aborted(signal);
  }

  /**
   * Runs `work` after every earlier run (one session runs one batch at a time); skipped when the
   * classifier was disposed or the call aborted by the time its turn comes.
   */
  private enqueue<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const job = this.queue.then(() => {
      this.checkUsable(signal);
      return work();
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  /**
   * `images` → one batch → logits per image (and with `features`, pooled features per image); an
   * abort rejects at once (the work then stops at its next step).
   */
  private run(images: ImageInput[], signal?: AbortSignal, features = false): Promise<PerImage> {
    this.checkUsable(signal);
    return abortable(this.runRecovering(images, signal, features), signal);
  }

  /**
   * When the WebGPU device is lost (before or during the call), the model is reopened on WASM
   * and the call runs again there.
   */
  private async runRecovering(images: ImageInput[], signal: AbortSignal | undefined, features: boolean): Promise<PerImage> {
    if (this.lost) await this.recover();
    try {
      return await this.runOnce(images, signal, features);
    } catch (e) {
      // The caller's errors (a bad image, abort, dispose) are not the device's.
      if ((e instanceof ClassifierError && e.code !== 'INFERENCE_FAILED') || !(await this.deviceLost())) throw e;
      await this.recover();
      this.checkUsable(signal);
      return this.runOnce(images, signal, features);
    }
  }

  /** After a failed run on WebGPU: was the device lost? (Its `lost` promise may settle just after.) */
  private async deviceLost(): Promise<boolean> {
    const device = this.session.device;
    if (this.lost || this.recovering) return true;
    if (!device) return false;
    await Promise.race([device.lost, sleep(100)]);
    return this.lost !== null;
  }

  /** Reopens the model on WASM after a device loss (once, however many calls notice it). */
  private recover(): Promise<void> {
    this.recovering ??= (async () => {
      const reason = this.lost ?? 'the WebGPU device was lost';
      const old = this.session;
      this.gpu?.dispose();
      this.gpu = null;
      this.gpuInput = null; // its buffer went with the device
      await old.release().catch(() => undefined);
      this.session = await this.reopenOnWasm();
      this.lost = null;
      this.fallbackReason = reason;
      reportFallback(reason);
    })().finally(() => {
      this.recovering = null;
    });
    return this.recovering;
  }

  private async runOnce(images: ImageInput[], signal: AbortSignal | undefined, features: boolean): Promise<PerImage> {
    const t: StageTimings = { decode: 0, preprocess: 0, inference: 0, total: 0 };
    const t0 = performance.now();
    const out = this.gpu ? await this.runOnGpu(this.gpu, images, t, signal, features) : await this.runOnCpu(images, t, signal, features);
    t.total = performance.now() - t0;
    this.lastTimings = t;
    const split = (data: Float32Array) => {
      const size = data.length / images.length;
      return images.map((_, i) => data.slice(i * size, (i + 1) * size));
    };
    return { logits: split(out.logits), features: out.features ? split(out.features) : null };
  }

  /** CPU preprocessing into one NCHW tensor, then the session. */
  private async runOnCpu(images: ImageInput[], t: StageTimings, signal: AbortSignal | undefined, features: boolean): Promise<RunOutput> {
    const size = 3 * this.model.inputSize ** 2;
    const input = new Float32Array(images.length * size);
    // Decoding runs a few images ahead of preprocessing (off the main thread), and only those
    // few images' pixels are held at once.
    let i = 0;
    let mark = performance.now();
    for await (const pixels of pixelsInOrder(images, signal, this.model)) {
      const decoded = performance.now();
      t.decode += decoded - mark;
      try {
        preprocess(pixels, this.model, input, i++ * size, this.tables);
      } finally {
        pixels.release?.();
      }
      mark = performance.now();
      t.preprocess += mark - decoded;
      this.checkUsable(signal);
    }
    const out = await this.enqueue(signal, () => this.session.run(input, images.length, features));
    t.inference = performance.now() - mark;
    return out;
  }

  /**
   * Images to GPU textures, preprocessing as compute passes writing the session's input buffer,
   * the session on that buffer; only the logits come back. An image larger than a texture can
   * hold is preprocessed on the CPU and uploaded instead.
   */
  private async runOnGpu(gpu: GpuPreprocessor, images: ImageInput[], t: StageTimings, signal: AbortSignal | undefined, features: boolean): Promise<RunOutput> {
    const sources: (GpuImageSource & { release(): void })[] = [];
    const uploads = new Map<number, Float32Array<ArrayBuffer>>();
    const t0 = performance.now();
    try {
      for (const [i, image] of images.entries()) {
        const source = await toGpuSource(image, signal);
        sources.push(source);
        if (Math.max(source.width, source.height) > gpu.maxSide) {
          const pixels = await gpuSourcePixels(source, this.model);
          try {
            uploads.set(i, preprocess(pixels, this.model, undefined, 0, this.tables) as Float32Array<ArrayBuffer>);
          } finally {
            pixels.release?.();
          }
        }
        this.checkUsable(signal);
      }
      t.decode = performance.now() - t0;
      return await this.enqueue(signal, async () => {
        const t1 = performance.now();
        const buffer = this.inputBuffer(gpu, images.length);
        for (const [i, source] of sources.entries()) {
          const tensor = uploads.get(i);
          if (tensor) gpu.device.queue.writeBuffer(buffer, i * gpu.imageBytes, tensor);
          else {
            await gpu.encode(source, buffer, i).catch((e: unknown) => {
              throw isTaintError(e) ? taintedImage(e) : e;
            });
          }
        }
        const t2 = performance.now();
        t.preprocess = t2 - t1;
        const out = await this.session.runGpu(buffer, images.length, features);
        t.inference = performance.now() - t2;
        return out;
      });
    } finally {
      for (const s of sources) s.release();
    }
  }

  /** The session's input buffer for a batch of `n` (kept for the next run of the same size). */
  private inputBuffer(gpu: GpuPreprocessor, n: number): GPUBuffer {
    if (this.gpuInput?.n !== n) {
      this.gpuInput?.buffer.destroy();
      const buffer = gpu.device.createBuffer({
        size: n * gpu.imageBytes,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      this.gpuInput = { buffer, n };
    }
    return this.gpuInput.buffer;
  }
}
