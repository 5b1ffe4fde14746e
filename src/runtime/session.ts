/**
 * The session: picks the backend, configures the runtime, creates and checks the inference
 * session, runs it. runtime/ is the only folder that imports onnxruntime-web (ort-loader.ts loads
 * it; this module uses its types).
 *
 * Each backend loads its own onnxruntime-web build, only when it is used:
 * - WebGPU: `onnxruntime-web/webgpu`, ORT's native WebGPU execution provider (asyncify build).
 *   The default `onnxruntime-web` export still uses the older JSEP provider, deprecated since
 *   ORT 1.29, which returns wrong logits for uint8-quantized models (microsoft/onnxruntime#32578;
 *   seen here with mobilenetv2-12-int8).
 * - WASM: `onnxruntime-web/wasm`, the plain CPU build. The asyncify and JSEP builds add tens of
 *   milliseconds to every CPU run (measured here: ResNet-56 8 ms a run with it, 38 ms with the
 *   asyncify build), and its `.wasm` is half the size.
 *
 * Each build's `.wasm` is the one shipped inside the onnxruntime-web package: its ESM bundle
 * locates it with `new URL(..., import.meta.url)`, which bundlers (Vite) copy next to the build
 * and dev servers serve from node_modules. No CDN is involved. `wasmPaths` overrides.
 */
import type * as Ort from 'onnxruntime-web/webgpu';
import type { LoadClock } from '../common/clock.ts';
import { cspCause, leadWith, viteDepsCause } from '../common/causes.ts';
import { failedDownloads } from '../common/downloads.ts';
import { ClassifierError } from '../common/errors.ts';
import type { Backend, BackendRequest } from './backend.ts';
import { importOrt } from './ort-loader.ts';
import { reportFallback, reportThreads, threadsShortfall } from './notices.ts';
import { reserveMemory } from './reserve.ts';
import { RUNTIME_TIMEOUT_MS, SERVE_RUNTIME_HINT, STARTUP_PROBE_MODEL, withStartupWatchdog } from './watchdog.ts';

/**
 * ORT is imported dynamically: bundlers then give each build a chunk of its own. Its WASM thread
 * workers are started from its own module URL, so that chunk must hold ORT alone (bundled into
 * the app's chunk, each worker would run the app instead), and pages that never classify never
 * download it.
 */
const runtimes: Partial<Record<Backend, Promise<typeof Ort>>> = {};
function loadRuntime(backend: Backend): Promise<typeof Ort> {
  runtimes[backend] ??= importOrt(backend).catch(
    (e: unknown) => {
      delete runtimes[backend];
      throw new ClassifierError('BACKEND_UNAVAILABLE', `could not load onnxruntime-web (${backend}): ${String(e)}`, { cause: e });
    },
  );
  return runtimes[backend];
}

/** Runtime settings of {@link openSession}. */
export interface SessionOptions {
  backend: BackendRequest;
  /** Expected input/output names (checked); default: the model's first input/output. */
  inputName?: string;
  outputName?: string;
  /** The graph output holding the pooled features (added by model/graph.ts), if any. */
  embeddingOutput?: string | null;
  /** Expected square input side and class count, checked against the model's metadata. */
  inputSize: number;
  /** The input's layout: `[N,3,S,S]` or `[N,S,S,3]`; default NCHW. */
  layout?: 'NCHW' | 'NHWC';
  classes: number;
  /** WASM threads; default: all cores when the page is cross-origin isolated, else 1. */
  numThreads?: number;
  /** Where to load ORT's `.wasm`/`.mjs` from, when not next to the ORT bundle. */
  wasmPaths?: string;
  /** Run once on zeros after loading so the first real call is not the slow one. Default: on WebGPU only. */
  warmUp?: boolean;
  /** Milliseconds the runtime may take to start once its `.wasm` has downloaded (0: no limit). */
  runtimeTimeout?: number;
  /**
   * The model's weights are dequantized by `DequantizeLinear` nodes (a compact int8 file): let
   * onnxruntime fold them into float32 weights when the session is created.
   */
  foldDequantize?: boolean;
  /** Times the runtime's import and start, the session's creation and the warm-up (`loadTimings`). */
  clock?: LoadClock;
}

