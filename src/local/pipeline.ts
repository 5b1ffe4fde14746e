/**
 * The run pipeline of the in-thread classifier: images → one batch → the session → logits (and
 * pooled features) per image, with each stage's time. On WASM the images are decoded and
 * preprocessed on the CPU into one tensor; on WebGPU they go to textures and are preprocessed by
 * compute passes on the session's own device, writing the session's input buffer, and only the
 * logits come back. The lifecycle around it (queue, dispose, recovery) is classifier.ts.
 */
import type { StageTimings } from '../api/classifier.ts';
import { isTaintError, taintedImage, toGpuSource, type GpuImageSource, type ImageInput } from '../input/decode.ts';
import type { ModelSpec } from '../model/spec.ts';
import { preprocess } from '../preprocess/cpu.ts';
import { GpuPreprocessor } from '../preprocess/gpu.ts';
import { tablesFor } from '../preprocess/normalize.ts';
import { viewPixels, viewsInOrder, type View } from '../preprocess/view.ts';
import { gpuSourcePixels, pixelsInOrder } from '../preprocess/window.ts';
import type { ModelSession, RunOutput } from '../runtime/session.ts';

/** One run's outputs, split per image. */
export interface PerImage {
  logits: Float32Array[];
  features: Float32Array[] | null;
}

/** What the pipeline needs of the classifier's lifecycle. */
export interface Turns {
  /**
   * Runs `work` on the session once every earlier run is done (one session runs one batch at a
   * time), with the session as it is then; skipped when the call was cancelled by then.
   */
  enqueue<T>(signal: AbortSignal | undefined, work: (session: ModelSession) => Promise<T>): Promise<T>;
  /** Throws `DISPOSED` or `ABORTED` when the call must stop. */
  check(signal?: AbortSignal): void;
}

/** Preprocessing and runs for one model on one session's backend (the GPU path when it has a device). */
export class RunPipeline {
  private readonly tables: Float32Array[];
  /** WebGPU backend: preprocessing on the session's device, into `gpuInput`. */
  private readonly gpu: GpuPreprocessor | null;
  private gpuInput: { buffer: GPUBuffer; n: number } | null = null;

  constructor(
    private readonly model: Readonly<ModelSpec>,
    device: GPUDevice | undefined,
    private readonly turns: Turns,
  ) {
    this.tables = tablesFor(model);
    this.gpu = device ? new GpuPreprocessor(device, model) : null;
  }

  /**
   * `images` → one batch → logits per image (and with `features`, pooled features per image), with
   * the stage timings. With a `view`, each image's region is cut and turned first (view.ts).
   */
  async run(images: ImageInput[], signal: AbortSignal | undefined, features: boolean, view: View | null = null): Promise<{ out: PerImage; timings: StageTimings }> {
    const t: StageTimings = { decode: 0, preprocess: 0, inference: 0, total: 0 };
    const t0 = performance.now();
    const out = this.gpu ? await this.runOnGpu(this.gpu, images, t, signal, features, view) : await this.runOnCpu(images, t, signal, features, view);
    t.total = performance.now() - t0;
    const split = (data: Float32Array) => {
      const size = data.length / images.length;
      return images.map((_, i) => data.slice(i * size, (i + 1) * size));
    };
    return { out: { logits: split(out.logits), features: out.features ? split(out.features) : null }, timings: t };
  }

  /** Frees the GPU preprocessor and the input buffer (after a device loss they went with the device). */
  dispose(): void {
    this.gpuInput?.buffer.destroy();
    this.gpuInput = null;
    this.gpu?.dispose();
  }

  /** CPU preprocessing into one tensor (NCHW or NHWC), then the session. */
  private async runOnCpu(images: ImageInput[], t: StageTimings, signal: AbortSignal | undefined, features: boolean, view: View | null): Promise<RunOutput> {
    const size = 3 * this.model.inputSize ** 2;
    const input = new Float32Array(images.length * size);
    // Decoding runs a few images ahead of preprocessing (off the main thread), and only those
    // few images' pixels are held at once.
    let i = 0;
    let mark = performance.now();
    for await (const pixels of view ? viewsInOrder(images, view, signal) : pixelsInOrder(images, signal, this.model)) {
      const decoded = performance.now();
      t.decode += decoded - mark;
      try {
        preprocess(pixels, this.model, input, i++ * size, this.tables);
      } finally {
        pixels.release?.();
      }
      mark = performance.now();
      t.preprocess += mark - decoded;
      this.turns.check(signal);
    }
    const out = await this.turns.enqueue(signal, (session) => session.run(input, images.length, features));
    t.inference = performance.now() - mark;
    return out;
  }

  /**
   * Images to GPU textures, preprocessing as compute passes writing the session's input buffer,
   * the session on that buffer; only the logits come back. An image larger than a texture can
   * hold is preprocessed on the CPU and uploaded instead.
   */
  private async runOnGpu(
    gpu: GpuPreprocessor,
    images: ImageInput[],
    t: StageTimings,
    signal: AbortSignal | undefined,
    features: boolean,
    view: View | null,
  ): Promise<RunOutput> {
    const sources: (GpuImageSource & { release(): void })[] = [];
    const uploads = new Map<number, Float32Array<ArrayBuffer>>();
    const t0 = performance.now();
    try {
      for (const [i, image] of images.entries()) {
        // A view's pixels are cut and turned on the CPU, then preprocessed on the GPU like ImageData.
        const source = view ? { kind: 'pixels' as const, ...(await viewPixels(image, view, signal)), release() {} } : await toGpuSource(image, signal);
        sources.push(source);
        if (Math.max(source.width, source.height) > gpu.maxSide) {
          const pixels = await gpuSourcePixels(source, this.model);
          try {
            uploads.set(i, preprocess(pixels, this.model, undefined, 0, this.tables) as Float32Array<ArrayBuffer>);
          } finally {
            pixels.release?.();
          }
        }
        this.turns.check(signal);
      }
      t.decode = performance.now() - t0;
      return await this.turns.enqueue(signal, async (session) => {
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
        const out = await session.runGpu(buffer, images.length, features);
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
