/** Messages between the main thread's proxy (client.ts) and the worker (worker.ts). */
import type { LoadTimings, StageTimings } from '../api/classifier.ts';
import type { ClassifierOptions } from '../api/options.ts';
import type { CacheState } from '../model/cache.ts';
import type { ModelSpec, Precision } from '../model/spec.ts';
import type { ResultControls } from '../output/controls.ts';
import type { ViewOptions } from '../preprocess/view.ts';
import type { Backend } from '../runtime/backend.ts';

/** What crosses to the worker: a Blob (by reference), a transferred ImageBitmap, ImageData or an absolute URL. */
export type WireImage = Blob | ImageBitmap | ImageData | string;

/** Classifier options that can be cloned (callbacks and signals stay on the main thread). */
export type WireOptions = Omit<ClassifierOptions, 'onProgress' | 'signal' | 'worker'>;

export type RunOp = 'classify' | 'classifyBatch' | 'logits' | 'analyze';

export type ToWorker =
  | { type: 'create'; options: WireOptions; progress: boolean }
  | { type: 'run'; id: number; op: RunOp; images: WireImage[]; controls: ResultControls & ViewOptions & { normalize?: boolean } }
  | { type: 'abort'; id: number }
  | { type: 'dispose' };

export interface WireError {
  name: string;
  code?: string;
  message: string;
}

/** Where the classifier's runtime stands: sent when it is created and after each run (a lost WebGPU device moves it to WASM). */
export interface RuntimeState {
  backend: Backend;
  fallbackReason: string | null;
  threads: number;
  threadsReason: string | null;
}

export type FromWorker =
  | { type: 'progress'; loaded: number; total: number }
  | (RuntimeState & { type: 'created'; precision: Precision; model: ModelSpec; labels: string[]; canEmbed: boolean; loadTimings: LoadTimings; cacheState: CacheState; cacheReason: string | null })
  | (RuntimeState & { type: 'result'; id: number; value: unknown; timings: StageTimings | null })
  | { type: 'error'; id: number | null; error: WireError }
  | { type: 'disposed' };