/** A loaded model on one backend. */
export interface ModelSession {
  readonly backend: Backend;
  readonly inputName: string;
  readonly outputName: string;
  /** The output holding the pooled features (the embedding), or `null` when the model has none. */
  readonly embeddingOutput: string | null;
  /** WASM threads of the runtime (all cores on a cross-origin isolated page, else 1). */
  readonly threads: number;
  /** On WASM, why it runs on fewer threads than the device has cores (notices.ts); `null` otherwise. */
  readonly threadsReason: string | null;
  /** The session's GPUDevice (WebGPU backend only): preprocessing runs on it too. */
  readonly device?: GPUDevice;
  /** Why an `'auto'` request runs on WASM (no adapter, or WebGPU failed); `null` otherwise. */
  readonly fallbackReason: string | null;
  /**
   * Runs `n` images (float32, in the layout the session was opened with) and returns their logits, `n × classes` values, and with
   * `features` their pooled features too (`n × size`), from the same run.
   */
  run(input: Float32Array, n: number, features?: boolean): Promise<RunOutput>;
  /** The same for input already in a GPU buffer of the session's device (WebGPU backend only). */
  runGpu(input: GPUBuffer, n: number, features?: boolean): Promise<RunOutput>;
  release(): Promise<void>;
}

/** What one run gives back. */
export interface RunOutput {
  logits: Float32Array;
  /** The pooled features, when asked for. */
  features?: Float32Array;
}

/** Why WebGPU cannot run here, or `null` when `navigator.gpu` gives an adapter. */
export async function webGpuMissing(): Promise<string | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return 'this browser has no WebGPU (navigator.gpu is undefined)';
  try {
    return (await gpu.requestAdapter()) !== null ? null : 'navigator.gpu gave no adapter (GPU blocklisted or disabled)';
  } catch (e) {
    return `navigator.gpu.requestAdapter() failed: ${String(e)}`;
  }
}

/**
 * Starts a runtime (its WebAssembly, thread pool and, for WebGPU, its device) on a tiny probe
 * model, once per backend, under a watchdog: a start-up that hangs becomes `BACKEND_UNAVAILABLE`
 * instead of a wait without end (see watchdog.ts).
 */
const started: Partial<Record<Backend, Promise<void>>> = {};
/** When the first runtime began to start: a failure lists every download that failed since (both backends' files, for 'auto'). */
let firstStart: number | undefined;
function startRuntime(ort: typeof Ort, backend: Backend, limitMs: number): Promise<void> {
  const since = (firstStart ??= performance.now());
  started[backend] ??= withStartupWatchdog(create(ort, STARTUP_PROBE_MODEL, backend), { backend, version: ort.env.versions.web ?? '?', limitMs })
    .then((probe) => probe.release())
    .catch(async (e: unknown) => {
      delete started[backend];
      if (e instanceof ClassifierError) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100)); // failed downloads reach Resource Timing a little later
      throw runtimeUnavailable(e, since);
    });
  return started[backend];
}

/** Creates the session on the model, timed. */
async function timedCreate(ort: typeof Ort, model: Uint8Array, backend: Backend, opts: SessionOptions): Promise<Ort.InferenceSession> {
  const t0 = performance.now();
  try {
    return await create(ort, model, backend, opts.foldDequantize);
  } finally {
    opts.clock?.add('session', t0);
  }
}

/** A runtime that has started, on the backend it will run (see {@link startBackend}). */
export interface StartedBackend {
  ort: typeof Ort;
  backend: Backend;
  /** Why an `'auto'` request runs on WASM; `null` otherwise. */
  fallbackReason: string | null;
}

