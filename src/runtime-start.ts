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
import { ClassifierError } from './errors.ts';

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

/**
 * `start`, or `BACKEND_UNAVAILABLE` when it has not settled `limitMs` after a `.wasm` file
 * requested since this call finished downloading. `limitMs` 0 waits forever.
 */
export async function withStartupWatchdog<T>(start: Promise<T>, backend: string, limitMs: number): Promise<T> {
  if (!(limitMs > 0)) return start;
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let observer: PerformanceObserver | undefined;
  const hung = new Promise<never>((_, reject) => {
    const arm = (since: string) => {
      if (timer !== undefined) return;
      observer?.disconnect();
      timer = setTimeout(() => reject(hangError(backend, limitMs, since)), limitMs);
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
    return await Promise.race([start, hung]);
  } finally {
    clearTimeout(timer);
    observer?.disconnect();
  }
}

function hangError(backend: string, limitMs: number, since: string): ClassifierError {
  return new ClassifierError(
    'BACKEND_UNAVAILABLE',
    `onnxruntime-web (${backend}) did not start within ${limitMs / 1000} s after ${since}: its WebAssembly thread ` +
      'workers never reported back. This happens when a bundler puts onnxruntime-web into a chunk with other code ' +
      '(each thread worker loads the module that onnxruntime-web is in): keep onnxruntime-web in a chunk of its own ' +
      '(a dynamic import; ES module workers), or set numThreads: 1 to run without thread workers. ' +
      'The runtimeTimeout option sets this limit.',
  );
}
