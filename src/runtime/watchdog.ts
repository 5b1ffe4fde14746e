/**
 * A watchdog for onnxruntime-web's start-up: compiling its WebAssembly and starting its thread
 * workers. That start can hang for good instead of failing: each WASM thread is a worker
 * started from the URL of onnxruntime-web's own module, and when a bundler has put that module
 * into a chunk with other code (an app's chunk, or a worker built as a classic script with
 * everything inlined), the thread runs that code instead of onnxruntime-web's and never reports
 * back. ORT then waits forever, with no error and no failed request.
 *
 * The download of the `.wasm` file is not timed (a slow network is not a hang): the clock starts
 * when the file has arrived, seen through Resource Timing, or at the start where a browser has
 * no Resource Timing.
 */
import { ClassifierError } from '../common/errors.ts';

/** Default of `runtimeTimeout`: start-up time allowed once the `.wasm` has downloaded. */
export const RUNTIME_TIMEOUT_MS = 30_000;

/**
 * An ONNX model of one `Identity` node (`x` float32[1] → `y`), 63 bytes. Creating a session on it
 * starts the runtime (WASM module, thread pool, WebGPU device) apart from the real model, so
 * that the watchdog times the start-up alone, not the loading of a large model.
 */
export const STARTUP_PROBE_MODEL = new Uint8Array([
  8, 7, 58, 55, 10, 16, 10, 1, 120, 18, 1, 121, 34, 8, 73, 100, 101, 110, 116, 105, 116, 121, 18, 1, 112, 90, 15, 10, 1,
  120, 18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1, 98, 15, 10, 1, 121, 18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1, 66, 2, 16, 13,
]);

const isWasmFile = (url: string) => /\.wasm(?:[?#]|$)/.test(url);

/** What the watchdog needs to know of the runtime it watches. */
export interface StartupWatch {
  /** `'wasm'` or `'webgpu'`, for messages. */
  backend: string;
  /** onnxruntime-web's JavaScript version (`ort.env.versions.web`), for messages. */
  version: string;
  /** Milliseconds allowed once the `.wasm` has downloaded; 0: no limit. */
  limitMs: number;
}

/** onnxruntime-web's own code: a bundler's chunk of it, or its .mjs files. */
const RUNTIME_FILE = /\bort[.-][\w.-]*\.m?js\b/;

/** An uncaught error or unhandled rejection, as message and where it was thrown (when known). */
function uncaught(e: Event): { message: string; where: string; error: unknown } {
  if ('reason' in e) {
    const reason = (e as PromiseRejectionEvent).reason as { message?: string; stack?: string } | undefined;
    const where = /(?:https?|blob|file):[^\s)]*/.exec(String(reason?.stack ?? '').split('\n').find((l) => RUNTIME_FILE.test(l)) ?? '')?.[0] ?? '';
    return { message: String(reason?.message ?? reason), where, error: reason };
  }
  const ev = e as ErrorEvent;
  // An error in one of ORT's thread workers reaches the worker that started it as an ErrorEvent,
  // which Emscripten rethrows: the uncaught error is then that event ("Uncaught [object ErrorEvent]").
  const inner = ev.error as { message?: unknown; filename?: unknown } | null | undefined;
  if (inner && typeof inner === 'object' && !(inner instanceof Error) && typeof inner.message === 'string') {
    return { message: inner.message, where: typeof inner.filename === 'string' ? inner.filename : ev.filename ?? '', error: ev.error };
  }
  return { message: ev.message, where: ev.filename ?? '', error: ev.error };
}

/**
 * `start`, or `BACKEND_UNAVAILABLE`:
 * - at once, when onnxruntime-web's code throws an uncaught error while it starts (its .mjs and
 *   .wasm files of different versions do that, and then it would wait for ever);
 * - when it has not settled `limitMs` after a `.wasm` file requested since this call finished
 *   downloading.
 */
export async function withStartupWatchdog<T>(start: Promise<T>, watch: StartupWatch): Promise<T> {
  const { backend, version, limitMs } = watch;
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let observer: PerformanceObserver | undefined;
  let onError: ((e: Event) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    // In the classifier's worker, every script is ours or the runtime's; on a page, only the runtime's count.
    const inWorker = typeof document === 'undefined';
    onError = (e: Event) => {
      const u = uncaught(e);
      if (!inWorker && !RUNTIME_FILE.test(u.where)) return;
      // In the worker, the error is reported through the classifier's own message, not also as
      // the worker's uncaught error (which would race it to the page with a lesser message).
      if (inWorker) e.preventDefault();
      reject(crashError(backend, version, u));
    };
    globalThis.addEventListener?.('error', onError);
    globalThis.addEventListener?.('unhandledrejection', onError);
    if (!(limitMs > 0)) return;
    const arm = (since: string) => {
      if (timer !== undefined) return;
      observer?.disconnect();
      timer = setTimeout(() => reject(hangError(backend, version, limitMs, since)), limitMs);
    };
    const resourceTiming =
      typeof PerformanceObserver !== 'undefined' && (PerformanceObserver.supportedEntryTypes ?? []).includes('resource');
    if (!resourceTiming) {
      arm('it began to load');
      return;
    }
    observer = new PerformanceObserver((list) => {
      if (list.getEntries().some((e) => e.startTime >= t0 && isWasmFile(e.name))) arm('its .wasm file downloaded');
    });
    observer.observe({ type: 'resource', buffered: true });
  });
  try {
    return await Promise.race([start, failed]);
  } finally {
    clearTimeout(timer);
    observer?.disconnect();
    if (onError) {
      globalThis.removeEventListener?.('error', onError);
      globalThis.removeEventListener?.('unhandledrejection', onError);
    }
  }
}

/** The one sentence that says how to serve the runtime's files right. */
export const SERVE_RUNTIME_HINT =
  'With a bundler, see the README\'s "Use it in your app" (Vite: the resnet-web/vite plugin); with dist/, keep ' +
  'dist/ort/ beside resnet-web.js; with wasmPaths, point it at a folder holding that version\'s ' +
  'ort-wasm-simd-threaded(.asyncify).mjs and .wasm (resnet-web ships them in dist/ort/).';

function versionHint(version: string): string {
  return `onnxruntime-web's .mjs and .wasm files must be the same version as its JavaScript (${version}). `;
}

function crashError(backend: string, version: string, e: { message: string; where: string; error: unknown }): ClassifierError {
  // The classifier's worker started as one of onnxruntime-web's threads says what is wrong itself (worker.ts).
  if (/resnet-web: /.test(e.message)) {
    return new ClassifierError('BACKEND_UNAVAILABLE', `onnxruntime-web (${backend}) could not start: ${e.message}`, { cause: e.error });
  }
  const where = e.where ? ` (in ${e.where})` : '';
  return new ClassifierError(
    'BACKEND_UNAVAILABLE',
    `onnxruntime-web (${backend}) failed while starting: ${e.message}${where}. ${versionHint(version)}${SERVE_RUNTIME_HINT}`,
    { cause: e.error },
  );
}

function hangError(backend: string, version: string, limitMs: number, since: string): ClassifierError {
  return new ClassifierError(
    'BACKEND_UNAVAILABLE',
    `onnxruntime-web (${backend}) did not start within ${limitMs / 1000} s after ${since}. Either its WebAssembly ` +
      'thread workers never reported back: a bundler put onnxruntime-web into a chunk with other code (each thread ' +
      'worker loads the module onnxruntime-web is in), so keep it in a chunk of its own (a dynamic import; ES module ' +
      `workers) or set numThreads: 1; or ${versionHint(version)}` +
      'The runtimeTimeout option sets this limit.',
  );
}