/** What {@link startBackend} needs of the session's options. */
export type BackendOptions = Pick<SessionOptions, 'backend' | 'numThreads' | 'wasmPaths' | 'runtimeTimeout' | 'clock'> & {
  /** WASM: memory to reserve for the model once the runtime has started (see reserve.ts); 0 or unset: none. */
  reserveBytes?: number;
};

/** Imports, configures and starts one backend's runtime, timed. */
async function startOne(backend: Backend, opts: BackendOptions): Promise<typeof Ort> {
  const t0 = performance.now();
  const ort = await loadRuntime(backend);
  opts.clock?.add('runtimeImport', t0);
  const t1 = performance.now();
  configureRuntime(ort, opts);
  await startRuntime(ort, backend, opts.runtimeTimeout ?? RUNTIME_TIMEOUT_MS);
  opts.clock?.add('runtimeStart', t1);
  return ort;
}

/**
 * Picks the backend and starts its runtime (import, WebAssembly compile, threads; for WebGPU the
 * device), needing no model: the loader runs it while the model file is read. `'auto'` falls back
 * to WASM (and says why) when WebGPU has no adapter or its runtime does not start.
 */
export async function startBackend(opts: BackendOptions): Promise<StartedBackend> {
  if (typeof WebAssembly === 'undefined') {
    throw new ClassifierError('BACKEND_UNAVAILABLE', 'WebAssembly is not available in this environment');
  }
  let fallbackReason = opts.backend === 'wasm' ? null : await webGpuMissing();
  if (opts.backend === 'webgpu' && fallbackReason) {
    throw new ClassifierError(
      'BACKEND_UNAVAILABLE',
      `WebGPU is not available here (${fallbackReason}); use backend "wasm" or "auto"`,
    );
  }
  if (opts.backend !== 'wasm' && !fallbackReason) {
    try {
      return { ort: await startOne('webgpu', opts), backend: 'webgpu', fallbackReason: null };
    } catch (e) {
      if (opts.backend === 'webgpu') {
        if (e instanceof ClassifierError) throw e;
        throw new ClassifierError('BACKEND_UNAVAILABLE', `WebGPU could not start: ${String(e)}`, { cause: e });
      }
      fallbackReason = `the WebGPU session failed (${String(e)})`;
    }
  }
  let ort: typeof Ort;
  try {
    ort = await startOne('wasm', opts);
  } catch (e) {
    throw loadError(e);
  }
  if (opts.reserveBytes) {
    const t0 = performance.now();
    if (await reserveMemory(ort, opts.reserveBytes)) opts.clock?.add('runtimeMemory', t0);
  }
  return { ort, backend: 'wasm', fallbackReason };
}

const configured = new WeakSet<object>();
function configureRuntime(ort: typeof Ort, opts: BackendOptions): void {
  // Each build's environment is global to it and read when its first session is created.
  if (configured.has(ort.env)) return;
  configured.add(ort.env);
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  ort.env.wasm.numThreads = isolated ? Math.max(1, opts.numThreads ?? cores) : 1;
  ort.env.wasm.proxy = false;
  if (opts.wasmPaths) ort.env.wasm.wasmPaths = opts.wasmPaths;
  ort.env.logLevel = 'error';
}

/**
 * Creates a session on the requested backend. `'auto'` falls back to WASM (and says so on the
 * console) when WebGPU has no adapter or cannot create the session.
 */
