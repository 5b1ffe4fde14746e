/**
 * `worker: true`: a Classifier whose decoding, preprocessing and session live in a dedicated
 * Worker (worker.ts). Images cross as Blobs (by reference) or transferred ImageBitmaps; the
 * page's main thread only posts messages, so it stays responsive while a model loads and runs.
 */
import type { Analysis, Classifier, LoadTimings, StageTimings } from '../api/classifier.ts';
import { DEFAULTS, type ClassifierOptions, type ClassifyOptions, type EmbedOptions, type LogitsOptions } from '../api/options.ts';
import { learn, loadLearned, type LearnedClassifier, type LearnExamples, type LearnOptions } from '../api/learned.ts';
import { endWatches, startWatch, type Watch, type Watchers, type WatchOptions, type WatchResult } from '../api/watch.ts';
import { aborted } from '../common/abort.ts';
import { cspCause, leadWith, viteDepsCause } from '../common/causes.ts';
import { measure } from '../common/clock.ts';
import { failedDownloads } from '../common/downloads.ts';
import { ClassifierError, type ClassifierErrorCode } from '../common/errors.ts';
import { isSvg, isSvgUrl, isTaintError, taintedImage, toBitmap, type ImageInput } from '../input/decode.ts';
import type { CacheState } from '../model/cache.ts';
import type { ModelSpec, Precision } from '../model/spec.ts';
import { decoderFor, type ResultControls, type ResultFor } from '../output/controls.ts';
import { checkView } from '../preprocess/view.ts';
import type { Backend } from '../runtime/backend.ts';
import type { FromWorker, RunOp, RuntimeState, ToWorker, WireError, WireImage } from './protocol.ts';
import { startWorker, workerScriptUrl } from './start.ts';

/** True where a dedicated module worker can run the classifier (a page with Worker and OffscreenCanvas). */
export function workerSupported(): boolean {
  return typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined' && typeof document !== 'undefined';
}

function fromWire(e: WireError): Error {
  if (e.code) return new ClassifierError(e.code as ClassifierErrorCode, e.message);
  const Ctor = ({ TypeError, RangeError } as Record<string, ErrorConstructor>)[e.name] ?? Error;
  return new Ctor(e.message);
}

const abs = (url: string) => new URL(url, location.href).href;

/**
 * An image as it crosses: the worker decodes Blobs and URLs itself; elements become bitmaps here,
 * and so does SVG (only a page's <img> can render it).
 */
async function toWire(image: ImageInput, signal?: AbortSignal): Promise<WireImage> {
  if (typeof image === 'string') return isSvgUrl(image) ? toBitmap(image, signal) : abs(image);
  if (image instanceof Blob) return (await isSvg(image)) ? toBitmap(image, signal) : image;
  if (image instanceof ImageData) return image;
  const bitmap = await toBitmap(image, signal); // validates, waits for an <img>, INVALID_IMAGE
  return bitmap === image ? createImageBitmap(bitmap) : bitmap; // never transfer the caller's own bitmap
}

const WORKER_HINT =
  'With esbuild (or another bundler that does not handle new Worker(new URL(…))), add resnet-web/worker as an entry ' +
  'point named worker.js beside your bundle; with dist/, keep resnet-web.worker.js beside resnet-web.js; or pass worker: false.';

/** The worker's script did not load: the cause when one is detected (CSP, Vite's dependency cache), which URL (where known), and how to fix it. */
function workerLoadFailed(since: number): string {
  const known = workerScriptUrl();
  const failed = failedDownloads(since);
  const what = failed.length ? ` (${failed.join(', ')})` : known ? ` (expected at ${known})` : '';
  const message = `the classifier worker could not start: its script${what} did not load as a JavaScript module. ${WORKER_HINT}`;
  return leadWith(message, cspCause('', since), viteDepsCause([known, ...failed]));
}

