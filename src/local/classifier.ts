/**
 * The in-thread classifier's lifecycle: calls queue up (one run at a time per session),
 * `dispose()` lets the running call finish and rejects the rest, and a lost WebGPU device moves
 * the model to WASM once, with the call that noticed it run again there. What one run does is
 * pipeline.ts; loading is load.ts.
 */
import type { Analysis, Classifier, LoadTimings, StageTimings } from '../api/classifier.ts';
import type { ClassifyOptions, EmbedOptions, LogitsOptions } from '../api/options.ts';
import { learn, loadLearned, type LearnedClassifier, type LearnExamples, type LearnOptions } from '../api/learned.ts';
import { endWatches, startWatch, type Watch, type Watchers, type WatchOptions, type WatchResult } from '../api/watch.ts';
import { abortable, aborted } from '../common/abort.ts';
import { ClassifierError } from '../common/errors.ts';
import type { ImageInput } from '../input/decode.ts';
import type { CacheState } from '../model/cache.ts';
import type { ModelSpec, Precision } from '../model/spec.ts';
import { decoderFor, type ResultFor } from '../output/controls.ts';
import { toEmbedding } from '../output/embedding.ts';
import { checkView, type View } from '../preprocess/view.ts';
import type { Backend } from '../runtime/backend.ts';
import { reportFallback } from '../runtime/notices.ts';
import type { ModelSession } from '../runtime/session.ts';
import { RunPipeline, type PerImage } from './pipeline.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A model loaded in this thread (see `createLocalClassifier`). */
export class OnnxClassifier implements Classifier {
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private pipeline: RunPipeline;
  /** Set when the session's WebGPU device is lost: the next call moves to WASM. */
  private lost: string | null = null;
  private recovering: Promise<void> | null = null;
  private readonly watchers: Watchers = new Set();
  fallbackReason: string | null;
  lastTimings: StageTimings | null = null;
  /** Set by the loader once the classifier is ready. */
  loadTimings: Readonly<LoadTimings> = Object.freeze({
    total: 0, worker: 0, labels: 0, modelRead: 0, modelCheck: 0, graph: 0, runtimeImport: 0, runtimeStart: 0, runtimeMemory: 0, session: 0, warmUp: 0, cacheWrite: 0, source: 'network',
  });
  /** Set by the loader: what became of the model file in the model cache. */
  cacheState: CacheState = 'off';
  cacheReason: string | null = null;

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
    this.pipeline = this.pipelineFor(session.device);
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

  get threadsReason(): string | null {
    return this.session.threadsReason;
  }

  get canEmbed(): boolean {
    return this.noEmbedding === null;
  }

  async classify<O extends ClassifyOptions = ClassifyOptions>(image: ImageInput, options?: O): Promise<ResultFor<O>[]> {
    const view = checkView(options);
    const decode = await decoderFor(this, options ?? {}, this.topK);
    const { logits } = await this.run([image], options?.signal, false, view);
    return decode(logits[0]) as ResultFor<O>[];
  }

  async embed(image: ImageInput, options: EmbedOptions = {}): Promise<Float32Array> {
    return (await this.analyze(image, { ...options, topK: 1 })).embedding;
  }

  async analyze<O extends ClassifyOptions & EmbedOptions = ClassifyOptions & EmbedOptions>(
    image: ImageInput,
    options?: O,
  ): Promise<Analysis<ResultFor<O>>> {
    const view = checkView(options);
    const decode = await decoderFor(this, options ?? {}, this.topK);
    this.checkUsable(options?.signal);
    if (this.noEmbedding) throw new ClassifierError('MODEL_LOAD_FAILED', this.noEmbedding);
    const { logits, features } = await this.run([image], options?.signal, true, view);
    return { predictions: decode(logits[0]) as ResultFor<O>[], embedding: toEmbedding(features![0], options) };
  }

  async classifyBatch<O extends ClassifyOptions = ClassifyOptions>(images: ImageInput[], options?: O): Promise<ResultFor<O>[][]> {
    if (!Array.isArray(images)) throw new TypeError('classifyBatch(images): images must be an array');
    const view = checkView(options);
    const decode = await decoderFor(this, options ?? {}, this.topK);
    if (images.length === 0) return [];
    const { logits } = await this.run(images, options?.signal, false, view);
    return logits.map((l) => decode(l) as ResultFor<O>[]);
  }

  watch<O extends WatchOptions = WatchOptions>(video: HTMLVideoElement, onResult: (result: WatchResult<ResultFor<O>>) => void, options?: O): Watch {
    this.checkUsable();
    return startWatch(this, this.watchers, video, onResult, options);
  }

  async logits(image: ImageInput, options: LogitsOptions = {}): Promise<Float32Array> {
    const view = checkView(options);
    const { logits } = await this.run([image], options.signal, false, view);
    return logits[0];
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
    await this.queue.catch(() => undefined);
    await this.recovering?.catch(() => undefined);
    await this.session.release();
    this.pipeline.dispose();
  }

  private checkUsable(signal?: AbortSignal): void {
    if (this.disposed) throw new ClassifierError('DISPOSED', 'this classifier was disposed');
    if (signal?.aborted) throw aborted(signal);
  }

  /** The run pipeline (on the GPU path where the session has a device), whose runs take their turn in this classifier's queue. */
  private pipelineFor(device: GPUDevice | undefined): RunPipeline {
    return new RunPipeline(this.model, device, {
      enqueue: (signal, work) => this.enqueue(signal, work),
      check: (signal) => this.checkUsable(signal),
    });
  }

  /**
   * Runs `work` after every earlier run (one session runs one batch at a time); skipped when the
   * classifier was disposed or the call aborted by the time its turn comes.
   */
  private enqueue<T>(signal: AbortSignal | undefined, work: (session: ModelSession) => Promise<T>): Promise<T> {
    const job = this.queue.then(() => {
      this.checkUsable(signal);
      return work(this.session);
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  /**
   * `images` → one batch → logits per image (and with `features`, pooled features per image); an
   * abort rejects at once (the work then stops at its next step).
   */
  private run(images: ImageInput[], signal: AbortSignal | undefined, features: boolean, view: View | null): Promise<PerImage> {
    this.checkUsable(signal);
    return abortable(this.runRecovering(images, signal, features, view), signal);
  }

  /**
   * When the WebGPU device is lost (before or during the call), the model is reopened on WASM
   * and the call runs again there.
   */
  private async runRecovering(images: ImageInput[], signal: AbortSignal | undefined, features: boolean, view: View | null): Promise<PerImage> {
    if (this.lost) await this.recover();
    try {
      return await this.runOnce(images, signal, features, view);
    } catch (e) {
      // The caller's errors (a bad image, abort, dispose) are not the device's.
      if ((e instanceof ClassifierError && e.code !== 'INFERENCE_FAILED') || !(await this.deviceLost())) throw e;
      await this.recover();
      this.checkUsable(signal);
      return this.runOnce(images, signal, features, view);
    }
  }

  private async runOnce(images: ImageInput[], signal: AbortSignal | undefined, features: boolean, view: View | null): Promise<PerImage> {
    const { out, timings } = await this.pipeline.run(images, signal, features, view);
    this.lastTimings = timings;
    return out;
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
      this.pipeline.dispose(); // its buffers went with the device
      this.pipeline = this.pipelineFor(undefined); // WASM: preprocessing on the CPU
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
}