export async function openSession(model: Uint8Array, opts: SessionOptions, started?: Promise<StartedBackend>): Promise<ModelSession> {
  let { ort, backend, fallbackReason } = await (started ?? startBackend(opts));
  let session: Ort.InferenceSession;
  try {
    session = await timedCreate(ort, model, backend, opts);
  } catch (e) {
    if (backend === 'webgpu' && opts.backend === 'auto') {
      fallbackReason = `the WebGPU session failed (${String(e)})`;
      backend = 'wasm';
      ort = await startOne('wasm', opts).catch((e2: unknown) => {
        throw loadError(e2);
      });
      session = await timedCreate(ort, model, backend, opts).catch((e2: unknown) => {
        throw loadError(e2);
      });
    } else if (backend === 'webgpu') {
      if (e instanceof ClassifierError) throw e;
      throw new ClassifierError('BACKEND_UNAVAILABLE', `WebGPU could not run the model: ${String(e)}`, { cause: e });
    } else {
      throw loadError(e);
    }
  }
  try {
    const device = backend === 'webgpu' ? await ort.env.webgpu.device : undefined;
    const s = checkedSession(ort, session, backend, opts, device, fallbackReason);
    if (fallbackReason) reportFallback(fallbackReason);
    if (s.threadsReason) reportThreads(s.threadsReason);
    if (opts.warmUp ?? backend === 'webgpu') {
      const t1 = performance.now();
      await s.run(new Float32Array(3 * opts.inputSize * opts.inputSize), 1);
      opts.clock?.add('warmUp', t1);
    }
    return s;
  } catch (e) {
    await session.release().catch(() => undefined);
    throw e;
  }
}

/** ORT could not start: the cause when one is detected (CSP, Vite's dependency cache), what failed (every URL that did not download), and how to fix it. */
function runtimeUnavailable(e: unknown, since = 0): ClassifierError {
  const failed = failedDownloads(since);
  const what = failed.length ? ` Failed downloads: ${failed.join(', ')}.` : '';
  const message =
    `onnxruntime-web could not start: ${String(e)}.${what} ${SERVE_RUNTIME_HINT} A Content-Security-Policy must ` +
    "allow 'wasm-unsafe-eval' and same-origin workers.";
  return new ClassifierError('BACKEND_UNAVAILABLE', leadWith(message, cspCause(e, since), viteDepsCause(failed)), { cause: e });
}

function loadError(e: unknown): ClassifierError {
  if (e instanceof ClassifierError) return e;
  // ORT could not start its WebAssembly runtime: its .wasm/.mjs files were not found or blocked.
  if (/no available backend/.test(String(e))) return runtimeUnavailable(e);
  return new ClassifierError('MODEL_LOAD_FAILED', `the runtime could not load the model (not a valid ONNX file?): ${String(e)}`, {
    cause: e,
  });
}

/**
 * The session options for a backend (the benchmark's raw baseline uses the same):
 * - all graph optimizations;
 * - WASM: intra-op threads do not spin-wait between parallel sections. The pool uses every core,
 *   and spinning threads take the main thread's core away from preprocessing and the page
 *   (measured on 2 cores: ResNet-50 213 → 185 ms a run with spinning off).
 * - `freeDimensionOverrides` (batch = 1) is not set: it gave ResNet-50 nothing here (173 vs
 *   178 ms) and ResNet-56 12 %, and would need a second session, with its own copy of the
 *   weights, for `classifyBatch`.
 * - `foldDequantize` (compact int8 files): `session.disable_quant_qdq = "1"`. onnxruntime's
 *   constant folding skips `DequantizeLinear` unless it is set (to keep QDQ node units for its
 *   int8 kernels), and the weights would then be dequantized on every run. With it, they become
 *   float32 initializers once, at load. (fp16 files need nothing: `Cast` is always folded.)
 *   Never set for the zoo's QDQ models: their activations are quantized too.
 */
export function sessionOptions(backend: Backend, foldDequantize = false): Ort.InferenceSession.SessionOptions {
  const session: Record<string, unknown> = {
    ...(backend === 'wasm' ? { intra_op: { allow_spinning: '0' } } : {}),
    ...(foldDequantize ? { disable_quant_qdq: '1' } : {}),
  };
  return {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // errors only: the WebGPU EP warns about shape ops it leaves on the CPU
    ...(Object.keys(session).length ? { extra: { session } } : {}),
  };
}

function create(ort: typeof Ort, model: Uint8Array, backend: Backend, foldDequantize = false): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(model, sessionOptions(backend, foldDequantize));
}

/** The input tensor's dims for `n` images. */
function dims<N extends number | null>(n: N, S: number, layout: 'NCHW' | 'NHWC' = 'NCHW'): [N, number, number, number] {
  return layout === 'NHWC' ? [n, S, S, 3] : [n, 3, S, S];
}