export async function createWorkerClassifier(options: ClassifierOptions): Promise<Classifier> {
  const { onProgress, signal, worker: _worker, ...rest } = options;
  // Relative URLs are the page's, not the worker script's.
  const wireOptions = { ...rest, modelBaseUrl: abs(options.modelBaseUrl ?? DEFAULTS.modelBaseUrl) };
  if (rest.wasmPaths) wireOptions.wasmPaths = abs(rest.wasmPaths);
  if (signal?.aborted) throw aborted(signal);
  const since = performance.now();
  let worker: Worker;
  try {
    worker = startWorker();
  } catch (e) {
    const message = `the classifier worker could not be created: ${String(e)}. ${WORKER_HINT}`;
    throw new ClassifierError('BACKEND_UNAVAILABLE', leadWith(message, cspCause(e, since)), { cause: e });
  }
  const proxy = new WorkerClassifier(worker, since);
  const created = new Promise<Extract<FromWorker, { type: 'created' }>>((resolve, reject) => {
    proxy.onCreated = resolve;
    proxy.onCreateFailed = reject;
    signal?.addEventListener('abort', () => reject(new ClassifierError('ABORTED', 'loading was aborted', { cause: signal.reason })), { once: true });
  });
  proxy.onProgress = onProgress;
  worker.postMessage({ type: 'create', options: wireOptions, progress: !!onProgress } satisfies ToWorker);
  try {
    proxy.init(await created);
  } catch (e) {
    worker.terminate();
    throw e;
  }
  return proxy;
}

class WorkerClassifier implements Classifier {
  backend: Backend = 'wasm';
  fallbackReason: string | null = null;
  threads = 1;
  threadsReason: string | null = null;
  precision: Precision = 'fp32';
  canEmbed = false;
  model!: Readonly<ModelSpec>;
  labels: readonly string[] = [];
  lastTimings: StageTimings | null = null;
  loadTimings!: Readonly<LoadTimings>;
  cacheState: CacheState = 'off';
  cacheReason: string | null = null;
  onCreated?: (m: Extract<FromWorker, { type: 'created' }>) => void;
  onCreateFailed?: (e: Error) => void;
  onProgress?: ClassifierOptions['onProgress'];
  private disposed = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private onDisposed?: () => void;
  private readonly watchers: Watchers = new Set();

  constructor(
    private readonly worker: Worker,
    private readonly since: number,
  ) {
    worker.onmessage = ({ data }: MessageEvent<FromWorker>) => this.receive(data);
    worker.onerror = (e) => {
      e.preventDefault();
      const err = new ClassifierError('BACKEND_UNAVAILABLE', e.message ? `the classifier worker failed: ${e.message}` : workerLoadFailed(since));
      this.onCreateFailed?.(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  private setState(s: RuntimeState): void {
    this.backend = s.backend;
    this.fallbackReason = s.fallbackReason;
    this.threads = s.threads;
    this.threadsReason = s.threadsReason;
  }

  init(m: Extract<FromWorker, { type: 'created' }>): void {
    this.setState(m);
    this.precision = m.precision;
    this.canEmbed = m.canEmbed;
    this.model = Object.freeze(m.model);
    this.labels = Object.freeze(m.labels);
    this.cacheState = m.cacheState;
    this.cacheReason = m.cacheReason;
    const total = measure('load (worker)', this.since); // the stages themselves are on the worker's timeline
    this.loadTimings = Object.freeze({ ...m.loadTimings, total, worker: Math.max(0, total - m.loadTimings.total) });
  }

  private receive(m: FromWorker): void {
    if (m.type === 'progress') this.onProgress?.({ loaded: m.loaded, total: m.total });
    else if (m.type === 'created') this.onCreated?.(m);
    else if (m.type === 'disposed') this.onDisposed?.();
    else if (m.type === 'error' && m.id === null) this.onCreateFailed?.(fromWire(m.error));
    else if (m.id !== null) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'result') {
        this.lastTimings = m.timings;
        this.setState(m);
        p?.resolve(m.value);
      } else p?.reject(fromWire(m.error));
    }
  }

  private async call<T>(op: RunOp, images: ImageInput[], options: ClassifyOptions & EmbedOptions): Promise<T> {
    const { signal, ...rest } = options;
    if (this.disposed) throw new ClassifierError('DISPOSED', 'this classifier was disposed');
    if (signal?.aborted) throw aborted(signal);
    // Checked here too, so that a bad option throws before the image crosses (the worker applies its topK).
    const controls: ResultControls = { topK: rest.topK, scoreThreshold: rest.scoreThreshold, allow: rest.allow, deny: rest.deny, groups: rest.groups };
    const view = checkView(rest);
    await decoderFor(this, controls, 1);
    const wireView = view ? { region: view.region ?? undefined, rotation: view.rotation } : {};
    const wireControls = op === 'analyze' ? { ...controls, ...wireView, normalize: rest.normalize } : { ...controls, ...wireView };
    const wire = await Promise.all(images.map((img) => toWire(img, signal)));
    const drop = () => wire.forEach((w) => w instanceof ImageBitmap && w.close());
    if (this.disposed || signal?.aborted) {
      drop();
      throw this.disposed ? new ClassifierError('DISPOSED', 'this classifier was disposed') : aborted(signal);
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.delete(id)) return;
          this.worker.postMessage({ type: 'abort', id } satisfies ToWorker);
          reject(aborted(signal));
        },
        { once: true },
      );
      const transfer = wire.filter((w): w is ImageBitmap => w instanceof ImageBitmap);
      try {
        this.worker.postMessage({ type: 'run', id, op, images: wire, controls: wireControls } satisfies ToWorker, transfer);
      } catch (e) {
        // A tainted bitmap (cross-origin, no CORS) cannot be transferred.
        this.pending.delete(id);
        drop();
        reject(isTaintError(e) ? taintedImage(e) : e);
      }
    });
  }

  classify<O extends ClassifyOptions = ClassifyOptions>(image: ImageInput, options?: O): Promise<ResultFor<O>[]> {
    return this.call('classify', [image], options ?? {});
  }

  async classifyBatch<O extends ClassifyOptions = ClassifyOptions>(images: ImageInput[], options?: O): Promise<ResultFor<O>[][]> {
    if (!Array.isArray(images)) throw new TypeError('classifyBatch(images): images must be an array');
    if (images.length === 0) {
      await decoderFor(this, options ?? {}, 1);
      return [];
    }
    return this.call('classifyBatch', images, options ?? {});
  }

  watch<O extends WatchOptions = WatchOptions>(video: HTMLVideoElement, onResult: (result: WatchResult<ResultFor<O>>) => void, options?: O): Watch {
    if (this.disposed) throw new ClassifierError('DISPOSED', 'this classifier was disposed');
    return startWatch(this, this.watchers, video, onResult, options);
  }

  async embed(image: ImageInput, options: EmbedOptions = {}): Promise<Float32Array> {
    return (await this.analyze(image, { ...options, topK: 1 })).embedding;
  }

  analyze<O extends ClassifyOptions & EmbedOptions = ClassifyOptions & EmbedOptions>(
    image: ImageInput,
    options?: O,
  ): Promise<Analysis<ResultFor<O>>> {
    return this.call('analyze', [image], options ?? {});
  }

  logits(image: ImageInput, options: LogitsOptions = {}): Promise<Float32Array> {
    return this.call('logits', [image], options);
  }

  learn(examples: LearnExamples, options?: LearnOptions): Promise<LearnedClassifier> {
    return learn(this, examples, options);
  }

  loadLearned(saved: object | string): Promise<LearnedClassifier> {
    return loadLearned(this, saved);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    endWatches(this.watchers);
    // The worker lets a running call finish; later ones were refused above.
    await new Promise<void>((resolve) => {
      this.onDisposed = resolve;
      this.worker.postMessage({ type: 'dispose' } satisfies ToWorker);
    });
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new ClassifierError('DISPOSED', 'this classifier was disposed'));
    this.pending.clear();
  }
}