function checkedSession(
  ort: typeof Ort,
  session: Ort.InferenceSession,
  backend: Backend,
  opts: SessionOptions,
  device: GPUDevice | undefined,
  fallbackReason: string | null,
): ModelSession {
  const inputName = opts.inputName ?? session.inputNames[0];
  const outputName = opts.outputName ?? session.outputNames[0];
  const mismatch = (what: string, expected: string, got: string) =>
    new ClassifierError('MODEL_LOAD_FAILED', `wrong model file: expected ${what} ${expected}, the model has ${got}`);
  const classesMismatch = (outputs: number) =>
    new ClassifierError('MODEL_LOAD_FAILED', `wrong model file or labels: the labels list ${opts.classes} classes, the model has ${outputs} outputs`);
  if (!session.inputNames.includes(inputName)) {
    throw mismatch('an input named', `"${inputName}"`, `inputs [${session.inputNames.join(', ')}]`);
  }
  if (!session.outputNames.includes(outputName)) {
    throw mismatch('an output named', `"${outputName}"`, `outputs [${session.outputNames.join(', ')}]`);
  }
  const inMeta = session.inputMetadata?.find((m) => m.name === inputName);
  if (inMeta?.isTensor) {
    const want = dims(null, opts.inputSize, opts.layout);
    const ok = inMeta.shape.length === 4 && inMeta.shape.every((d, i) => typeof d !== 'number' || want[i] === null || d === want[i]);
    if (!ok) {
      const hint = inMeta.shape[3] === 3 && opts.layout !== 'NHWC' ? " (channels last: set ModelSpec.layout to 'NHWC')" : inMeta.shape[1] === 3 && opts.layout === 'NHWC' ? " (channels first: ModelSpec.layout 'NCHW')" : '';
      throw mismatch('input shape', `[${want.map((d) => d ?? 'N').join(',')}]`, `[${inMeta.shape.join(',')}]${hint}`);
    }
  }
  const outMeta = session.outputMetadata?.find((m) => m.name === outputName);
  if (outMeta?.isTensor) {
    const last = outMeta.shape[outMeta.shape.length - 1];
    if (typeof last === 'number' && last !== opts.classes) throw classesMismatch(last);
  }
  const embeddingOutput = opts.embeddingOutput && session.outputNames.includes(opts.embeddingOutput) ? opts.embeddingOutput : null;
  const S = opts.inputSize;
  const runTensor = async (tensor: Ort.Tensor, n: number, features = false): Promise<RunOutput> => {
    const fetches = features && embeddingOutput ? [outputName, embeddingOutput] : [outputName];
    try {
      const out = await session.run({ [inputName]: tensor }, fetches).catch((e: unknown) => {
        throw new ClassifierError('INFERENCE_FAILED', `the model failed to run on ${backend}: ${String(e)}`, { cause: e });
      });
      try {
        const logits = (await out[outputName].getData()) as Float32Array;
        if (logits.length !== n * opts.classes) throw classesMismatch(logits.length / n);
        if (fetches.length === 1) return { logits };
        return { logits, features: (await out[fetches[1]].getData()) as Float32Array };
      } finally {
        for (const t of Object.values(out)) t.dispose();
      }
    } finally {
      tensor.dispose();
    }
  };
  return {
    backend,
    inputName,
    outputName,
    embeddingOutput,
    threads: ort.env.wasm.numThreads ?? 1,
    threadsReason: backend === 'wasm' ? threadsShortfall(ort.env.wasm.numThreads ?? 1, opts.numThreads) : null,
    device,
    fallbackReason,
    run: (input, n, features) => runTensor(new ort.Tensor('float32', input, dims(n, S, opts.layout)), n, features),
    runGpu: (input, n, features) => runTensor(ort.Tensor.fromGpuBuffer(input, { dataType: 'float32', dims: dims(n, S, opts.layout) }), n, features),
    release: () => session.release(),
  };
}
